//! The handover report: what the application may do and why, its settings, the last check and
//! how to renew its credential.

use super::document::{Block, Doc};
use super::{Input, credential_name, mailboxes, secret_place};
use crate::catalog::catalog;
use crate::model::{CheckVerdict, LastCheck, Profile};

pub(super) fn report(i: &Input) -> Doc {
    let p = i.profile;
    let mut b = vec![Block::Para(format!(
        "Handover record of the mail access configured for an application, made by m365-mail-wizard on {}. It holds no secret: {} is in the keyring entry {}.",
        i.today,
        credential_name(p),
        secret_place(i)
    ))];
    b.extend(tenant_and_application(i));
    b.extend(permissions(p));
    b.extend(mailboxes_and_scope(p));
    b.extend(settings(i));
    b.extend(last_check(p));
    b.extend(renewal(p));
    Doc {
        title: format!("Mail access handover — {}", p.tenant),
        blocks: b,
    }
}

fn tenant_and_application(i: &Input) -> Vec<Block> {
    let p = i.profile;
    vec![
        Block::Heading("Tenant and application".into()),
        Block::Table(
            vec!["", ""],
            vec![
                vec!["Tenant".into(), p.tenant.clone()],
                vec!["Tenant ID".into(), p.tenant_id.to_string()],
                vec!["Cloud".into(), i.endpoints.name.clone()],
                vec!["Application (client) ID".into(), p.client_id.to_string()],
                vec!["Profile".into(), p.name.to_string()],
            ],
        ),
    ]
}

fn permissions(p: &Profile) -> Vec<Block> {
    let rows: Vec<Vec<String>> = p
        .access
        .iter()
        .map(|a| {
            let req = catalog().requirement(*a);
            let perms = if req.roles.is_empty() {
                req.scopes.join(", ")
            } else {
                req.roles.join(", ")
            };
            vec![
                a.label().to_string(),
                format!("{perms} ({})", catalog().resource(&req.resource).name),
                req.explain.clone(),
            ]
        })
        .collect();
    vec![
        Block::Heading("What the application may do, and why".into()),
        Block::Table(vec!["Access", "Permission", "Why"], rows),
    ]
}

fn mailboxes_and_scope(p: &Profile) -> Vec<Block> {
    let mut b = vec![
        Block::Heading("Mailboxes and scope".into()),
        Block::Para(format!(
            "Mailboxes the application must reach: {}.",
            mailboxes(p).join(", ")
        )),
    ];
    if let Some(d) = &p.deny_mailbox {
        b.push(Block::Para(format!("Checked to be out of reach: {d}.")));
    }
    for a in &p.access {
        b.push(Block::Para(format!(
            "{}: {}",
            a.label(),
            catalog().requirement(*a).scope
        )));
    }
    b
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

fn last_check(p: &Profile) -> Vec<Block> {
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
        c.at, c.passed, c.failed
    )));
    if !c.rows.is_empty() {
        b.push(check_rows(c));
    }
    b
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
fn renewal(p: &Profile) -> Vec<Block> {
    let (heading, what, whose, steps) = if p.credential.is_secret() {
        (
            "Client secret and its renewal",
            "client secret",
            "secret's",
            secret_steps(p),
        )
    } else {
        (
            "Certificate and its renewal",
            "certificate",
            "certificate's",
            certificate_steps(p),
        )
    };
    vec![
        Block::Heading(heading.into()),
        Block::Para(match &p.secret_expires {
            Some(x) => format!("The {what} expires on {x}. Renew it a few weeks before."),
            None => format!(
                "The {whose} expiry was not recorded: look it up in Entra admin center › App registrations › the app › Certificates & secrets."
            ),
        }),
        Block::Steps(steps),
    ]
}

fn certificate_steps(p: &Profile) -> Vec<String> {
    vec![
        format!("Run `m365-mail-wizard cert {}` (an administrator signs in) or `cert {} --guided` (upload in the portal): a new certificate is made, registered and proven first.", p.name, p.name),
        "The certificate it replaces is removed from the app once the new one signs in (on the guided path, delete it in the portal).".into(),
        format!("Verify: `m365-mail-wizard check {}`.", p.name),
    ]
}

fn secret_steps(p: &Profile) -> Vec<String> {
    vec![
        "Add a new client secret to the app: Entra admin center › App registrations › the app › Certificates & secrets › New client secret.".into(),
        "Store the new Value where the consuming application reads it, and switch the application to it.".into(),
        format!("Verify: `m365-mail-wizard check {}`.", p.name),
        "Only then delete the old secret.".into(),
    ]
}
