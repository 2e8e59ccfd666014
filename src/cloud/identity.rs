//! Identity platform: tenant discovery and the client-credentials token (through `oauth2`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse,
};
use oauth2::{
    AuthType, Client, ClientSecret, EndpointNotSet, EndpointSet, ErrorResponse, HttpRequest,
    HttpResponse, RequestTokenError, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::error::{AadError, CloudError};
use super::http::{guard, retry_after};
use super::jwt::{TokenClaims, decode_claims};
use crate::model::{ClientId, Endpoints, Secret, TenantId, TenantInput};

/// The token endpoint's error body, keeping Microsoft's `error_codes`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EntraErrorResponse {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: String,
    #[serde(default)]
    pub error_codes: Vec<u32>,
}

impl fmt::Display for EntraErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.error_description)
    }
}

impl ErrorResponse for EntraErrorResponse {}

type EntraClient = Client<
    EntraErrorResponse,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// An access token; the text is never printed.
pub struct AccessToken {
    token: SecretString,
    pub claims: TokenClaims,
    pub expires_in: u64,
}

impl AccessToken {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token.expose_secret())
    }

    /// The token itself, for SASL XOAUTH2.
    pub fn expose(&self) -> &str {
        self.token.expose_secret()
    }

    pub fn from_raw(raw: String, expires_in: u64) -> Result<AccessToken, CloudError> {
        let claims = decode_claims(&raw).map_err(|detail| CloudError::Unexpected {
            status: 200,
            detail,
        })?;
        Ok(AccessToken {
            token: SecretString::from(raw),
            claims,
            expires_in,
        })
    }
}

/// What discovery says about a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantInfo {
    pub id: TenantId,
    /// e.g. `microsoftonline.com`, `microsoftonline.us`; empty when not given.
    pub cloud_instance: String,
    /// `tenant_region_sub_scope`, e.g. `DOD`, `DODCON`, `GCC`; empty when not given.
    pub region_sub_scope: String,
}

/// Reads what discovery says about a tenant: its id (from `issuer`) and its cloud.
pub fn parse_discovery(body: &[u8]) -> Result<TenantInfo, String> {
    #[derive(Deserialize)]
    struct Discovery {
        issuer: String,
        #[serde(default)]
        cloud_instance_name: String,
        #[serde(default)]
        tenant_region_sub_scope: String,
    }
    let d: Discovery =
        serde_json::from_slice(body).map_err(|e| format!("discovery document unreadable: {e}"))?;
    let id = d
        .issuer
        .split('/')
        .find_map(|seg| TenantId::parse(seg).ok())
        .ok_or_else(|| format!("discovery issuer {} names no tenant id", d.issuer))?;
    Ok(TenantInfo {
        id,
        cloud_instance: d.cloud_instance_name,
        region_sub_scope: d.tenant_region_sub_scope,
    })
}

pub(crate) fn aad_from_body(status: u16, body: &[u8]) -> CloudError {
    match serde_json::from_slice::<EntraErrorResponse>(body) {
        Ok(e) if !e.error.is_empty() => CloudError::Aad(AadError {
            status,
            error: e.error,
            codes: e.error_codes,
            description: e.error_description,
        }),
        _ => CloudError::Unexpected {
            status,
            detail: String::from_utf8_lossy(&body[..body.len().min(300)]).replace('\n', " "),
        },
    }
}

/// Sends a request and reads the whole answer: status and body.
pub(crate) async fn answer(req: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), CloudError> {
    let resp = super::http::send(req)
        .await
        .map_err(|e| CloudError::from_reqwest(&e))?;
    Ok((resp.status, resp.body))
}

/// Resolves a domain (or confirms a GUID) through OpenID discovery.
pub async fn discover_tenant(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &TenantInput,
) -> Result<TenantInfo, CloudError> {
    let url = endpoints.discovery_url(&tenant.as_path());
    guard(&url)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let resp = super::http::send(http.get(&url))
            .await
            .map_err(|e| CloudError::from_reqwest(&e))?;
        let (status, body) = (resp.status, resp.body);
        if status == 200 {
            return parse_discovery(&body)
                .map_err(|detail| CloudError::Unexpected { status, detail });
        }
        // A read: throttling and outages are waited out like Graph's, within Retry-After.
        if matches!(status, 429 | 500 | 502 | 503 | 504) && attempt < DISCOVERY_ATTEMPTS {
            let wait = retry_after(&resp.headers)
                .unwrap_or(std::time::Duration::from_millis(500 * u64::from(attempt)));
            tokio::time::sleep(wait).await;
            continue;
        }
        return Err(aad_from_body(status, &body));
    }
}

/// How many times discovery is asked before an outage is reported.
const DISCOVERY_ATTEMPTS: u32 = 3;

type SendFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, CloudError>> + Send>>;

/// How long the token endpoint asked to wait (`Retry-After`), for the retry that follows.
type AskedWait = std::sync::Arc<std::sync::Mutex<Option<std::time::Duration>>>;

/// Sends oauth2's request with reqwest; throttling and outages become errors here, so that the
/// caller can wait and retry instead of oauth2 failing to parse a non-OAuth body.
fn sender(http: reqwest::Client, asked: AskedWait) -> impl Fn(HttpRequest) -> SendFuture {
    move |req: HttpRequest| {
        let http = http.clone();
        let asked = asked.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let req = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body);
            let resp = super::http::send(req)
                .await
                .map_err(|e| CloudError::from_reqwest(&e))?;
            let status = oauth2::http::StatusCode::from_u16(resp.status)
                .unwrap_or(oauth2::http::StatusCode::BAD_GATEWAY);
            if matches!(status.as_u16(), 429 | 502 | 503 | 504) {
                let asked_for = retry_after(&resp.headers);
                *asked.lock().unwrap_or_else(|e| e.into_inner()) = asked_for;
                let wait = asked_for.map(|d| format!(" (Retry-After {} s)", d.as_secs()));
                return Err(CloudError::Unexpected {
                    status: status.as_u16(),
                    detail: format!(
                        "the token endpoint is throttling or unavailable{}",
                        wait.unwrap_or_default()
                    ),
                });
            }
            let mut out = http_response(status.as_u16(), resp.body);
            *out.status_mut() = status;
            Ok(out)
        })
    }
}

fn http_response(status: u16, body: Vec<u8>) -> HttpResponse {
    let mut r = oauth2::http::Response::new(body);
    *r.status_mut() =
        oauth2::http::StatusCode::from_u16(status).unwrap_or(oauth2::http::StatusCode::BAD_GATEWAY);
    r.headers_mut().insert(
        oauth2::http::header::CONTENT_TYPE,
        oauth2::http::HeaderValue::from_static("application/json"),
    );
    r
}

/// The tenant's token endpoint, refused when it is plain http off this machine.
fn token_url(endpoints: &Endpoints, tenant: &TenantId) -> Result<String, CloudError> {
    let url = endpoints.token_url(&tenant.to_string());
    guard(&url)?;
    Ok(url)
}

/// Client credentials with a secret, for `scope` (`<resource>/.default`). Retries throttling
/// and outages twice.
pub async fn client_credentials(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &TenantId,
    client_id: &ClientId,
    secret: &Secret,
    scope: &str,
) -> Result<AccessToken, CloudError> {
    let token_url = token_url(endpoints, tenant)?;
    let client: EntraClient = Client::new(oauth2::ClientId::new(client_id.to_string()))
        .set_client_secret(ClientSecret::new(secret.expose().to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(
            TokenUrl::new(token_url.clone()).map_err(|e| CloudError::Unexpected {
                status: 0,
                detail: format!("token URL {token_url}: {e}"),
            })?,
        );
    let asked = AskedWait::default();
    let send = sender(http.clone(), asked.clone());
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = client
            .exchange_client_credentials()
            .add_scope(Scope::new(scope.to_string()))
            .request_async(&send)
            .await;
        match result {
            Ok(tr) => {
                let text = tr.access_token().secret().clone();
                let claims = decode_claims(&text).map_err(|detail| CloudError::Unexpected {
                    status: 200,
                    detail,
                })?;
                return Ok(AccessToken {
                    token: SecretString::from(text),
                    claims,
                    expires_in: tr.expires_in().map(|d| d.as_secs()).unwrap_or(0),
                });
            }
            Err(RequestTokenError::Request(e)) if e.is_transient() && attempt < 3 => {
                let wait = asked.lock().unwrap_or_else(|e| e.into_inner()).take();
                let pause = wait.unwrap_or(std::time::Duration::from_millis(500 * attempt));
                tokio::time::sleep(pause).await;
            }
            Err(RequestTokenError::Request(e)) => return Err(e),
            Err(RequestTokenError::ServerResponse(e)) => {
                return Err(CloudError::Aad(AadError {
                    status: 400,
                    error: e.error,
                    codes: e.error_codes,
                    description: e.error_description,
                }));
            }
            Err(RequestTokenError::Parse(e, body)) => {
                return Err(match aad_from_body(0, &body) {
                    CloudError::Aad(a) => CloudError::Aad(a),
                    _ => CloudError::Unexpected {
                        status: 0,
                        detail: format!("token endpoint answer unreadable: {e}"),
                    },
                });
            }
            Err(RequestTokenError::Other(detail)) => {
                return Err(CloudError::Unexpected { status: 0, detail });
            }
        }
    }
}

/// A client-credentials token proven by a certificate: the client assertion is signed with
/// the private key (PKCS#8 PEM) whose certificate has `thumbprint` (`x5t#S256`).
pub async fn assertion_credentials(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &TenantId,
    client_id: &ClientId,
    key_pem: &Secret,
    thumbprint: &str,
    scope: &str,
) -> Result<AccessToken, CloudError> {
    let token_url = token_url(endpoints, tenant)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let jwt = crate::credential::assertion(
            key_pem.expose(),
            thumbprint,
            &client_id.to_string(),
            &token_url,
            now,
        )
        .map_err(|detail| CloudError::Unexpected { status: 0, detail })?;
        let cid = client_id.to_string();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", cid.as_str()),
            ("scope", scope),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt.as_str()),
        ];
        let (status, body) = super::device::post_form(http, &token_url, &form).await?;
        if status == 200 {
            #[derive(Deserialize)]
            struct Answer {
                access_token: String,
                #[serde(default)]
                expires_in: u64,
            }
            let a: Answer = serde_json::from_slice(&body).map_err(|e| CloudError::Unexpected {
                status,
                detail: format!("token answer unreadable: {e}"),
            })?;
            return AccessToken::from_raw(a.access_token, a.expires_in);
        }
        let err = aad_from_body(status, &body);
        if err.is_transient() && attempt < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(500 * attempt)).await;
            continue;
        }
        return Err(err);
    }
}
