//! A mailbox user's FullAccess on a shared mailbox (the delegated style): pending within its
//! window for that mailbox and user only, then the no-FullAccess diagnosis as it was.

use std::time::Duration;

use super::*;
use crate::model::Mailbox;

const NOW: i64 = 1_900_000_000;

fn failed(evidence: &str, summary: &str) -> CheckEvent {
    CheckEvent::Failed {
        diagnosis: Diagnosis {
            summary: summary.into(),
            evidence: evidence.into(),
            cause: String::new(),
            fix: String::new(),
        },
        elapsed: Duration::from_millis(5),
        unavailable: false,
    }
}

fn spec(mailbox: &str, user: &str) -> CheckSpec {
    CheckSpec {
        kind: CheckKind::UserImap,
        mailbox: Some(Mailbox::parse(mailbox).unwrap()),
        skip: None,
        via: None,
        as_user: Some(Mailbox::parse(user).unwrap()),
    }
}

fn facts(made: &[Made]) -> SetupFacts<'_> {
    SetupFacts {
        scope: None,
        access: &[AccessChoice::Delegated],
        client_id: "74b1e217-8f7a-491c-b9d1-27186eb8fe90",
        sp_id: None,
        made,
        now: NOW,
    }
}
#[test]
fn a_shared_mailbox_refused_within_the_users_full_access_window_is_pending_then_fails() {
    let made = [Made::from_key(
        "exchange:userfullaccess:erin@contoso.example:alice@contoso.example",
        NOW - 10 * 60,
    )
    .unwrap()];
    assert_eq!(made[0].mailbox.as_deref(), Some("erin@contoso.example"));
    assert_eq!(made[0].user.as_deref(), Some("alice@contoso.example"));
    let refusal = || {
        failed(
            "NO AUTHENTICATE failed.",
            "IMAP refused alice@contoso.example's token for the shared mailbox erin@contoso.example.",
        )
    };
    let as_user = |user: &str| spec("erin@contoso.example", user);
    let s = facts(&made);
    let ev = reclassify(&as_user("alice@contoso.example"), refusal(), &s);
    let CheckEvent::Pending { diagnosis, .. } = ev else {
        panic!("pending within the window: {ev:?}")
    };
    assert!(
        diagnosis
            .summary
            .starts_with("pending: the user's FullAccess permission was made 10 min ago"),
        "{diagnosis:?}"
    );
    // Another user's refusal waits for nothing this setup made.
    let other = reclassify(&as_user("bob@contoso.example"), refusal(), &s);
    assert!(matches!(other, CheckEvent::Failed { .. }), "{other:?}");
    // After the window, the no-FullAccess diagnosis stands as it was.
    let old = [Made::from_key(
        "exchange:userfullaccess:erin@contoso.example:alice@contoso.example",
        NOW - 3 * 60 * 60,
    )
    .unwrap()];
    let s = facts(&old);
    let CheckEvent::Failed { diagnosis, .. } =
        reclassify(&as_user("alice@contoso.example"), refusal(), &s)
    else {
        panic!("failed after the window")
    };
    assert!(diagnosis.summary.contains("for the shared mailbox"));
    // The user's own mailbox refused (IMAP off) is never pending.
    let own = spec("alice@contoso.example", "alice@contoso.example");
    let off = failed(
        "NO AUTHENTICATE failed.",
        "IMAP refused alice@contoso.example's token for their own mailbox.",
    );
    let s = facts(&made);
    assert!(matches!(
        reclassify(&own, off, &s),
        CheckEvent::Failed { .. }
    ));
}
