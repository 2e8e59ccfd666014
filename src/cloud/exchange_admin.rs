//! Exchange Online administration as a signed-in administrator: the admin API behind the
//! PowerShell module (`InvokeCommand`, REFERENCE.md 4.2; not a supported Microsoft API, its
//! shapes are taken from public callers) and Graph's Exchange role-management provider (4.1,
//! beta). Both honour Retry-After; the admin API's pages are followed.

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};

use super::admin::{lit, parse, post};
use super::error::{CloudError, GraphError};
use super::graph::{call, call_with};
use super::http::guard;
use super::identity::AccessToken;
use crate::model::Endpoints;

/// A cmdlet's result rows and the warnings the service added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Invoked {
    pub rows: Vec<Value>,
    pub warnings: Vec<String>,
}

/// `ExNNNNNN|Exception.Type|text` split into the exception's short name and the text; the
/// whole message when it has another form.
pub fn split_detail(message: &str) -> (String, String) {
    let mut parts = message.splitn(3, '|');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(code), Some(exception), Some(text))
            if code.starts_with("Ex") && !exception.is_empty() =>
        {
            let short = exception.rsplit('.').next().unwrap_or(exception);
            (short.to_string(), text.trim().to_string())
        }
        _ => (String::new(), message.trim().to_string()),
    }
}

/// The admin API's error body, as a `GraphError` whose code is the exception's short name.
pub fn admin_error(status: u16, body: &[u8]) -> CloudError {
    #[derive(Deserialize)]
    struct Outer {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        details: Vec<Detail>,
    }
    #[derive(Deserialize)]
    struct Detail {
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<Outer>(body) {
        Ok(o) => {
            let (exception, text) = o
                .error
                .details
                .first()
                .map(|d| split_detail(&d.message))
                .unwrap_or_default();
            CloudError::Graph(GraphError {
                status,
                code: if exception.is_empty() {
                    o.error.code
                } else {
                    exception
                },
                message: if text.is_empty() {
                    o.error.message
                } else {
                    text
                },
            })
        }
        Err(_) if status == 401 || status == 403 => CloudError::Graph(GraphError {
            status,
            code: if status == 401 {
                "Unauthorized".into()
            } else {
                "Forbidden".into()
            },
            message: String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned(),
        }),
        Err(_) => super::graph::graph_error(status, body),
    }
}

pub fn invoke_url(e: &Endpoints, tenant_id: &str) -> String {
    format!(
        "{}/adminapi/beta/{tenant_id}/InvokeCommand",
        e.exchange.trim_end_matches('/')
    )
}

fn parse_url(u: &str) -> Result<Url, CloudError> {
    guard(u)?;
    Url::parse(u).map_err(|err| CloudError::Unexpected {
        status: 0,
        detail: format!("URL {u}: {err}"),
    })
}

/// Runs one cmdlet; `anchor` is the signed-in administrator's UPN.
pub async fn invoke(
    http: &reqwest::Client,
    e: &Endpoints,
    tenant_id: &str,
    t: &AccessToken,
    anchor: &str,
    cmdlet: &str,
    parameters: Value,
) -> Result<Invoked, CloudError> {
    let body = json!({ "CmdletInput": { "CmdletName": cmdlet, "Parameters": parameters } });
    let headers = [
        ("X-AnchorMailbox", format!("UPN:{anchor}")),
        ("X-CmdletName", cmdlet.to_string()),
        ("X-ResponseFormat", "json".to_string()),
        ("Prefer", "odata.maxpagesize=1000".to_string()),
    ];
    let mut out = Invoked::default();
    let mut next = Some(invoke_url(e, tenant_id));
    // A page cap keeps a service that always answers with a next link from looping forever.
    for _ in 0..10_000 {
        let Some(u) = next.take() else { break };
        let (status, bytes) = call_with(
            http,
            t,
            Method::POST,
            parse_url(&u)?,
            Some(&body),
            &headers,
            admin_error,
        )
        .await?;
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            value: Vec<Value>,
            #[serde(rename = "@adminapi.warnings", default)]
            warnings: Vec<String>,
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
        }
        let p: Page = serde_json::from_slice(&bytes).map_err(|err| CloudError::Unexpected {
            status,
            detail: format!("{cmdlet} answer unreadable: {err}"),
        })?;
        out.rows.extend(p.value);
        out.warnings.extend(p.warnings);
        next = p.next;
    }
    Ok(out)
}

fn beta(e: &Endpoints, path: &str, filter: Option<String>) -> Result<Url, CloudError> {
    let mut u = parse_url(&format!(
        "{}/beta/roleManagement/exchange/{path}",
        e.graph.trim_end_matches('/')
    ))?;
    if let Some(f) = filter {
        u.query_pairs_mut().append_pair("$filter", &f);
    }
    Ok(u)
}

async fn list(http: &reqwest::Client, t: &AccessToken, u: Url) -> Result<Vec<Value>, CloudError> {
    let mut rows = Vec::new();
    let mut next = Some(u);
    for _ in 0..1000 {
        let Some(u) = next.take() else { break };
        let (status, bytes) = call(http, t, Method::GET, u, None).await?;
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            value: Vec<Value>,
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
        }
        let p: Page = parse(status, &bytes)?;
        rows.extend(p.value);
        next = p.next.map(|n| parse_url(&n)).transpose()?;
    }
    Ok(rows)
}

fn id_of(v: &Value) -> Option<String> {
    v["id"].as_str().map(String::from)
}

/// The id of an Exchange role definition such as `Application Mail.Read`.
pub async fn role_definition(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    name: &str,
) -> Result<Option<String>, CloudError> {
    let rows = list(
        http,
        t,
        beta(
            e,
            "roleDefinitions",
            Some(format!("displayName eq {}", lit(name))),
        )?,
    )
    .await?;
    Ok(rows
        .iter()
        .find(|r| {
            r["displayName"]
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case(name))
        })
        .and_then(id_of))
}

/// A custom app scope (Exchange management scope) by display name.
pub async fn find_custom_scope(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    name: &str,
) -> Result<Option<String>, CloudError> {
    let rows = list(http, t, beta(e, "customAppScopes", None)?).await?;
    Ok(rows
        .iter()
        .find(|r| {
            r["displayName"]
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case(name))
        })
        .and_then(id_of))
}

pub async fn create_custom_scope(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    name: &str,
    recipient_filter: &str,
) -> Result<String, CloudError> {
    let body = json!({
        "type": "RecipientScope",
        "displayName": name,
        "customAttributes": { "Exclusive": false, "RecipientFilter": recipient_filter },
    });
    let v = post::<Value>(http, t, beta(e, "customAppScopes", None)?, &body).await?;
    id_of(&v).ok_or_else(|| CloudError::Unexpected {
        status: 201,
        detail: "the new scope has no id".into(),
    })
}

/// Role assignments of a service principal: (role definition id, app scope id).
pub async fn role_assignments(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    sp_object_id: &str,
) -> Result<Vec<(String, Option<String>)>, CloudError> {
    let principal = format!("/ServicePrincipals/{sp_object_id}");
    let rows = list(
        http,
        t,
        beta(
            e,
            "roleAssignments",
            Some(format!("principalId eq {}", lit(&principal))),
        )?,
    )
    .await?;
    Ok(rows
        .iter()
        .filter(|r| {
            r["principalId"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
        })
        .filter_map(|r| {
            Some((
                r["roleDefinitionId"].as_str()?.to_string(),
                r["appScopeId"].as_str().map(String::from),
            ))
        })
        .collect())
}

pub async fn create_role_assignment(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    role_definition_id: &str,
    sp_object_id: &str,
    app_scope_id: &str,
) -> Result<(), CloudError> {
    let body = json!({
        "roleDefinitionId": role_definition_id,
        "principalId": format!("/ServicePrincipals/{sp_object_id}"),
        "directoryScopeId": null,
        "appScopeId": app_scope_id,
    });
    post::<Value>(http, t, beta(e, "roleAssignments", None)?, &body).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_split_on_the_first_two_bars_only() {
        assert_eq!(
            split_detail(
                "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x|y' couldn't be found."
            ),
            (
                "ManagementObjectNotFoundException".to_string(),
                "The operation couldn't be performed because object 'x|y' couldn't be found."
                    .to_string()
            )
        );
        assert_eq!(
            split_detail("plain text"),
            (String::new(), "plain text".to_string())
        );
    }

    #[test]
    fn admin_errors_keep_the_exception() {
        let body = br#"{"error":{"code":"NotFound","message":"Error executing cmdlet","details":[{"message":"Ex1|A.B.ProxyAddressExistsException|The proxy address is used."}]}}"#;
        match admin_error(400, body) {
            CloudError::Graph(g) => {
                assert_eq!(g.code, "ProxyAddressExistsException");
                assert_eq!(g.message, "The proxy address is used.");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(admin_error(403, b"nope"), CloudError::Graph(g) if g.code == "Forbidden"));
    }
}
