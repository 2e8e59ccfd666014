//! The handover report: what the setup made and granted (or, for an app made elsewhere, what
//! it needs), its settings, the last check and how to renew its credential.

use super::document::{Block, Doc};
use super::exchange_objects::{app_name, exchange_objects};
use super::granted::granted;
use super::local_time::{parse, recorded, to_the_minute};
use super::{Input, credential_name, mailboxes, secret_place};
use crate::catalog::catalog;
use crate::model::{AccessChoice, CheckVerdict, Credential, LastCheck, Profile, ScopeKind};

pub(super) fn report(i: &Input) -> Doc {
    let p = i.profile;
    let mut b = vec![Block::Para(format!(
        "Handover record of the mail access configured for an application, made by m365-mail-wizard on {}. It holds no secret: {} is in the keyring entry {}.",
        to_the_minute(i.now, i.now.offset()),
        credential_name(p),
        secret_place(i)
    ))];
    b.extend(tenant_and_application(i));
    b.extend(granted(p, i.setup));
    b.extend(mailboxes_and_scope(i));
    b.extend(super::delegated::styles(p, i.setup));
    b.extend(smtp_auth(p, i.setup.is_some()));
    b.extend(settings(i));
    b.extend(last_check(i));
    b.extend(renewal(i));
    Doc {
        title: format!("Mail access handover — {}", p.tenant),
        blocks: b,
    }
}

fn tenant_and_application(i: &Input) -> Vec<Block> {
    let p = i.profile;
    let mut rows = vec![
        vec!["Tenant".into(), p.tenant.clone()],
        vec!["Tenant ID".into(), p.tenant_id.to_string()],
        vec!["Cloud".into(), i.endpoints.name.clone()],
        vec![
            "Application (display name)".into(),
            app_name(p, i.setup)
                .unwrap_or("not recorded: the app was named where it was made")
                .to_string(),
        ],
        vec!["Application (client) ID".into(), p.client_id.to_string()],
    ];
    if let Some(sp) = i.setup.and_then(|j| j.sp_id.as_deref()) {
        rows.push(vec![
            "Enterprise application (object ID)".into(),
            sp.to_string(),
        ]);
    }
    rows.push(vec![
        "Registered by".into(),
        match i.setup {
            Some(j) if j.app_created => "m365-mail-wizard's setup".into(),
            Some(_) => {
                "an existing app of the same name, adopted by m365-mail-wizard's setup".into()
            }
            None => "not by m365-mail-wizard: the profile names an app made elsewhere".into(),
        },
    ]);
    rows.push(vec!["Profile".into(), p.name.to_string()]);
    vec![
        Block::Heading("Tenant and application".into()),
        Block::Table(vec!["Item", "Value"], rows),
    ]
}

fn mailboxes_and_scope(i: &Input) -> Vec<Block> {
    let p = i.profile;
    let mut b = vec![
        Block::Heading("Mailboxes and scope".into()),
        Block::Para(if p.mailboxes.is_empty() {
            "Mailboxes the application reaches with its own sign-in: none (the delegated style only: see below).".to_string()
        } else {
            format!(
                "Mailboxes the application must reach: {}.",
                mailboxes(p).join(", ")
            )
        }),
    ];
    if let Some(d) = &p.deny_mailbox {
        b.push(Block::Para(format!("Checked to be out of reach: {d}.")));
    }
    if let Some(s) = &p.scope {
        let group = s
            .group
            .as_deref()
            .map(|g| format!(" The group: {g}."))
            .unwrap_or_default();
        b.push(Block::Para(format!(
            "Scope: {}. {}{group}",
            s.kind.label(),
            s.kind.explain()
        )));
    }
    match (i.setup, &p.scope) {
        (Some(j), Some(s)) => b.extend(exchange_objects(p, j, s)),
        (Some(_), None) => {}
        (None, _) => {
            for a in &p.access {
                b.push(Block::Para(format!(
                    "{}: {}",
                    a.label(),
                    catalog().requirement(*a).scope
                )));
            }
        }
    }
    b
}

/// For an app that sends through SMTP AUTH: how it is allowed, and the date basic
/// authentication goes off (docs/december-2026.md 3.3).
fn smtp_auth(p: &Profile, by_setup: bool) -> Vec<Block> {
    if !p.access.contains(&AccessChoice::Smtp) {
        return Vec::new();
    }
    let route = if p.scope.as_ref().is_some_and(|s| s.kind == ScopeKind::Rbac) {
        "It sends through the Exchange role Application SMTP.SendAsApp within the management scope: no mailbox permission and no Entra SMTP.SendAsApp permission."
    } else {
        "It sends as the mailboxes its service principal holds FullAccess on."
    };
    vec![
        Block::Heading("SMTP AUTH".into()),
        Block::Para(format!(
            "The application signs in to SMTP AUTH with OAuth (XOAUTH2). {route} {}",
            if by_setup {
                "The setup allowed SMTP AUTH for each of its mailboxes only (Set-CASMailbox -SmtpClientAuthenticationDisabled $false where it was off), never for the whole organisation."
            } else {
                "SMTP AUTH must be allowed for each of its mailboxes (Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false where it is off); allowing it for the whole organisation is not needed."
            }
        )),
        Block::Para(
            "For applications moving from basic SMTP AUTH (a user name and password): Microsoft turns basic authentication for SMTP AUTH off by default for existing tenants from the end of December 2026, and tenants created after that do not offer it (Exchange Team Blog, \"Updated Exchange Online SMTP AUTH Basic Authentication Deprecation Timeline\", 27 January 2026). Move them to OAuth as this application does.".into(),
        ),
    ]
}

fn settings(i: &Input) -> Vec<Block> {
    vec![
        Block::Heading("Settings for the consuming application".into()),
        Block::Table(
            vec!["Setting", "Value"],
            i.profile
                .app_settings(i.endpoints, i.keyring_service)
                .into_iter()
                .map(|(k, v)| vec![k.to_string(), v])
                .collect(),
        ),
    ]
}

fn last_check(i: &Input) -> Vec<Block> {
    let p = i.profile;
    let mut b = vec![Block::Heading("Last check".into())];
    let Some(c) = &p.last_check else {
        b.push(Block::Para(format!(
            "Not checked yet: run `m365-mail-wizard check {}`.",
            p.name
        )));
        return b;
    };
    let verdict = match c.verdict {
        CheckVerdict::Passed => "all checks passed",
        CheckVerdict::Failed => "a check failed",
        CheckVerdict::Waiting => "waiting for a change to apply",
    };
    b.push(Block::Para(format!(
        "{} — {verdict} ({} passed, {} failed).",
        recorded(&c.at, i.now.offset()),
        c.passed,
        c.failed
    )));
    b.extend(before_renewal(i, c).map(Block::Para));
    if !c.rows.is_empty() {
        b.push(check_rows(c));
    }
    b
}

/// Said when the last check ran before the credential in use was put in place.
fn before_renewal(i: &Input, c: &LastCheck) -> Option<String> {
    let p = i.profile;
    let renewed = parse(p.credential_renewed.as_deref()?)?;
    if parse(&c.at)? >= renewed {
        return None;
    }
    let what = credential_kind(p);
    Some(format!(
        "Last check before the renewal of the {what} on {}: it tested the {what} in use before. The renewal proved that the new one signs in; run `m365-mail-wizard check {}` to prove the mailbox access with it.",
        to_the_minute(renewed, i.now.offset()),
        p.name
    ))
}

fn credential_kind(p: &Profile) -> &'static str {
    match p.credential {
        Credential::Secret => "client secret",
        Credential::Certificate { .. } => "certificate",
    }
}

fn check_rows(c: &LastCheck) -> Block {
    Block::Table(
        vec!["Check", "Result", "Time", "Detail"],
        c.rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.status.clone(),
                    r.elapsed_ms.map(|m| format!("{m} ms")).unwrap_or_default(),
                    r.detail.clone(),
                ]
            })
            .collect(),
    )
}

/// When the credential expires and how to renew it.
fn renewal(i: &Input) -> Vec<Block> {
    let p = i.profile;
    let what = credential_kind(p);
    let (heading, whose, steps) = if p.credential.is_secret() {
        ("Client secret and its renewal", "secret's", secret_steps(p))
    } else {
        (
            "Certificate and its renewal",
            "certificate's",
            certificate_steps(p),
        )
    };
    let mut b = vec![
        Block::Heading(heading.into()),
        Block::Para(match &p.secret_expires {
            Some(x) => format!("The {what} expires on {x}. Renew it a few weeks before."),
            None => format!(
                "The {whose} expiry was not recorded: look it up in Entra admin center › App registrations › the app › Certificates & secrets."
            ),
        }),
    ];
    if let Some(at) = &p.credential_renewed {
        b.push(Block::Para(format!(
            "The {what} in use was put in place by m365-mail-wizard on {}.",
            recorded(at, i.now.offset())
        )));
    }
    if let Some(r) = p.rotation.as_ref().filter(|r| r.awaits_removal()) {
        let old: Vec<String> = r.old.iter().map(|k| k.named("old")).collect();
        b.push(Block::Para(format!(
            "A renewal is under way: {} still works and stays on the app until `m365-mail-wizard renew {} --finish` (step 4 below).",
            old.join(" and "),
            p.name
        )));
    }
    b.push(Block::Steps(steps));
    b
}

fn certificate_steps(p: &Profile) -> Vec<String> {
    let n = &p.name;
    vec![
        format!(
            "Run `m365-mail-wizard cert {n}` (an administrator signs in): a new certificate is made, registered on the app, its private key stored in the keyring and proven to sign in. The credential it replaces stays valid on the app."
        ),
        "Switch the consuming application to the new certificate and its private key.".into(),
        format!(
            "Confirm the application works with it; `m365-mail-wizard check {n}` proves the mailbox access."
        ),
        format!(
            "Only then run `m365-mail-wizard renew {n} --finish`: it removes the old credential from the app. Where the tenant's sign-in logs can be read, it shows when the old one last signed in and refuses while that was within the last 24 hours (`--force` removes it anyway). On the guided path (`cert {n} --guided`), delete the old credential in the portal instead."
        ),
    ]
}

fn secret_steps(p: &Profile) -> Vec<String> {
    let n = &p.name;
    vec![
        format!(
            "Run `m365-mail-wizard renew {n}` (an administrator signs in): a new client secret is added to the app, stored in the keyring and proven to sign in. The old secret stays valid on the app."
        ),
        format!(
            "Give the new Value to the consuming application: `m365-mail-wizard export {n} --format env --with-secret --output FILE` writes it to a private file (delete the file afterwards), or the wizard's dashboard shows it once (v)."
        ),
        format!(
            "Confirm the application works with the new secret; `m365-mail-wizard check {n}` proves the mailbox access."
        ),
        format!(
            "Only then run `m365-mail-wizard renew {n} --finish`: it removes the old secret from the app. Where the tenant's sign-in logs can be read, it shows when the old one last signed in and refuses while that was within the last 24 hours (`--force` removes it anyway)."
        ),
    ]
}
