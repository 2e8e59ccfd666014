//! Application access policies (legacy scoping for Graph and EWS, access rule 2):
//! `Get-`/`New-`/`Remove-`/`Test-ApplicationAccessPolicy`.

use serde_json::{Value, json};

use super::{Call, Rows, invalid, new_id, not_found};
use crate::sandbox::tenant::{AccessPolicy, AccessRight, Tenant};

/// Policies fit in a fixed space; with short descriptions about this many.
pub const POLICY_LIMIT: usize = 300;

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-ApplicationAccessPolicy" => Ok(t
            .access_policies
            .iter()
            .filter(|x| {
                call.text("Identity")
                    .is_none_or(|i| identity(&t.tenant_id, x) == i)
            })
            .map(|x| row(t, x))
            .collect()),
        "New-ApplicationAccessPolicy" => new_policy(t, call),
        "Remove-ApplicationAccessPolicy" => remove_policy(t, call),
        "Test-ApplicationAccessPolicy" => test_policy(t, call),
        _ => return None,
    })
}

fn identity(tenant_id: &str, p: &AccessPolicy) -> String {
    format!("{tenant_id}\\{}:{}", p.app_id, p.id)
}

fn row(t: &Tenant, p: &AccessPolicy) -> Value {
    let g = t.groups.iter().find(|g| g.id == p.group);
    json!({
        "Identity": identity(&t.tenant_id, p),
        "AppId": p.app_id,
        "ScopeName": g.map(|g| g.name.clone()),
        "ScopeIdentity": g.map(|g| g.mail.clone()),
        "AccessRight": format!("{:?}", p.access_right),
        "Description": p.description,
        "IsValid": g.is_some(),
    })
}

fn new_policy(t: &mut Tenant, call: &Call) -> Rows {
    let app_id = call.required("AppId")?.to_ascii_lowercase();
    let group = call.required("PolicyScopeGroupId")?;
    let access_right = match call.required("AccessRight")? {
        r if r.eq_ignore_ascii_case("RestrictAccess") => AccessRight::RestrictAccess,
        r if r.eq_ignore_ascii_case("DenyAccess") => AccessRight::DenyAccess,
        r => {
            return Err(invalid(&format!(
                "Cannot process argument -AccessRight '{r}': use RestrictAccess or DenyAccess."
            )));
        }
    };
    let Some(group) = t
        .find_group(group)
        .filter(|g| !call.replicating(g.created_ms))
        .map(|g| g.id.clone())
    else {
        return Err(not_found(group, t));
    };
    if t.app_by_client_id(&app_id).is_none() {
        return Err(invalid(&format!(
            "The application '{app_id}' isn't in this tenant's directory."
        )));
    }
    if t.access_policies.len() >= POLICY_LIMIT {
        return Err(invalid(
            "The total size of all application access policies in the organization exceeds the limit. Remove policies that are no longer needed, or use RBAC for Applications.",
        ));
    }
    let policy = AccessPolicy {
        id: new_id(),
        app_id,
        group,
        access_right,
        description: call.text("Description").unwrap_or_default().to_string(),
        effective_ms: call.effective_ms,
    };
    let out = row(t, &policy);
    t.access_policies.push(policy);
    Ok(vec![out])
}

fn remove_policy(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    // Removal is immediate: a policy taken away stops restricting at once here.
    let before = t.access_policies.len();
    let tenant_id = t.tenant_id.clone();
    t.access_policies.retain(|x| identity(&tenant_id, x) != id);
    if t.access_policies.len() == before {
        return Err(not_found(id, t));
    }
    Ok(Vec::new())
}

fn test_policy(t: &Tenant, call: &Call) -> Rows {
    let mailbox = call.required("Identity")?;
    let app_id = call.required("AppId")?.to_ascii_lowercase();
    let Some(u) = t.user(mailbox) else {
        return Err(not_found(mailbox, t));
    };
    let granted = t.policy_allows(&app_id, &u.mail, i64::MAX);
    Ok(vec![json!({
        "AppId": app_id,
        "Mailbox": u.mail,
        "MailboxId": u.id,
        "AccessCheckResult": match (granted, call.english) {
            (true, true) => "Granted",
            (false, true) => "Denied",
            (true, false) => "Accordé",
            (false, false) => "Refusé",
        },
    })])
}
