//! What `remove --from-tenant` takes away, in order, read from what the setup journal says the
//! wizard made (`made_at`: only what a step made, never what it found); and what it leaves,
//! with why. No I/O.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::Profile;
use crate::scope::quote;
use crate::store::Journal;

/// One object to remove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removal {
    pub kind: RemovalKind,
    pub title: String,
    /// What an administrator runs by hand for the same removal.
    pub powershell: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemovalKind {
    /// An RBAC for Applications role assignment within the wizard's management scope.
    RoleAssignment {
        role: String,
        scope: String,
    },
    ManagementScope {
        name: String,
    },
    AccessPolicy,
    MailboxPermission {
        mailbox: String,
    },
    /// A mailbox user's FullAccess on a shared mailbox, given for the delegated style.
    UserFullAccess {
        mailbox: String,
        user: String,
    },
    /// The app's service principal in Exchange Online.
    ExchangePrincipal,
    /// The group the wizard made: removed only when nothing else uses it; `added` are the
    /// members the wizard put in it.
    Group {
        identity: String,
        added: Vec<String>,
    },
    /// The app registration (soft-deleted by Microsoft Entra ID).
    Application {
        object_id: String,
    },
}

impl RemovalKind {
    pub fn in_exchange(&self) -> bool {
        !matches!(self, RemovalKind::Application { .. })
    }
}

/// Something the removal does not touch, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Left {
    pub what: String,
    pub why: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub removals: Vec<Removal>,
    pub left: Vec<Left>,
}

impl Plan {
    /// Whether an Exchange Online sign-in is needed.
    pub fn needs_exchange(&self) -> bool {
        self.removals.iter().any(|r| r.kind.in_exchange())
    }
}

/// The subjects of the journal's made steps of `kind` (`exchange:<kind>:<subject>`).
fn made<'j>(j: &'j Journal, kind: &str) -> Vec<&'j str> {
    let prefix = format!("exchange:{kind}:");
    j.made_at
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .collect()
}

fn made_one(j: &Journal, kind: &str) -> bool {
    j.made_at.contains_key(&format!("exchange:{kind}"))
}

/// The removals, in an order where nothing removed is still named by what remains: role
/// assignments before their scope, the scope and policy before the group, Exchange's service
/// principal before the app, the app last.
pub fn plan(j: &Journal, p: &Profile) -> Plan {
    let sp = j.sp_id.clone().unwrap_or_default();
    let client = p.client_id.to_string();
    let scope_name = format!("{} mailboxes", j.app_name);
    let mut out = Plan::default();
    let mut add = |kind, title: String, powershell: String| {
        out.removals.push(Removal {
            kind,
            title,
            powershell,
        })
    };
    for role in made(j, "roleassignment") {
        add(
            RemovalKind::RoleAssignment {
                role: role.to_string(),
                scope: scope_name.clone(),
            },
            format!("Remove the role assignment \"{role}\" within \"{scope_name}\""),
            format!(
                "Get-ManagementRoleAssignment -RoleAssignee {} -Role {} | Where-Object CustomResourceScope -eq {} | Remove-ManagementRoleAssignment -Confirm:$false",
                quote(&sp),
                quote(role),
                quote(&scope_name)
            ),
        );
    }
    if made_one(j, "managementscope") {
        add(
            RemovalKind::ManagementScope {
                name: scope_name.clone(),
            },
            format!("Remove the management scope \"{scope_name}\""),
            format!(
                "Remove-ManagementScope -Identity {} -Confirm:$false",
                quote(&scope_name)
            ),
        );
    }
    if made_one(j, "accesspolicy") {
        add(
            RemovalKind::AccessPolicy,
            "Remove the application access policy".into(),
            format!(
                "Get-ApplicationAccessPolicy | Where-Object AppId -eq {} | Remove-ApplicationAccessPolicy -Confirm:$false",
                quote(&client)
            ),
        );
    }
    for m in made(j, "mailboxpermission") {
        add(
            RemovalKind::MailboxPermission {
                mailbox: m.to_string(),
            },
            format!("Remove the app's FullAccess on {m}"),
            format!(
                "Remove-MailboxPermission -Identity {} -User {} -AccessRights FullAccess -Confirm:$false",
                quote(m),
                quote(&sp)
            ),
        );
    }
    for subject in made(j, "userfullaccess") {
        let Some((shared, user)) = subject.split_once(':') else {
            continue;
        };
        add(
            RemovalKind::UserFullAccess {
                mailbox: shared.to_string(),
                user: user.to_string(),
            },
            format!("Remove {user}'s FullAccess on the shared mailbox {shared}"),
            format!(
                "Remove-MailboxPermission -Identity {} -User {} -AccessRights FullAccess -Confirm:$false",
                quote(shared),
                quote(user)
            ),
        );
    }
    if made_one(j, "serviceprincipal") {
        add(
            RemovalKind::ExchangePrincipal,
            "Remove the app's service principal from Exchange Online".into(),
            format!(
                "Remove-ServicePrincipal -Identity {} -Confirm:$false",
                quote(&client)
            ),
        );
    }
    let group = p.scope.as_ref().and_then(|s| s.group.clone());
    let added: Vec<String> = made(j, "member").into_iter().map(String::from).collect();
    match group {
        Some(g) if made_one(j, "group") => add(
            RemovalKind::Group {
                identity: g.clone(),
                added,
            },
            format!("Remove the group {g}, made by the setup, if nothing else uses it"),
            format!(
                "Remove-DistributionGroup -Identity {} -BypassSecurityGroupManagerCheck -Confirm:$false",
                quote(&g)
            ),
        ),
        Some(g) => {
            let members = if added.is_empty() {
                String::new()
            } else {
                format!(" (the setup added {} to it)", added.join(", "))
            };
            out.left.push(Left {
                what: format!("the group {g}{members}"),
                why: "the setup found it existing and reused it: it is not the wizard's to remove"
                    .into(),
            })
        }
        None => {}
    }
    match (&j.app_object_id, j.app_created) {
        (Some(id), true) => add(
            RemovalKind::Application {
                object_id: id.clone(),
            },
            format!(
                "Delete the app registration \"{}\" (client ID {client}) and with it its service principal and admin consents; Microsoft Entra ID keeps it restorable for 30 days",
                j.app_name
            ),
            format!("Remove-MgApplication -ApplicationId {}", quote(id)),
        ),
        _ => out.left.push(Left {
            what: format!(
                "the app registration \"{}\" (client ID {client})",
                j.app_name
            ),
            why:
                "the setup adopted an existing app (--reuse-app): it is not the wizard's to remove"
                    .into(),
        }),
    }
    for m in made(j, "smtpauth") {
        out.left.push(Left {
            what: format!("SMTP AUTH allowed for the mailbox {m}"),
            why: format!(
                "the setup did not record what the switch was before, and people or devices may rely on it now; to turn it off: Set-CASMailbox -Identity {} -SmtpClientAuthenticationDisabled $true",
                quote(m)
            ),
        });
    }
    if made_one(j, "ewsallowlist") {
        out.left.push(Left {
            what: format!("the app's ID {client} on the organisation's EWS allow list"),
            why: "the list is the organisation's and other apps may be on it; the ID of a deleted app signs nothing in; docs/ews.md tells how the list is changed".into(),
        });
    }
    out
}

/// The plan as `remove` prints it without `--yes`, or under `--json`.
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "remove": plan.removals.iter().map(|r| json!({"title": r.title, "powershell": r.powershell})).collect::<Vec<_>>(),
        "left": plan.left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        toml::from_str(
            "name = \"helpdesk\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"0a1b2c3d-0001-4000-8000-0000000000aa\"\naccess = [\"graph-read\", \"imap\"]\nmailboxes = [\"alice@contoso.example\"]\n[scope]\nkind = \"rbac\"\ngroup = \"m365mw-helpdesk\"\napp_name = \"m365-mail-wizard helpdesk\"\n",
        )
        .unwrap()
    }

    fn journal(made: &[&str], app_created: bool) -> Journal {
        Journal {
            profile: "helpdesk".into(),
            app_name: "m365-mail-wizard helpdesk".into(),
            app_object_id: Some("0b1e2c3d-0003-4000-8000-0000000000bb".into()),
            sp_id: Some("0d1e2f3a-0005-4000-8000-0000000000dd".into()),
            app_created,
            made_at: made
                .iter()
                .map(|k| (format!("exchange:{k}"), "2026-12-02T03:00:00Z".into()))
                .collect(),
            ..Journal::default()
        }
    }

    fn kinds(p: &Plan) -> Vec<&'static str> {
        p.removals
            .iter()
            .map(|r| match r.kind {
                RemovalKind::RoleAssignment { .. } => "role",
                RemovalKind::ManagementScope { .. } => "scope",
                RemovalKind::AccessPolicy => "policy",
                RemovalKind::MailboxPermission { .. } => "permission",
                RemovalKind::UserFullAccess { .. } => "user permission",
                RemovalKind::ExchangePrincipal => "principal",
                RemovalKind::Group { .. } => "group",
                RemovalKind::Application { .. } => "app",
            })
            .collect()
    }

    #[test]
    fn what_the_setup_made_goes_in_an_order_where_nothing_removed_is_still_named() {
        let j = journal(
            &[
                "group",
                "member:alice@contoso.example",
                "serviceprincipal",
                "managementscope",
                "roleassignment:application mail.read",
                "mailboxpermission:alice@contoso.example",
                "smtpauth:alice@contoso.example",
            ],
            true,
        );
        let p = plan(&j, &profile());
        assert_eq!(
            kinds(&p),
            ["role", "scope", "permission", "principal", "group", "app"]
        );
        assert!(p.needs_exchange());
        assert!(p.removals[5].powershell.starts_with("Remove-MgApplication"));
        assert!(
            matches!(&p.removals[4].kind, RemovalKind::Group { added, .. } if added == &["alice@contoso.example"])
        );
        assert_eq!(p.left.len(), 1, "SMTP AUTH is left: {:?}", p.left);
        assert!(
            p.left[0]
                .why
                .contains("SmtpClientAuthenticationDisabled $true")
        );
    }

    #[test]
    fn a_delegated_users_full_access_on_a_shared_mailbox_is_removed() {
        let j = journal(
            &["userfullaccess:erin@contoso.example:alice@contoso.example"],
            true,
        );
        let p = plan(&j, &profile());
        assert_eq!(kinds(&p), ["user permission", "app"]);
        assert!(p.needs_exchange());
        assert_eq!(
            p.removals[0].powershell,
            "Remove-MailboxPermission -Identity 'erin@contoso.example' -User 'alice@contoso.example' -AccessRights FullAccess -Confirm:$false"
        );
    }

    #[test]
    fn what_the_setup_found_is_listed_and_left() {
        // A reused group and an adopted app: nothing of theirs is removed.
        let j = journal(&["member:alice@contoso.example", "accesspolicy"], false);
        let p = plan(&j, &profile());
        assert_eq!(kinds(&p), ["policy"]);
        let left: Vec<&str> = p.left.iter().map(|l| l.what.as_str()).collect();
        assert!(
            left[0].contains("m365mw-helpdesk") && left[0].contains("alice@"),
            "{left:?}"
        );
        assert!(left[1].contains("app registration"), "{left:?}");
        let none = plan(&journal(&[], true), &profile());
        assert_eq!(kinds(&none), ["app"]);
        assert!(!none.needs_exchange());
    }
}
