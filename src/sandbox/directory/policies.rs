//! App management policies as Graph shows them (docs/december-2026.md 5.1): the tenant's
//! default (`/policies/defaultAppManagementPolicy`) and those applied to one app. The sandbox
//! has no per-app policies; its default is enabled when `--forbid-secrets` or
//! `--max-secret-months` set a restriction.

use axum::Json;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::not_found;
use crate::sandbox::gate::{Caller, Gate};
use crate::sandbox::tenant::User;

/// The default policy's id, as Graph gives it.
const DEFAULT_POLICY_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Reads app management policies: an administrator whose token holds `Policy.Read.All` or a
/// higher policy permission (Microsoft's "Get tenantAppManagementPolicy").
fn reads_policies(c: &Caller, user: &User) -> bool {
    user.admin
        && [
            "Policy.Read.All",
            "Policy.Read.ApplicationConfiguration",
            "Policy.ReadWrite.ApplicationConfiguration",
        ]
        .iter()
        .any(|p| c.has_scope(p))
}

/// The tenant default as the sandbox's knobs make it.
pub(crate) fn default_policy(forbid_secrets: bool, max_secret_months: Option<u32>) -> Value {
    let mut passwords = Vec::new();
    if forbid_secrets {
        passwords.push(json!({
            "restrictionType": "passwordAddition",
            "state": "enabled",
            "maxLifetime": null,
            "restrictForAppsCreatedAfterDateTime": "2019-01-01T00:00:00Z",
        }));
    }
    if let Some(months) = max_secret_months {
        passwords.push(json!({
            "restrictionType": "passwordLifetime",
            "state": "enabled",
            "maxLifetime": format!("P{}D", months * 30),
            "restrictForAppsCreatedAfterDateTime": "2019-01-01T00:00:00Z",
        }));
    }
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity",
        "id": DEFAULT_POLICY_ID,
        "displayName": "Default app management tenant policy",
        "description": "Default tenant policy that enforces app management restrictions on applications and service principals.",
        "isEnabled": !passwords.is_empty(),
        "applicationRestrictions": {
            "passwordCredentials": passwords,
            "keyCredentials": [],
        },
        "servicePrincipalRestrictions": { "passwordCredentials": [], "keyCredentials": [] },
    })
}

/// `GET /policies/defaultAppManagementPolicy`.
pub async fn default_app_management_policy(gate: Gate) -> Response {
    let policy = default_policy(gate.s.forbid_secrets, gate.s.max_secret_months);
    gate.read(reads_policies, |_, _| Json(policy).into_response())
        .await
}

/// `GET /applications/{id}/appManagementPolicies`: none in the sandbox.
pub async fn app_management_policies(gate: Gate, Path(id): Path<String>) -> Response {
    gate.read(reads_policies, |t, _| {
        if t.apps.iter().any(|a| a.object_id == id) {
            Json(json!({ "value": [] })).into_response()
        } else {
            not_found(&id)
        }
    })
    .await
}
