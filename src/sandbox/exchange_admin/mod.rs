//! Exchange Online administration: the admin API behind the PowerShell module (`InvokeCommand`,
//! REFERENCE.md 4.2) for the cmdlets a scoped setup uses, and Graph's Exchange role-management
//! provider (4.1). Every change but a policy removal takes effect after the propagation delay;
//! the `Test-` cmdlets read the state at once, as the real ones skip the permission cache.

mod client_access;
mod policies;
mod principals;
mod rbac;
mod recipients;
mod role_management;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub use role_management::{
    create_custom_scope, create_role_assignment, list_custom_scopes, list_role_assignments,
    role_definitions,
};

use super::clock::now_ms;
use super::gate::bearer;
use super::responses::Refused;
use super::tenant::{LoggedCmdlet, Tenant};
use super::{AdminRedirect, Shared};

/// Results per page, small so that paging is always exercised.
pub const PAGE: usize = 5;

/// What a cmdlet answers: its output objects, or the refusal.
type Rows = Result<Vec<Value>, Refused>;

/// A cmdlet failure in the admin API's shape.
fn cmdlet_error(status: StatusCode, code: &str, exception: &str, text: &str) -> Refused {
    let body = json!({
        "error": {
            "code": code,
            "message": "Error executing cmdlet",
            "details": [{ "code": "Context", "target": "", "message": format!("Ex{:06X}|{exception}|{text}", text.len() * 7919 % 0xFFFFFF) }],
        }
    });
    (status, Json(body)).into_response().into()
}

fn bad_request(exception: &str, text: &str) -> Refused {
    cmdlet_error(StatusCode::BAD_REQUEST, "BadRequest", exception, text)
}

fn not_found(identity: &str, tenant: &Tenant) -> Refused {
    cmdlet_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
        &format!(
            "The operation couldn't be performed because object '{identity}' couldn't be found on '{}'.",
            domain(tenant)
        ),
    )
}

fn invalid(text: &str) -> Refused {
    bad_request(
        "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException",
        text,
    )
}

fn already_exists(text: &str) -> Refused {
    bad_request(
        "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
        text,
    )
}

fn domain(t: &Tenant) -> String {
    t.domains.first().cloned().unwrap_or_default()
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// One cmdlet as `InvokeCommand` carries it; its changes take effect at `effective_ms`.
struct Call {
    name: String,
    params: Map<String, Value>,
    effective_ms: i64,
    /// The signed-in administrator's mail address.
    caller: String,
    /// The request asked for English (`Accept-Language`); otherwise the `Test-` cmdlets'
    /// display values come in the tenant's language (French here).
    english: bool,
    /// Objects made after this (ms since the epoch) have not replicated yet: the cmdlets that
    /// name them answer that they cannot be found.
    replicated_before: i64,
}

impl Call {
    /// A parameter's text, trimmed.
    fn text(&self, k: &str) -> Option<&str> {
        self.params.get(k).and_then(Value::as_str).map(str::trim)
    }

    /// A list parameter (an array, or text separated by commas), lower case.
    fn texts(&self, k: &str) -> Vec<String> {
        match self.params.get(k) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.trim().to_ascii_lowercase()))
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|x| x.trim().to_ascii_lowercase())
                .filter(|x| !x.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A boolean parameter that may be `$null`: none when absent, `Some(None)` for null.
    fn nullable_bool(&self, k: &str) -> Result<Option<Option<bool>>, Refused> {
        let value = match self.params.get(k) {
            None => return Ok(None),
            Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => match s
                .trim()
                .trim_start_matches('$')
                .to_ascii_lowercase()
                .as_str()
            {
                "true" => Some(true),
                "false" => Some(false),
                "null" | "" => None,
                _ => {
                    return Err(invalid(&format!(
                        "Cannot process argument transformation on parameter '{k}'. Cannot convert value \"{s}\" to type \"System.Boolean\"."
                    )));
                }
            },
            Some(other) => {
                return Err(invalid(&format!(
                    "Cannot process argument transformation on parameter '{k}'. Cannot convert value \"{other}\" to type \"System.Boolean\"."
                )));
            }
        };
        Ok(Some(value))
    }

    /// A switch parameter: present as `true` (or the text "True").
    fn switch(&self, k: &str) -> bool {
        match self.params.get(k) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    fn required(&self, k: &str) -> Result<&str, Refused> {
        self.text(k).filter(|v| !v.is_empty()).ok_or_else(|| {
            invalid(&format!(
                "A parameter cannot be found or is empty: -{k} is required by {}.",
                self.name
            ))
        })
    }

    /// Whether an object made at `created_ms` is still unknown to this call (0: seeded, known).
    fn replicating(&self, created_ms: i64) -> bool {
        created_ms > 0 && created_ms > self.replicated_before
    }

    /// Whether the cmdlet changes the tenant (and goes to the Exchange log).
    fn changes(&self) -> bool {
        matches!(
            self.name.split('-').next(),
            Some("New" | "Add" | "Remove" | "Set")
        )
    }
}

/// Runs one cmdlet against the tenant: each family answers the cmdlets it knows.
fn run(t: &mut Tenant, call: &Call) -> Rows {
    let families: [fn(&mut Tenant, &Call) -> Option<Rows>; 5] = [
        recipients::run,
        principals::run,
        policies::run,
        rbac::run,
        client_access::run,
    ];
    families
        .iter()
        .find_map(|family| family(t, call))
        .unwrap_or_else(|| {
            Err(bad_request(
                "System.Management.Automation.CommandNotFoundException",
                &format!(
                    "The term '{}' is not recognized as a cmdlet the sandbox answers.",
                    call.name
                ),
            ))
        })
}

#[derive(serde::Deserialize)]
pub struct Paging {
    #[serde(rename = "$skip", default)]
    skip: usize,
}

/// Whether `Accept-Language` puts English first.
fn asks_for_english(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';']).next())
        .is_some_and(|first| {
            let tag = first.trim().to_ascii_lowercase();
            tag == "en" || tag.starts_with("en-")
        })
}

/// The redirect the first admin-API call gets, when the sandbox was asked for one: to its own
/// alias path, or to the URL given.
fn first_call_redirect(s: &Shared, tenant: &str, page: &Paging) -> Option<Response> {
    let target = s.admin_redirect.as_ref()?;
    if s.redirected.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return None;
    }
    let location = match target {
        AdminRedirect::OwnAlias => {
            let query = if page.skip > 0 {
                format!("?$skip={}", page.skip)
            } else {
                String::new()
            };
            format!(
                "{}{ALIAS}/adminapi/beta/{tenant}/InvokeCommand{query}",
                s.base
            )
        }
        AdminRedirect::To(url) => url.clone(),
    };
    Some((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// The path prefix under which the admin API answers too, as a tenant-specific host would.
pub const ALIAS: &str = "/redirected";

/// `POST /adminapi/beta/{tenant}/InvokeCommand` (and the same under [`ALIAS`]).
pub async fn invoke_command(
    State(s): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(page): Query<Paging>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(r) = first_call_redirect(&s, &tenant, &page) {
        return r;
    }
    let mut t = s.tenant.lock().await;
    if !t.answers_to(&tenant) {
        return not_found(&tenant, &t).into_response();
    }
    let caller = match s.verify_token(bearer(&headers), &s.exchange_resource, &t.tenant_id) {
        Ok(c) => c,
        Err(m) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
                m,
            )
                .into_response();
        }
    };
    let admin = caller
        .scp
        .as_ref()
        .and_then(|_| t.user(&caller.oid))
        .filter(|u| u.admin && !s.admin_without_exchange)
        .map(|u| u.mail.clone());
    let Some(admin) = admin else {
        return cmdlet_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Microsoft.Exchange.Configuration.Tasks.AuthorizationException",
            "The user isn't assigned to any management roles that allow running this cmdlet.",
        )
        .into_response();
    };
    let input: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not JSON: {e}")).into_response(),
    };
    let call = Call {
        name: input["CmdletInput"]["CmdletName"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        params: input["CmdletInput"]["Parameters"]
            .as_object()
            .cloned()
            .unwrap_or_default(),
        effective_ms: now_ms() + s.propagation_delay.as_millis() as i64,
        caller: admin,
        english: asks_for_english(&headers),
        replicated_before: now_ms() - s.replication_lag.as_millis() as i64,
    };
    let result = match run(&mut t, &call) {
        Ok(rows) => rows,
        Err(r) => return r.into_response(),
    };
    let changed = call.changes();
    if changed {
        t.exchange_log.push(LoggedCmdlet {
            cmdlet: call.name,
            parameters: Value::Object(call.params),
        });
    }
    drop(t);
    if changed {
        s.persist().await;
    }
    let total = result.len();
    let rows: Vec<Value> = result.into_iter().skip(page.skip).take(PAGE).collect();
    let mut out = json!({
        "@odata.context": format!("{}/adminapi/beta/{tenant}/$metadata#Collection(Exchange.GenericHashTable)", s.base),
        "@adminapi.warnings": [],
        "value": rows,
    });
    if page.skip + PAGE < total {
        out["@odata.nextLink"] = Value::String(format!(
            "{}/adminapi/beta/{tenant}/InvokeCommand?$skip={}",
            s.base,
            page.skip + PAGE
        ));
    }
    Json(out).into_response()
}

/// `GET /sandbox/exchange-log`: the changes made, in cmdlet form.
pub async fn exchange_log(State(s): State<Arc<Shared>>) -> Response {
    let t = s.tenant.lock().await;
    Json(json!(t.exchange_log)).into_response()
}
