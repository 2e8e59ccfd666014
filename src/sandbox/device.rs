//! The device-code sign-in of an administrator: the device-code endpoint, the sandbox's
//! approval page (or automatic approval), and the device-code and refresh-token grants.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Shared;
use super::facts::{GLOBAL_ADMIN_ROLE, GRAPH_CLI_CLIENT_ID};
use super::identity::TOKEN_LIFETIME;
use super::responses::{aad_error, missing_parameter};
use super::scopes::{delegated_scopes, exchange_client, wants_exchange};
use super::tenant::{Tenant, User};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    Pending,
    Approved(String),
    Declined,
}

struct Grant {
    user_code: String,
    client_id: String,
    scope: String,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    decision: Decision,
}

pub(super) struct Refresh {
    pub(super) user: String,
    pub(super) client_id: String,
    pub(super) scope: String,
}

#[derive(Default)]
pub struct DeviceState {
    grants: HashMap<String, Grant>,
    pub(super) refresh: HashMap<String, Refresh>,
}

pub(super) fn random_code(len: usize, alphabet: &[u8]) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

pub async fn devicecode(
    State(s): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if !s.tenant.lock().await.answers_to(&tenant) {
        return super::identity::unknown_tenant(&tenant);
    }
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
        return missing_parameter("client_id");
    };
    let scope = form.get("scope").cloned().unwrap_or_default();
    let device_code = random_code(
        48,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    );
    let user_code = random_code(9, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    let interval = s.device_interval;
    // The admin tools' codes are approved as the auto-approve user; any other client's as
    // the auto-approve mailbox user, if one is named.
    let admin_tool =
        client_id.eq_ignore_ascii_case(GRAPH_CLI_CLIENT_ID) || exchange_client(&s, client_id);
    let approver = match admin_tool {
        true => s.auto_approve.as_ref(),
        false => s.auto_approve_user.as_ref().or(s.auto_approve.as_ref()),
    };
    let decision = match approver {
        Some(user) => Decision::Approved(user.clone()),
        None => Decision::Pending,
    };
    let uri = format!("{}/sandbox/device", s.base);
    s.device
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .grants
        .insert(
            device_code.clone(),
            Grant {
                user_code: user_code.clone(),
                client_id: client_id.clone(),
                scope,
                expires: Instant::now() + s.device_code_lifetime,
                interval,
                last_poll: None,
                decision,
            },
        );
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": uri,
        "expires_in": s.device_code_lifetime.as_secs(),
        "interval": interval.as_secs().max(1),
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response()
}

/// The sandbox's stand-in for the Microsoft sign-in page: approve or decline a code as a user.
pub async fn approval_page(State(s): State<Arc<Shared>>) -> Html<String> {
    let t = s.tenant.lock().await;
    let users: String = t
        .users
        .iter()
        .map(|u| {
            format!(
                "<option value=\"{m}\">{m}{}</option>",
                if u.admin {
                    " (Global Administrator)"
                } else {
                    ""
                },
                m = u.mail
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><title>Sandbox sign-in</title><h1>{} — sandbox sign-in</h1>\
         <form method=post><p>Code <input name=user_code autofocus></p><p>Sign in as <select name=user>{users}</select></p>\
         <p><button name=decision value=approve>Approve</button> <button name=decision value=decline>Decline</button></p></form>",
        t.display_name
    ))
}

pub async fn approve(
    State(s): State<Arc<Shared>>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let code = form
        .get("user_code")
        .map(|c| c.trim().to_ascii_uppercase())
        .unwrap_or_default();
    let user = form.get("user").cloned().unwrap_or_default();
    if s.tenant.lock().await.user(&user).is_none() {
        return (
            StatusCode::BAD_REQUEST,
            Html(format!("No user {user} in the sandbox.")),
        )
            .into_response();
    }
    let approve = form.get("decision").map(String::as_str) != Some("decline");
    let mut d = s.device.lock().unwrap_or_else(|e| e.into_inner());
    match d
        .grants
        .values_mut()
        .find(|g| g.user_code == code && g.decision == Decision::Pending)
    {
        Some(g) => {
            g.decision = if approve {
                Decision::Approved(user.clone())
            } else {
                Decision::Declined
            };
            let verb = if approve { "approved" } else { "declined" };
            Html(format!(
                "Code {code} {verb} as {user}. You can close this page."
            ))
            .into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            Html(format!("No pending sign-in with code {code}.")),
        )
            .into_response(),
    }
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`.
pub fn device_code_grant(s: &Shared, t: &Tenant, form: &HashMap<String, String>) -> Response {
    if s.block_device_code {
        // Conditional Access: a policy blocking the device code flow (docs/browser-sign-in.md).
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            53003,
            "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        );
    }
    let code = form.get("device_code").cloned().unwrap_or_default();
    let app = form.get("client_id").and_then(|c| t.app_by_client_id(c));
    if let Some(app) = app
        && let Err(refused) = super::user_tokens::client_allowed(t, app, form, app.public_client)
    {
        return refused.into_response();
    }
    let mut d = s.device.lock().unwrap_or_else(|e| e.into_inner());
    let Some(g) = d.grants.get_mut(&code) else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        );
    };
    let now = Instant::now();
    if now >= g.expires {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            70020,
            "The provided authorization code or refresh token has expired due to it being shown to the user more than 15 minutes ago. Send a new interactive authorization request for this user and resource.",
        );
    }
    let too_soon = g
        .last_poll
        .is_some_and(|p| now.duration_since(p) < g.interval / 2);
    g.last_poll = Some(now);
    match g.decision.clone() {
        Decision::Pending if too_soon => aad_error(
            StatusCode::BAD_REQUEST,
            "slow_down",
            70016,
            "OAuth 2.0 device flow error. The client is polling too quickly.",
        ),
        Decision::Pending => aad_error(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ),
        Decision::Declined => {
            d.grants.remove(&code);
            aad_error(
                StatusCode::BAD_REQUEST,
                "authorization_declined",
                70000,
                "The user declined the sign-in request.",
            )
        }
        Decision::Approved(user) => {
            let (client_id, scope) = (g.client_id.clone(), g.scope.clone());
            d.grants.remove(&code);
            drop(d);
            match app.filter(|a| a.client_id.eq_ignore_ascii_case(&client_id)) {
                Some(app) => super::user_tokens::issue_for_app(s, t, app, &user, &scope),
                None => issue(s, t, &user, &client_id, &scope),
            }
        }
    }
}

pub(super) fn issue(s: &Shared, t: &Tenant, user: &str, client_id: &str, scope: &str) -> Response {
    let Some(u) = t.user(user) else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
        );
    };
    let exchange = wants_exchange(s, scope);
    let scopes = if exchange {
        vec!["Exchange.Manage".to_string()]
    } else {
        delegated_scopes(scope, &s.graph_resource)
    };
    let aud = if exchange {
        &s.exchange_resource
    } else {
        &s.graph_resource
    };
    let access = admin_token(s, t, u, client_id, aud, &scopes);
    let refresh = super::refresh::remember(s, &u.mail, client_id, scope);
    Json(json!({
        "token_type": "Bearer",
        "scope": scopes.join(" "),
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": access,
        "refresh_token": refresh,
    }))
    .into_response()
}

fn admin_token(
    s: &Shared,
    t: &Tenant,
    u: &User,
    client_id: &str,
    aud: &str,
    scopes: &[String],
) -> String {
    let iat = OffsetDateTime::now_utc().unix_timestamp();
    let iss = format!("https://sts.windows.net/{}/", t.tenant_id);
    let mut claims: Value = json!({
        "aud": aud,
        "iss": iss,
        "iat": iat,
        "nbf": iat,
        "exp": iat + TOKEN_LIFETIME,
        "appid": client_id,
        "oid": u.id,
        "sub": u.id,
        "tid": t.tenant_id,
        "upn": u.mail,
        "name": u.name,
        "scp": scopes.join(" "),
        "ver": "1.0",
    });
    if u.admin {
        claims["wids"] = json!([GLOBAL_ADMIN_ROLE]);
    }
    s.signer.sign(&claims)
}
