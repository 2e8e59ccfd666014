//! Exchange Online administration as a signed-in administrator: the admin API behind the
//! PowerShell module (`InvokeCommand`, REFERENCE.md 4.2; not a supported Microsoft API, its
//! shapes are taken from public callers) and Graph's Exchange role-management provider (4.1,
//! beta). Both honour Retry-After; the admin API's pages are followed, and its redirects to the
//! cloud's own Exchange hosts (a tenant-specific host) — no others.

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};

use super::admin::{GraphAdmin, lit};
use super::error::{CloudError, GraphError};
use super::graph::{ErrorBody, Follow, call_with};
use super::http::guard;
use super::identity::AccessToken;
use crate::model::{Endpoints, ObjectId, TenantId};

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
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => {
            let (exception, text) = error.details[0]["message"]
                .as_str()
                .map(split_detail)
                .unwrap_or_default();
            CloudError::Graph(GraphError {
                status,
                code: if exception.is_empty() {
                    error.code
                } else {
                    exception
                },
                message: if text.is_empty() { error.message } else { text },
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

/// The admin API behind the PowerShell module, for one tenant as one administrator.
#[derive(Clone, Copy)]
pub struct Cmdlets<'a> {
    http: &'a reqwest::Client,
    endpoints: &'a Endpoints,
    tenant: TenantId,
    token: &'a AccessToken,
    /// The administrator's UPN (the admin API's anchor mailbox).
    anchor: &'a str,
}

impl<'a> Cmdlets<'a> {
    pub fn new(
        http: &'a reqwest::Client,
        endpoints: &'a Endpoints,
        tenant: TenantId,
        token: &'a AccessToken,
        anchor: &'a str,
    ) -> Cmdlets<'a> {
        Cmdlets {
            http,
            endpoints,
            tenant,
            token,
            anchor,
        }
    }

    fn url(&self) -> String {
        format!(
            "{}/adminapi/beta/{}/InvokeCommand",
            self.endpoints.exchange.trim_end_matches('/'),
            self.tenant
        )
    }

    /// Runs one cmdlet, following the answer's pages.
    pub async fn invoke(&self, cmdlet: &str, parameters: Value) -> Result<Invoked, CloudError> {
        let body = json!({ "CmdletInput": { "CmdletName": cmdlet, "Parameters": parameters } });
        let headers = [
            ("X-AnchorMailbox", format!("UPN:{}", self.anchor)),
            ("X-CmdletName", cmdlet.to_string()),
            ("X-ResponseFormat", "json".to_string()),
            ("Prefer", "odata.maxpagesize=1000".to_string()),
            // The `Test-` cmdlets' values are translated into the caller's language.
            ("Accept-Language", "en-US".to_string()),
        ];
        let mut out = Invoked::default();
        let mut next = Some(self.url());
        // A page cap keeps a service that always answers with a next link from looping forever.
        for _ in 0..10_000 {
            let Some(u) = next.take() else { break };
            let u = parse_url(&u)?;
            // A next page elsewhere would take the token with it.
            if !self.endpoints.is_exchange_host(&u) {
                return Err(CloudError::Redirected {
                    status: 200,
                    location: u.to_string(),
                    allowed: self.endpoints.exchange_hosts(),
                });
            }
            let (status, bytes) = call_with(
                self.http,
                self.token,
                Method::POST,
                u,
                Some(&body),
                &headers,
                admin_error,
                Follow::ExchangeHosts(self.endpoints),
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
}

fn parse_url(u: &str) -> Result<Url, CloudError> {
    guard(u)?;
    Url::parse(u).map_err(|err| CloudError::Unexpected {
        status: 0,
        detail: format!("URL {u}: {err}"),
    })
}

/// A role assignment as the role-management provider lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleAssignment {
    pub role_definition: String,
    /// The custom app scope it is limited to, if any.
    pub app_scope: Option<String>,
}

/// Graph's Exchange role-management provider (beta), with the Graph administrator's token.
#[derive(Clone, Copy)]
pub struct ExchangeRoles<'a> {
    graph: GraphAdmin<'a>,
}

impl<'a> ExchangeRoles<'a> {
    pub fn new(graph: GraphAdmin<'a>) -> ExchangeRoles<'a> {
        ExchangeRoles { graph }
    }

    fn url(&self, path: &str, filter: Option<String>) -> Result<Url, CloudError> {
        let mut u = parse_url(&format!(
            "{}/beta/roleManagement/exchange/{path}",
            self.graph.endpoints().graph.trim_end_matches('/')
        ))?;
        if let Some(f) = filter {
            u.query_pairs_mut().append_pair("$filter", &f);
        }
        Ok(u)
    }

    /// Every row of a collection, its pages followed.
    async fn list(&self, u: Url) -> Result<Vec<Value>, CloudError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            value: Vec<Value>,
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
        }
        let mut rows = Vec::new();
        let mut next = Some(u);
        for _ in 0..1000 {
            let Some(u) = next.take() else { break };
            let p: Page = self.graph.get(u).await?;
            rows.extend(p.value);
            next = p.next.map(|n| parse_url(&n)).transpose()?;
        }
        Ok(rows)
    }

    /// The id of an Exchange role definition such as `Application Mail.Read`.
    pub async fn role_definition(&self, name: &str) -> Result<Option<String>, CloudError> {
        let filter = format!("displayName eq {}", lit(name));
        let rows = self
            .list(self.url("roleDefinitions", Some(filter))?)
            .await?;
        Ok(id_named(&rows, name))
    }

    /// A custom app scope (Exchange management scope) by display name.
    pub async fn find_custom_scope(&self, name: &str) -> Result<Option<String>, CloudError> {
        let rows = self.list(self.url("customAppScopes", None)?).await?;
        Ok(id_named(&rows, name))
    }

    pub async fn create_custom_scope(
        &self,
        name: &str,
        recipient_filter: &str,
    ) -> Result<String, CloudError> {
        let body = json!({
            "type": "RecipientScope",
            "displayName": name,
            "customAttributes": { "Exclusive": false, "RecipientFilter": recipient_filter },
        });
        let v: Value = self
            .graph
            .post(self.url("customAppScopes", None)?, &body)
            .await?;
        id_of(&v).ok_or_else(|| CloudError::Unexpected {
            status: 201,
            detail: "the new scope has no id".into(),
        })
    }

    /// The role assignments of a service principal.
    pub async fn role_assignments(&self, sp: ObjectId) -> Result<Vec<RoleAssignment>, CloudError> {
        let principal = principal(sp);
        let filter = format!("principalId eq {}", lit(&principal));
        let rows = self
            .list(self.url("roleAssignments", Some(filter))?)
            .await?;
        Ok(rows
            .iter()
            .filter(|r| {
                r["principalId"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
            })
            .filter_map(|r| {
                Some(RoleAssignment {
                    role_definition: r["roleDefinitionId"].as_str()?.to_string(),
                    app_scope: r["appScopeId"].as_str().map(String::from),
                })
            })
            .collect())
    }

    pub async fn create_role_assignment(
        &self,
        role_definition: &str,
        sp: ObjectId,
        app_scope: &str,
    ) -> Result<(), CloudError> {
        let body = json!({
            "roleDefinitionId": role_definition,
            "principalId": principal(sp),
            "directoryScopeId": null,
            "appScopeId": app_scope,
        });
        let _: Value = self
            .graph
            .post(self.url("roleAssignments", None)?, &body)
            .await?;
        Ok(())
    }
}

/// How the provider names a service principal.
fn principal(sp: ObjectId) -> String {
    format!("/ServicePrincipals/{sp}")
}

fn id_of(v: &Value) -> Option<String> {
    v["id"].as_str().map(String::from)
}

/// The id of the row whose display name is `name`, in any case.
fn id_named(rows: &[Value], name: &str) -> Option<String> {
    rows.iter()
        .find(|r| {
            r["displayName"]
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case(name))
        })
        .and_then(id_of)
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
