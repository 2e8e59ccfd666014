//! The handover report states what the setup did, in the reader's time.

use time::macros::{datetime, offset};
use time::{OffsetDateTime, UtcOffset};

use super::local_time::to_the_minute;
use super::{Format, Input, render};
use crate::model::{CheckVerdict, Credential, LastCheck, Profile};
use crate::store::Journal;

const CLIENT: &str = "a1f5c0de-0001-4000-8000-00000000c001";
const TENANT: &str = "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const SP: &str = "5b0c1d2e-0002-4000-8000-0000000000aa";

fn profile(access: &str, scope: Option<&str>) -> Profile {
    let mut text = format!(
        "name = \"helpdesk\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"{TENANT}\"\nclient_id = \"{CLIENT}\"\naccess = [{access}]\nmailboxes = [\"alice@contoso.example\", \"bob@contoso.example\"]\ndeny_mailbox = \"ceo@contoso.example\"\n"
    );
    if let Some(kind) = scope {
        text.push_str(&format!(
            "[scope]\nkind = \"{kind}\"\ngroup = \"m365mw-helpdesk\"\napp_name = \"m365-mail-wizard helpdesk\"\n"
        ));
    }
    toml::from_str(&text).unwrap()
}

fn journal(consented: &[&str], exchange_done: &[&str]) -> Journal {
    Journal {
        profile: "helpdesk".into(),
        tenant_id: TENANT.into(),
        app_name: "m365-mail-wizard helpdesk".into(),
        app_object_id: Some("0b1e2c3d-0003-4000-8000-0000000000bb".into()),
        app_id: Some(CLIENT.into()),
        sp_id: Some(SP.into()),
        secret_key_id: Some("0c1d2e3f-0004-4000-8000-0000000000cc".into()),
        secret_stored: true,
        app_created: true,
        consented: consented.iter().map(|s| s.to_string()).collect(),
        exchange_done: exchange_done.iter().map(|s| s.to_string()).collect(),
        group_dn: Some("CN=m365mw-helpdesk,OU=contoso.example,DC=EURPR01A001,DC=prod".into()),
        scope_id: Some("scope-1".into()),
        deny_mailbox: None,
        finished: true,
        ..Journal::default()
    }
}

/// The export made at 2026-12-02 14:05:42 in a reader's offset of +01:00.
fn now() -> OffsetDateTime {
    datetime!(2026-12-02 13:05:42.123456789 UTC).to_offset(offset!(+1))
}

pub(in crate::export) fn report(p: &Profile, j: Option<&Journal>, format: Format) -> String {
    let endpoints = p.cloud().endpoints;
    render(
        format,
        &Input {
            profile: p,
            endpoints: &endpoints,
            keyring_service: "m365-mail-wizard",
            now: now(),
            setup: j,
        },
    )
}

/// The rows of the Markdown tables, as their cells.
fn rows(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

fn has_row(md: &str, cells: &[&str]) -> bool {
    rows(md)
        .iter()
        .any(|r| r.len() >= cells.len() && r.iter().zip(cells).all(|(a, b)| a == b))
}

/// `md` holds `text`.
fn says(md: &str, text: &str) {
    assert!(md.contains(text), "{text}\nnot in:\n{md}");
}

const RBAC_DONE: [&str; 9] = [
    "mailboxes",
    "group",
    "member:alice@contoso.example",
    "member:bob@contoso.example",
    "serviceprincipal",
    "managementscope",
    "roleassignment:application mail.read",
    "mailboxpermission:alice@contoso.example",
    "mailboxpermission:bob@contoso.example",
];

#[test]
fn an_rbac_scoped_setup_lists_its_roles_and_objects_not_graph_mail_read() {
    let p = profile("\"graph-read\", \"imap\"", Some("rbac"));
    let j = journal(&["exchange:IMAP.AccessAsApp"], &RBAC_DONE);
    let md = report(&p, Some(&j), Format::Report);
    assert!(
        !rows(&md).iter().any(|r| r[0] == "Mail.Read"),
        "Mail.Read is not listed as granted:\n{md}"
    );
    assert!(!md.contains("Mail.Read on Microsoft Graph, with admin consent"));
    says(&md, "## What the setup granted");
    assert!(
        has_row(
            &md,
            &[
                "IMAP.AccessAsApp",
                "application permission on Office 365 Exchange Online (Entra ID)",
                "IMAP — read mail",
                "admin consent"
            ]
        ),
        "{md}"
    );
    assert!(
        has_row(
            &md,
            &[
                "Application Mail.Read",
                "Exchange Online role (RBAC for Applications)",
                "Microsoft Graph — read mail",
                "assigned to the app within the management scope \"m365-mail-wizard helpdesk mailboxes\""
            ]
        ),
        "{md}"
    );
    says(
        &md,
        "Not granted in Entra ID, on purpose: Mail.Read (Microsoft Graph).",
    );
    for cells in [
        &["Application (display name)", "m365-mail-wizard helpdesk"][..],
        &["Enterprise application (object ID)", SP],
        &["Registered by", "m365-mail-wizard's setup"],
        &[
            "Mail-enabled security group",
            "m365mw-helpdesk",
            "names the mailboxes in scope: alice@contoso.example, bob@contoso.example",
        ],
        &["Service principal", "m365-mail-wizard helpdesk"],
        &["Management scope", "m365-mail-wizard helpdesk mailboxes"],
        &["Role assignment", "Application Mail.Read"],
        &["Mailbox permission", "FullAccess on alice@contoso.example"],
        &["Mailbox permission", "FullAccess on bob@contoso.example"],
    ] {
        assert!(has_row(&md, cells), "{cells:?}:\n{md}");
    }
    says(&md, "MemberOfGroup -eq 'CN=m365mw-helpdesk,");
    assert!(!md.contains("Application access policy"), "{md}");
}

#[test]
fn a_policy_scoped_setup_lists_the_graph_consent_and_the_policy() {
    let p = profile("\"graph-read\"", Some("restrict-policy"));
    let j = journal(
        &["graph:Mail.Read"],
        &[
            "mailboxes",
            "group",
            "member:alice@contoso.example",
            "member:bob@contoso.example",
            "accesspolicy",
        ],
    );
    let md = report(&p, Some(&j), Format::Report);
    assert!(
        has_row(
            &md,
            &[
                "Mail.Read",
                "application permission on Microsoft Graph (Entra ID)",
                "Microsoft Graph — read mail",
                "admin consent"
            ]
        ),
        "{md}"
    );
    assert!(
        has_row(
            &md,
            &[
                "Application access policy",
                "RestrictAccess for m365mw-helpdesk",
                "Graph and EWS calls by m365-mail-wizard helpdesk reach only the members of m365mw-helpdesk; described as \"m365-mail-wizard helpdesk — set up by m365-mail-wizard\""
            ]
        ),
        "{md}"
    );
    assert!(!md.contains("Not granted in Entra ID"), "{md}");
    assert!(!md.contains("Management scope"), "{md}");
}

#[test]
fn what_a_setup_did_not_reach_is_not_listed() {
    let p = profile("\"graph-read\", \"imap\"", Some("rbac"));
    let mut j = journal(
        &["exchange:IMAP.AccessAsApp"],
        &["mailboxes", "group", "member:alice@contoso.example"],
    );
    j.finished = false;
    let md = report(&p, Some(&j), Format::Report);
    says(&md, "The setup has not finished");
    assert!(has_row(
        &md,
        &[
            "Mail-enabled security group",
            "m365mw-helpdesk",
            "names the mailboxes in scope: alice@contoso.example"
        ]
    ));
    assert!(!md.contains("| Role assignment |"), "{md}");
    assert!(!md.contains("| Mailbox permission |"), "{md}");

    j.finished = true;
    j.exchange_done.clear();
    let md = report(&p, Some(&j), Format::Report);
    assert!(
        md.contains("handed over as a PowerShell script") && !md.contains("| Management scope |"),
        "{md}"
    );
}

#[test]
fn an_app_made_elsewhere_is_not_credited_with_grants() {
    for scope in [None, Some("rbac")] {
        let p = profile("\"graph-read\", \"imap\"", scope);
        let md = report(&p, None, Format::Report);
        assert!(!md.contains("What the setup granted"), "{md}");
        assert!(!md.contains("| admin consent |"), "{md}");
        says(&md, "not listed here as granted");
        assert!(
            has_row(
                &md,
                &[
                    "Registered by",
                    "not by m365-mail-wizard: the profile names an app made elsewhere"
                ]
            ),
            "{md}"
        );
        let graph_need = rows(&md)
            .into_iter()
            .find(|r| r[0] == "Microsoft Graph — read mail")
            .unwrap();
        if scope.is_some() {
            assert!(
                graph_need[1].contains("Application Mail.Read")
                    && graph_need[1].contains("not the Entra permission Mail.Read"),
                "{graph_need:?}"
            );
        } else {
            assert_eq!(graph_need[1], "Mail.Read (Microsoft Graph)");
        }
    }
    let md = report(&profile("\"imap\"", None), None, Format::Report);
    assert!(
        has_row(
            &md,
            &[
                "Application (display name)",
                "not recorded: the app was named where it was made"
            ]
        ),
        "{md}"
    );
}

/// A check that passed at `at` (RFC 3339, as profiles record it).
fn passed_at(at: &str) -> LastCheck {
    LastCheck {
        at: at.into(),
        verdict: CheckVerdict::Passed,
        passed: 3,
        failed: 0,
        rows: Vec::new(),
    }
}

#[test]
fn times_are_the_readers_to_the_minute() {
    assert_eq!(
        to_the_minute(datetime!(2026-12-02 03:59:59.9 UTC), offset!(-5:30)),
        "2026-12-01 22:29 -05:30"
    );
    assert_eq!(
        to_the_minute(datetime!(2026-12-02 13:05:42 UTC), UtcOffset::UTC),
        "2026-12-02 13:05 +00:00"
    );
    let mut p = profile("\"graph-read\"", Some("rbac"));
    p.last_check = Some(passed_at("2026-12-01T08:30:15.987654321Z"));
    let md = report(&p, None, Format::Report);
    says(&md, "made by m365-mail-wizard on 2026-12-02 14:05 +01:00.");
    says(
        &md,
        "2026-12-01 09:30 +01:00 — all checks passed (3 passed, 0 failed).",
    );
    assert!(!md.contains("T08:30") && !md.contains(".987"), "{md}");
}

#[test]
fn a_check_older_than_the_renewal_says_so() {
    let mut p = profile("\"graph-read\"", None);
    p.last_check = Some(passed_at("2026-12-01T08:30:00Z"));
    p.credential_renewed = Some("2026-12-02T09:00:10.5Z".into());
    let md = report(&p, None, Format::Report);
    says(
        &md,
        "Last check before the renewal of the client secret on 2026-12-02 10:00 +01:00: it tested the client secret in use before.",
    );
    says(
        &md,
        "The client secret in use was put in place by m365-mail-wizard on 2026-12-02 10:00 +01:00.",
    );
    p.last_check.as_mut().unwrap().at = "2026-12-02T09:01:00Z".into();
    let md = report(&p, None, Format::Report);
    assert!(!md.contains("Last check before the renewal"), "{md}");
    p.credential = Credential::Certificate {
        thumbprint: crate::model::Thumbprints {
            sha256: "x5t".into(),
            sha1: None,
        },
    };
    p.last_check.as_mut().unwrap().at = "2026-12-01T08:30:00Z".into();
    let md = report(&p, None, Format::Report);
    says(
        &md,
        "Last check before the renewal of the certificate on 2026-12-02 10:00 +01:00",
    );
}

#[test]
fn no_html_table_starts_with_an_empty_header_row() {
    let p = profile("\"graph-read\", \"imap\"", Some("rbac"));
    let j = journal(&["exchange:IMAP.AccessAsApp"], &RBAC_DONE);
    for j in [Some(&j), None] {
        let html = report(&p, j, Format::ReportHtml);
        let first = html.find("<table>").expect("a table");
        assert!(
            html[first..].starts_with("<table><tr><th>Item</th><th>Value</th></tr>"),
            "{}",
            &html[first..first + 80]
        );
        assert!(!html.contains("<th></th>"), "{html}");
    }
}

#[test]
fn the_report_renews_in_two_phases_and_names_an_old_secret_still_on_the_app() {
    let mut p = profile("\"graph-read\"", None);
    let md = report(&p, None, Format::Report);
    let order = [
        "renew helpdesk`",
        "--with-secret --output FILE",
        "Confirm the application works",
        "renew helpdesk --finish",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| md.find(s).unwrap_or_else(|| panic!("{s}: {md}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{md}");
    assert!(!md.contains("A renewal is under way"), "{md}");
    let key = |id: &str| crate::model::KeyRef {
        key_id: id.into(),
        kind: crate::model::CredentialKind::Secret,
    };
    p.rotation = Some(crate::model::Rotation {
        new: key("n-1"),
        old: vec![key("o-1")],
        started: "2026-12-02T09:00:00Z".into(),
        finished: None,
    });
    let md = report(&p, None, Format::Report);
    says(
        &md,
        "A renewal is under way: the old secret (key ID o-1) still works and stays on the app until `m365-mail-wizard renew helpdesk --finish` (step 4 below).",
    );
}
