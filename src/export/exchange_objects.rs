//! The Exchange Online objects a setup made or found for the app, by name, as its journal
//! recorded each step done.

use super::document::Block;
use crate::model::{AccessChoice, Profile, ScopeKind, ScopeRecord};
use crate::scope::{self, ExKind, ExStep, GroupRef, ScopeInput, ScopeSpec};
use crate::store::Journal;

/// The app's display name: as the setup named it.
pub(super) fn app_name<'a>(p: &'a Profile, j: Option<&'a Journal>) -> Option<&'a str> {
    j.map(|j| j.app_name.as_str())
        .filter(|n| !n.is_empty())
        .or_else(|| p.scope.as_ref().map(|s| s.app_name.as_str()))
        .filter(|n| !n.is_empty())
}

/// The scope's steps as the setup ran them for this app.
pub(super) fn input(p: &Profile, j: &Journal, s: &ScopeRecord) -> ScopeInput {
    ScopeSpec {
        kind: s.kind,
        group: s.group.as_deref().and_then(|g| GroupRef::parse(g).ok()),
        mailboxes: p.mailboxes.iter().map(|m| m.to_string()).collect(),
        deny_mailbox: p
            .deny_mailbox
            .as_ref()
            .map(|m| m.to_string())
            .or_else(|| j.deny_mailbox.clone()),
        script_only: false,
        decline_ews_allow_list: j.ews.as_ref().is_some_and(|e| e.declined),
    }
    .input(
        &p.access,
        app_name(p, Some(j)).unwrap_or_default(),
        &p.client_id.to_string(),
        j.sp_id.as_deref().unwrap_or_default(),
    )
}

/// The steps of `input` the journal records as done.
pub(super) fn done(j: &Journal, input: &ScopeInput) -> Vec<ExStep> {
    scope::steps(input)
        .into_iter()
        .filter(|st| j.exchange_done.contains(&st.key()))
        .collect()
}

/// The objects table, or what is known when the setup made none.
pub(super) fn exchange_objects(p: &Profile, j: &Journal, s: &ScopeRecord) -> Vec<Block> {
    let input = input(p, j, s);
    let steps = done(j, &input);
    let rows: Vec<Vec<String>> = steps
        .iter()
        .filter_map(|st| row(st, &steps, &input, j))
        .collect();
    let to_do = scope::steps(&input)
        .iter()
        .any(|st| st.kind != ExKind::Mailboxes);
    if rows.is_empty() {
        return match (to_do, j.finished) {
            (false, _) => Vec::new(),
            (true, true) => vec![Block::Para(
                "The Exchange Online part was handed over as a PowerShell script for an Exchange administrator to run; whether it ran is not recorded here. The last check shows whether it took effect.".into(),
            )],
            (true, false) => vec![Block::Para(
                "The setup stopped before it made anything in Exchange Online.".into(),
            )],
        };
    }
    vec![
        Block::Para("Made or found in Exchange Online by the setup:".into()),
        Block::Table(vec!["Object", "Name", "What it does"], rows),
    ]
}

fn row(st: &ExStep, all: &[ExStep], i: &ScopeInput, j: &Journal) -> Option<Vec<String>> {
    let group = i.group.as_ref().map(GroupRef::identity).unwrap_or_default();
    let app = &i.app_name;
    let (object, name, what) = match st.kind {
        ExKind::Mailboxes | ExKind::Member => return None,
        ExKind::EwsAllowList => {
            let ews = j.ews.as_ref()?;
            if ews.org_enabled != Some(true) {
                return None;
            }
            let what = if ews.on_allow_list {
                format!("{app} may use EWS while the organisation enforces its allow list")
            } else {
                format!("{app} is not on it (adding it was declined): EWS fails")
            };
            ("EWS allow list", "EwsAllowedAppIDs".to_string(), what)
        }
        ExKind::Group => (
            "Mail-enabled security group",
            group.to_string(),
            members(all, i.kind),
        ),
        ExKind::ServicePrincipal => (
            "Service principal",
            app.clone(),
            format!(
                "Exchange Online knows the app by its Enterprise application's object ID {}",
                i.sp_object_id
            ),
        ),
        ExKind::ManagementScope => (
            "Management scope",
            i.scope_name(),
            format!(
                "the mailboxes that are members of {group} (MemberOfGroup -eq '{}')",
                j.group_dn
                    .as_deref()
                    .unwrap_or("the group's distinguished name")
            ),
        ),
        ExKind::RoleAssignment => {
            let role = st.subject.clone().unwrap_or_default();
            let what = format!(
                "{app} holds {role} for the mailboxes of the management scope \"{}\" only",
                i.scope_name()
            );
            ("Role assignment", role, what)
        }
        ExKind::AccessPolicy => {
            let make = st.make.as_ref()?;
            let right = make.text_param("AccessRight").unwrap_or_default();
            let reach = if right == "DenyAccess" {
                "never reach"
            } else {
                "reach only"
            };
            (
                "Application access policy",
                format!("{right} for {group}"),
                format!(
                    "Graph and EWS calls by {app} {reach} the members of {group}; described as \"{}\"",
                    i.policy_description()
                ),
            )
        }
        ExKind::MailboxPermission => {
            let m = st.subject.clone().unwrap_or_default();
            let what = format!(
                "the app's service principal may open {m} over {}",
                mail_protocols(&i.access, i.kind)
            );
            ("Mailbox permission", format!("FullAccess on {m}"), what)
        }
        ExKind::UserFullAccess => {
            let (shared, user) = scope::shared_and_user(st)?;
            (
                "Mailbox permission",
                format!("FullAccess on {shared} for {user}"),
                format!("{user} may open the shared mailbox {shared} with their own sign-in"),
            )
        }
        ExKind::SmtpAuth => {
            let m = st.subject.clone().unwrap_or_default();
            (
                "SMTP AUTH",
                format!("allowed for {m}"),
                format!(
                    "SMTP AUTH is allowed for {m} only (Set-CASMailbox -SmtpClientAuthenticationDisabled $false where it was off); the organisation's switch is left as it was"
                ),
            )
        }
    };
    Some(vec![object.to_string(), name, what])
}

/// The protocols a mailbox permission serves, of those the profile uses.
fn mail_protocols(access: &[AccessChoice], kind: ScopeKind) -> String {
    let names: Vec<&str> = [
        (AccessChoice::Imap, "IMAP"),
        (AccessChoice::Pop, "POP3"),
        (AccessChoice::Smtp, "SMTP"),
    ]
    .into_iter()
    .filter(|(a, _)| access.contains(a))
    .filter(|(a, _)| !(*a == AccessChoice::Smtp && kind == ScopeKind::Rbac))
    .map(|(_, n)| n)
    .collect();
    match names.as_slice() {
        [] => "IMAP, POP3 and SMTP".into(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Who the setup put in the group, and what that means for the scope.
fn members(all: &[ExStep], kind: ScopeKind) -> String {
    let added: Vec<&str> = all
        .iter()
        .filter(|st| st.kind == ExKind::Member)
        .filter_map(|st| st.subject.as_deref())
        .collect();
    let role = if kind == ScopeKind::DenyPolicy {
        "the mailboxes kept out"
    } else {
        "the mailboxes in scope"
    };
    if added.is_empty() {
        format!("names {role}")
    } else {
        format!("names {role}: {}", added.join(", "))
    }
}
