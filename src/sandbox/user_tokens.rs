//! Mailbox users' tokens for an app registered in the tenant (the delegated style): how the
//! client proves itself (its secret, or nothing when public client flows are on), the
//! resource-owner password flow with its MFA and wrong-password refusals, admin consent for
//! the delegated scopes, and the token itself (`scp`, `upn`, `oid`).

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use super::Shared;
use super::identity::{TOKEN_LIFETIME, client_refused};
use super::responses::{Refused, aad_error, missing_parameter};
use super::tenant::{App, ClientRefusal, Tenant, USER_PASSWORD, User};

/// Where Microsoft's own documentation points IMAP, POP and SMTP tokens (the same resource
/// as the Exchange one the sandbox names).
const OUTLOOK_RESOURCE: &str = "https://outlook.office.com";

/// The client's proof for a user's token: a valid secret, or none when it signs in as a
/// public client (`public`: for the device code and password flows, the app allows public
/// client flows, `isFallbackPublicClient`); AADSTS7000218 otherwise.
pub(super) fn client_allowed(
    t: &Tenant,
    app: &App,
    form: &HashMap<String, String>,
    public: bool,
) -> Result<(), Refused> {
    let refused =
        |r: ClientRefusal| Refused::from(client_refused(r, &app.client_id, &t.display_name));
    match form.get("client_secret").filter(|v| !v.is_empty()) {
        Some(secret) => t
            .authenticate_client(&app.client_id, Some(secret), OffsetDateTime::now_utc())
            .map(|_| ())
            .map_err(refused),
        None if public => Ok(()),
        None => Err(refused(ClientRefusal::MissingSecret)),
    }
}

fn no_such_user(t: &Tenant) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_grant",
        50034,
        &format!(
            "The user account {{EUII Hidden}} does not exist in the {} directory. To sign into this application, the account must be added to the directory.",
            t.tenant_id
        ),
    )
}

/// `grant_type=password`: the user's name and password, refused for a wrong password
/// (AADSTS50126) and for any account that must use multifactor authentication (AADSTS50076).
pub(super) fn password_grant(s: &Shared, t: &Tenant, form: &HashMap<String, String>) -> Response {
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
        return missing_parameter("client_id");
    };
    let Some(app) = t.app_by_client_id(client_id) else {
        return client_refused(ClientRefusal::UnknownApp, client_id, &t.display_name);
    };
    if let Err(refused) = client_allowed(t, app, form, app.public_client) {
        return refused.into_response();
    }
    let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
        return missing_parameter("username' or 'password");
    };
    let Some(user) = t.user(username) else {
        return no_such_user(t);
    };
    if password != USER_PASSWORD {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        );
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    if user.mfa {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "interaction_required",
            50076,
            &format!(
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{}'.",
                resource_of(s, &scope)
            ),
        );
    }
    issue_for_app(s, t, app, &user.mail, &scope)
}

/// The resource a request's scopes name: Exchange Online or Microsoft Graph.
fn resource_of<'s>(s: &'s Shared, scope: &str) -> &'s str {
    let exchange = scope.split_whitespace().any(|x| {
        x.starts_with(s.exchange_resource.trim_end_matches('/')) || x.starts_with(OUTLOOK_RESOURCE)
    });
    if exchange {
        &s.exchange_resource
    } else {
        &s.graph_resource
    }
}

/// The scopes of a request without their resource.
fn short_scopes(s: &Shared, scope: &str) -> Vec<String> {
    scope
        .split_whitespace()
        .map(|x| {
            [
                s.exchange_resource.as_str(),
                OUTLOOK_RESOURCE,
                &s.graph_resource,
            ]
            .iter()
            .find_map(|r| x.strip_prefix(r.trim_end_matches('/')))
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or(x)
            .to_string()
        })
        .filter(|x| x != ".default" && !x.is_empty())
        .collect()
}

/// A user's token for a registered app, with the scopes admin consent grants (AADSTS65001 for
/// one it does not), and a refresh token when `offline_access` was asked for.
pub(super) fn issue_for_app(
    s: &Shared,
    t: &Tenant,
    app: &App,
    user: &str,
    scope: &str,
) -> Response {
    let Some(u) = t.user(user) else {
        return no_such_user(t);
    };
    let scopes = short_scopes(s, scope);
    if t.ungranted_scope(app, u, &scopes).is_some() {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            65001,
            &format!(
                "The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for this user and resource.",
                app.client_id, app.name
            ),
        );
    }
    let scp: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|x| !matches!(*x, "openid" | "profile" | "email" | "offline_access"))
        .collect();
    let access = user_token(s, t, u, app, resource_of(s, scope), &scp.join(" "));
    let mut answer = json!({
        "token_type": "Bearer",
        "scope": scp.join(" "),
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": access,
    });
    if scopes.iter().any(|x| x == "offline_access") {
        answer["refresh_token"] =
            json!(super::refresh::remember(s, &u.mail, &app.client_id, scope));
    }
    Json(answer).into_response()
}

fn user_token(s: &Shared, t: &Tenant, u: &User, app: &App, aud: &str, scp: &str) -> String {
    let iat = OffsetDateTime::now_utc().unix_timestamp();
    let iss = format!("https://sts.windows.net/{}/", t.tenant_id);
    s.signer.sign(&json!({
        "aud": aud,
        "iss": iss,
        "iat": iat,
        "nbf": iat,
        "exp": iat + TOKEN_LIFETIME,
        "appid": app.client_id,
        "app_displayname": app.name,
        "oid": u.id,
        "sub": u.id,
        "tid": t.tenant_id,
        "upn": u.mail,
        "name": u.name,
        "scp": scp,
        "ver": "1.0",
    }))
}
