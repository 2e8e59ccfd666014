//! Refresh tokens: made at every user sign-in, redeemed by `grant_type=refresh_token` under
//! the rules of the sign-in that made them (an app's: its client proof and admin consent again).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::device::{Refresh, issue, random_code};
use super::responses::aad_error;
use super::scopes::{beyond, exchange_client, wants_exchange};
use super::tenant::Tenant;

/// `grant_type=refresh_token`.
pub fn grant(s: &Shared, t: &Tenant, form: &HashMap<String, String>) -> Response {
    let token = form.get("refresh_token").cloned().unwrap_or_default();
    let found = s
        .device
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .refresh
        .get(&token)
        .map(|r| (r.user.clone(), r.client_id.clone(), r.scope.clone()));
    let wanted = form.get("scope").cloned();
    match found {
        Some((user, client_id, signed_in_scope)) => {
            let scope = wanted.unwrap_or_else(|| signed_in_scope.clone());
            if let Some(app) = t.app_by_client_id(&client_id) {
                if form
                    .get("client_id")
                    .is_none_or(|c| !c.eq_ignore_ascii_case(&client_id))
                {
                    return aad_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        70000,
                        "Provided grant is invalid or malformed: the refresh token was issued to another client.",
                    );
                }
                if let Err(refused) =
                    super::user_tokens::client_allowed(t, app, form, app.public_client)
                {
                    return refused.into_response();
                }
                return super::user_tokens::issue_for_app(s, t, app, &user, &scope);
            }
            if wants_exchange(s, &scope) && !exchange_client(s, &client_id) {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    65001,
                    &format!(
                        "The user or administrator has not consented to use the application with ID '{client_id}' for Office 365 Exchange Online. Send an interactive authorization request for this user and resource."
                    ),
                );
            }
            if s.refresh_keeps_consent
                && let Some(extra) = beyond(&scope, &signed_in_scope)
            {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    65001,
                    &format!(
                        "The user or administrator has not consented to use the application with ID '{client_id}' for the permission '{extra}'. Send an interactive authorization request for this user and resource."
                    ),
                );
            }
            issue(s, t, &user, &client_id, &scope)
        }
        None => aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        ),
    }
}

/// A new refresh token for `user`'s sign-in to `client_id` with `scope`.
pub(super) fn remember(s: &Shared, user: &str, client_id: &str, scope: &str) -> String {
    let refresh = random_code(
        64,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    );
    s.device
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .refresh
        .insert(
            refresh.clone(),
            Refresh {
                user: user.to_string(),
                client_id: client_id.to_string(),
                scope: scope.to_string(),
            },
        );
    refresh
}
