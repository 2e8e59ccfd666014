//! An administrator's sign-in in the browser: the authorization code flow with PKCE (S256) on
//! a loopback redirect `http://localhost:<port>` (docs/browser-sign-in.md). The pure pieces
//! (verifier and challenge, the authorize URL, reading the redirect) are here; the listener is
//! in [`loopback`], the browser's start in [`opener`].

pub mod loopback;
pub mod opener;

use std::time::Duration;

use base64::Engine;
use rsa::sha2::{Digest, Sha256};
use secrecy::{ExposeSecret, SecretString};

use super::device::{AdminSession, DeviceFlow};
use super::error::{AadError, CloudError};
use crate::model::{ClientId, Endpoints, Secret, TenantId};
pub use loopback::{Loopback, LoopbackError};

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random_text(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    b64url(&b)
}

/// RFC 7636's S256 challenge: BASE64URL(SHA256(ASCII(verifier))), without padding.
pub fn challenge_of(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

/// A PKCE verifier (secret, kept here) and its challenge (sent to the authorize endpoint).
pub struct Pkce {
    verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    /// 32 random bytes, 43 characters: the shortest verifier RFC 7636 allows, and its challenge.
    pub fn new() -> Pkce {
        Pkce::from_verifier(random_text(32))
    }

    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = challenge_of(&verifier);
        Pkce {
            verifier: SecretString::from(verifier),
            challenge,
        }
    }

    pub fn verifier(&self) -> &str {
        self.verifier.expose_secret()
    }
}

impl Default for Pkce {
    fn default() -> Pkce {
        Pkce::new()
    }
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// A fresh `state`, matched against the redirect.
pub fn new_state() -> String {
    random_text(16)
}

/// The loopback redirect URI for `port`, as the well-known clients are registered
/// (`http://localhost`; the identity platform ignores the port of a localhost redirect).
pub fn redirect_uri(port: u16) -> String {
    format!("http://localhost:{port}")
}

/// What the authorize URL is made of.
pub struct Authorize<'a> {
    pub endpoints: &'a Endpoints,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: &'a str,
    pub challenge: &'a str,
}

/// The authorize endpoint's URL, with everything the flow asks for in its query.
pub fn authorize_url(a: &Authorize) -> String {
    let base = format!(
        "{}/{}/oauth2/v2.0/authorize",
        a.endpoints.login.trim_end_matches('/'),
        a.tenant
    );
    let mut url = reqwest::Url::parse(&base).unwrap_or_else(|_| {
        reqwest::Url::parse("http://invalid.invalid/").expect("a fixed URL parses")
    });
    url.query_pairs_mut()
        .append_pair("client_id", a.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", a.redirect_uri)
        .append_pair("response_mode", "query")
        .append_pair("scope", a.scope)
        .append_pair("state", a.state)
        .append_pair("code_challenge", a.challenge)
        .append_pair("code_challenge_method", "S256");
    url.to_string()
}

/// Why a request reaching the loopback did not give a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectError {
    /// Some other request (a favicon, a probe): answered and ignored.
    NotTheRedirect,
    /// The `state` is not the one this sign-in sent: refused.
    StateMismatch,
    /// The identity platform sent an error instead of a code.
    Refused(AadError),
    /// Neither a code nor an error.
    NoCode,
}

/// The authorization code from the request target (`/?code=…&state=…`) of the browser's
/// request to the loopback, when its `state` is `expected_state`.
pub fn parse_redirect(target: &str, expected_state: &str) -> Result<SecretString, RedirectError> {
    let Ok(url) = reqwest::Url::parse(&format!("http://localhost{target}")) else {
        return Err(RedirectError::NotTheRedirect);
    };
    if url.path() != "/" {
        return Err(RedirectError::NotTheRedirect);
    }
    let get = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (code, error, state) = (get("code"), get("error"), get("state"));
    if code.is_none() && error.is_none() {
        return Err(RedirectError::NoCode);
    }
    if state.as_deref() != Some(expected_state) {
        return Err(RedirectError::StateMismatch);
    }
    if let Some(error) = error {
        let description = get("error_description").unwrap_or_default();
        let codes = description
            .strip_prefix("AADSTS")
            .and_then(|d| d.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .into_iter()
            .collect();
        return Err(RedirectError::Refused(AadError {
            status: 400,
            error,
            codes,
            description,
        }));
    }
    match code.filter(|c| !c.is_empty()) {
        Some(c) => Ok(SecretString::from(c)),
        None => Err(RedirectError::NoCode),
    }
}

/// Why a browser sign-in ended without a session.
#[derive(Debug)]
pub enum BrowserError {
    /// No loopback port could be listened on.
    Listen(String),
    /// The browser did not come back within the wait.
    TimedOut(Duration),
    /// A redirect whose `state` was not this sign-in's: refused, nothing kept.
    StateMismatch,
    /// The identity platform refused (at the authorize or the token endpoint), or could not
    /// be reached.
    Cloud(CloudError),
}

impl std::fmt::Display for BrowserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BrowserError::Listen(why) => f.write_str(why),
            BrowserError::TimedOut(d) => write!(
                f,
                "the browser did not come back to the wizard within {} seconds",
                d.as_secs()
            ),
            BrowserError::StateMismatch => f.write_str(
                "a sign-in answer reached the wizard with a state it did not send: refused",
            ),
            BrowserError::Cloud(e) => write!(f, "{e}"),
        }
    }
}

/// A browser sign-in under way: the URL to open, and the loopback waiting for its redirect.
pub struct BrowserSignIn {
    pub url: String,
    pub redirect_uri: String,
    loopback: Loopback,
    pkce: Pkce,
    state: String,
    tenant: TenantId,
    client: ClientId,
    scope: String,
}

impl std::fmt::Debug for BrowserSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSignIn")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl BrowserSignIn {
    /// Listens on a loopback port (`port` first, 0 for any) and builds the authorize URL for
    /// `scope`.
    pub async fn start(
        endpoints: &Endpoints,
        tenant: TenantId,
        client: ClientId,
        scope: &str,
        port: u16,
    ) -> Result<BrowserSignIn, BrowserError> {
        let loopback = Loopback::bind(port)
            .await
            .map_err(|e| BrowserError::Listen(e.to_string()))?;
        let redirect_uri = redirect_uri(loopback.port());
        let pkce = Pkce::new();
        let state = new_state();
        let (tenant_text, client_text) = (tenant.to_string(), client.to_string());
        let url = authorize_url(&Authorize {
            endpoints,
            tenant: &tenant_text,
            client_id: &client_text,
            redirect_uri: &redirect_uri,
            scope,
            state: &state,
            challenge: &pkce.challenge,
        });
        Ok(BrowserSignIn {
            url,
            redirect_uri,
            loopback,
            pkce,
            state,
            tenant,
            client,
            scope: scope.to_string(),
        })
    }

    /// Waits up to `within` for the browser's redirect, then redeems the code with the
    /// verifier: the same session the device code gives.
    pub async fn finish(
        self,
        http: &reqwest::Client,
        endpoints: &Endpoints,
        within: Duration,
    ) -> Result<AdminSession, BrowserError> {
        self.finish_with(http, endpoints, within, None).await
    }

    /// As [`BrowserSignIn::finish`]; a confidential client (its redirect under the `web`
    /// platform) also proves itself with its `secret`.
    pub async fn finish_with(
        self,
        http: &reqwest::Client,
        endpoints: &Endpoints,
        within: Duration,
        secret: Option<&Secret>,
    ) -> Result<AdminSession, BrowserError> {
        let code = match self.loopback.wait(&self.state, within).await {
            Ok(c) => c,
            Err(LoopbackError::TimedOut) => return Err(BrowserError::TimedOut(within)),
            Err(LoopbackError::Redirect(RedirectError::StateMismatch)) => {
                return Err(BrowserError::StateMismatch);
            }
            Err(LoopbackError::Redirect(RedirectError::Refused(a))) => {
                return Err(BrowserError::Cloud(CloudError::Aad(a)));
            }
            Err(e) => return Err(BrowserError::Listen(e.to_string())),
        };
        let flow = DeviceFlow::new(http, endpoints, self.tenant, self.client).with_secret(secret);
        let client = self.client.to_string();
        let form = [
            ("grant_type", "authorization_code"),
            ("client_id", client.as_str()),
            ("code", code.expose_secret()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("code_verifier", self.pkce.verifier()),
            ("scope", self.scope.as_str()),
        ];
        let mut session = flow.redeem(&form).await.map_err(BrowserError::Cloud)?;
        session.in_browser = true;
        Ok(session)
    }
}

#[cfg(test)]
mod tests;
