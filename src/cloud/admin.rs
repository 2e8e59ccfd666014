//! Microsoft Graph's directory calls for a setup (REFERENCE.md section 3), made with a signed-in
//! administrator's token.

use std::time::Duration;

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::CloudError;
use super::graph::call;
use super::http::guard;
use super::identity::AccessToken;
use crate::model::{Endpoints, Secret};

fn url(e: &Endpoints, path: &str, filter: Option<String>) -> Result<Url, CloudError> {
    let mut u =
        Url::parse(&format!("{}/{path}", e.graph_v1())).map_err(|err| CloudError::Unexpected {
            status: 0,
            detail: format!("Graph URL: {err}"),
        })?;
    if let Some(f) = filter {
        u.query_pairs_mut().append_pair("$filter", &f);
    }
    guard(u.as_str())?;
    Ok(u)
}

/// A literal for `$filter`, quotes doubled.
pub(crate) fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    status: u16,
    body: &[u8],
) -> Result<T, CloudError> {
    serde_json::from_slice(body).map_err(|e| CloudError::Unexpected {
        status,
        detail: format!("Graph answer unreadable: {e}"),
    })
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
}

async fn get<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    t: &AccessToken,
    u: Url,
) -> Result<T, CloudError> {
    let (status, body) = call(http, t, Method::GET, u, None).await?;
    parse(status, &body)
}

/// `GET /{path}?$filter={field} eq '{value}'`: the collection's members.
async fn list_where<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    path: &str,
    field: &str,
    value: &str,
) -> Result<Vec<T>, CloudError> {
    let u = url(e, path, Some(format!("{field} eq {}", lit(value))))?;
    let l: List<T> = get(http, t, u).await?;
    Ok(l.value)
}

pub(crate) async fn post<T: for<'de> Deserialize<'de>>(
    http: &reqwest::Client,
    t: &AccessToken,
    u: Url,
    body: &Value,
) -> Result<T, CloudError> {
    let (status, bytes) = call(http, t, Method::POST, u, Some(body)).await?;
    parse(status, &bytes)
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
}

pub async fn me(http: &reqwest::Client, e: &Endpoints, t: &AccessToken) -> Result<Me, CloudError> {
    get(http, t, url(e, "me", None)?).await
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleEntry {
    pub id: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub app_roles: Vec<RoleEntry>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<RoleEntry>,
}

impl ServicePrincipal {
    pub fn role_id(&self, value: &str) -> Option<&str> {
        self.app_roles
            .iter()
            .find(|r| r.value == value)
            .map(|r| r.id.as_str())
    }

    pub fn scope_id(&self, value: &str) -> Option<&str> {
        self.oauth2_permission_scopes
            .iter()
            .find(|r| r.value == value)
            .map(|r| r.id.as_str())
    }
}

pub async fn find_service_principal(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    app_id: &str,
) -> Result<Option<ServicePrincipal>, CloudError> {
    let found: Vec<ServicePrincipal> =
        list_where(http, e, t, "servicePrincipals", "appId", app_id).await?;
    Ok(found.into_iter().next())
}

/// Creates the service principal of a just-created app, waiting out replication lag: the
/// directory may not know the app for some seconds after it was created.
pub async fn create_service_principal(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    app_id: &str,
) -> Result<ServicePrincipal, CloudError> {
    let body = json!({ "appId": app_id });
    let mut wait = Duration::from_millis(250);
    let mut waited = Duration::ZERO;
    loop {
        match post(http, t, url(e, "servicePrincipals", None)?, &body).await {
            Err(CloudError::Graph(g))
                if g.status == 400
                    && g.message.contains("does not reference a valid application")
                    && waited < Duration::from_secs(60) =>
            {
                tokio::time::sleep(wait).await;
                waited += wait;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordInfo {
    pub key_id: String,
    /// The secret's first characters, as Graph shows them.
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The object id (what `addPassword` takes).
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password_credentials: Vec<PasswordInfo>,
    #[serde(default)]
    pub key_credentials: Vec<KeyInfo>,
    #[serde(default)]
    pub required_resource_access: Value,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub usage: Option<String>,
    #[serde(default)]
    pub custom_key_identifier: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

impl KeyInfo {
    /// An existing certificate as a `keyCredentials` update names it to keep it.
    fn kept(&self) -> Value {
        json!({
            "keyId": self.key_id,
            "type": self.kind.as_deref().unwrap_or("AsymmetricX509Cert"),
            "usage": self.usage.as_deref().unwrap_or("Verify"),
            "displayName": self.display_name,
        })
    }
}

/// Removes the certificates the wizard registered — named one of `labels`, or identified by
/// `thumbprint` — keeping the others.
pub async fn remove_certificate(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    app: &Application,
    thumbprint: Option<&str>,
    labels: &[&str],
) -> Result<(), CloudError> {
    let keys: Vec<Value> = app
        .key_credentials
        .iter()
        .filter(|k| {
            (thumbprint.is_none() || k.custom_key_identifier.as_deref() != thumbprint)
                && !labels.iter().any(|l| k.display_name.as_deref() == Some(*l))
        })
        .map(KeyInfo::kept)
        .collect();
    let u = url(e, &format!("applications/{}", app.id), None)?;
    call(
        http,
        t,
        Method::PATCH,
        u,
        Some(&json!({ "keyCredentials": keys })),
    )
    .await?;
    Ok(())
}

/// Registers a certificate (DER) on the app. `keyCredentials` is replaced as a whole, so the
/// app's existing certificates are sent back by their key ids.
pub async fn add_certificate(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    app: &Application,
    der: &[u8],
    display_name: &str,
) -> Result<(), CloudError> {
    let mut keys: Vec<Value> = app.key_credentials.iter().map(KeyInfo::kept).collect();
    keys.push(json!({
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
        "key": crate::credential::key_base64(der),
        "displayName": display_name,
    }));
    let u = url(e, &format!("applications/{}", app.id), None)?;
    call(
        http,
        t,
        Method::PATCH,
        u,
        Some(&json!({ "keyCredentials": keys })),
    )
    .await?;
    Ok(())
}

pub async fn find_application(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    app_id: &str,
) -> Result<Option<Application>, CloudError> {
    let found: Vec<Application> = list_where(http, e, t, "applications", "appId", app_id).await?;
    Ok(found.into_iter().next())
}

/// `GET /applications/{objectId}`; `None` when there is no such object.
pub async fn application_by_object_id(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    object_id: &str,
) -> Result<Option<Application>, CloudError> {
    match get(http, t, url(e, &format!("applications/{object_id}"), None)?).await {
        Ok(a) => Ok(Some(a)),
        Err(CloudError::Graph(g)) if g.status == 404 => Ok(None),
        Err(err) => Err(err),
    }
}

pub async fn applications_named(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    name: &str,
) -> Result<Vec<Application>, CloudError> {
    list_where(http, e, t, "applications", "displayName", name).await
}

pub async fn create_application(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    body: &Value,
) -> Result<Application, CloudError> {
    post(http, t, url(e, "applications", None)?, body).await
}

/// A secret as `addPassword` returns it: the only time its value is seen.
pub struct NewPassword {
    pub key_id: String,
    pub secret: Secret,
    pub end: String,
}

pub async fn add_password(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    object_id: &str,
    display_name: &str,
    end: OffsetDateTime,
) -> Result<NewPassword, CloudError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        key_id: String,
        secret_text: String,
        #[serde(default)]
        end_date_time: String,
    }
    let body = json!({ "passwordCredential": {
        "displayName": display_name,
        "endDateTime": end.format(&Rfc3339).unwrap_or_default(),
    }});
    let a: Answer = post(
        http,
        t,
        url(e, &format!("applications/{object_id}/addPassword"), None)?,
        &body,
    )
    .await?;
    Ok(NewPassword {
        key_id: a.key_id,
        secret: Secret::new(a.secret_text),
        end: a.end_date_time,
    })
}

pub async fn remove_password(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    object_id: &str,
    key_id: &str,
) -> Result<(), CloudError> {
    let u = url(e, &format!("applications/{object_id}/removePassword"), None)?;
    call(http, t, Method::POST, u, Some(&json!({ "keyId": key_id }))).await?;
    Ok(())
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    #[serde(default)]
    pub id: String,
    pub resource_id: String,
    pub app_role_id: String,
}

/// Revokes an admin consent (`DELETE /servicePrincipals/{id}/appRoleAssignments/{id}`).
pub async fn remove_assignment(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    principal: &str,
    id: &str,
) -> Result<(), CloudError> {
    let u = url(
        e,
        &format!("servicePrincipals/{principal}/appRoleAssignments/{id}"),
        None,
    )?;
    call(http, t, Method::DELETE, u, None).await.map(|_| ())
}

pub async fn assignments(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    principal: &str,
) -> Result<Vec<Assignment>, CloudError> {
    let u = url(
        e,
        &format!("servicePrincipals/{principal}/appRoleAssignments"),
        None,
    )?;
    let l: List<Assignment> = get(http, t, u).await?;
    Ok(l.value)
}

pub async fn assign(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    resource_sp: &str,
    principal: &str,
    role: &str,
) -> Result<(), CloudError> {
    let u = url(
        e,
        &format!("servicePrincipals/{resource_sp}/appRoleAssignedTo"),
        None,
    )?;
    let body = json!({ "principalId": principal, "resourceId": resource_sp, "appRoleId": role });
    match call(http, t, Method::POST, u, Some(&body)).await {
        Ok(_) => Ok(()),
        Err(CloudError::Graph(g)) if g.message.contains("already exists") => Ok(()),
        Err(e) => Err(e),
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub resource_id: String,
    #[serde(default)]
    pub scope: String,
}

pub async fn grants(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    client_sp: &str,
) -> Result<Vec<Grant>, CloudError> {
    list_where(http, e, t, "oauth2PermissionGrants", "clientId", client_sp).await
}

pub async fn grant(
    http: &reqwest::Client,
    e: &Endpoints,
    t: &AccessToken,
    client_sp: &str,
    resource_sp: &str,
    scope: &str,
) -> Result<(), CloudError> {
    let body = json!({
        "clientId": client_sp,
        "consentType": "AllPrincipals",
        "resourceId": resource_sp,
        "scope": scope,
    });
    call(
        http,
        t,
        Method::POST,
        url(e, "oauth2PermissionGrants", None)?,
        Some(&body),
    )
    .await?;
    Ok(())
}
