//! RBAC for Applications: management scopes on group membership, role assignments to service
//! principals, and `Test-ServicePrincipalAuthorization`. Graph's role-management provider makes
//! the same objects through `new_scope` and `new_assignment`.

use serde_json::{Value, json};

use super::principals::find_sp;
use super::{Call, Refused, Rows, already_exists, invalid, new_id, not_found};
use crate::sandbox::facts::APPLICATION_ROLES;
use crate::sandbox::tenant::{ManagementScope, RoleAssignment, Tenant};

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-ManagementScope" => get_scope(t, call),
        "New-ManagementScope" => (|| {
            let name = call.required("Name")?;
            let filter = call.required("RecipientRestrictionFilter")?;
            let sc = new_scope(t, name, filter, call.effective_ms)?;
            Ok(vec![json!({"Name": sc.name, "RecipientFilter": sc.filter})])
        })(),
        "Get-ManagementRoleAssignment" => Ok(get_assignments(t, call)),
        "New-ManagementRoleAssignment" => new_role_assignment(t, call),
        "Remove-ManagementRoleAssignment" => remove_assignment(t, call),
        "Remove-ManagementScope" => remove_scope(t, call),
        "Test-ServicePrincipalAuthorization" => test_authorization(t, call),
        _ => return None,
    })
}

pub(super) fn scope_by_id<'t>(t: &'t Tenant, id: &str) -> Option<&'t ManagementScope> {
    t.management_scopes.iter().find(|x| x.id == id)
}

fn get_scope(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity") {
        Some(id) => t
            .management_scopes
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(id) || s.id == id)
            .map(|s| vec![json!({"Name": s.name, "RecipientFilter": s.filter, "ScopeRestrictionType": "RecipientScope", "Exclusive": false})])
            .ok_or_else(|| not_found(id, t)),
        None => Ok(t
            .management_scopes
            .iter()
            .map(|s| json!({"Name": s.name, "RecipientFilter": s.filter}))
            .collect()),
    }
}

pub(super) fn new_scope(
    t: &mut Tenant,
    name: &str,
    filter: &str,
    effective_ms: i64,
) -> Result<ManagementScope, Refused> {
    if t.management_scopes
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case(name))
    {
        return Err(already_exists(&format!(
            "The management scope \"{name}\" already exists."
        )));
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

fn assignment_row(t: &Tenant, ra: &RoleAssignment) -> Value {
    let scope = ra
        .scope
        .as_ref()
        .and_then(|id| scope_by_id(t, id))
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

fn get_assignments(t: &Tenant, call: &Call) -> Vec<Value> {
    let assignee = call.text("RoleAssignee").or(call.text("App"));
    let role = call.text("Role");
    let sp = assignee
        .and_then(|a| find_sp(t, a))
        .map(|s| s.object_id.clone());
    if assignee.is_some() && sp.is_none() {
        return Vec::new();
    }
    t.role_assignments
        .iter()
        .filter(|ra| sp.as_ref().is_none_or(|s| ra.app.eq_ignore_ascii_case(s)))
        .filter(|ra| role.is_none_or(|r| ra.role.eq_ignore_ascii_case(r)))
        .map(|ra| assignment_row(t, ra))
        .collect()
}

fn new_role_assignment(t: &mut Tenant, call: &Call) -> Rows {
    let app = call.required("App")?;
    let role = call.required("Role")?;
    let scope_id = match call.text("CustomResourceScope") {
        Some(sc) => Some(
            t.management_scopes
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case(sc))
                .map(|x| x.id.clone())
                .ok_or_else(|| not_found(sc, t))?,
        ),
        None => None,
    };
    if find_sp(t, app).is_some_and(|sp| call.replicating(sp.created_ms)) {
        return Err(not_found(app, t));
    }
    let ra = new_assignment(t, app, role, scope_id, call.effective_ms)?;
    Ok(vec![assignment_row(t, &ra)])
}

/// Assigns the RBAC application role `role` to the Exchange service principal `app`, within the
/// management scope `scope` (the whole organisation when none).
pub(super) fn new_assignment(
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

fn test_authorization(t: &Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let sp = find_sp(t, id)
        .filter(|s| !call.replicating(s.created_ms))
        .map(|s| s.object_id.clone())
        .ok_or_else(|| not_found(id, t))?;
    let resource = match call.text("Resource") {
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
            let scope = ra.scope.as_ref().and_then(|s| scope_by_id(t, s));
            let in_scope = match (&resource, &ra.scope) {
                (None, _) => None,
                (Some(_), None) => Some(true),
                (Some(m), Some(sc)) => Some(t.scope_holds(sc, m, i64::MAX)),
            };
            // In English a truth value (or "Not Run"); otherwise the tenant's words.
            let in_scope = match (in_scope, call.english) {
                (Some(b), true) => json!(b),
                (None, true) => json!("Not Run"),
                (Some(true), false) => json!("Vrai"),
                (Some(false), false) => json!("Faux"),
                (None, false) => json!("Non exécuté"),
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

/// `Remove-ManagementRoleAssignment -Identity NAME`: the assignment gone at once.
fn remove_assignment(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let before = t.role_assignments.len();
    t.role_assignments
        .retain(|ra| !(ra.name.eq_ignore_ascii_case(id) || ra.id == id));
    if t.role_assignments.len() == before {
        return Err(not_found(id, t));
    }
    Ok(Vec::new())
}

/// `Remove-ManagementScope -Identity NAME`: refused while a role assignment still uses it, as
/// Exchange does.
fn remove_scope(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let Some(scope) = t
        .management_scopes
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(id) || s.id == id)
        .map(|s| s.id.clone())
    else {
        return Err(not_found(id, t));
    };
    if t.role_assignments
        .iter()
        .any(|ra| ra.scope.as_deref() == Some(scope.as_str()))
    {
        return Err(invalid(&format!(
            "The management scope \"{id}\" is still used by role assignments; remove them first."
        )));
    }
    t.management_scopes.retain(|s| s.id != scope);
    Ok(Vec::new())
}
