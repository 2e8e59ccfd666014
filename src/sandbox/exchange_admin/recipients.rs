//! Mailboxes and mail-enabled security groups: `Get-Mailbox`, `Get-`/`New-DistributionGroup`,
//! `Get-`/`Add-DistributionGroupMember`.

use serde_json::{Value, json};

use super::{Call, Refused, Rows, already_exists, bad_request, domain, invalid, new_id, not_found};
use crate::sandbox::tenant::{Group, Tenant};

pub(super) fn run(t: &mut Tenant, call: &Call) -> Option<Rows> {
    Some(match call.name.as_str() {
        "Get-Mailbox" => get_mailbox(t, call),
        "Get-DistributionGroup" => get_group(t, call),
        "New-DistributionGroup" => new_group(t, call),
        "Get-DistributionGroupMember" => get_members(t, call),
        "Add-DistributionGroupMember" => add_member(t, call),
        _ => return None,
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

fn get_mailbox(t: &Tenant, call: &Call) -> Rows {
    match call.text("Identity") {
        Some(id) => match t.user(id) {
            Some(u) => Ok(vec![mailbox_row(t, &u.mail.clone())]),
            None => Err(not_found(id, t)),
        },
        None => Ok(t.users.iter().map(|u| mailbox_row(t, &u.mail)).collect()),
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
    let g = Group {
        id: new_id(),
        name,
        mail,
        joined: members
            .iter()
            .map(|m| (m.clone(), call.effective_ms))
            .collect(),
        members,
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
    let g = t.find_group(id).ok_or_else(|| not_found(id, t))?;
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
        .map(|g| g.id.clone())
        .ok_or_else(|| not_found(id, t))?;
    let g = t.groups.iter_mut().find(|g| g.id == gid).expect("found");
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
