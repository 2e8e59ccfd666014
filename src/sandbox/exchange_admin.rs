//! Exchange Online administration: the admin API behind the PowerShell module (`InvokeCommand`,
//! REFERENCE.md 4.2) for the cmdlets a scoped setup uses, and Graph's Exchange role-management
//! provider (4.1). Every change but a policy removal takes effect after the propagation delay; the `Test-` cmdlets
//! read the state at once, as the real ones skip the permission cache.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::graph::verify_token;
use super::responses::graph_error;
use super::tenant::{
    AccessPolicy, AccessRight, ExchangeServicePrincipal, Group, LoggedCmdlet, MailboxPermission,
    MailboxRight, ManagementScope, RoleAssignment, Tenant,
};
use super::{Shared, now_ms};

/// Results per page, small so that paging is always exercised.
pub const PAGE: usize = 5;

/// The application roles of RBAC for Applications the sandbox knows (REFERENCE.md 4.2).
pub const APPLICATION_ROLES: [&str; 6] = [
    "Application Mail.Read",
    "Application Mail.ReadBasic",
    "Application Mail.ReadWrite",
    "Application Mail.Send",
    "Application EWS.AccessAsApp",
    "Application SMTP.SendAsApp",
];

/// Policies fit in a fixed space; with short descriptions about this many.
pub const POLICY_LIMIT: usize = 300;

fn role_definition_id(role: &str) -> String {
    let n = APPLICATION_ROLES
        .iter()
        .position(|r| *r == role)
        .unwrap_or(99);
    format!("e0000000-0000-4000-8000-0000000000{n:02}")
}

/// A refused cmdlet: boxed, as responses are large.
type Refused = Box<Response>;

/// A cmdlet failure in the admin API's shape.
fn cmdlet_error(status: StatusCode, code: &str, exception: &str, text: &str) -> Refused {
    let body = json!({
        "error": {
            "code": code,
            "message": "Error executing cmdlet",
            "details": [{ "code": "Context", "target": "", "message": format!("Ex{:06X}|{exception}|{text}", text.len() * 7919 % 0xFFFFFF) }],
        }
    });
    Box::new((status, Json(body)).into_response())
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
    cmdlet_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Microsoft.Exchange.Configuration.Tasks.TaskArgumentException",
        text,
    )
}

fn domain(t: &Tenant) -> String {
    t.domains.first().cloned().unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim()
        .to_string()
}

#[derive(serde::Deserialize)]
pub struct Paging {
    #[serde(rename = "$skip", default)]
    skip: usize,
}

/// `POST /adminapi/beta/{tenant}/InvokeCommand`.
pub async fn invoke_command(
    State(s): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(page): Query<Paging>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let mut t = s.tenant.lock().await;
    if !t.answers_to(&tenant) {
        return *not_found(&tenant, &t);
    }
    let caller = match verify_token(&s, &bearer(&headers), &s.exchange_resource, &t.tenant_id) {
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
    let admin = caller.scp.is_some() && t.user(&caller.oid).is_some_and(|u| u.admin);
    if !admin {
        return *cmdlet_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Microsoft.Exchange.Configuration.Tasks.AuthorizationException",
            "The user isn't assigned to any management roles that allow running this cmdlet.",
        );
    }
    let input: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(e) => return *invalid(&format!("The request body is not JSON: {e}")),
    };
    let name = input["CmdletInput"]["CmdletName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let params = input["CmdletInput"]["Parameters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let delay = s.propagation_delay.as_millis() as i64;
    let outcome = run(&mut t, &name, &params, now_ms() + delay);
    let changed = matches!(
        name.split('-').next(),
        Some("New" | "Add" | "Remove" | "Set")
    );
    let result = match outcome {
        Ok(rows) => {
            if changed {
                t.exchange_log.push(LoggedCmdlet {
                    cmdlet: name.clone(),
                    parameters: Value::Object(params),
                });
            }
            rows
        }
        Err(r) => return *r,
    };
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

fn text<'a>(p: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str).map(str::trim)
}

fn texts(p: &Map<String, Value>, k: &str) -> Vec<String> {
    match p.get(k) {
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

fn required<'a>(p: &'a Map<String, Value>, k: &str, cmdlet: &str) -> Result<&'a str, Refused> {
    text(p, k).filter(|v| !v.is_empty()).ok_or_else(|| {
        invalid(&format!(
            "A parameter cannot be found or is empty: -{k} is required by {cmdlet}."
        ))
    })
}

fn mailbox_row(t: &Tenant, mail: &str) -> Value {
    let u = t.user(mail).expect("caller checked");
    json!({
        "Identity": u.name,
        "Name": u.name,
        "DisplayName": u.name,
        "PrimarySmtpAddress": u.mail,
        "UserPrincipalName": u.mail,
        "RecipientTypeDetails": "UserMailbox",
        "ExternalDirectoryObjectId": u.id,
    })
}

fn group_row(t: &Tenant, g: &Group) -> Value {
    json!({
        "Identity": g.name,
        "Name": g.name,
        "DisplayName": g.name,
        "PrimarySmtpAddress": g.mail,
        "DistinguishedName": g.dn(&domain(t)),
        "GroupType": "Universal, SecurityEnabled",
        "RecipientTypeDetails": "MailUniversalSecurityGroup",
        "ExternalDirectoryObjectId": g.id,
    })
}

fn sp_row(sp: &ExchangeServicePrincipal) -> Value {
    json!({
        "Identity": sp.object_id,
        "AppId": sp.app_id,
        "ObjectId": sp.object_id,
        "DisplayName": sp.display_name,
    })
}

/// An Exchange service principal by AppId, ObjectId or display name.
fn find_sp<'a>(t: &'a Tenant, key: &str) -> Option<&'a ExchangeServicePrincipal> {
    t.exchange_service_principals.iter().find(|sp| {
        sp.app_id.eq_ignore_ascii_case(key)
            || sp.object_id.eq_ignore_ascii_case(key)
            || sp.display_name.eq_ignore_ascii_case(key)
    })
}

fn assignment_row(t: &Tenant, ra: &RoleAssignment) -> Value {
    let scope = ra
        .scope
        .as_ref()
        .and_then(|id| t.management_scopes.iter().find(|s| &s.id == id))
        .map(|s| s.name.clone());
    json!({
        "Name": ra.name,
        "Role": ra.role,
        "RoleAssignee": ra.app,
        "RoleAssigneeType": "ServicePrincipal",
        "CustomResourceScope": scope,
        "RecipientWriteScope": if scope.is_some() { "CustomRecipientScope" } else { "Organization" },
    })
}

fn policy_identity(tenant_id: &str, p: &AccessPolicy) -> String {
    format!("{tenant_id}\\{}:{}", p.app_id, p.id)
}

fn policy_row(t: &Tenant, p: &AccessPolicy) -> Value {
    let g = t.groups.iter().find(|g| g.id == p.group);
    json!({
        "Identity": policy_identity(&t.tenant_id, p),
        "AppId": p.app_id,
        "ScopeName": g.map(|g| g.name.clone()),
        "ScopeIdentity": g.map(|g| g.mail.clone()),
        "AccessRight": format!("{:?}", p.access_right),
        "Description": p.description,
        "IsValid": g.is_some(),
    })
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Runs one cmdlet against the tenant; changes take effect at `effective_ms`.
fn run(
    t: &mut Tenant,
    name: &str,
    p: &Map<String, Value>,
    effective_ms: i64,
) -> Result<Vec<Value>, Refused> {
    match name {
        "Get-Mailbox" => match text(p, "Identity") {
            Some(id) => match t.user(id) {
                Some(u) => Ok(vec![mailbox_row(t, &u.mail.clone())]),
                None => Err(not_found(id, t)),
            },
            None => Ok(t.users.iter().map(|u| mailbox_row(t, &u.mail)).collect()),
        },
        "Get-DistributionGroup" => match text(p, "Identity") {
            Some(id) => match t.find_group(id) {
                Some(g) => Ok(vec![group_row(t, g)]),
                None => Err(not_found(id, t)),
            },
            None => Ok(t.groups.iter().map(|g| group_row(t, g)).collect()),
        },
        "New-DistributionGroup" => {
            let gname = required(p, "Name", name)?.to_string();
            let alias = text(p, "Alias")
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| gname.replace(' ', ""));
            let mail = text(p, "PrimarySmtpAddress")
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| format!("{}@{}", alias.to_ascii_lowercase(), domain(t)));
            if text(p, "Type").is_some_and(|x| !x.eq_ignore_ascii_case("Security")) {
                return Err(invalid(
                    "The sandbox makes mail-enabled security groups only: -Type Security.",
                ));
            }
            if t.find_group(&gname).is_some() {
                return Err(cmdlet_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
                    &format!("The name \"{gname}\" is already being used. Please try another name."),
                ));
            }
            if t.user(&mail).is_some() || t.find_group(&mail).is_some() {
                return Err(cmdlet_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Microsoft.Exchange.Data.Directory.ProxyAddressExistsException",
                    &format!("The proxy address \"SMTP:{mail}\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address."),
                ));
            }
            let members = texts(p, "Members");
            if let Some(m) = members.iter().find(|m| t.user(m).is_none()) {
                return Err(not_found(m, t));
            }
            let g = Group {
                id: new_id(),
                name: gname,
                mail,
                joined: members.iter().map(|m| (m.clone(), effective_ms)).collect(),
                members,
            };
            let row = group_row(t, &g);
            t.groups.push(g);
            Ok(vec![row])
        }
        "Get-DistributionGroupMember" => {
            let id = required(p, "Identity", name)?;
            let g = t.find_group(id).ok_or_else(|| not_found(id, t))?;
            Ok(g.members
                .iter()
                .filter_map(|m| t.user(m))
                .map(|u| {
                    json!({"Name": u.name, "PrimarySmtpAddress": u.mail, "RecipientType": "UserMailbox"})
                })
                .collect())
        }
        "Add-DistributionGroupMember" => {
            let id = required(p, "Identity", name)?.to_string();
            let member = required(p, "Member", name)?.to_ascii_lowercase();
            let Some(u) = t.user(&member).map(|u| u.mail.clone()) else {
                return Err(not_found(&member, t));
            };
            let gid = t.find_group(&id).map(|g| g.id.clone()).ok_or_else(|| not_found(&id, t))?;
            let g = t.groups.iter_mut().find(|g| g.id == gid).expect("found");
            if g.members.contains(&u) {
                return Err(cmdlet_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException",
                    &format!("The recipient \"{u}\" is already a member of the group \"{}\".", g.name),
                ));
            }
            g.members.push(u.clone());
            g.joined.insert(u, effective_ms);
            Ok(Vec::new())
        }
        "Get-ServicePrincipal" => match text(p, "Identity") {
            Some(id) => find_sp(t, id)
                .map(|sp| vec![sp_row(sp)])
                .ok_or_else(|| not_found(id, t)),
            None => Ok(t.exchange_service_principals.iter().map(sp_row).collect()),
        },
        "New-ServicePrincipal" => {
            let app_id = required(p, "AppId", name)?.to_ascii_lowercase();
            let object_id = text(p, "ObjectId")
                .or(text(p, "ServiceId"))
                .unwrap_or_default()
                .to_ascii_lowercase();
            if find_sp(t, &app_id).is_some() {
                return Err(cmdlet_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
                    &format!("A service principal with AppId {app_id} already exists."),
                ));
            }
            let resolves = t
                .apps
                .iter()
                .any(|a| a.client_id == app_id && !a.sp_id.is_empty() && a.sp_id == object_id);
            if !resolves {
                return Err(invalid(&format!(
                    "The ObjectId '{object_id}' isn't the service principal of the application '{app_id}' in Microsoft Entra ID. Use the object ID shown under Enterprise applications."
                )));
            }
            let sp = ExchangeServicePrincipal {
                app_id,
                object_id,
                display_name: text(p, "DisplayName").unwrap_or_default().to_string(),
                effective_ms,
            };
            let row = sp_row(&sp);
            t.exchange_service_principals.push(sp);
            Ok(vec![row])
        }
        "Get-MailboxPermission" => {
            let id = required(p, "Identity", name)?;
            let mail = t.user(id).map(|u| u.mail.clone()).ok_or_else(|| not_found(id, t))?;
            let user = text(p, "User").map(str::to_ascii_lowercase);
            Ok(t.mailbox_permissions
                .iter()
                .filter(|x| x.mailbox == mail && user.as_ref().is_none_or(|u| x.principal.eq_ignore_ascii_case(u)))
                .map(|x| json!({"Identity": mail, "User": x.principal, "AccessRights": [format!("{:?}", x.right)], "IsInherited": false, "Deny": false}))
                .collect())
        }
        "Add-MailboxPermission" => {
            let id = required(p, "Identity", name)?.to_string();
            let user = required(p, "User", name)?.to_ascii_lowercase();
            let mail = t.user(&id).map(|u| u.mail.clone()).ok_or_else(|| not_found(&id, t))?;
            let Some(sp) = find_sp(t, &user).map(|sp| sp.object_id.clone()) else {
                return Err(not_found(&user, t));
            };
            if !texts(p, "AccessRights").iter().any(|r| r == "fullaccess") {
                return Err(invalid("The sandbox grants -AccessRights FullAccess only."));
            }
            let exists = t.mailbox_permissions.iter().any(|x| {
                x.mailbox == mail && x.principal == sp && x.right == MailboxRight::FullAccess
            });
            if !exists {
                t.mailbox_permissions.push(MailboxPermission {
                    mailbox: mail.clone(),
                    principal: sp.clone(),
                    right: MailboxRight::FullAccess,
                    effective_ms,
                });
            }
            Ok(vec![json!({"Identity": mail, "User": sp, "AccessRights": ["FullAccess"]})])
        }
        "Get-ManagementScope" => match text(p, "Identity") {
            Some(id) => t
                .management_scopes
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(id) || s.id == id)
                .map(|s| vec![json!({"Name": s.name, "RecipientFilter": s.filter, "ScopeRestrictionType": "RecipientScope", "Exclusive": false})])
                .ok_or_else(|| not_found(id, t)),
            None => Ok(t.management_scopes.iter().map(|s| json!({"Name": s.name, "RecipientFilter": s.filter})).collect()),
        },
        "New-ManagementScope" => {
            let sname = required(p, "Name", name)?.to_string();
            let filter = required(p, "RecipientRestrictionFilter", name)?.to_string();
            new_scope(t, &sname, &filter, effective_ms)
                .map(|s| vec![json!({"Name": s.name, "RecipientFilter": s.filter})])
        }
        "Get-ManagementRoleAssignment" => {
            let assignee = text(p, "RoleAssignee").or(text(p, "App"));
            let role = text(p, "Role");
            let sp = assignee.and_then(|a| find_sp(t, a)).map(|s| s.object_id.clone());
            if assignee.is_some() && sp.is_none() {
                return Ok(Vec::new());
            }
            Ok(t.role_assignments
                .iter()
                .filter(|ra| sp.as_ref().is_none_or(|s| ra.app.eq_ignore_ascii_case(s)))
                .filter(|ra| role.is_none_or(|r| ra.role.eq_ignore_ascii_case(r)))
                .map(|ra| assignment_row(t, ra))
                .collect())
        }
        "New-ManagementRoleAssignment" => {
            let app = required(p, "App", name)?.to_string();
            let role = required(p, "Role", name)?.to_string();
            let scope = text(p, "CustomResourceScope").map(str::to_string);
            let scope_id = match &scope {
                Some(sc) => Some(
                    t.management_scopes
                        .iter()
                        .find(|x| x.name.eq_ignore_ascii_case(sc))
                        .map(|x| x.id.clone())
                        .ok_or_else(|| not_found(sc, t))?,
                ),
                None => None,
            };
            new_assignment(t, &app, &role, scope_id, effective_ms).map(|ra| vec![assignment_row(t, &ra)])
        }
        "Get-ApplicationAccessPolicy" => Ok(t
            .access_policies
            .iter()
            .filter(|x| text(p, "Identity").is_none_or(|i| policy_identity(&t.tenant_id, x) == i))
            .map(|x| policy_row(t, x))
            .collect()),
        "New-ApplicationAccessPolicy" => {
            let app_id = required(p, "AppId", name)?.to_ascii_lowercase();
            let group = required(p, "PolicyScopeGroupId", name)?.to_string();
            let right = match required(p, "AccessRight", name)? {
                r if r.eq_ignore_ascii_case("RestrictAccess") => AccessRight::RestrictAccess,
                r if r.eq_ignore_ascii_case("DenyAccess") => AccessRight::DenyAccess,
                r => return Err(invalid(&format!("Cannot process argument -AccessRight '{r}': use RestrictAccess or DenyAccess."))),
            };
            let Some(g) = t.find_group(&group).map(|g| g.id.clone()) else {
                return Err(not_found(&group, t));
            };
            if t.app_by_client_id(&app_id).is_none() {
                return Err(invalid(&format!("The application '{app_id}' isn't in this tenant's directory.")));
            }
            if t.access_policies.len() >= POLICY_LIMIT {
                return Err(invalid("The total size of all application access policies in the organization exceeds the limit. Remove policies that are no longer needed, or use RBAC for Applications."));
            }
            let pol = AccessPolicy {
                id: new_id(),
                app_id,
                group: g,
                access_right: right,
                description: text(p, "Description").unwrap_or_default().to_string(),
                effective_ms,
            };
            let row = policy_row(t, &pol);
            t.access_policies.push(pol);
            Ok(vec![row])
        }
        "Remove-ApplicationAccessPolicy" => {
            let id = required(p, "Identity", name)?.to_string();
            // Removal is immediate: a policy taken away stops restricting at once here.
            let before = t.access_policies.len();
            let tenant_id = t.tenant_id.clone();
            t.access_policies
                .retain(|x| policy_identity(&tenant_id, x) != id);
            if t.access_policies.len() == before {
                return Err(not_found(&id, t));
            }
            Ok(Vec::new())
        }
        "Test-ApplicationAccessPolicy" => {
            let mailbox = required(p, "Identity", name)?.to_string();
            let app_id = required(p, "AppId", name)?.to_ascii_lowercase();
            let Some(u) = t.user(&mailbox).map(|u| (u.mail.clone(), u.id.clone())) else {
                return Err(not_found(&mailbox, t));
            };
            let granted = t.policy_allows(&app_id, &u.0, i64::MAX);
            Ok(vec![json!({
                "AppId": app_id,
                "Mailbox": u.0,
                "MailboxId": u.1,
                "AccessCheckResult": if granted { "Granted" } else { "Denied" },
            })])
        }
        "Test-ServicePrincipalAuthorization" => {
            let id = required(p, "Identity", name)?.to_string();
            let sp = find_sp(t, &id).map(|s| s.object_id.clone()).ok_or_else(|| not_found(&id, t))?;
            let resource = match text(p, "Resource") {
                Some(r) => Some(
                    t.user(r)
                        .map(|u| u.mail.clone())
                        .ok_or_else(|| not_found(r, t))?,
                ),
                None => None,
            };
            Ok(t.role_assignments
                .iter()
                .filter(|ra| ra.app.eq_ignore_ascii_case(&sp))
                .map(|ra| {
                    let scope = ra.scope.as_ref().and_then(|s| t.management_scopes.iter().find(|x| &x.id == s));
                    let in_scope = match (&resource, &ra.scope) {
                        (None, _) => json!("Not Run"),
                        (Some(_), None) => json!(true),
                        (Some(m), Some(sc)) => json!(t.scope_holds(sc, m, i64::MAX)),
                    };
                    json!({
                        "RoleName": ra.role,
                        "GrantedPermissions": ra.role.trim_start_matches("Application "),
                        "AllowedResourceScope": scope.map(|s| s.name.clone()).unwrap_or_else(|| "Organization".into()),
                        "ScopeType": if scope.is_some() { "CustomRecipientScope" } else { "Organization" },
                        "InScope": in_scope,
                    })
                })
                .collect())
        }
        other => {
            Err(cmdlet_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "System.Management.Automation.CommandNotFoundException",
                &format!("The term '{other}' is not recognized as a cmdlet the sandbox answers."),
            ))
        }
    }
}

fn new_scope(
    t: &mut Tenant,
    name: &str,
    filter: &str,
    effective_ms: i64,
) -> Result<ManagementScope, Refused> {
    if t.management_scopes
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case(name))
    {
        return Err(cmdlet_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException",
            &format!("The management scope \"{name}\" already exists."),
        ));
    }
    if !filter.trim_start().starts_with("MemberOfGroup -eq ") {
        return Err(invalid(&format!(
            "The recipient filter \"{filter}\" isn't valid: the sandbox understands MemberOfGroup -eq '<group DN>'."
        )));
    }
    let sc = ManagementScope {
        id: new_id(),
        name: name.to_string(),
        filter: filter.to_string(),
        effective_ms,
    };
    t.management_scopes.push(sc.clone());
    Ok(sc)
}

fn new_assignment(
    t: &mut Tenant,
    app: &str,
    role: &str,
    scope: Option<String>,
    effective_ms: i64,
) -> Result<RoleAssignment, Refused> {
    let Some(sp) = find_sp(t, app).map(|s| s.object_id.clone()) else {
        return Err(not_found(app, t));
    };
    let Some(role) = APPLICATION_ROLES
        .iter()
        .find(|r| r.eq_ignore_ascii_case(role))
    else {
        return Err(not_found(role, t));
    };
    let ra = RoleAssignment {
        id: new_id(),
        name: format!("{role}-{}", sp.get(..8).unwrap_or(&sp)),
        role: (*role).to_string(),
        app: sp,
        scope,
        effective_ms,
    };
    t.role_assignments.push(ra.clone());
    Ok(ra)
}

/// A Graph caller with `RoleManagement.ReadWrite.Exchange` (or only read for GETs).
async fn role_manager<'a>(
    s: &'a Shared,
    headers: &HeaderMap,
    write: bool,
) -> Result<tokio::sync::MutexGuard<'a, Tenant>, Response> {
    let t = s.tenant.lock().await;
    let caller = verify_token(s, &bearer(headers), &s.graph_resource, &t.tenant_id)
        .map_err(|m| graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", m))?;
    let scp = caller.scp.unwrap_or_default();
    let has = |x: &str| scp.split_whitespace().any(|p| p == x);
    let ok = has("RoleManagement.ReadWrite.Exchange")
        || (!write && (has("RoleManagement.Read.Exchange") || has("RoleManagement.Read.All")));
    if !ok || !t.user(&caller.oid).is_some_and(|u| u.admin) {
        return Err(super::responses::denied());
    }
    Ok(t)
}

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

pub async fn role_definitions(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<Filter>,
) -> Response {
    if let Err(r) = role_manager(&s, &headers, false).await {
        return r;
    }
    let want = odata_filter_eq(q.filter.as_ref(), "displayName");
    let value: Vec<Value> = APPLICATION_ROLES
        .iter()
        .filter(|r| want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(r)))
        .map(|r| json!({"id": role_definition_id(r), "displayName": r, "isBuiltIn": true}))
        .collect();
    Json(json!({ "value": value })).into_response()
}

fn custom_scope_json(sc: &ManagementScope) -> Value {
    json!({
        "id": sc.id,
        "type": "RecipientScope",
        "displayName": sc.name,
        "customAttributes": { "Exclusive": false, "RecipientFilter": sc.filter },
    })
}

pub async fn list_custom_scopes(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let t = match role_manager(&s, &headers, false).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let value: Vec<Value> = t.management_scopes.iter().map(custom_scope_json).collect();
    Json(json!({ "value": value })).into_response()
}

pub async fn create_custom_scope(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut t = match role_manager(&s, &headers, true).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let name = body["displayName"].as_str().unwrap_or_default().to_string();
    let filter = body["customAttributes"]["RecipientFilter"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if name.is_empty() || body["type"] != "RecipientScope" {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "displayName and type RecipientScope are required.",
        );
    }
    let delay = s.propagation_delay.as_millis() as i64;
    let sc = match new_scope(&mut t, &name, &filter, now_ms() + delay) {
        Ok(sc) => sc,
        Err(_) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!(
                    "A scope named \"{name}\" exists already, or the filter \"{filter}\" is not understood."
                ),
            );
        }
    };
    t.exchange_log.push(LoggedCmdlet {
        cmdlet: "New-ManagementScope".into(),
        parameters: json!({"Name": name, "RecipientRestrictionFilter": filter}),
    });
    drop(t);
    s.persist().await;
    (StatusCode::CREATED, Json(custom_scope_json(&sc))).into_response()
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

pub async fn list_role_assignments(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<Filter>,
) -> Response {
    let t = match role_manager(&s, &headers, false).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let want = odata_filter_eq(q.filter.as_ref(), "principalId");
    let value: Vec<Value> = t
        .role_assignments
        .iter()
        .map(role_assignment_json)
        .filter(|j| {
            want.as_ref().is_none_or(|w| {
                j["principalId"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(w))
            })
        })
        .collect();
    Json(json!({ "value": value })).into_response()
}

pub async fn create_role_assignment(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut t = match role_manager(&s, &headers, true).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let principal = body["principalId"].as_str().unwrap_or_default();
    let Some(sp) = principal
        .strip_prefix("/ServicePrincipals/")
        .or_else(|| principal.strip_prefix("/servicePrincipals/"))
        .map(str::to_ascii_lowercase)
    else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "principalId must be /ServicePrincipals/{id}.",
        );
    };
    let role = APPLICATION_ROLES
        .iter()
        .find(|r| Some(role_definition_id(r).as_str()) == body["roleDefinitionId"].as_str());
    let Some(role) = role else {
        return graph_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The role definition does not exist.",
        );
    };
    let scope = body["appScopeId"].as_str().map(str::to_string);
    let scope_name = match &scope {
        Some(id) => match t.management_scopes.iter().find(|x| &x.id == id) {
            Some(x) => Some(x.name.clone()),
            None => {
                return graph_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    "The app scope does not exist.",
                );
            }
        },
        None => None,
    };
    let delay = s.propagation_delay.as_millis() as i64;
    let ra = match new_assignment(&mut t, &sp, role, scope, now_ms() + delay) {
        Ok(ra) => ra,
        Err(_) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!(
                    "The service principal {sp} is not registered in Exchange Online (New-ServicePrincipal)."
                ),
            );
        }
    };
    let mut params = json!({"App": sp, "Role": role});
    if let Some(n) = scope_name {
        params["CustomResourceScope"] = Value::String(n);
    }
    t.exchange_log.push(LoggedCmdlet {
        cmdlet: "New-ManagementRoleAssignment".into(),
        parameters: params,
    });
    drop(t);
    s.persist().await;
    (StatusCode::CREATED, Json(role_assignment_json(&ra))).into_response()
}

/// `GET /sandbox/exchange-log`: the changes made, in cmdlet form.
pub async fn exchange_log(State(s): State<Arc<Shared>>) -> Response {
    let t = s.tenant.lock().await;
    Json(json!(t.exchange_log)).into_response()
}
