//! `applications`: list (by `appId` or `displayName`), get, and create.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::credentials::{key_credential_json, password_credentials_json};
use super::{bad_request, filter, new_id, not_found};
use crate::sandbox::clock::now_ms;
use crate::sandbox::gate::{Gate, reads_applications, writes_applications};
use crate::sandbox::responses::created;
use crate::sandbox::tenant::App;

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
    })
}

pub async fn list_applications(gate: Gate, Query(q): Query<HashMap<String, String>>) -> Response {
    let f = filter(&q);
    gate.list(reads_applications, |t| {
        t.apps
            .iter()
            .filter(|app| match &f {
                Some((k, v)) if k == "appId" => app.client_id.eq_ignore_ascii_case(v),
                Some((k, v)) if k == "displayName" => app.name == *v,
                _ => true,
            })
            .map(app_json)
            .collect()
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
        };
        let out = app_json(&app);
        t.apps.push(app);
        Ok(created(out))
    })
    .await
}
