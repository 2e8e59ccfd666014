//! `applications`: list (by `appId` or `displayName`), get, create and delete (soft: into
//! `directory/deletedItems`, as Entra ID keeps a deleted application for 30 days).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::credentials::{key_credential_json, password_credentials_json};
use super::{bad_request, filter, new_id, not_found};
use crate::sandbox::clock::now_ms;
use crate::sandbox::clock::now_rfc3339;
use crate::sandbox::gate::{Gate, reads_applications, writes_applications};
use crate::sandbox::paging::page;
use crate::sandbox::responses::{Refused, created};
use crate::sandbox::tenant::{App, DeletedPrincipal};

pub(super) fn app_json(a: &App) -> Value {
    json!({
        "id": a.object_id,
        "appId": a.client_id,
        "displayName": a.name,
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": a.public_client,
        "requiredResourceAccess": if a.required_resource_access.is_null() { json!([]) } else { a.required_resource_access.clone() },
        "keyCredentials": a.certificates.iter().map(key_credential_json).collect::<Vec<_>>(),
        "passwordCredentials": password_credentials_json(a),
        "tags": a.tags,
        "web": {"redirectUris": a.web_redirect_uris},
        "publicClient": {"redirectUris": a.public_redirect_uris},
        "deletedDateTime": a.deleted,
    })
}

/// The redirect URIs of `platform` (`web`, `publicClient`) in a request body, as Microsoft
/// Entra ID takes them: a web URI is https, or http to localhost only, without a fragment.
/// `None` when the body does not set them.
pub(super) fn redirect_uris(body: &Value, platform: &str) -> Result<Option<Vec<String>>, Refused> {
    let Some(list) = body[platform]["redirectUris"].as_array() else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for u in list {
        let u = u.as_str().unwrap_or_default();
        let rest = u.strip_prefix("https://").or_else(|| {
            u.strip_prefix("http://").filter(|r| {
                let host = r.split(['/', ':']).next().unwrap_or_default();
                host == "localhost" || host == "127.0.0.1"
            })
        });
        let web_ok = rest.is_some_and(|r| !r.is_empty()) && !u.contains('#');
        if u.is_empty() || u.len() > 256 || (platform == "web" && !web_ok) {
            return Err(bad_request(&format!(
                "Invalid value specified for property 'redirectUris' of resource '{}': {u}",
                if platform == "web" {
                    "WebApplication"
                } else {
                    "PublicClientApplication"
                }
            ))
            .into());
        }
        out.push(u.to_string());
    }
    Ok(Some(out))
}

/// `GET /applications`, by `appId` or `displayName`, in pages.
pub async fn list_applications(gate: Gate, Query(q): Query<HashMap<String, String>>) -> Response {
    let f = filter(&q);
    let link = format!("{}/v1.0/applications", gate.s.graph_base);
    gate.read(reads_applications, |t, _| {
        let all = t
            .apps
            .iter()
            .filter(|app| match &f {
                Some((k, v)) if k == "appId" => app.client_id.eq_ignore_ascii_case(v),
                Some((k, v)) if k == "displayName" => app.name == *v,
                _ => true,
            })
            .map(app_json)
            .collect();
        page(all, &q, &link)
    })
    .await
}

pub async fn get_application(gate: Gate, Path(id): Path<String>) -> Response {
    gate.read(reads_applications, |t, _| {
        match t.apps.iter().find(|app| app.object_id == id) {
            Some(app) => Json(app_json(app)).into_response(),
            None => not_found(&id),
        }
    })
    .await
}

pub async fn create_application(gate: Gate, Json(body): Json<Value>) -> Response {
    gate.change(writes_applications, |t| {
        let name = body["displayName"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| bad_request("Property 'displayName' is required."))?;
        let web_redirect_uris = redirect_uris(&body, "web")?.unwrap_or_default();
        let public_redirect_uris = redirect_uris(&body, "publicClient")?.unwrap_or_default();
        let app = App {
            key: String::new(),
            name: name.to_string(),
            expect: String::new(),
            client_id: new_id(),
            object_id: new_id(),
            sp_id: String::new(),
            secret: String::new(),
            secret_expires: OffsetDateTime::UNIX_EPOCH,
            graph_roles: Vec::new(),
            exchange_roles: Vec::new(),
            policy: None,
            passwords: Vec::new(),
            required_resource_access: body["requiredResourceAccess"].clone(),
            public_client: body["isFallbackPublicClient"].as_bool().unwrap_or(false),
            created_ms: now_ms(),
            sp_created_ms: 0,
            certificates: Vec::new(),
            tags: body["tags"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            web_redirect_uris,
            public_redirect_uris,
            deleted: None,
        };
        let out = app_json(&app);
        t.apps.push(app);
        Ok(created(out))
    })
    .await
}

/// `DELETE /applications/{id}`: the app moves to the deleted items, its service principal and
/// that principal's consents go with it; its client can no longer sign in.
pub async fn delete_application(gate: Gate, Path(id): Path<String>) -> Response {
    gate.change(writes_applications, |t| {
        let Some(at) = t.apps.iter().position(|a| a.object_id == id) else {
            return Err(not_found(&id).into());
        };
        let mut app = t.apps.remove(at);
        let when = now_rfc3339();
        if !app.sp_id.is_empty() {
            t.app_role_assignments
                .retain(|x| !x.principal_id.eq_ignore_ascii_case(&app.sp_id));
            t.permission_grants
                .retain(|g| !g.client_id.eq_ignore_ascii_case(&app.sp_id));
            t.deleted_principals.push(DeletedPrincipal {
                id: std::mem::take(&mut app.sp_id),
                app_id: app.client_id.clone(),
                display_name: app.name.clone(),
                deleted: when.clone(),
            });
        }
        app.deleted = Some(when);
        t.deleted_apps.push(app);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

fn principal_json(p: &DeletedPrincipal, deleted: bool) -> Value {
    json!({
        "id": p.id,
        "appId": p.app_id,
        "displayName": p.display_name,
        "deletedDateTime": if deleted { Some(&p.deleted) } else { None },
    })
}

/// `GET /directory/deletedItems/microsoft.graph.servicePrincipal`.
pub async fn deleted_principals(gate: Gate) -> Response {
    gate.list(reads_applications, |t| {
        t.deleted_principals
            .iter()
            .map(|p| principal_json(p, true))
            .collect()
    })
    .await
}

/// `POST /directory/deletedItems/{id}/restore`: a deleted application back, without its service
/// principal (Microsoft: "restoring an application doesn't automatically restore the associated
/// service principal"), or that service principal, once its application is back. Consents given
/// before the deletion do not come back (whether Entra ID brings them back is not confirmed).
pub async fn restore_deleted(gate: Gate, Path(id): Path<String>) -> Response {
    gate.change(writes_applications, |t| {
        if let Some(at) = t.deleted_apps.iter().position(|a| a.object_id == id) {
            let mut app = t.deleted_apps.remove(at);
            app.deleted = None;
            let out = app_json(&app);
            t.apps.push(app);
            return Ok(Json(out).into_response());
        }
        let Some(at) = t.deleted_principals.iter().position(|p| p.id == id) else {
            return Err(not_found(&id).into());
        };
        let p = t.deleted_principals[at].clone();
        let Some(app) = t
            .apps
            .iter_mut()
            .find(|a| a.client_id.eq_ignore_ascii_case(&p.app_id))
        else {
            return Err(bad_request(&format!(
                "The service principal {id} cannot be restored before its application {}.",
                p.app_id
            ))
            .into());
        };
        app.sp_id = p.id.clone();
        app.sp_created_ms = now_ms();
        t.deleted_principals.remove(at);
        Ok(Json(principal_json(&p, false)).into_response())
    })
    .await
}

/// `GET /directory/deletedItems/microsoft.graph.application`.
pub async fn deleted_applications(gate: Gate) -> Response {
    gate.list(reads_applications, |t| {
        t.deleted_apps.iter().map(app_json).collect()
    })
    .await
}
