//! Admin consent: application permissions (`appRoleAssignedTo`, `appRoleAssignments`) and
//! delegated ones (`oauth2PermissionGrants`).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    already_exists, bad_request, filter, new_id, not_a_valid_reference, not_found, replicating,
};
use crate::sandbox::clock::now_rfc3339;
use crate::sandbox::gate::{Gate, administrator, any_user};
use crate::sandbox::paging::page;
use crate::sandbox::responses::created;
use crate::sandbox::tenant::{AppRoleAssignment, PermissionGrant};

fn assignment_json(x: &AppRoleAssignment) -> Value {
    json!({
        "id": x.id,
        "principalId": x.principal_id,
        "resourceId": x.resource_id,
        "appRoleId": x.app_role_id,
        "principalType": "ServicePrincipal",
        "createdDateTime": x.created,
    })
}

fn text(body: &Value, key: &str) -> String {
    body[key].as_str().unwrap_or_default().to_string()
}

pub async fn assign_app_role(
    gate: Gate,
    Path(resource): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let (principal, role) = (text(&body, "principalId"), text(&body, "appRoleId"));
    gate.change(administrator, |t| {
        let rp = t
            .resource_principals
            .iter()
            .find(|r| r.id == resource)
            .ok_or_else(|| not_found(&resource))?;
        if !rp.app_roles.iter().any(|r| r.id == role) {
            return Err(
                bad_request("Permission being assigned was not found on application").into(),
            );
        }
        let Some(app) = t
            .apps
            .iter()
            .find(|x| !x.sp_id.is_empty() && x.sp_id == principal)
        else {
            return Err(not_found(&principal).into());
        };
        if replicating(&gate, app.sp_created_ms) {
            return Err(not_a_valid_reference().into());
        }
        if t.app_role_assignments.iter().any(|x| {
            x.principal_id == principal && x.resource_id == resource && x.app_role_id == role
        }) {
            return Err(
                bad_request("Permission being assigned already exists on the object").into(),
            );
        }
        let x = AppRoleAssignment {
            id: new_id(),
            principal_id: principal,
            resource_id: resource,
            app_role_id: role,
            created: now_rfc3339(),
        };
        let out = assignment_json(&x);
        t.app_role_assignments.push(x);
        Ok(created(out))
    })
    .await
}

/// `servicePrincipals/{id}/appRoleAssignments`: what the principal was granted (the seeded
/// apps' consents are records too, `Tenant::normalise_seeded_grants`).
pub async fn list_assignments(
    gate: Gate,
    Path(principal): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let link = format!(
        "{}/v1.0/servicePrincipals/{principal}/appRoleAssignments",
        gate.s.graph_base
    );
    list_where(gate, &q, &link, move |x| x.principal_id == principal).await
}

/// `servicePrincipals/{id}/appRoleAssignedTo`: what was granted on the resource `id`, to
/// every principal.
pub async fn list_assigned_to(
    gate: Gate,
    Path(resource): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let link = format!(
        "{}/v1.0/servicePrincipals/{resource}/appRoleAssignedTo",
        gate.s.graph_base
    );
    list_where(gate, &q, &link, move |x| x.resource_id == resource).await
}

async fn list_where(
    gate: Gate,
    q: &HashMap<String, String>,
    link: &str,
    keep: impl Fn(&AppRoleAssignment) -> bool,
) -> Response {
    gate.read(any_user, |t, _| {
        let rows = t.app_role_assignments.iter().filter(|x| keep(x));
        page(rows.map(assignment_json).collect(), q, link)
    })
    .await
}

pub async fn remove_assignment(
    gate: Gate,
    Path((principal, id)): Path<(String, String)>,
) -> Response {
    gate.change(administrator, |t| {
        let before = t.app_role_assignments.len();
        t.app_role_assignments
            .retain(|x| !(x.principal_id == principal && x.id == id));
        if t.app_role_assignments.len() == before {
            return Err(not_found(&id).into());
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

fn grant_json(g: &PermissionGrant) -> Value {
    json!({
        "id": g.id,
        "clientId": g.client_id,
        "consentType": if g.principal_id.is_some() { "Principal" } else { "AllPrincipals" },
        "principalId": g.principal_id,
        "resourceId": g.resource_id,
        "scope": g.scope,
    })
}

pub async fn list_grants(gate: Gate, Query(q): Query<HashMap<String, String>>) -> Response {
    let f = filter(&q);
    gate.list(any_user, |t| {
        t.permission_grants
            .iter()
            .filter(|g| !matches!(&f, Some((k, v)) if k == "clientId" && g.client_id != *v))
            .map(grant_json)
            .collect()
    })
    .await
}

pub async fn create_grant(gate: Gate, Json(body): Json<Value>) -> Response {
    gate.change(administrator, |t| {
        let g = PermissionGrant {
            id: new_id(),
            client_id: text(&body, "clientId"),
            resource_id: text(&body, "resourceId"),
            scope: text(&body, "scope"),
            principal_id: (text(&body, "consentType") == "Principal")
                .then(|| text(&body, "principalId")),
        };
        let client = t
            .apps
            .iter()
            .find(|a| !a.sp_id.is_empty() && a.sp_id == g.client_id);
        if client.is_some_and(|a| replicating(&gate, a.sp_created_ms)) {
            return Err(not_found(&g.client_id).into());
        }
        if t.permission_grants.iter().any(|x| {
            x.client_id == g.client_id
                && x.resource_id == g.resource_id
                && x.principal_id == g.principal_id
        }) {
            return Err(already_exists("Permission entry already exists.").into());
        }
        let out = grant_json(&g);
        t.permission_grants.push(g);
        Ok(created(out))
    })
    .await
}

/// `PATCH /oauth2PermissionGrants/{id}`: the grant's `scope` replaced (Microsoft's "Update a
/// delegated permission grant").
pub async fn update_grant(gate: Gate, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    gate.change(administrator, |t| {
        let Some(g) = t.permission_grants.iter_mut().find(|g| g.id == id) else {
            return Err(not_found(&id).into());
        };
        if let Some(scope) = body["scope"].as_str() {
            g.scope = scope.to_string();
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}
