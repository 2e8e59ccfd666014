//! Sandbox identity endpoints: discovery, JWKS and the token endpoint (client credentials).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Shared;
use super::assertion::{assertion_key_id, check_assertion};
use super::facts::{EXCHANGE_APP_ID, GRAPH_APP_ID};
use super::responses::{aad_error, missing_parameter};
use super::tenant::ClientRefusal;

pub const TOKEN_LIFETIME: i64 = 3599;

pub fn unknown_tenant(tenant: &str) -> Response {
    if tenant.contains('.') || tenant.len() == 36 {
        aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    } else {
        aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900023,
            &format!(
                "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."
            ),
        )
    }
}

pub async fn discovery(State(s): State<Arc<Shared>>, Path(tenant): Path<String>) -> Response {
    let t = s.tenant.lock().await;
    if !t.answers_to(&tenant) {
        return unknown_tenant(&tenant);
    }
    let base = format!("{}/{}", s.base, t.tenant_id);
    let (instance, sub_scope) = &s.cloud_instance;
    let mut doc = json!({
        "issuer": format!("{base}/v2.0"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "tenant_region_scope": if sub_scope.is_empty() { "EU" } else { "NA" },
        "cloud_instance_name": instance,
        "msgraph_host": s.graph_host,
    });
    if !sub_scope.is_empty() {
        doc["tenant_region_sub_scope"] = json!(sub_scope);
    }
    Json(doc).into_response()
}

pub async fn jwks(State(s): State<Arc<Shared>>, Path(tenant): Path<String>) -> Response {
    if !s.tenant.lock().await.answers_to(&tenant) {
        return unknown_tenant(&tenant);
    }
    Json(s.signer.jwks()).into_response()
}

/// Client id and secret from HTTP Basic, where the client sent them that way (RFC 6749 2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        reqwest::Url::parse(&format!("x:?v={s}"))
            .ok()?
            .query_pairs()
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((dec(id)?, dec(secret)?))
}

pub async fn token(
    State(s): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut t = s.tenant.lock().await;
    if !t.answers_to(&tenant) {
        return unknown_tenant(&tenant);
    }
    let basic = basic_credentials(&headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .unwrap_or_default();
    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.map(|b| b.1));
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            return super::device::device_code_grant(&s, &t, &form);
        }
        Some("refresh_token") => return super::refresh::grant(&s, &t, &form),
        Some("authorization_code") => return super::authorize::code_grant(&s, &t, &form),
        Some("password") => return super::user_tokens::password_grant(&s, &t, &form),
        Some(other) => {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            );
        }
        None => return missing_parameter("grant_type"),
    }
    if client_id.is_empty() {
        return missing_parameter("client_id");
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    let Some(resource) = scope.trim().strip_suffix("/.default") else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    };
    let now = OffsetDateTime::now_utc();
    let assertion = form.get("client_assertion").filter(|_| {
        form.get("client_assertion_type").map(String::as_str)
            == Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    });
    let proven = match assertion {
        Some(assertion) => {
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", s.base);
            let audience_by_id = format!("{}/{}/oauth2/v2.0/token", s.base, t.tenant_id);
            match check_assertion(
                &t,
                &client_id,
                assertion,
                &[&audience, &audience_by_id],
                now,
            ) {
                Ok(app) => Ok(app),
                Err(r) => return r.into_response(),
            }
        }
        None => t.authenticate_client(&client_id, secret.as_deref(), now),
    };
    let app = match proven {
        Ok(app) => app,
        Err(refusal) => return client_refused(refusal, &client_id, &t.display_name),
    };
    // Since 31 March 2026 an app without a service principal in the tenant is refused
    // (docs/december-2026.md 6.1, 6.2).
    if app.sp_id.is_empty() {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000229,
            &format!(
                "The client application {} is missing service principal in the tenant {}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
                app.client_id, t.tenant_id
            ),
        );
    }
    let roles: Vec<String> = if resource.eq_ignore_ascii_case(&s.graph_resource) {
        t.consented_roles(app, GRAPH_APP_ID)
    } else if resource.eq_ignore_ascii_case(&s.exchange_resource) {
        t.consented_roles(app, EXCHANGE_APP_ID)
    } else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            500011,
            &format!(
                "The resource principal named {resource} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
                t.display_name
            ),
        );
    };
    let iat = now.unix_timestamp();
    let iss = format!("https://sts.windows.net/{}/", t.tenant_id);
    let mut claims = json!({
        "aud": resource,
        "iss": iss,
        "iat": iat,
        "nbf": iat,
        "exp": iat + TOKEN_LIFETIME,
        "appid": app.client_id,
        "appidacr": "1",
        "idp": iss,
        "oid": app.sp_id,
        "sub": app.sp_id,
        "tid": t.tenant_id,
        "ver": "1.0",
    });
    if !roles.is_empty() {
        claims["roles"] = Value::from(roles);
    }
    let token = s.signer.sign(&claims);
    let key_id = match assertion {
        Some(a) => assertion_key_id(app, a),
        None => secret.as_deref().and_then(|v| app.secret_key_id(v)),
    };
    let app = app.clone();
    super::sign_ins::record(
        &mut t,
        &app,
        key_id.unwrap_or_default(),
        assertion.is_some(),
        resource,
    );
    drop(t);
    s.persist().await;
    Json(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": token,
    }))
    .into_response()
}

/// The token endpoint's answer to a client that did not prove who it is.
pub(super) fn client_refused(refusal: ClientRefusal, client_id: &str, directory: &str) -> Response {
    let (status, error, code, text) = match refusal {
        ClientRefusal::UnknownApp => (
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        ),
        ClientRefusal::MissingSecret => (
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".to_string(),
        ),
        ClientRefusal::BadSecret => (
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        ),
        ClientRefusal::ExpiredSecret => (
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            format!(
                "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
            ),
        ),
    };
    aad_error(status, error, code, &text)
}
