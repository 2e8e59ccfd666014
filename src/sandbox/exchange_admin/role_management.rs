//! Graph's Exchange role-management provider (beta, REFERENCE.md 4.1): the RBAC application
//! role definitions, custom app scopes and role assignments, for an administrator holding
//! `RoleManagement.ReadWrite.Exchange` (or a read permission for the lists).

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::principals::find_sp;
use super::rbac::{new_assignment, new_scope, scope_by_id};
use crate::sandbox::clock::now_ms;
use crate::sandbox::facts::APPLICATION_ROLES;
use crate::sandbox::gate::{Caller, Gate};
use crate::sandbox::responses::{created, graph_error};
use crate::sandbox::tenant::{LoggedCmdlet, ManagementScope, RoleAssignment, User};

const READ_WRITE: &str = "RoleManagement.ReadWrite.Exchange";

fn role_writer(c: &Caller, u: &User) -> bool {
    u.admin && c.has_scope(READ_WRITE)
}

fn role_reader(c: &Caller, u: &User) -> bool {
    u.admin
        && [
            READ_WRITE,
            "RoleManagement.Read.Exchange",
            "RoleManagement.Read.All",
        ]
        .iter()
        .any(|p| c.has_scope(p))
}

fn bad_request(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn not_found(message: &str) -> Response {
    graph_error(StatusCode::NOT_FOUND, "NotFound", message)
}

fn role_definition_id(role: &str) -> String {
    let n = APPLICATION_ROLES
        .iter()
        .position(|r| *r == role)
        .unwrap_or(99);
    format!("e0000000-0000-4000-8000-0000000000{n:02}")
}

/// `field eq 'value'` → value.
fn odata_filter_eq(filter: Option<&String>, field: &str) -> Option<String> {
    let f = filter?;
    let rest = f
        .trim()
        .strip_prefix(field)?
        .trim_start()
        .strip_prefix("eq")?;
    Some(rest.trim().trim_matches('\'').replace("''", "'"))
}

#[derive(serde::Deserialize)]
pub struct Filter {
    #[serde(rename = "$filter")]
    filter: Option<String>,
}

pub async fn role_definitions(gate: Gate, Query(q): Query<Filter>) -> Response {
    let want = odata_filter_eq(q.filter.as_ref(), "displayName");
    gate.list(role_reader, |_| {
        APPLICATION_ROLES
            .iter()
            .filter(|r| want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(r)))
            .map(|r| json!({"id": role_definition_id(r), "displayName": r, "isBuiltIn": true}))
            .collect()
    })
    .await
}

fn custom_scope_json(sc: &ManagementScope) -> Value {
    json!({
        "id": sc.id,
        "type": "RecipientScope",
        "displayName": sc.name,
        "customAttributes": { "Exclusive": false, "RecipientFilter": sc.filter },
    })
}

pub async fn list_custom_scopes(gate: Gate) -> Response {
    gate.list(role_reader, |t| {
        t.management_scopes.iter().map(custom_scope_json).collect()
    })
    .await
}

pub async fn create_custom_scope(gate: Gate, Json(body): Json<Value>) -> Response {
    let name = body["displayName"].as_str().unwrap_or_default();
    let filter = body["customAttributes"]["RecipientFilter"]
        .as_str()
        .unwrap_or_default();
    gate.change(role_writer, |t| {
        if name.is_empty() || body["type"] != "RecipientScope" {
            return Err(bad_request(
                "displayName and type RecipientScope are required.",
            ).into());
        }
        let effective_ms = now_ms() + gate.s.propagation_delay.as_millis() as i64;
        let sc = new_scope(t, name, filter, effective_ms).map_err(|_| {
            bad_request(&format!(
                "A scope named \"{name}\" exists already, or the filter \"{filter}\" is not understood."
            ))
        })?;
        t.exchange_log.push(LoggedCmdlet {
            cmdlet: "New-ManagementScope".into(),
            parameters: json!({"Name": name, "RecipientRestrictionFilter": filter}),
        });
        Ok(created(custom_scope_json(&sc)))
    })
    .await
}

fn role_assignment_json(ra: &RoleAssignment) -> Value {
    json!({
        "id": ra.id,
        "principalId": format!("/ServicePrincipals/{}", ra.app),
        "roleDefinitionId": role_definition_id(&ra.role),
        "directoryScopeId": if ra.scope.is_none() { Value::String("/".into()) } else { Value::Null },
        "appScopeId": ra.scope,
    })
}

pub async fn list_role_assignments(gate: Gate, Query(q): Query<Filter>) -> Response {
    let want = odata_filter_eq(q.filter.as_ref(), "principalId");
    gate.list(role_reader, |t| {
        t.role_assignments
            .iter()
            .map(role_assignment_json)
            .filter(|j| {
                want.as_ref().is_none_or(|w| {
                    j["principalId"]
                        .as_str()
                        .is_some_and(|p| p.eq_ignore_ascii_case(w))
                })
            })
            .collect()
    })
    .await
}

pub async fn create_role_assignment(gate: Gate, Json(body): Json<Value>) -> Response {
    gate.change(role_writer, |t| {
        let principal = body["principalId"].as_str().unwrap_or_default();
        let sp = principal
            .strip_prefix("/ServicePrincipals/")
            .or_else(|| principal.strip_prefix("/servicePrincipals/"))
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| bad_request("principalId must be /ServicePrincipals/{id}."))?;
        let role = APPLICATION_ROLES
            .iter()
            .find(|r| Some(role_definition_id(r).as_str()) == body["roleDefinitionId"].as_str())
            .ok_or_else(|| not_found("The role definition does not exist."))?;
        let scope = body["appScopeId"].as_str().map(str::to_string);
        let scope_name = match &scope {
            Some(id) => Some(
                scope_by_id(t, id)
                    .map(|x| x.name.clone())
                    .ok_or_else(|| not_found("The app scope does not exist."))?,
            ),
            None => None,
        };
        // Exchange's own answer, passed on, while the service principal it just registered has
        // not replicated.
        let lag = gate.s.replication_lag.as_millis() as i64;
        if find_sp(t, &sp).is_some_and(|x| x.created_ms > 0 && now_ms() < x.created_ms + lag) {
            let domain = t.domains.first().cloned().unwrap_or_default();
            return Err(not_found(&format!(
                "The operation couldn't be performed because object '{sp}' couldn't be found on '{domain}'."
            ))
            .into());
        }
        let effective_ms = now_ms() + gate.s.propagation_delay.as_millis() as i64;
        let ra = new_assignment(t, &sp, role, scope, effective_ms).map_err(|_| {
            bad_request(&format!(
                "The service principal {sp} is not registered in Exchange Online (New-ServicePrincipal)."
            ))
        })?;
        let mut params = json!({"App": sp, "Role": role});
        if let Some(n) = scope_name {
            params["CustomResourceScope"] = Value::String(n);
        }
        t.exchange_log.push(LoggedCmdlet {
            cmdlet: "New-ManagementRoleAssignment".into(),
            parameters: params,
        });
        Ok(created(role_assignment_json(&ra)))
    })
    .await
}
