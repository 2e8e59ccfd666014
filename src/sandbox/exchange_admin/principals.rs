//! Exchange's service principals and the mailbox rights granted to them (access rule 3):
//! `Get-`/`New-`/`Remove-ServicePrincipal`, `Get-`/`Add-`/`Remove-MailboxPermission`.

use serde_json::{Value, json};

use super::{Call, Rows, already_exists, invalid, not_found};
use crate::sandbox::clock::now_ms;
use crate::sandbox::tenant::{ExchangeServicePrincipal, MailboxPermission, MailboxRight, Tenant};

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-ServicePrincipal" => get_principal(t, call),
        "New-ServicePrincipal" => new_principal(t, call),
        "Get-MailboxPermission" => get_permission(t, call),
        "Add-MailboxPermission" => add_permission(t, call),
        "Remove-MailboxPermission" => remove_permission(t, call),
        "Remove-ServicePrincipal" => remove_principal(t, call),
        _ => return None,
    })
}

/// An Exchange service principal by AppId, ObjectId or display name.
pub(super) fn find_sp<'a>(t: &'a Tenant, key: &str) -> Option<&'a ExchangeServicePrincipal> {
    t.exchange_service_principals.iter().find(|sp| {
        sp.app_id.eq_ignore_ascii_case(key)
            || sp.object_id.eq_ignore_ascii_case(key)
            || sp.display_name.eq_ignore_ascii_case(key)
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

fn get_principal(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity") {
        Some(id) => find_sp(t, id)
            .map(|sp| vec![sp_row(sp)])
            .ok_or_else(|| not_found(id, t)),
        None => Ok(t.exchange_service_principals.iter().map(sp_row).collect()),
    }
}

fn new_principal(t: &mut Tenant, call: &Call) -> Rows {
    let app_id = call.required("AppId")?.to_ascii_lowercase();
    let object_id = call
        .text("ObjectId")
        .or(call.text("ServiceId"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if find_sp(t, &app_id).is_some() {
        return Err(already_exists(&format!(
            "A service principal with AppId {app_id} already exists."
        )));
    }
    // Exchange looks the service principal up in Microsoft Entra ID: a new one is not found yet.
    let entra = t
        .apps
        .iter()
        .find(|a| a.client_id == app_id && !a.sp_id.is_empty() && a.sp_id == object_id);
    if entra.is_some_and(|a| call.replicating(a.sp_created_ms)) {
        return Err(not_found(&object_id, t));
    }
    let resolves = entra.is_some();
    if !resolves {
        return Err(invalid(&format!(
            "The ObjectId '{object_id}' isn't the service principal of the application '{app_id}' in Microsoft Entra ID. Use the object ID shown under Enterprise applications."
        )));
    }
    let sp = ExchangeServicePrincipal {
        app_id,
        object_id,
        display_name: call.text("DisplayName").unwrap_or_default().to_string(),
        effective_ms: call.effective_ms,
        created_ms: now_ms(),
    };
    let row = sp_row(&sp);
    t.exchange_service_principals.push(sp);
    Ok(vec![row])
}

/// The mailbox's address, for a cmdlet's `-Identity`.
fn mailbox(t: &Tenant, call: &Call) -> Result<String, super::Refused> {
    let id = call.required("Identity")?;
    t.user(id)
        .map(|u| u.mail.clone())
        .ok_or_else(|| not_found(id, t))
}

/// The principal a `-User` names: a service principal (by app id, object id or name), else a
/// user (by address or id), as its object id; as given when neither.
fn principal_of(t: &Tenant, user: &str) -> String {
    find_sp(t, user)
        .map(|sp| sp.object_id.clone())
        .or_else(|| t.user(user).map(|u| u.id.clone()))
        .unwrap_or_else(|| user.to_ascii_lowercase())
}

/// How `Get-MailboxPermission` shows a principal: a user by address, a service principal by id.
fn shown(t: &Tenant, principal: &str) -> String {
    t.user(principal)
        .map(|u| u.mail.clone())
        .unwrap_or_else(|| principal.to_string())
}

fn get_permission(t: &Tenant, call: &Call) -> Rows {
    let mail = mailbox(t, call)?;
    let user = call.text("User").map(|u| principal_of(t, u));
    Ok(t.mailbox_permissions
        .iter()
        .filter(|x| x.mailbox == mail && user.as_ref().is_none_or(|u| x.principal.eq_ignore_ascii_case(u)))
        .map(|x| json!({"Identity": mail, "User": shown(t, &x.principal), "AccessRights": [format!("{:?}", x.right)], "IsInherited": false, "Deny": false}))
        .collect())
}

fn add_permission(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let user = call.required("User")?.to_ascii_lowercase();
    let mail = t
        .user(id)
        .map(|u| u.mail.clone())
        .ok_or_else(|| not_found(id, t))?;
    // A service principal (app-only access) or a mailbox user (the delegated style).
    let Some(sp) = find_sp(t, &user)
        .filter(|sp| !call.replicating(sp.created_ms))
        .map(|sp| sp.object_id.clone())
        .or_else(|| t.user(&user).map(|u| u.id.clone()))
    else {
        return Err(not_found(&user, t));
    };

    if !call.texts("AccessRights").iter().any(|r| r == "fullaccess") {
        return Err(invalid("The sandbox grants -AccessRights FullAccess only."));
    }
    let exists = t
        .mailbox_permissions
        .iter()
        .any(|x| x.mailbox == mail && x.principal == sp && x.right == MailboxRight::FullAccess);
    if !exists {
        t.mailbox_permissions.push(MailboxPermission {
            mailbox: mail.clone(),
            principal: sp.clone(),
            right: MailboxRight::FullAccess,
            effective_ms: call.effective_ms,
        });
    }
    Ok(vec![
        json!({"Identity": mail, "User": shown(t, &sp), "AccessRights": ["FullAccess"]}),
    ])
}

/// `Remove-MailboxPermission -Identity MAILBOX -User SP -AccessRights FullAccess`.
fn remove_permission(t: &mut Tenant, call: &Call) -> Rows {
    let mail = mailbox(t, call)?;
    let user = call.required("User")?.to_ascii_lowercase();
    let principal = principal_of(t, &user);
    if !call.texts("AccessRights").iter().any(|r| r == "fullaccess") {
        return Err(invalid(
            "The sandbox removes -AccessRights FullAccess only.",
        ));
    }
    let before = t.mailbox_permissions.len();
    t.mailbox_permissions
        .retain(|x| !(x.mailbox == mail && x.principal.eq_ignore_ascii_case(&principal)));
    if t.mailbox_permissions.len() == before {
        return Err(invalid(&format!(
            "Can't remove the access control entry on the object \"{mail}\" for account \"{user}\" because the ACE doesn't exist on the object."
        )));
    }
    Ok(Vec::new())
}

/// `Remove-ServicePrincipal -Identity ID`: Exchange forgets the app (by AppId or ObjectId).
fn remove_principal(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let Some(object_id) = find_sp(t, id).map(|sp| sp.object_id.clone()) else {
        return Err(not_found(id, t));
    };
    t.exchange_service_principals
        .retain(|sp| sp.object_id != object_id);
    Ok(Vec::new())
}
