//! What the application may do: the grants the wizard's setup recorded in its journal — or,
//! for an app made elsewhere, what each access needs, with nothing claimed as granted.

use super::document::Block;
use super::exchange_objects;
use crate::catalog::{Resource, catalog};
use crate::model::{AccessChoice, Profile, ScopeKind};
use crate::scope::{self, ExKind};
use crate::store::Journal;

pub(super) fn granted(p: &Profile, setup: Option<&Journal>) -> Vec<Block> {
    match setup {
        Some(j) => recorded(p, j),
        None => needed(p),
    }
}

fn recorded(p: &Profile, j: &Journal) -> Vec<Block> {
    let mut b = vec![
        Block::Heading("What the setup granted".into()),
        Block::Para(if j.finished {
            "As m365-mail-wizard's setup recorded each grant the moment it was made or found (its setup journal).".into()
        } else {
            "The setup has not finished: below is what it made or found before it stopped. Run the same setup again to resume.".into()
        }),
    ];
    let mut rows: Vec<Vec<String>> = j.consented.iter().filter_map(|k| consent(p, k)).collect();
    rows.extend(rbac_roles(p, j));
    if rows.is_empty() {
        b.push(Block::Para("The setup recorded no grant.".into()));
    } else {
        b.push(Block::Table(vec!["Grant", "Kind", "For", "How"], rows));
    }
    b.extend(withheld(p).map(Block::Para));
    b
}

fn resource(key: &str) -> Option<&'static Resource> {
    catalog().resources.iter().find(|r| r.key == key)
}

/// The access choices of the profile that `wanted` holds for.
fn serving(p: &Profile, wanted: impl Fn(AccessChoice) -> bool) -> String {
    let labels: Vec<&str> = p
        .access
        .iter()
        .filter(|a| wanted(**a))
        .map(|a| a.label())
        .collect();
    labels.join("; ")
}

/// A journaled consent (`resource:permission`, or `resource:delegated`) as a row.
fn consent(p: &Profile, key: &str) -> Option<Vec<String>> {
    let (res, name) = key.split_once(':')?;
    let r = resource(res)?;
    if name == "delegated" {
        let scopes =
            crate::plan::delegated(&p.access, p.delegated.as_ref().is_some_and(|d| d.openid))
                .map(|(_, s)| s.join(", "))
                .unwrap_or_default();
        return Some(vec![
            scopes,
            format!("delegated permissions on {}", r.name),
            serving(p, |a| a == AccessChoice::Delegated),
            "admin consent for all users (tenant-wide)".into(),
        ]);
    }
    Some(vec![
        name.to_string(),
        format!("application permission on {} (Entra ID)", r.name),
        serving(p, |a| {
            let req = catalog().requirement(a);
            req.resource == res && req.roles.iter().any(|x| x == name)
        }),
        "admin consent".into(),
    ])
}

/// The RBAC for Applications roles the setup assigned within the management scope.
fn rbac_roles(p: &Profile, j: &Journal) -> Vec<Vec<String>> {
    let Some(s) = p.scope.as_ref().filter(|s| s.kind == ScopeKind::Rbac) else {
        return Vec::new();
    };
    let input = exchange_objects::input(p, j, s);
    exchange_objects::done(j, &input)
        .into_iter()
        .filter(|st| st.kind == ExKind::RoleAssignment)
        .filter_map(|st| st.subject)
        .map(|role| {
            vec![
                role.clone(),
                "Exchange Online role (RBAC for Applications)".into(),
                serving(p, |a| scope::rbac_roles(&[a]).contains(&role.as_str())),
                format!(
                    "assigned to the app within the management scope \"{}\"",
                    input.scope_name()
                ),
            ]
        })
        .collect()
}

/// The Entra permissions an RBAC scope leaves out on purpose, and why.
fn withheld(p: &Profile) -> Option<String> {
    let s = p.scope.as_ref().filter(|s| s.kind == ScopeKind::Rbac)?;
    let names: Vec<String> = s
        .omitted(&p.access)
        .into_iter()
        .map(|n| match holder(&n) {
            Some(r) => format!("{n} ({})", r.name),
            None => n,
        })
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "Not granted in Entra ID, on purpose: {}. A tenant-wide application permission would reach every mailbox whatever the management scope says; the Exchange Online roles of RBAC for Applications grant that access for the group's members only, so the app's tokens carry no mail role for it.",
            names.join(", ")
        )
    })
}

/// The resource that offers `permission` as an application permission.
fn holder(permission: &str) -> Option<&'static Resource> {
    catalog()
        .resources
        .iter()
        .find(|r| r.app_role_id(permission).is_some())
}

/// For an app the wizard did not set up: what each access needs, claimed as nothing more.
fn needed(p: &Profile) -> Vec<Block> {
    let who = if p.scope.is_some() {
        "m365-mail-wizard did not make this app's changes itself (it holds no setup journal for this app): they were made by hand, following its guide, or elsewhere."
    } else {
        "m365-mail-wizard did not set this app up: the profile was added for an existing app."
    };
    vec![
        Block::Heading("What the application needs, and why".into()),
        Block::Para(format!(
            "{who} Its permissions, consents and Exchange Online settings are therefore not listed here as granted. Below is what each access the profile uses needs; the last check shows what the app's tokens carried and which mailboxes it reached."
        )),
        Block::Table(
            vec!["Access", "Needs", "Why"],
            p.access.iter().map(|a| need(p, *a)).collect(),
        ),
    ]
}

fn need(p: &Profile, a: AccessChoice) -> Vec<String> {
    let req = catalog().requirement(a);
    let rbac = p.scope.as_ref().filter(|s| s.kind == ScopeKind::Rbac);
    if let (Some(s), Some(role)) = (rbac, scope::rbac_roles(&[a]).first()) {
        return vec![
            a.label().to_string(),
            format!(
                "the Exchange Online role {role} within a management scope (RBAC for Applications), not the Entra permission {}",
                scope::entra_permission_of(role).unwrap_or_default()
            ),
            s.kind.explain().to_string(),
        ];
    }
    let perms = if req.roles.is_empty() {
        req.scopes.join(", ")
    } else {
        req.roles.join(", ")
    };
    let on = resource(&req.resource).map_or("", |r| r.name.as_str());
    vec![
        a.label().to_string(),
        format!("{perms} ({on})"),
        req.explain.clone(),
    ]
}
