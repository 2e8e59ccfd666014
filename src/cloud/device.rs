//! An administrator's sign-in by the device-code flow (REFERENCE.md section 3).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::CloudError;
use super::http::guard;
use super::identity::{AccessToken, aad_from_body, answer};
use crate::model::{AdminPurpose, ClientId, Endpoints, Secret, TenantId};

/// Microsoft Graph Command Line Tools: the public client admin tooling signs in with.
pub const DEFAULT_ADMIN_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The Exchange Online PowerShell module's public client (its app id as seen in sign-in logs;
/// not documented by Microsoft), used for the Exchange sign-in when the first one cannot be
/// reused for Exchange.
pub const EXCHANGE_ADMIN_CLIENT_ID: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";

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

/// A signed-in person (an administrator, or a mailbox user in the delegated check): the token
/// and what renews it.
pub struct AdminSession {
    pub token: AccessToken,
    refresh: Option<SecretString>,
    /// Signed in in the browser rather than with a device code.
    pub in_browser: bool,
}

impl AdminSession {
    /// Whether the sign-in gave a refresh token (`offline_access`).
    pub fn renewable(&self) -> bool {
        self.refresh.is_some()
    }

    /// This session, keeping `earlier`'s refresh token when the redemption that made this one
    /// gave none (the identity platform may or may not send a new one).
    pub fn keeping_refresh(mut self, earlier: AdminSession) -> AdminSession {
        if self.refresh.is_none() {
            self.refresh = earlier.refresh;
        }
        self
    }

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

pub(crate) fn scope_string(endpoints: &Endpoints, purpose: AdminPurpose) -> String {
    let graph = endpoints.graph_resource.trim_end_matches('/');
    let mut s: Vec<String> = purpose
        .scopes()
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

/// A form POST to the identity platform: status and body.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(u16, Vec<u8>), CloudError> {
    guard(url)?;
    answer(http.post(url).form(form)).await
}

/// One client's device-code sign-in to one tenant: a public client's, or with
/// [`DeviceFlow::with_secret`] a confidential one's.
pub struct DeviceFlow<'a> {
    http: &'a reqwest::Client,
    endpoints: &'a Endpoints,
    tenant: String,
    client: String,
    secret: Option<&'a Secret>,
}

impl<'a> DeviceFlow<'a> {
    pub fn new(
        http: &'a reqwest::Client,
        endpoints: &'a Endpoints,
        tenant: TenantId,
        client: ClientId,
    ) -> DeviceFlow<'a> {
        DeviceFlow {
            http,
            endpoints,
            tenant: tenant.to_string(),
            client: client.to_string(),
            secret: None,
        }
    }

    /// The client proves itself with its secret at the token endpoint (a confidential client);
    /// without one it signs in as a public client.
    pub fn with_secret(mut self, secret: Option<&'a Secret>) -> DeviceFlow<'a> {
        self.secret = secret;
        self
    }

    /// A device code for the Graph permissions `purpose` needs.
    pub async fn start(&self, purpose: AdminPurpose) -> Result<DeviceCode, CloudError> {
        self.start_for(&scope_string(self.endpoints, purpose)).await
    }

    /// A device code for `scope`.
    pub async fn start_for(&self, scope: &str) -> Result<DeviceCode, CloudError> {
        let url = format!(
            "{}/{}/oauth2/v2.0/devicecode",
            self.endpoints.login.trim_end_matches('/'),
            self.tenant
        );
        let form = [("client_id", self.client.as_str()), ("scope", scope)];
        let (status, body) = post_form(self.http, &url, &form).await?;
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

    /// A grant at the token endpoint: the session it gives, or the identity platform's error.
    async fn grant(&self, form: &[(&str, &str)]) -> Result<AdminSession, CloudError> {
        let url = self.endpoints.token_url(&self.tenant);
        let mut form = form.to_vec();
        if let Some(secret) = self.secret {
            form.push(("client_secret", secret.expose()));
        }
        let (status, body) = post_form(self.http, &url, &form).await?;
        if status != 200 {
            return Err(aad_from_body(status, &body));
        }
        let a: TokenAnswer = serde_json::from_slice(&body).map_err(|e| CloudError::Unexpected {
            status,
            detail: format!("token answer unreadable: {e}"),
        })?;
        Ok(AdminSession {
            token: AccessToken::from_raw(a.access_token, a.expires_in)?,
            refresh: a.refresh_token.map(SecretString::from),
            in_browser: false,
        })
    }

    /// Another grant of this client at the token endpoint (the browser sign-in's code).
    pub(crate) async fn redeem(&self, form: &[(&str, &str)]) -> Result<AdminSession, CloudError> {
        self.grant(form).await
    }

    /// One poll of the token endpoint.
    pub async fn poll(&self, code: &DeviceCode) -> Result<Poll, CloudError> {
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", self.client.as_str()),
            ("device_code", code.device_code.expose_secret()),
        ];
        match self.grant(&form).await {
            Ok(s) => Ok(Poll::Done(Box::new(s))),
            Err(CloudError::Aad(a)) if a.error == "authorization_pending" => Ok(Poll::Pending),
            Err(CloudError::Aad(a)) if a.error == "slow_down" => Ok(Poll::SlowDown),
            Err(e) => Err(e),
        }
    }

    /// Polls at the server's interval (longer after `slow_down`) until the sign-in ends.
    pub async fn wait(&self, code: &DeviceCode) -> Result<AdminSession, CloudError> {
        let mut interval = Duration::from_secs(code.interval);
        // A code lives 15 minutes; whatever a server says, never wait longer than an hour.
        let deadline =
            tokio::time::Instant::now() + Duration::from_secs(code.expires_in.clamp(1, 3600));
        loop {
            tokio::time::sleep(interval).await;
            match self.poll(code).await {
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

    /// The resource-owner password flow: `username`'s token for `scope` from their password.
    /// Microsoft discourages it, and it fails for any account that must use MFA.
    pub async fn password(
        &self,
        username: &str,
        password: &Secret,
        scope: &str,
    ) -> Result<AdminSession, CloudError> {
        let form = [
            ("grant_type", "password"),
            ("client_id", self.client.as_str()),
            ("username", username),
            ("password", password.expose()),
            ("scope", scope),
        ];
        self.grant(&form).await
    }

    /// A token for `scope` from the session's refresh token: how one sign-in serves Exchange
    /// too, when the identity platform allows it for the client.
    pub async fn refresh_for(
        &self,
        s: &AdminSession,
        scope: &str,
    ) -> Result<AdminSession, CloudError> {
        let Some(rt) = &s.refresh else {
            return Err(CloudError::Unexpected {
                status: 0,
                detail: "the sign-in gave no refresh token: sign in again".into(),
            });
        };
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client.as_str()),
            ("refresh_token", rt.expose_secret()),
            ("scope", scope),
        ];
        self.grant(&form).await
    }
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

/// [`DEFAULT_ADMIN_CLIENT_ID`], typed.
pub fn default_admin_client() -> ClientId {
    ClientId::parse(DEFAULT_ADMIN_CLIENT_ID).expect("a GUID")
}

/// [`EXCHANGE_ADMIN_CLIENT_ID`], typed.
pub fn exchange_admin_client() -> ClientId {
    ClientId::parse(EXCHANGE_ADMIN_CLIENT_ID).expect("a GUID")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CloudKind;

    #[test]
    fn each_purpose_asks_the_identity_platform_for_its_own_permissions() {
        let e = Endpoints::named(CloudKind::China).unwrap();
        assert_eq!(
            scope_string(&e, AdminPurpose::ReadApps),
            "https://microsoftgraph.chinacloudapi.cn/Application.Read.All offline_access"
        );
        assert_eq!(
            scope_string(&e, AdminPurpose::WriteApps),
            "https://microsoftgraph.chinacloudapi.cn/Application.ReadWrite.All offline_access"
        );
        assert_eq!(
            scope_string(&e, AdminPurpose::Setup)
                .matches(".All")
                .count(),
            3,
            "the setup's permissions, as before"
        );
    }
}
