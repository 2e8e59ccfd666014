//! The service principal sign-in activity report (Graph beta
//! `reports/servicePrincipalSignInActivities`): each application's latest sign-in, kept beyond
//! the sign-in logs' retention. Delegated `AuditLog.Read.All` and a role that reads reports;
//! a tenant without Microsoft Entra ID P1 or P2 is refused, as its sign-in logs are.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

use super::gate::Gate;
use super::paging::page;
use super::responses::graph_error;
use super::sign_ins::{not_premium, reads_audit_logs};

fn activity(app_id: &str, at: &str) -> Value {
    let last = json!({ "lastSignInDateTime": at, "lastSignInRequestId": uuid::Uuid::new_v4().to_string() });
    json!({
        "id": base64::engine::general_purpose::STANDARD.encode(app_id),
        "appId": app_id,
        "lastSignInActivity": last,
        "applicationAuthenticationClientSignInActivity": last,
        "applicationAuthenticationResourceSignInActivity": { "lastSignInDateTime": null, "lastSignInRequestId": null },
        "delegatedClientSignInActivity": { "lastSignInDateTime": null, "lastSignInRequestId": null },
        "delegatedResourceSignInActivity": { "lastSignInDateTime": null, "lastSignInRequestId": null },
    })
}

/// `appId eq '…'`; none for no filter; `Err` for a filter the sandbox does not understand.
fn app_filter(q: &HashMap<String, String>) -> Result<Option<String>, String> {
    let Some(f) = q.get("$filter") else {
        return Ok(None);
    };
    f.trim()
        .strip_prefix("appId eq '")
        .and_then(|v| v.strip_suffix('\''))
        .map(|v| Some(v.to_ascii_lowercase()))
        .ok_or_else(|| f.clone())
}

/// `GET /graph/beta/reports/servicePrincipalSignInActivities`.
pub async fn list(gate: Gate, Query(q): Query<HashMap<String, String>>) -> Response {
    let only = match app_filter(&q) {
        Ok(f) => f,
        Err(bad) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("Invalid filter clause: {bad}"),
            );
        }
    };
    let premium = !gate.s.without_entra_premium;
    let link = format!(
        "{}/beta/reports/servicePrincipalSignInActivities",
        gate.s.graph_base
    );
    gate.read(reads_audit_logs, |t, _| {
        if !premium {
            return not_premium();
        }
        let rows = t
            .sign_in_activity
            .iter()
            .filter(|(app, _)| only.as_ref().is_none_or(|o| o == *app))
            .map(|(app, at)| activity(app, at))
            .collect();
        page(rows, &q, &link)
    })
    .await
}
