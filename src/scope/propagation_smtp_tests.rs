//! A mailbox's SMTP AUTH switch set by the setup: an SMTP refusal naming the switch is pending
//! within the Exchange window for that mailbox only, app-only and delegated alike; after it,
//! the 5.7.139 diagnosis stands as it was; other refusals do not wait for the switch.

use std::time::Duration;

use super::*;
use crate::model::Mailbox;

const NOW: i64 = 1_900_000_000;
const MAILBOX_OFF: &str = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.";
const TENANT_OFF: &str = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.";
const DEFAULTS: &str = "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.";

fn refusal(evidence: &str) -> CheckEvent {
    CheckEvent::Failed {
        diagnosis: Diagnosis {
            summary: "SMTP AUTH is off for alice@contoso.example itself.".into(),
            evidence: evidence.into(),
            cause: "the 5.7.139 cause".into(),
            fix: "Set-CASMailbox -Identity alice@contoso.example -SmtpClientAuthenticationDisabled $false".into(),
        },
        elapsed: Duration::from_millis(5),
        unavailable: false,
    }
}

fn spec(kind: CheckKind, mailbox: &str, user: Option<&str>) -> CheckSpec {
    CheckSpec {
        kind,
        mailbox: Some(Mailbox::parse(mailbox).unwrap()),
        skip: None,
        via: None,
        as_user: user.map(|u| Mailbox::parse(u).unwrap()),
    }
}

fn facts<'a>(scope: Option<&'a ScopeRecord>, made: &'a [Made]) -> SetupFacts<'a> {
    SetupFacts {
        scope,
        access: &[AccessChoice::Smtp, AccessChoice::Delegated],
        client_id: "74b1e217-8f7a-491c-b9d1-27186eb8fe90",
        sp_id: Some("bc4ba203-666a-4f6e-870b-1660d535a1fc"),
        made,
        now: NOW,
    }
}

/// The setup's SMTP AUTH step for alice, made `ago` seconds before now.
fn switched(ago: i64) -> Vec<Made> {
    vec![Made::from_key("exchange:smtpauth:alice@contoso.example", NOW - ago).unwrap()]
}

fn pending_summary(ev: &CheckEvent) -> Option<&str> {
    match ev {
        CheckEvent::Pending { diagnosis, .. } => Some(&diagnosis.summary),
        _ => None,
    }
}

#[test]
fn the_journal_key_reads_as_the_mailboxs_switch() {
    let m = &switched(60)[0];
    assert_eq!(m.change, Change::Exchange(ExKind::SmtpAuth));
    assert_eq!(m.mailbox.as_deref(), Some("alice@contoso.example"));
}

#[test]
fn a_switch_refusal_within_the_window_is_pending_for_app_only_and_delegated_rows() {
    let made = switched(3 * 60);
    let s = facts(None, &made);
    let rows = [
        spec(CheckKind::Smtp, "alice@contoso.example", None),
        spec(
            CheckKind::UserSmtp,
            "alice@contoso.example",
            Some("alice@contoso.example"),
        ),
    ];
    for row in &rows {
        for words in [MAILBOX_OFF, TENANT_OFF] {
            let ev = reclassify(row, refusal(words), &s);
            let CheckEvent::Pending {
                diagnosis,
                since_change_secs,
                ..
            } = &ev
            else {
                panic!("{:?}: {ev:?}", row.kind)
            };
            assert_eq!(*since_change_secs, 180);
            assert!(
                diagnosis
                    .summary
                    .starts_with("pending: the SMTP AUTH switch of the mailbox was made 3 min ago"),
                "{diagnosis:#?}"
            );
            assert!(
                diagnosis
                    .summary
                    .contains("Microsoft gives no time for this switch")
            );
            assert_eq!(diagnosis.evidence, words);
            assert!(
                !diagnosis.fix.contains("Set-TransportConfig"),
                "{diagnosis:#?}"
            );
        }
    }
}

#[test]
fn under_rbac_the_switch_refusal_is_pending_too_and_after_the_window_stays_as_it_was() {
    let scope = ScopeRecord {
        kind: ScopeKind::Rbac,
        group: Some("m365mw-rb".into()),
        app_name: "m365-mail-wizard rb".into(),
    };
    let row = spec(CheckKind::Smtp, "alice@contoso.example", None);
    let made = switched(60);
    let ev = reclassify(&row, refusal(MAILBOX_OFF), &facts(Some(&scope), &made));
    assert!(pending_summary(&ev).is_some(), "{ev:?}");
    let late = switched(EXCHANGE_WINDOW_SECS);
    let ev = reclassify(&row, refusal(MAILBOX_OFF), &facts(Some(&scope), &late));
    assert_eq!(ev, refusal(MAILBOX_OFF));
}

#[test]
fn after_the_window_the_5_7_139_diagnosis_stands() {
    let made = switched(EXCHANGE_WINDOW_SECS);
    let s = facts(None, &made);
    for row in [
        spec(CheckKind::Smtp, "alice@contoso.example", None),
        spec(
            CheckKind::UserSmtp,
            "alice@contoso.example",
            Some("alice@contoso.example"),
        ),
    ] {
        assert_eq!(
            reclassify(&row, refusal(MAILBOX_OFF), &s),
            refusal(MAILBOX_OFF)
        );
    }
    let just_within = switched(EXCHANGE_WINDOW_SECS - 1);
    let row = spec(CheckKind::Smtp, "alice@contoso.example", None);
    let ev = reclassify(&row, refusal(MAILBOX_OFF), &facts(None, &just_within));
    assert!(pending_summary(&ev).is_some(), "{ev:?}");
}

#[test]
fn only_the_switch_of_the_refused_mailbox_and_only_its_refusal_wait() {
    let made = switched(60);
    let s = facts(None, &made);
    let bob = spec(CheckKind::Smtp, "bob@contoso.example", None);
    assert_eq!(
        reclassify(&bob, refusal(MAILBOX_OFF), &s),
        refusal(MAILBOX_OFF)
    );
    let alice = spec(CheckKind::Smtp, "alice@contoso.example", None);
    // Security defaults are no switch the setup changed.
    assert_eq!(reclassify(&alice, refusal(DEFAULTS), &s), refusal(DEFAULTS));
    // A missing permission waits for FullAccess or consent, not for the switch.
    let no_right = refusal("535 5.7.3 Authentication unsuccessful");
    assert_eq!(reclassify(&alice, no_right.clone(), &s), no_right);
    // IMAP has no SMTP AUTH switch.
    let imap = spec(CheckKind::Imap, "alice@contoso.example", None);
    assert_eq!(
        reclassify(&imap, refusal(MAILBOX_OFF), &s),
        refusal(MAILBOX_OFF)
    );
}
