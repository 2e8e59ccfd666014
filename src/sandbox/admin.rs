//! The Microsoft Graph calls an administrator's setup makes: applications, service principals,
//! passwords, app role assignments and delegated grants, `me` and `organization`. Writes need
//! a delegated token of a Global Administrator; others get the real 403 body.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::MutexGuard;

use super::Shared;
use super::graph::verify_token;
use super::now_ms;
use super::responses::{denied, graph_error, now_rfc3339};
use super::tenant::{App, AppRoleAssignment, Password, PermissionGrant, Tenant, User};

fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

fn bad_request(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
}

/// The signed-in administrator, with the tenant locked; or the refusal.
struct Admin<'a> {
    t: MutexGuard<'a, Tenant>,
    user: User,
}

async fn signed_in<'a>(
    s: &'a Shared,
    headers: &HeaderMap,
    write: bool,
) -> Result<Admin<'a>, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim()
        .to_string();
    let t = s.tenant.lock().await;
    let caller = verify_token(s, &token, &s.graph_resource, &t.tenant_id)
        .map_err(|m| graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", m))?;
    let Some(user) = caller
        .scp
        .as_ref()
        .and_then(|_| t.user(&caller.oid))
        .cloned()
    else {
        // An app-only token: the sandbox grants no directory permissions to applications.
        return Err(denied());
    };
    if write && !user.admin {
        return Err(denied());
    }
    Ok(Admin { t, user })
}

/// `appId eq 'x'` or `displayName eq 'x'` → (field, value).
fn filter(q: &HashMap<String, String>) -> Option<(String, String)> {
    let f = q.get("$filter")?;
    let (field, rest) = f.split_once(" eq ")?;
    let value = rest.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some((field.trim().to_string(), value.replace("''", "'")))
}

/// The key id under which a seeded app's secret is listed.
fn seed_key_id(a: &App) -> String {
    format!(
        "5eed0000-0000-4000-8000-{}",
        &a.object_id[a.object_id.len() - 12..]
    )
}

fn app_json(a: &App) -> Value {
    let seeded = (!a.secret.is_empty()).then(|| {
        json!({
            "keyId": seed_key_id(a),
            "displayName": "sandbox seed",
            "hint": a.secret.chars().take(3).collect::<String>(),
            "endDateTime": a.secret_expires.format(&Rfc3339).unwrap_or_default(),
            "secretText": null,
        })
    });
    json!({
        "id": a.object_id,
        "appId": a.client_id,
        "displayName": a.name,
        "signInAudience": "AzureADMyOrg",
        "isFallbackPublicClient": a.public_client,
        "requiredResourceAccess": if a.required_resource_access.is_null() { json!([]) } else { a.required_resource_access.clone() },
        "keyCredentials": a.certificates.iter().map(|c| json!({
            "keyId": c.key_id,
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "displayName": c.display_name,
            "customKeyIdentifier": c.thumbprint,
            "endDateTime": base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &c.key)
                .ok()
                .and_then(|der| crate::credential::not_after(&der))
                .and_then(|t| t.format(&Rfc3339).ok()),
            "key": null,
        })).collect::<Vec<_>>(),
        "passwordCredentials": seeded.into_iter().chain(a.passwords.iter().map(|p| json!({
            "keyId": p.key_id,
            "displayName": p.display_name,
            "hint": p.hint,
            "endDateTime": p.end.format(&Rfc3339).unwrap_or_default(),
            "secretText": null,
        }))).collect::<Vec<_>>(),
    })
}

fn sp_json(t: &Tenant, id: &str) -> Option<Value> {
    if let Some(r) = t
        .resource_principals
        .iter()
        .find(|r| r.id == id || r.app_id == id)
    {
        return Some(json!({
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
        }));
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

pub async fn me(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match signed_in(&s, &headers, false).await {
        Ok(a) => Json(json!({
            "id": a.user.id,
            "userPrincipalName": a.user.mail,
            "displayName": a.user.name,
            "mail": a.user.mail,
        }))
        .into_response(),
        Err(r) => r,
    }
}

pub async fn organization(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match signed_in(&s, &headers, false).await {
        Ok(a) => Json(json!({ "value": [{
            "id": a.t.tenant_id,
            "displayName": a.t.display_name,
            "verifiedDomains": a.t.domains.iter().enumerate().map(|(i, d)| json!({"name": d, "isDefault": i == 0})).collect::<Vec<_>>(),
        }]}))
        .into_response(),
        Err(r) => r,
    }
}

pub async fn list_applications(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = filter(&q);
    let value: Vec<Value> =
        a.t.apps
            .iter()
            .filter(|app| match &f {
                Some((k, v)) if k == "appId" => app.client_id.eq_ignore_ascii_case(v),
                Some((k, v)) if k == "displayName" => app.name == *v,
                _ => true,
            })
            .map(app_json)
            .collect();
    Json(json!({ "value": value })).into_response()
}

pub async fn get_application(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match a.t.apps.iter().find(|app| app.object_id == id) {
        Some(app) => Json(app_json(app)).into_response(),
        None => not_found(&id),
    }
}

/// `PATCH /applications/{id}`: the sandbox takes `keyCredentials` (the whole collection, as
/// Graph does: entries named by an existing `keyId` are kept, entries with a `key` are added).
pub async fn update_application(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(app) = a.t.apps.iter_mut().find(|x| x.object_id == id) else {
        return not_found(&id);
    };
    if let Some(list) = body["keyCredentials"].as_array() {
        let mut kept = Vec::new();
        for k in list {
            let key_id = k["keyId"].as_str().unwrap_or_default();
            if let Some(old) = app.certificates.iter().find(|c| c.key_id == key_id) {
                kept.push(old.clone());
                continue;
            }
            let Some(der) = k["key"]
                .as_str()
                .and_then(|b| {
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok()
                })
                .filter(|d| crate::credential::public_key(d).is_some())
            else {
                return bad_request(
                    "Invalid certificate: the key value is not a base64 DER X.509 certificate with an RSA key.",
                );
            };
            kept.push(super::tenant::KeyCredential {
                key_id: uuid::Uuid::new_v4().to_string(),
                display_name: k["displayName"].as_str().unwrap_or_default().to_string(),
                thumbprint: crate::credential::thumbprint(&der),
                key: crate::credential::key_base64(&der),
            });
        }
        app.certificates = kept;
    }
    drop(a);
    s.persist().await;
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /sandbox/portal/certificate`: the sandbox's stand-in for the portal's "Upload
/// certificate" (form: `client_id`, `certificate` as PEM, `description`).
pub async fn portal_upload_certificate(
    State(s): State<Arc<Shared>>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut t = s.tenant.lock().await;
    let client = form.get("client_id").cloned().unwrap_or_default();
    let Some(app) = t
        .apps
        .iter_mut()
        .find(|a| a.client_id.eq_ignore_ascii_case(&client))
    else {
        return not_found(&client);
    };
    let Some(der) = form
        .get("certificate")
        .and_then(|p| crate::credential::certificate_der(p))
        .filter(|d| crate::credential::public_key(d).is_some())
    else {
        return bad_request("The file is not a certificate (.cer, .pem or .crt) with an RSA key.");
    };
    app.certificates.push(super::tenant::KeyCredential {
        key_id: uuid::Uuid::new_v4().to_string(),
        display_name: form.get("description").cloned().unwrap_or_default(),
        thumbprint: crate::credential::thumbprint(&der),
        key: crate::credential::key_base64(&der),
    });
    drop(t);
    s.persist().await;
    StatusCode::NO_CONTENT.into_response()
}

pub async fn create_application(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(name) = body["displayName"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
    else {
        return bad_request("Property 'displayName' is required.");
    };
    let app = App {
        key: String::new(),
        name: name.to_string(),
        expect: String::new(),
        client_id: uuid::Uuid::new_v4().to_string(),
        object_id: uuid::Uuid::new_v4().to_string(),
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
        certificates: Vec::new(),
    };
    let out = app_json(&app);
    a.t.apps.push(app);
    drop(a);
    s.persist().await;
    (StatusCode::CREATED, Json(out)).into_response()
}

pub async fn list_service_principals(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let value: Vec<Value> = match filter(&q) {
        Some((k, v)) if k == "appId" => sp_json(&a.t, &v).into_iter().collect(),
        _ => {
            return bad_request(
                "The sandbox lists service principals by $filter=appId eq '<id>' only.",
            );
        }
    };
    Json(json!({ "value": value })).into_response()
}

/// `servicePrincipals/{id}` and `servicePrincipals(appId='{id}')`.
pub async fn get_service_principal(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = key
        .strip_prefix("servicePrincipals(appId='")
        .and_then(|k| k.strip_suffix("')"))
        .unwrap_or(&key);
    match sp_json(&a.t, id) {
        Some(v) => Json(v).into_response(),
        None => not_found(id),
    }
}

pub async fn create_service_principal(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let app_id = body["appId"].as_str().unwrap_or_default().to_string();
    let lag = s.replication_lag.as_millis() as i64;
    let unknown = || {
        bad_request(&format!(
            "The appId '{app_id}' of the service principal does not reference a valid application object."
        ))
    };
    let Some(app) =
        a.t.apps
            .iter_mut()
            .find(|x| x.client_id.eq_ignore_ascii_case(&app_id))
    else {
        return unknown();
    };
    if now_ms() < app.created_ms + lag {
        return unknown();
    }
    if !app.sp_id.is_empty() {
        return graph_error(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Another object with the same value for property servicePrincipalNames already exists.",
        );
    }
    app.sp_id = uuid::Uuid::new_v4().to_string();
    let sp = app.sp_id.clone();
    let out = sp_json(&a.t, &sp);
    drop(a);
    s.persist().await;
    (StatusCode::CREATED, Json(out)).into_response()
}

pub async fn add_password(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let cred = &body["passwordCredential"];
    let end = match cred["endDateTime"].as_str() {
        Some(e) => match OffsetDateTime::parse(e, &Rfc3339) {
            Ok(t) => t,
            Err(_) => {
                return bad_request(&format!(
                    "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential': {e}"
                ));
            }
        },
        None => OffsetDateTime::now_utc() + time::Duration::days(730),
    };
    if let Some(max) = s.max_secret_months
        && end > crate::setup::add_months(OffsetDateTime::now_utc(), max) + time::Duration::days(1)
    {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "CredentialInvalidLifetimeAsPerAppPolicy",
            "Credential lifetime exceeds the max value allowed as per assigned policy 'Sandbox secret lifetime policy'.",
        );
    }
    let Some(app) = a.t.apps.iter_mut().find(|x| x.object_id == id) else {
        return not_found(&id);
    };
    // Like the real service's: three characters that tell secrets apart in `hint`, a digit,
    // a tilde, then random text.
    let random = uuid::Uuid::new_v4().simple().to_string();
    let secret = format!(
        "{}{}Q~sbx.{}",
        &random[..3],
        app.passwords.len() + 1,
        &random[3..]
    );
    let p = Password {
        key_id: uuid::Uuid::new_v4().to_string(),
        display_name: cred["displayName"].as_str().unwrap_or_default().to_string(),
        hint: secret[..3].to_string(),
        secret: secret.clone(),
        end,
    };
    let out = json!({
        "keyId": p.key_id,
        "displayName": p.display_name,
        "hint": p.hint,
        "secretText": secret,
        "startDateTime": now_rfc3339(),
        "endDateTime": end.format(&Rfc3339).unwrap_or_default(),
    });
    app.passwords.push(p);
    drop(a);
    s.persist().await;
    Json(out).into_response()
}

pub async fn remove_password(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let key = body["keyId"].as_str().unwrap_or_default().to_string();
    let Some(app) = a.t.apps.iter_mut().find(|x| x.object_id == id) else {
        return not_found(&id);
    };
    let before = app.passwords.len();
    app.passwords.retain(|p| p.key_id != key);
    if !app.secret.is_empty() && key == seed_key_id(app) {
        app.secret.clear();
    } else if app.passwords.len() == before {
        return bad_request(&format!("No password credential found with keyId '{key}'."));
    }
    drop(a);
    s.persist().await;
    StatusCode::NO_CONTENT.into_response()
}

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

pub async fn assign_app_role(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(resource): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let (principal, role) = (text("principalId"), text("appRoleId"));
    let Some(rp) = a.t.resource_principals.iter().find(|r| r.id == resource) else {
        return not_found(&resource);
    };
    if !rp.app_roles.iter().any(|r| r.id == role) {
        return bad_request("Permission being assigned was not found on application");
    }
    if !a
        .t
        .apps
        .iter()
        .any(|x| !x.sp_id.is_empty() && x.sp_id == principal)
    {
        return not_found(&principal);
    }
    if a.t
        .app_role_assignments
        .iter()
        .any(|x| x.principal_id == principal && x.resource_id == resource && x.app_role_id == role)
    {
        return bad_request("Permission being assigned already exists on the object");
    }
    let x = AppRoleAssignment {
        id: uuid::Uuid::new_v4().to_string(),
        principal_id: principal,
        resource_id: resource,
        app_role_id: role,
        created: now_rfc3339(),
    };
    let out = assignment_json(&x);
    a.t.app_role_assignments.push(x);
    drop(a);
    s.persist().await;
    (StatusCode::CREATED, Json(out)).into_response()
}

/// `servicePrincipals/{id}/appRoleAssignments`: what the principal was granted.
pub async fn list_assignments(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(principal): Path<String>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let value: Vec<Value> =
        a.t.app_role_assignments
            .iter()
            .filter(|x| x.principal_id == principal)
            .map(assignment_json)
            .collect();
    Json(json!({ "value": value })).into_response()
}

pub async fn remove_assignment(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((principal, id)): Path<(String, String)>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let before = a.t.app_role_assignments.len();
    a.t.app_role_assignments
        .retain(|x| !(x.principal_id == principal && x.id == id));
    if a.t.app_role_assignments.len() == before {
        return not_found(&id);
    }
    drop(a);
    s.persist().await;
    StatusCode::NO_CONTENT.into_response()
}

fn grant_json(g: &PermissionGrant) -> Value {
    json!({
        "id": g.id,
        "clientId": g.client_id,
        "consentType": "AllPrincipals",
        "principalId": null,
        "resourceId": g.resource_id,
        "scope": g.scope,
    })
}

pub async fn list_grants(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let a = match signed_in(&s, &headers, false).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let f = filter(&q);
    let value: Vec<Value> =
        a.t.permission_grants
            .iter()
            .filter(|g| !matches!(&f, Some((k, v)) if k == "clientId" && g.client_id != *v))
            .map(grant_json)
            .collect();
    Json(json!({ "value": value })).into_response()
}

pub async fn create_grant(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut a = match signed_in(&s, &headers, true).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let g = PermissionGrant {
        id: uuid::Uuid::new_v4().to_string(),
        client_id: text("clientId"),
        resource_id: text("resourceId"),
        scope: text("scope"),
    };
    if a.t
        .permission_grants
        .iter()
        .any(|x| x.client_id == g.client_id && x.resource_id == g.resource_id)
    {
        return graph_error(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            "Permission entry already exists.",
        );
    }
    let out = grant_json(&g);
    a.t.permission_grants.push(g);
    drop(a);
    s.persist().await;
    (StatusCode::CREATED, Json(out)).into_response()
}
