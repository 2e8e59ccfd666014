//! `servicePrincipals`: Microsoft's resources (with their app roles and delegated scopes) and
//! the tenant's applications; listed by `appId`, read by id or `(appId='…')`, created.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{already_exists, bad_request, filter, new_id, not_found, replicating};
use crate::sandbox::clock::now_ms;
use crate::sandbox::gate::{Gate, administrator, any_user, reads_applications};
use crate::sandbox::paging::page;
use crate::sandbox::responses::{collection, created};
use crate::sandbox::tenant::{OtherPrincipal, ResourcePrincipal, Tenant};

fn resource_json(r: &ResourcePrincipal) -> Value {
    json!({
        "id": r.id,
        "appId": r.app_id,
        "displayName": r.display_name,
        "servicePrincipalType": "Application",
        "appRoles": r.app_roles.iter().map(|x| json!({
            "id": x.id, "value": x.value, "allowedMemberTypes": ["Application"], "isEnabled": true,
            "displayName": x.value, "description": x.value,
        })).collect::<Vec<_>>(),
        "oauth2PermissionScopes": r.scopes.iter().map(|x| json!({
            "id": x.id, "value": x.value, "type": "Admin", "isEnabled": true,
        })).collect::<Vec<_>>(),
    })
}

/// The service principal of an application registered elsewhere.
fn other_json(p: &OtherPrincipal) -> Value {
    json!({
        "id": p.id,
        "appId": p.app_id,
        "displayName": p.name,
        "servicePrincipalType": "Application",
        "appRoles": [],
        "oauth2PermissionScopes": [],
    })
}

/// A service principal by object id or app id.
fn sp_json(t: &Tenant, id: &str) -> Option<Value> {
    if let Some(r) = t
        .resource_principals
        .iter()
        .find(|r| r.id == id || r.app_id == id)
    {
        return Some(resource_json(r));
    }
    if let Some(p) = t
        .other_principals
        .iter()
        .find(|p| p.id == id || p.app_id == id)
    {
        return Some(other_json(p));
    }
    let a = t
        .apps
        .iter()
        .find(|a| !a.sp_id.is_empty() && (a.sp_id == id || a.client_id == id))?;
    Some(json!({
        "id": a.sp_id,
        "appId": a.client_id,
        "displayName": a.name,
        "servicePrincipalType": "Application",
        "appRoles": [],
        "oauth2PermissionScopes": [],
    }))
}

/// Every service principal of the tenant, in a fixed order: Microsoft's resources, the
/// tenant's applications, then those of applications registered elsewhere.
fn every_principal(t: &Tenant) -> Vec<Value> {
    let resources = t.resource_principals.iter().map(resource_json);
    let apps = t
        .apps
        .iter()
        .filter(|a| !a.sp_id.is_empty())
        .filter_map(|a| sp_json(t, &a.sp_id));
    let others = t.other_principals.iter().map(other_json);
    resources.chain(apps).chain(others).collect()
}

/// `GET /servicePrincipals`: by `$filter=appId eq '…'`, or the whole list in pages (Microsoft's
/// "List servicePrincipals" needs `Application.Read.All`).
pub async fn list_service_principals(
    gate: Gate,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let f = filter(&q);
    match f {
        Some((k, v)) if k == "appId" => {
            gate.read(any_user, |t, _| {
                collection(sp_json(t, &v).into_iter().collect())
            })
            .await
        }
        Some(_) => {
            gate.read(any_user, |_, _| {
                bad_request("The sandbox filters service principals by appId only.")
            })
            .await
        }
        None => {
            let link = format!("{}/v1.0/servicePrincipals", gate.s.graph_base);
            gate.read(reads_applications, |t, _| {
                page(every_principal(t), &q, &link)
            })
            .await
        }
    }
}

/// `servicePrincipals/{id}` and `servicePrincipals(appId='{id}')`.
pub async fn get_service_principal(gate: Gate, Path(key): Path<String>) -> Response {
    let id = key
        .strip_prefix("servicePrincipals(appId='")
        .and_then(|k| k.strip_suffix("')"))
        .unwrap_or(&key);
    gate.read(any_user, |t, _| match sp_json(t, id) {
        Some(v) => Json(v).into_response(),
        None => not_found(id),
    })
    .await
}

pub async fn create_service_principal(gate: Gate, Json(body): Json<Value>) -> Response {
    let app_id = body["appId"].as_str().unwrap_or_default();
    gate.change(administrator, |t| {
        let unknown = || {
            bad_request(&format!(
                "The appId '{app_id}' of the service principal does not reference a valid application object."
            ))
        };
        let app = t
            .apps
            .iter_mut()
            .find(|x| x.client_id.eq_ignore_ascii_case(app_id))
            .ok_or_else(unknown)?;
        if replicating(&gate, app.created_ms) {
            return Err(unknown().into());
        }
        if !app.sp_id.is_empty() {
            return Err(already_exists(
                "Another object with the same value for property servicePrincipalNames already exists.",
            ).into());
        }
        app.sp_id = new_id();
        app.sp_created_ms = now_ms();
        let sp = app.sp_id.clone();
        Ok(created(sp_json(t, &sp).unwrap_or_default()))
    })
    .await
}
