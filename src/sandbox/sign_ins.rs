//! The tenant's sign-in logs as Graph serves them (`GET /beta/auditLogs/signIns`): each token
//! a client-credentials request got is recorded with the key ID of the secret or certificate
//! it proved itself with (`servicePrincipalCredentialKeyId`), as Entra ID records
//! service-principal sign-ins. Like Microsoft's, the list holds only interactive user sign-ins
//! unless the filter asks for `signInEventTypes/any(t: t eq 'servicePrincipal')`.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::gate::{Caller, Gate};
use super::responses::{collection, graph_error};
use super::tenant::{App, SignInRecord, Tenant, User};

/// How many sign-ins the sandbox keeps (the oldest go first).
const KEPT: usize = 500;

/// Records a service principal's sign-in with the credential `key_id`.
pub fn record(t: &mut Tenant, app: &App, key_id: String, assertion: bool, resource: &str) {
    t.sign_ins.push(SignInRecord {
        id: uuid::Uuid::new_v4().to_string(),
        at: OffsetDateTime::now_utc(),
        app_id: app.client_id.clone(),
        app_name: app.name.clone(),
        sp_id: app.sp_id.clone(),
        key_id,
        credential_type: if assertion {
            "clientAssertion"
        } else {
            "clientSecret"
        }
        .into(),
        resource: resource.into(),
    });
    t.note_sign_in(&app.client_id, OffsetDateTime::now_utc());
    let over = t.sign_ins.len().saturating_sub(KEPT);
    t.sign_ins.drain(..over);
}

/// Microsoft's "List signIns": delegated `AuditLog.Read.All`, and a user in a role that may read
/// sign-in reports (Global Administrator among them; the sandbox's administrator).
pub fn reads_audit_logs(c: &Caller, user: &User) -> bool {
    user.admin && c.has_scope("AuditLog.Read.All")
}

/// What Graph answers a tenant without the licence (docs/renewal.md).
pub fn not_premium() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )
}

/// One clause of the `$filter` the sandbox understands.
enum Clause {
    EventType(String),
    AppId(String),
    ServicePrincipalId(String),
    Since(OffsetDateTime),
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    s.strip_prefix('\'')?
        .strip_suffix('\'')
        .map(|v| v.replace("''", "'"))
}

fn clause(text: &str) -> Option<Clause> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("signInEventTypes/any(") {
        // `t: t eq 'servicePrincipal')`, any variable name.
        let (var, cond) = rest.strip_suffix(')')?.split_once(':')?;
        let value = cond.trim().strip_prefix(var.trim())?.trim();
        return quoted(value.strip_prefix("eq ")?).map(Clause::EventType);
    }
    let (field, rest) = t.split_once(' ')?;
    let (op, value) = rest.trim().split_once(' ')?;
    match (field, op) {
        ("appId", "eq") => quoted(value).map(Clause::AppId),
        ("servicePrincipalId", "eq") => quoted(value).map(Clause::ServicePrincipalId),
        ("createdDateTime", "ge") => OffsetDateTime::parse(value.trim(), &Rfc3339)
            .ok()
            .map(Clause::Since),
        _ => None,
    }
}

fn parse_filter(filter: &str) -> Result<Vec<Clause>, String> {
    if filter.trim().is_empty() {
        return Ok(Vec::new());
    }
    filter
        .split(" and ")
        .map(|c| clause(c).ok_or_else(|| c.trim().to_string()))
        .collect()
}

fn matches(r: &SignInRecord, clauses: &[Clause]) -> bool {
    let service_principal = clauses
        .iter()
        .any(|c| matches!(c, Clause::EventType(e) if e == "servicePrincipal"));
    service_principal
        && clauses.iter().all(|c| match c {
            Clause::EventType(e) => e == "servicePrincipal",
            Clause::AppId(a) => a.eq_ignore_ascii_case(&r.app_id),
            Clause::ServicePrincipalId(id) => id.eq_ignore_ascii_case(&r.sp_id),
            Clause::Since(t) => r.at >= *t,
        })
}

fn shape(r: &SignInRecord, tenant_id: &str) -> Value {
    json!({
        "id": r.id,
        "createdDateTime": r.at.format(&Rfc3339).unwrap_or_default(),
        "appId": r.app_id,
        "appDisplayName": r.app_name,
        "servicePrincipalId": r.sp_id,
        "servicePrincipalName": r.app_name,
        "servicePrincipalCredentialKeyId": r.key_id,
        "servicePrincipalCredentialThumbprint": "",
        "clientCredentialType": r.credential_type,
        "signInEventTypes": ["servicePrincipal"],
        "isInteractive": false,
        "resourceId": r.resource,
        "resourceTenantId": tenant_id,
        "userId": "",
        "userPrincipalName": null,
        "status": { "errorCode": 0, "failureReason": null, "additionalDetails": null },
    })
}

/// `GET /graph/beta/auditLogs/signIns`: newest first, `$filter` and `$top` honoured.
pub async fn list(gate: Gate, Query(q): Query<HashMap<String, String>>) -> Response {
    let clauses = match parse_filter(q.get("$filter").map_or("", String::as_str)) {
        Ok(c) => c,
        Err(bad) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("Invalid filter clause: {bad}"),
            );
        }
    };
    let top = q
        .get("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(1000)
        .min(1000);
    let premium = !gate.s.without_entra_premium;
    gate.read(reads_audit_logs, |t, _| {
        if !premium {
            return not_premium();
        }
        let value = t
            .sign_ins
            .iter()
            .rev()
            .filter(|r| matches(r, &clauses))
            .take(top)
            .map(|r| shape(r, &t.tenant_id))
            .collect();
        collection(value).into_response()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(app: &str) -> SignInRecord {
        SignInRecord {
            id: "1".into(),
            at: OffsetDateTime::now_utc(),
            app_id: app.into(),
            app_name: "x".into(),
            sp_id: "sp".into(),
            key_id: "k".into(),
            credential_type: "clientSecret".into(),
            resource: "r".into(),
        }
    }

    #[test]
    fn service_principal_sign_ins_are_listed_only_when_the_filter_asks_for_them() {
        let r = rec("abc");
        let f = parse_filter("signInEventTypes/any(t: t eq 'servicePrincipal') and appId eq 'ABC'")
            .unwrap();
        assert!(matches(&r, &f));
        assert!(!matches(&r, &parse_filter("appId eq 'abc'").unwrap()));
        assert!(!matches(&r, &parse_filter("").unwrap()));
        let other =
            parse_filter("signInEventTypes/any(x: x eq 'servicePrincipal') and appId eq 'def'")
                .unwrap();
        assert!(!matches(&r, &other));
        assert!(parse_filter("startswith(appId,'a')").is_err());
    }
}
