//! Mailboxes and mail-enabled security groups: `Get-Mailbox` (system mailboxes included unless
//! `-RecipientTypeDetails` leaves them out), `Get-`/`New-DistributionGroup`,
//! `Get-`/`Add-DistributionGroupMember` (only a group's managers, or an administrator with
//! `-BypassSecurityGroupManagerCheck`).

use serde_json::{Value, json};

use axum::http::StatusCode;

use super::{
    Call, Refused, Rows, already_exists, bad_request, cmdlet_error, domain, invalid, new_id,
    not_found,
};
use crate::sandbox::clock::now_ms;
use crate::sandbox::tenant::{Group, Tenant};

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-Mailbox" => get_mailbox(t, call),
        "Get-DistributionGroup" => get_group(t, call),
        "New-DistributionGroup" => new_group(t, call),
        "Get-DistributionGroupMember" => get_members(t, call),
        "Add-DistributionGroupMember" => add_member(t, call),
        "Remove-DistributionGroup" => remove_group(t, call),
        _ => return None,
    })
}

/// Mailboxes Exchange Online lists with the users' own but that no person reads, and that
/// have no user here: a discovery mailbox, a room, a Bookings calendar (local part, display
/// name, `RecipientTypeDetails`).
const SYSTEM_MAILBOXES: [(&str, &str, &str); 3] = [
    (
        "DiscoverySearchMailbox{D919BA05-46A6-415f-80AD-7E09334BB852}",
        "Discovery Search Mailbox",
        "DiscoveryMailbox",
    ),
    ("boardroom", "Board Room", "RoomMailbox"),
    (
        "bookings-helpdesk",
        "Helpdesk Bookings",
        "SchedulingMailbox",
    ),
];

fn system_mailbox_rows(t: &Tenant) -> impl Iterator<Item = Value> {
    let domain = domain(t);
    SYSTEM_MAILBOXES.iter().map(move |(local, name, kind)| {
        json!({
            "Identity": local,
            "Name": local,
            "DisplayName": name,
            "PrimarySmtpAddress": format!("{local}@{domain}"),
            "UserPrincipalName": format!("{local}@{domain}"),
            "RecipientTypeDetails": kind,
        })
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
    let managers: Vec<String> = g
        .managed_by
        .iter()
        .map(|m| t.user(m).map_or_else(|| m.clone(), |u| u.name.clone()))
        .collect();
    json!({
        "ManagedBy": managers,
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

fn get_mailbox(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity") {
        Some(id) => match t.user(id) {
            Some(u) => Ok(vec![mailbox_row(t, &u.mail.clone())]),
            None => Err(not_found(id, t)),
        },
        None => {
            let kinds = call.texts("RecipientTypeDetails");
            let size = call.text("ResultSize").and_then(|n| n.parse().ok());
            Ok(system_mailbox_rows(t)
                .chain(t.users.iter().map(|u| mailbox_row(t, &u.mail)))
                .filter(|row| {
                    let kind = row["RecipientTypeDetails"].as_str().unwrap_or_default();
                    kinds.is_empty() || kinds.contains(&kind.to_ascii_lowercase())
                })
                .take(size.unwrap_or(usize::MAX))
                .collect())
        }
    }
}

fn get_group(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity") {
        Some(id) => match t.find_group(id) {
            Some(g) => Ok(vec![group_row(t, g)]),
            None => Err(not_found(id, t)),
        },
        None => Ok(t.groups.iter().map(|g| group_row(t, g)).collect()),
    }
}

fn new_group(t: &mut Tenant, call: &Call) -> Rows {
    let name = call.required("Name")?.to_string();
    let alias = call
        .text("Alias")
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| name.replace(' ', ""));
    let mail = call
        .text("PrimarySmtpAddress")
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(|| format!("{}@{}", alias.to_ascii_lowercase(), domain(t)));
    if call
        .text("Type")
        .is_some_and(|x| !x.eq_ignore_ascii_case("Security"))
    {
        return Err(invalid(
            "The sandbox makes mail-enabled security groups only: -Type Security.",
        ));
    }
    address_free(t, &name, &mail)?;
    let members = call.texts("Members");
    if let Some(m) = members.iter().find(|m| t.user(m).is_none()) {
        return Err(not_found(m, t));
    }
    // As in Exchange Online: without -ManagedBy, whoever made the group owns it.
    let mut managed_by = call.texts("ManagedBy");
    if let Some(m) = managed_by.iter().find(|m| t.user(m).is_none()) {
        return Err(not_found(m, t));
    }
    if managed_by.is_empty() {
        managed_by.push(call.caller.clone());
    }
    let g = Group {
        id: new_id(),
        name,
        mail,
        managed_by,
        joined: members
            .iter()
            .map(|m| (m.clone(), call.effective_ms))
            .collect(),
        members,
        created_ms: now_ms(),
    };
    let row = group_row(t, &g);
    t.groups.push(g);
    Ok(vec![row])
}

/// A new group's name and address must not be taken.
fn address_free(t: &Tenant, name: &str, mail: &str) -> Result<(), Refused> {
    if t.find_group(name).is_some() {
        return Err(already_exists(&format!(
            "The name \"{name}\" is already being used. Please try another name."
        )));
    }
    if t.user(mail).is_some() || t.find_group(mail).is_some() {
        return Err(bad_request(
            "Microsoft.Exchange.Data.Directory.ProxyAddressExistsException",
            &format!(
                "The proxy address \"SMTP:{mail}\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address."
            ),
        ));
    }
    Ok(())
}

fn get_members(t: &Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let g = t
        .find_group(id)
        .filter(|g| !call.replicating(g.created_ms))
        .ok_or_else(|| not_found(id, t))?;
    Ok(g.members
        .iter()
        .filter_map(|m| t.user(m))
        .map(|u| json!({"Name": u.name, "PrimarySmtpAddress": u.mail, "RecipientType": "UserMailbox"}))
        .collect())
}

fn add_member(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let member = call.required("Member")?.to_ascii_lowercase();
    let Some(mail) = t.user(&member).map(|u| u.mail.clone()) else {
        return Err(not_found(&member, t));
    };
    let gid = t
        .find_group(id)
        .filter(|g| !call.replicating(g.created_ms))
        .map(|g| g.id.clone())
        .ok_or_else(|| not_found(id, t))?;
    let g = t.groups.iter_mut().find(|g| g.id == gid).expect("found");
    may_change(g, call)?;
    if g.members.contains(&mail) {
        return Err(bad_request(
            "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException",
            &format!(
                "The recipient \"{mail}\" is already a member of the group \"{}\".",
                g.name
            ),
        ));
    }
    g.members.push(mail.clone());
    g.joined.insert(mail, call.effective_ms);
    Ok(Vec::new())
}

/// `Remove-DistributionGroup -Identity GROUP -BypassSecurityGroupManagerCheck`.
fn remove_group(t: &mut Tenant, call: &Call) -> Rows {
    let id = call.required("Identity")?;
    let gid = t
        .find_group(id)
        .map(|g| g.id.clone())
        .ok_or_else(|| not_found(id, t))?;
    may_change(t.groups.iter().find(|g| g.id == gid).expect("found"), call)?;
    t.groups.retain(|g| g.id != gid);
    Ok(Vec::new())
}

/// Only a manager of the group changes it, unless `-BypassSecurityGroupManagerCheck`.
fn may_change(g: &Group, call: &Call) -> Result<(), Refused> {
    let manager = g
        .managed_by
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&call.caller));
    if !manager && !call.switch("BypassSecurityGroupManagerCheck") {
        return Err(cmdlet_error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "Microsoft.Exchange.Configuration.Tasks.OperationRequiresGroupManagerException",
            "You don't have sufficient permissions. This operation can only be performed by a manager of the group.",
        ));
    }
    Ok(())
}
