//! The Exchange Online removals: each looks first, and a look that finds nothing counts as
//! removed, so that a run cut short resumes with the next one.

use serde_json::{Value, json};

use super::{Done, RemovalKind};
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::Profile;
use crate::store::Journal;

/// Whether Exchange answered that the object does not exist.
fn not_found(e: &CloudError) -> bool {
    matches!(e, CloudError::Graph(g) if g.status == 404 || g.code.ends_with("NotFoundException") || g.message.contains("NotFoundException") || g.message.contains("couldn't be found"))
}

/// A look: its rows, or none when the object is not there.
async fn look(x: &Cmdlets<'_>, cmdlet: &str, params: Value) -> Result<Vec<Value>, CloudError> {
    match x.invoke(cmdlet, params).await {
        Ok(found) => Ok(found.rows),
        Err(e) if not_found(&e) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn text<'v>(row: &'v Value, field: &str) -> &'v str {
    row[field].as_str().unwrap_or_default()
}

pub(super) async fn remove(
    x: &Cmdlets<'_>,
    j: &Journal,
    p: &Profile,
    kind: &RemovalKind,
) -> Result<Done, CloudError> {
    let sp = j.sp_id.clone().unwrap_or_default();
    let client = p.client_id.to_string();
    match kind {
        RemovalKind::RoleAssignment { role, scope } => {
            let rows = look(
                x,
                "Get-ManagementRoleAssignment",
                json!({"RoleAssignee": sp, "Role": role}),
            )
            .await?;
            let ours: Vec<&Value> = rows
                .iter()
                .filter(|r| text(r, "CustomResourceScope").eq_ignore_ascii_case(scope))
                .collect();
            if ours.is_empty() {
                return Ok(Done::AlreadyGone);
            }
            for r in ours {
                let id = text(r, "Name");
                gone_or(
                    x.invoke(
                        "Remove-ManagementRoleAssignment",
                        json!({"Identity": id, "Confirm": false}),
                    )
                    .await,
                )?;
            }
            Ok(Done::Removed)
        }
        RemovalKind::ManagementScope { name } => {
            if look(x, "Get-ManagementScope", json!({"Identity": name}))
                .await?
                .is_empty()
            {
                return Ok(Done::AlreadyGone);
            }
            gone_or(
                x.invoke(
                    "Remove-ManagementScope",
                    json!({"Identity": name, "Confirm": false}),
                )
                .await,
            )
        }
        RemovalKind::AccessPolicy => {
            let rows = look(x, "Get-ApplicationAccessPolicy", json!({})).await?;
            let ours: Vec<&str> = rows
                .iter()
                .filter(|r| text(r, "AppId").eq_ignore_ascii_case(&client))
                .map(|r| text(r, "Identity"))
                .collect();
            if ours.is_empty() {
                return Ok(Done::AlreadyGone);
            }
            for id in ours {
                gone_or(
                    x.invoke(
                        "Remove-ApplicationAccessPolicy",
                        json!({"Identity": id, "Confirm": false}),
                    )
                    .await,
                )?;
            }
            Ok(Done::Removed)
        }
        RemovalKind::MailboxPermission { mailbox } => full_access(x, mailbox, &sp).await,
        RemovalKind::UserFullAccess { mailbox, user } => full_access(x, mailbox, user).await,
        RemovalKind::ExchangePrincipal => {
            if look(x, "Get-ServicePrincipal", json!({"Identity": client}))
                .await?
                .is_empty()
            {
                return Ok(Done::AlreadyGone);
            }
            gone_or(
                x.invoke(
                    "Remove-ServicePrincipal",
                    json!({"Identity": client, "Confirm": false}),
                )
                .await,
            )
        }
        RemovalKind::Group { identity, added } => group(x, j, identity, added).await,
        RemovalKind::Application { .. } => Ok(Done::Kept("not an Exchange object".into())),
    }
}

/// `user`'s FullAccess on `mailbox` (the app's service principal, or a delegated user's).
async fn full_access(x: &Cmdlets<'_>, mailbox: &str, user: &str) -> Result<Done, CloudError> {
    let rows = look(
        x,
        "Get-MailboxPermission",
        json!({"Identity": mailbox, "User": user}),
    )
    .await?;
    if rows.is_empty() {
        return Ok(Done::AlreadyGone);
    }
    let params =
        json!({"Identity": mailbox, "User": user, "AccessRights": "FullAccess", "Confirm": false});
    gone_or(x.invoke("Remove-MailboxPermission", params).await)
}

/// A removal's answer: done, or gone before it came (another run, or by hand).
fn gone_or(
    answer: Result<crate::cloud::exchange_admin::Invoked, CloudError>,
) -> Result<Done, CloudError> {
    match answer {
        Ok(_) => Ok(Done::Removed),
        Err(e) if not_found(&e) => Ok(Done::AlreadyGone),
        Err(e) => Err(e),
    }
}

/// The group the setup made, removed only when nothing else uses it: members the setup did not
/// add, a management scope or an access policy that names it.
async fn group(
    x: &Cmdlets<'_>,
    j: &Journal,
    identity: &str,
    added: &[String],
) -> Result<Done, CloudError> {
    let found = look(x, "Get-DistributionGroup", json!({"Identity": identity})).await?;
    let Some(g) = found.first() else {
        return Ok(Done::AlreadyGone);
    };
    let dn = j
        .group_dn
        .clone()
        .unwrap_or_else(|| text(g, "DistinguishedName").to_string());
    let mail = text(g, "PrimarySmtpAddress").to_ascii_lowercase();
    let name = text(g, "Name").to_ascii_lowercase();
    let members = look(
        x,
        "Get-DistributionGroupMember",
        json!({"Identity": identity, "ResultSize": "Unlimited"}),
    )
    .await?;
    let others: Vec<String> = members
        .iter()
        .map(|m| text(m, "PrimarySmtpAddress").to_ascii_lowercase())
        .filter(|m| !added.iter().any(|a| a.eq_ignore_ascii_case(m)))
        .collect();
    let mut uses = Vec::new();
    if !others.is_empty() {
        uses.push(format!(
            "members the setup did not add: {}",
            others.join(", ")
        ));
    }
    let scopes = look(x, "Get-ManagementScope", json!({})).await?;
    let scopes: Vec<&str> = scopes
        .iter()
        .filter(|s| !dn.is_empty() && text(s, "RecipientFilter").contains(&dn))
        .map(|s| text(s, "Name"))
        .collect();
    if !scopes.is_empty() {
        uses.push(format!("management scope {}", scopes.join(", ")));
    }
    let policies = look(x, "Get-ApplicationAccessPolicy", json!({})).await?;
    let policies: Vec<&str> = policies
        .iter()
        .filter(|r| {
            let s = |f| text(r, f).to_ascii_lowercase();
            (!mail.is_empty() && s("ScopeIdentity") == mail)
                || (!name.is_empty() && s("ScopeName") == name)
        })
        .map(|r| text(r, "AppId"))
        .collect();
    if !policies.is_empty() {
        uses.push(format!("the access policy of app {}", policies.join(", ")));
    }
    if !uses.is_empty() {
        return Ok(Done::Kept(format!("it is in use: {}", uses.join("; "))));
    }
    let params =
        json!({"Identity": identity, "BypassSecurityGroupManagerCheck": true, "Confirm": false});
    gone_or(x.invoke("Remove-DistributionGroup", params).await)
}
