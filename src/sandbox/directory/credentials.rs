//! An application's credentials: client secrets (`addPassword`, `removePassword`) and
//! certificates (`keyCredentials` by `PATCH`, or the portal's upload).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{bad_request, new_id, not_found, replicating};
use crate::sandbox::clock::{months_later, now_rfc3339};
use crate::sandbox::gate::{Gate, writes_applications};
use crate::sandbox::responses::{Answer, Refused, graph_error};
use crate::sandbox::tenant::{App, KeyCredential, Password, Tenant};
use crate::sandbox::{Shared, certificate};

fn seed_key_id(a: &App) -> String {
    a.seed_key_id()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `passwordCredentials`: the seeded secret, if the app has one, then those added.
pub(super) fn password_credentials_json(a: &App) -> Vec<Value> {
    let listed = |key_id: &str, display_name: &str, hint: &str, end: OffsetDateTime| {
        json!({
            "keyId": key_id,
            "displayName": display_name,
            "hint": hint,
            "endDateTime": rfc3339(end),
            "secretText": null,
        })
    };
    let seeded = (!a.secret.is_empty()).then(|| {
        let hint: String = a.secret.chars().take(3).collect();
        listed(&seed_key_id(a), "sandbox seed", &hint, a.secret_expires)
    });
    seeded
        .into_iter()
        .chain(
            a.passwords
                .iter()
                .map(|p| listed(&p.key_id, &p.display_name, &p.hint, p.end)),
        )
        .collect()
}

/// A certificate credential as Graph lists it: `customKeyIdentifier` is the certificate's SHA-1
/// thumbprint, as Graph sets it when none is given; the key itself only on request.
pub(super) fn key_credential_json(c: &KeyCredential) -> Value {
    let der = certificate::from_base64(&c.key);
    json!({
        "keyId": c.key_id,
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
        "displayName": c.display_name,
        "customKeyIdentifier": der.as_deref().map(certificate::key_identifier),
        "endDateTime": der
            .as_deref()
            .and_then(certificate::not_after)
            .and_then(|t| t.format(&Rfc3339).ok()),
        "key": null,
    })
}

/// A certificate (DER) that carries an RSA key, as a new credential.
fn new_key_credential(der: Option<Vec<u8>>, display_name: &str) -> Option<KeyCredential> {
    let der = der.filter(|d| certificate::rsa_key(d).is_some())?;
    Some(KeyCredential {
        key_id: new_id(),
        display_name: display_name.to_string(),
        thumbprint: certificate::thumbprint(&der),
        key: certificate::to_base64(&der),
    })
}

/// `PATCH /applications/{id}`: the sandbox takes `keyCredentials` (the whole collection, as
/// Graph does: entries named by an existing `keyId` are kept, entries with a `key` are added),
/// and replaces `requiredResourceAccess`, `isFallbackPublicClient` and the `web` and
/// `publicClient` redirect URIs when given, as Graph does with a collection property.
pub async fn update_application(
    gate: Gate,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    gate.change(writes_applications, |t| {
        let web = super::applications::redirect_uris(&body, "web")?;
        let public = super::applications::redirect_uris(&body, "publicClient")?;
        let app = app_mut(t, &id)?;
        if body["requiredResourceAccess"].is_array() {
            app.required_resource_access = body["requiredResourceAccess"].clone();
        }
        if let Some(public) = body["isFallbackPublicClient"].as_bool() {
            app.public_client = public;
        }
        if let Some(list) = body["keyCredentials"].as_array() {
            app.certificates = list
                .iter()
                .map(|k| kept_or_added(&app.certificates, k))
                .collect::<Result<_, _>>()?;
        }
        if let Some(uris) = web {
            app.web_redirect_uris = uris;
        }
        if let Some(uris) = public {
            app.public_redirect_uris = uris;
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

fn kept_or_added(current: &[KeyCredential], entry: &Value) -> Result<KeyCredential, Refused> {
    let key_id = entry["keyId"].as_str().unwrap_or_default();
    if let Some(old) = current.iter().find(|c| c.key_id == key_id) {
        return Ok(old.clone());
    }
    let der = entry["key"].as_str().and_then(certificate::from_base64);
    let display_name = entry["displayName"].as_str().unwrap_or_default();
    new_key_credential(der, display_name).ok_or_else(|| {
        bad_request(
            "Invalid certificate: the key value is not a base64 DER X.509 certificate with an RSA key.",
        )
        .into()
    })
}

/// `POST /sandbox/portal/certificate`: the sandbox's stand-in for the portal's "Upload
/// certificate" (form: `client_id`, `certificate` as PEM, `description`).
pub async fn portal_upload_certificate(
    State(s): State<Arc<Shared>>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut t = s.tenant.lock().await;
    let outcome = upload(&mut t, &form);
    drop(t);
    s.saved(outcome).await
}

fn upload(t: &mut Tenant, form: &HashMap<String, String>) -> Answer {
    let field = |k: &str| form.get(k).map(String::as_str);
    let client = field("client_id").unwrap_or_default();
    let app = t
        .apps
        .iter_mut()
        .find(|a| a.client_id.eq_ignore_ascii_case(client))
        .ok_or_else(|| not_found(client))?;
    let der = field("certificate").and_then(certificate::from_pem);
    let cert =
        new_key_credential(der, field("description").unwrap_or_default()).ok_or_else(|| {
            bad_request("The file is not a certificate (.cer, .pem or .crt) with an RSA key.")
        })?;
    app.certificates.push(cert);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn app_mut<'t>(t: &'t mut Tenant, object_id: &str) -> Result<&'t mut App, Refused> {
    t.apps
        .iter_mut()
        .find(|x| x.object_id == object_id)
        .ok_or_else(|| not_found(object_id).into())
}

pub async fn add_password(gate: Gate, Path(id): Path<String>, Json(body): Json<Value>) -> Response {
    let cred = &body["passwordCredential"];
    gate.change(writes_applications, |t| {
        let end = match cred["endDateTime"].as_str() {
            Some(e) => OffsetDateTime::parse(e, &Rfc3339).map_err(|_| {
                bad_request(&format!(
                    "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential': {e}"
                ))
            })?,
            None => OffsetDateTime::now_utc() + time::Duration::days(730),
        };
        if gate.s.forbid_secrets {
            // The answer's text is known from field reports only (docs/credential-policies.md).
            return Err(graph_error(
                StatusCode::BAD_REQUEST,
                "CredentialTypeNotAllowedAsPerAppPolicy",
                "Credential type not allowed as per assigned policy",
            )
            .into());
        }
        if let Some(max) = gate.s.max_secret_months
            && end > months_later(OffsetDateTime::now_utc(), max) + time::Duration::days(1)
        {
            return Err(graph_error(
                StatusCode::BAD_REQUEST,
                "CredentialInvalidLifetimeAsPerAppPolicy",
                "Credential lifetime exceeds the max value allowed as per assigned policy 'Sandbox secret lifetime policy'.",
            ).into());
        }
        let app = app_mut(t, &id)?;
        if replicating(&gate, app.created_ms) {
            return Err(not_found(&id).into());
        }
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
            key_id: new_id(),
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
            "endDateTime": rfc3339(end),
        });
        app.passwords.push(p);
        Ok(Json(out).into_response())
    })
    .await
}

pub async fn remove_password(
    gate: Gate,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let key = body["keyId"].as_str().unwrap_or_default();
    gate.change(writes_applications, |t| {
        let app = app_mut(t, &id)?;
        let before = app.passwords.len();
        app.passwords.retain(|p| p.key_id != key);
        if !app.secret.is_empty() && key == seed_key_id(app) {
            app.secret.clear();
        } else if app.passwords.len() == before {
            return Err(
                bad_request(&format!("No password credential found with keyId '{key}'.")).into(),
            );
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}
