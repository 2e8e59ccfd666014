//! An administrator's sign-in by the device-code flow (REFERENCE.md section 3).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::CloudError;
use super::http::guard;
use super::identity::{AccessToken, aad_from_body};
use crate::model::Endpoints;

/// Microsoft Graph Command Line Tools: the public client admin tooling signs in with.
pub const DEFAULT_ADMIN_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The Exchange Online PowerShell module's public client (its app id as seen in sign-in logs;
/// not documented by Microsoft), used for the Exchange sign-in when the first one cannot be
/// reused for Exchange.
pub const EXCHANGE_ADMIN_CLIENT_ID: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";

/// The delegated Graph permissions a setup uses; the last one scopes mailboxes through
/// Graph's Exchange role-management provider.
pub const SETUP_SCOPES: [&str; 4] = [
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "RoleManagement.ReadWrite.Exchange",
];

pub struct DeviceCode {
    device_code: SecretString,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u64,
    pub interval: u64,
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .finish_non_exhaustive()
    }
}

/// A signed-in administrator: the Graph token and what renews it.
pub struct AdminSession {
    pub token: AccessToken,
    refresh: Option<SecretString>,
}

impl AdminSession {
    pub fn who(&self) -> &str {
        let c = &self.token.claims;
        if c.upn.is_empty() { &c.name } else { &c.upn }
    }
}

#[derive(Deserialize)]
struct CodeAnswer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default = "five")]
    interval: u64,
}

fn five() -> u64 {
    5
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: u64,
}

fn scope_string(endpoints: &Endpoints) -> String {
    let graph = endpoints.graph_resource.trim_end_matches('/');
    let mut s: Vec<String> = SETUP_SCOPES
        .iter()
        .map(|p| format!("{graph}/{p}"))
        .collect();
    s.push("offline_access".into());
    s.join(" ")
}

/// Exchange Online administration, for the admin API.
pub fn exchange_scope_string(endpoints: &Endpoints) -> String {
    format!("{} offline_access", endpoints.exchange_scope())
}

fn devicecode_url(endpoints: &Endpoints, tenant: &str) -> String {
    format!(
        "{}/{tenant}/oauth2/v2.0/devicecode",
        endpoints.login.trim_end_matches('/')
    )
}

/// A form POST to the identity platform: status and body.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), CloudError> {
    guard(url)?;
    let resp = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| CloudError::from_reqwest(&e))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| CloudError::from_reqwest(&e))?;
    Ok((status, body.to_vec()))
}

pub async fn start(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
) -> Result<DeviceCode, CloudError> {
    start_for(http, endpoints, tenant, client_id, &scope_string(endpoints)).await
}

/// A device code for `scope`.
pub async fn start_for(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
    scope: &str,
) -> Result<DeviceCode, CloudError> {
    let (status, body) = post_form(
        http,
        &devicecode_url(endpoints, tenant),
        &[("client_id", client_id), ("scope", scope)],
    )
    .await?;
    if status != 200 {
        return Err(aad_from_body(status, &body));
    }
    let a: CodeAnswer = serde_json::from_slice(&body).map_err(|e| CloudError::Unexpected {
        status,
        detail: format!("device-code answer unreadable: {e}"),
    })?;
    Ok(DeviceCode {
        device_code: SecretString::from(a.device_code),
        user_code: a.user_code,
        verification_uri: a.verification_uri,
        expires_in: a.expires_in,
        interval: a.interval.max(1),
    })
}

/// One poll of the token endpoint.
#[derive(Debug)]
pub enum Poll {
    Pending,
    SlowDown,
    Done(Box<AdminSession>),
}

impl std::fmt::Debug for AdminSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSession")
            .field("who", &self.who())
            .finish_non_exhaustive()
    }
}

fn session(status: u16, body: &[u8]) -> Result<AdminSession, CloudError> {
    let a: TokenAnswer = serde_json::from_slice(body).map_err(|e| CloudError::Unexpected {
        status,
        detail: format!("token answer unreadable: {e}"),
    })?;
    Ok(AdminSession {
        token: AccessToken::from_raw(a.access_token, a.expires_in)?,
        refresh: a.refresh_token.map(SecretString::from),
    })
}

pub async fn poll(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
    code: &DeviceCode,
) -> Result<Poll, CloudError> {
    let (status, body) = post_form(
        http,
        &endpoints.token_url(tenant),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", code.device_code.expose_secret()),
        ],
    )
    .await?;
    if status == 200 {
        return Ok(Poll::Done(Box::new(session(status, &body)?)));
    }
    match aad_from_body(status, &body) {
        CloudError::Aad(a) if a.error == "authorization_pending" => Ok(Poll::Pending),
        CloudError::Aad(a) if a.error == "slow_down" => Ok(Poll::SlowDown),
        e => Err(e),
    }
}

/// Polls at the server's interval (longer after `slow_down`) until the sign-in ends.
pub async fn wait(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
    code: &DeviceCode,
) -> Result<AdminSession, CloudError> {
    let mut interval = Duration::from_secs(code.interval);
    // A code lives 15 minutes; whatever a server says, never wait longer than an hour.
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs(code.expires_in.clamp(1, 3600));
    loop {
        tokio::time::sleep(interval).await;
        match poll(http, endpoints, tenant, client_id, code).await {
            Ok(Poll::Done(s)) => return Ok(*s),
            Ok(Poll::Pending) => {}
            Ok(Poll::SlowDown) => interval += Duration::from_secs(5),
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(CloudError::Aad(super::AadError {
                status: 400,
                error: "expired_token".into(),
                codes: vec![70020],
                description: "The device code expired before the sign-in was completed.".into(),
            }));
        }
    }
}

/// A token for `scope` from the session's refresh token: how one sign-in serves Exchange too,
/// when the identity platform allows it for the client.
pub async fn refresh_for(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
    s: &AdminSession,
    scope: &str,
) -> Result<AdminSession, CloudError> {
    let Some(rt) = &s.refresh else {
        return Err(CloudError::Unexpected {
            status: 0,
            detail: "the sign-in gave no refresh token: sign in again".into(),
        });
    };
    let (status, body) = post_form(
        http,
        &endpoints.token_url(tenant),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", rt.expose_secret()),
            ("scope", scope),
        ],
    )
    .await?;
    if status == 200 {
        session(status, &body)
    } else {
        Err(aad_from_body(status, &body))
    }
}
