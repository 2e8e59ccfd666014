//! The Microsoft Graph directory calls an administrator's setup makes: applications and their
//! credentials, service principals, consent, `me` and `organization`. Every call needs a
//! delegated token; changes need a Global Administrator's. Others get the real 403 body.

mod applications;
mod consent;
mod credentials;
mod policies;
mod principals;
#[cfg(test)]
mod scope_tests;

pub use applications::{
    create_application, delete_application, deleted_applications, deleted_principals,
    get_application, list_applications, restore_deleted,
};
pub use consent::{
    assign_app_role, create_grant, list_assigned_to, list_assignments, list_grants,
    remove_assignment, update_grant,
};
pub use credentials::{
    add_password, portal_upload_certificate, remove_password, update_application,
};
pub use policies::{app_management_policies, default_app_management_policy};
pub use principals::{create_service_principal, get_service_principal, list_service_principals};

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::gate::{Gate, any_user};
use super::responses::graph_error;
use super::responses::resource_not_found as not_found;

fn bad_request(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

fn already_exists(message: &str) -> Response {
    graph_error(
        StatusCode::CONFLICT,
        "Request_MultipleObjectsWithSameKeyValue",
        message,
    )
}

/// `appId eq 'x'` or `displayName eq 'x'` → (field, value).
fn filter(q: &HashMap<String, String>) -> Option<(String, String)> {
    let f = q.get("$filter")?;
    let (field, rest) = f.split_once(" eq ")?;
    let value = rest.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some((field.trim().to_string(), value.replace("''", "'")))
}

/// Whether an object made at `created_ms` is still replicating: unknown to the calls that name
/// it for the sandbox's replication lag (seeded objects, made at 0, never are).
fn replicating(gate: &Gate, created_ms: i64) -> bool {
    created_ms > 0
        && crate::sandbox::clock::now_ms() < created_ms + gate.s.replication_lag.as_millis() as i64
}

/// Graph's answer to a reference to an object not replicated yet.
fn not_a_valid_reference() -> Response {
    bad_request("Not a valid reference update.")
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub async fn me(gate: Gate) -> Response {
    gate.read(any_user, |_, user| {
        Json(json!({
            "id": user.id,
            "userPrincipalName": user.mail,
            "displayName": user.name,
            "mail": user.mail,
        }))
        .into_response()
    })
    .await
}

pub async fn organization(gate: Gate) -> Response {
    gate.read(any_user, |t, _| {
        Json(json!({ "value": [{
            "id": t.tenant_id,
            "displayName": t.display_name,
            "verifiedDomains": t.domains.iter().enumerate().map(|(i, d)| json!({"name": d, "isDefault": i == 0})).collect::<Vec<_>>(),
        }]}))
        .into_response()
    })
    .await
}
