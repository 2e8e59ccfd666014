use std::time::Duration;

use super::*;
use crate::model::Mailbox;

const NOW: i64 = 1_900_000_000;
const SP: &str = "bc4ba203-666a-4f6e-870b-1660d535a1fc";
const CLIENT: &str = "74b1e217-8f7a-491c-b9d1-27186eb8fe90";

fn record(kind: ScopeKind) -> ScopeRecord {
    ScopeRecord {
        kind,
        group: Some("m365mw-rb".into()),
        app_name: "m365-mail-wizard rb".into(),
    }
}

fn spec(kind: CheckKind, mailbox: &str) -> CheckSpec {
    CheckSpec {
        kind,
        mailbox: Some(Mailbox::parse(mailbox).unwrap()),
        skip: None,
        via: None,
        as_user: None,
    }
}

fn failed(evidence: &str, summary: &str) -> CheckEvent {
    CheckEvent::Failed {
        diagnosis: Diagnosis {
            summary: summary.into(),
            evidence: evidence.into(),
            cause: "The token has no mail role".into(),
            fix:
                "add the Microsoft Graph *application* permission and press \"Grant admin consent\""
                    .into(),
        },
        elapsed: Duration::from_millis(5),
        unavailable: false,
    }
}

fn graph_403() -> CheckEvent {
    failed(
        "HTTP 403 ErrorAccessDenied: Access is denied.",
        "The app may not access alice@contoso.example.",
    )
}

/// An RBAC setup's changes, each made `ago` seconds before now.
fn rbac_made(ago: i64) -> Vec<Made> {
    [
        "exchange:group",
        "exchange:member:alice@contoso.example",
        "exchange:serviceprincipal",
        "exchange:managementscope",
        "exchange:roleassignment:application mail.read",
        "exchange:mailboxpermission:alice@contoso.example",
        "consent:exchange:IMAP.AccessAsApp",
    ]
    .iter()
    .map(|k| Made::from_key(k, NOW - ago).unwrap())
    .collect()
}

fn facts<'a>(scope: Option<&'a ScopeRecord>, made: &'a [Made]) -> SetupFacts<'a> {
    SetupFacts {
        scope,
        access: &[AccessChoice::GraphRead, AccessChoice::Imap],
        client_id: CLIENT,
        sp_id: Some(SP),
        made,
        now: NOW,
    }
}

fn no_widening(d: &Diagnosis) {
    let all = format!("{} {} {} {}", d.summary, d.evidence, d.cause, d.fix);
    assert!(
        !all.contains("Grant admin consent") && !all.contains("add the Microsoft Graph"),
        "{d:#?}"
    );
}

/// The diagnosis of a failed event, which must not advise widening the app's permissions.
fn failed_without_widening(ev: CheckEvent) -> Diagnosis {
    let CheckEvent::Failed { diagnosis, .. } = ev else {
        panic!("{ev:?}")
    };
    no_widening(&diagnosis);
    diagnosis
}

#[test]
fn a_refusal_within_two_hours_of_the_role_assignment_is_pending() {
    let r = record(ScopeKind::Rbac);
    let made = rbac_made(4 * 60);
    let ev = reclassify(
        &spec(CheckKind::GraphRead, "alice@contoso.example"),
        graph_403(),
        &facts(Some(&r), &made),
    );
    let CheckEvent::Pending {
        diagnosis,
        since_change_secs,
        ..
    } = ev
    else {
        panic!("{ev:?}")
    };
    assert_eq!(since_change_secs, 240);
    assert_eq!(
        diagnosis.summary,
        "pending: the role assignment was made 4 min ago; Exchange Online applies it within 2 hours"
    );
    assert!(diagnosis.evidence.contains("HTTP 403"));
    no_widening(&diagnosis);
}

#[test]
fn after_the_window_rbac_fails_with_the_scope_named_and_no_widening() {
    let r = record(ScopeKind::Rbac);
    let made = rbac_made(2 * 60 * 60 + 60);
    for kind in [CheckKind::GraphRead, CheckKind::Ews] {
        let ev = reclassify(
            &spec(kind, "alice@contoso.example"),
            graph_403(),
            &facts(Some(&r), &made),
        );
        let d = failed_without_widening(ev);
        assert!(
            d.fix.contains(&format!(
                "Test-ServicePrincipalAuthorization -Identity {SP} -Resource alice@contoso.example"
            )),
            "{d:#?}"
        );
        assert!(d.fix.contains("'m365-mail-wizard rb mailboxes'"), "{d:#?}");
        assert!(
            d.fix.contains(&format!(
                "New-ManagementRoleAssignment -App {SP} -Role 'Application Mail.Read' -CustomResourceScope 'm365-mail-wizard rb mailboxes'"
            )),
            "{d:#?}"
        );
        assert!(d.cause.contains("m365mw-rb"), "{d:#?}");
    }
}

#[test]
fn rbac_with_no_journal_still_never_advises_a_tenant_wide_permission() {
    let r = record(ScopeKind::Rbac);
    let ev = reclassify(
        &spec(CheckKind::GraphSend, "alice@contoso.example"),
        graph_403(),
        &facts(Some(&r), &[]),
    );
    let d = failed_without_widening(ev);
    assert!(d.fix.contains("Test-ServicePrincipalAuthorization"));
}

#[test]
fn consent_is_pending_for_minutes_only() {
    let made = [Made::from_key("consent:graph:Mail.Read", NOW - 5 * 60).unwrap()];
    let token = CheckSpec {
        kind: CheckKind::Token,
        mailbox: None,
        skip: None,
        via: None,
        as_user: None,
    };
    let missing = || {
        failed(
            "Token issued; the token carries no roles at all.",
            "Missing application permission: Mail.Read.",
        )
    };
    let ev = reclassify(&token, missing(), &facts(None, &made));
    assert!(
        matches!(&ev, CheckEvent::Pending { diagnosis, since_change_secs: 300, .. } if diagnosis.summary.contains("admin consent was made 5 min ago")),
        "{ev:?}"
    );
    let made = [Made::from_key("consent:graph:Mail.Read", NOW - 20 * 60).unwrap()];
    assert!(matches!(
        reclassify(&token, missing(), &facts(None, &made)),
        CheckEvent::Failed { .. }
    ));
}

#[test]
fn what_no_waiting_mends_stays_failed() {
    let r = record(ScopeKind::Rbac);
    let made = rbac_made(60);
    let f = facts(Some(&r), &made);
    let alice = || spec(CheckKind::GraphRead, "alice@contoso.example");
    let missing = failed(
        "HTTP 404 ErrorInvalidUser: no such user",
        "alice@contoso.example does not exist in this tenant.",
    );
    assert!(matches!(
        reclassify(&alice(), missing, &f),
        CheckEvent::Failed { .. }
    ));
    let outage = CheckEvent::Failed {
        diagnosis: Diagnosis {
            summary: "Graph is unavailable.".into(),
            evidence: "HTTP 503".into(),
            cause: String::new(),
            fix: String::new(),
        },
        elapsed: Duration::ZERO,
        unavailable: true,
    };
    assert!(matches!(
        reclassify(&alice(), outage, &f),
        CheckEvent::Failed {
            unavailable: true,
            ..
        }
    ));
    let wrong_secret = failed(
        "AADSTS7000215: Invalid client secret provided.",
        "Missing application permission: x",
    );
    let token = CheckSpec {
        kind: CheckKind::Token,
        mailbox: None,
        skip: None,
        via: None,
        as_user: None,
    };
    assert!(matches!(
        reclassify(&token, wrong_secret, &f),
        CheckEvent::Failed { .. }
    ));
    let passed = CheckEvent::Passed {
        detail: "ok".into(),
        elapsed: Duration::ZERO,
    };
    assert_eq!(reclassify(&alice(), passed.clone(), &f), passed);
}

#[test]
fn a_mailbox_waits_only_for_its_own_membership_and_permission() {
    let made = [
        Made::from_key("exchange:mailboxpermission:bob@contoso.example", NOW - 60).unwrap(),
        Made::from_key("exchange:serviceprincipal", NOW - 3 * 60 * 60).unwrap(),
    ];
    let refused = || {
        failed(
            "a2 NO AUTHENTICATE failed.",
            "IMAP sign-in is refused for every mailbox.",
        )
    };
    let f = facts(None, &made);
    assert!(matches!(
        reclassify(&spec(CheckKind::Imap, "bob@contoso.example"), refused(), &f),
        CheckEvent::Pending {
            since_change_secs: 60,
            ..
        }
    ));
    assert!(matches!(
        reclassify(
            &spec(CheckKind::Imap, "alice@contoso.example"),
            refused(),
            &f
        ),
        CheckEvent::Failed { .. }
    ));
}

#[test]
fn a_policy_not_applied_yet_leaves_the_denied_mailbox_reachable_as_pending() {
    let r = record(ScopeKind::RestrictPolicy);
    let made = [Made::from_key("exchange:accesspolicy", NOW - 10 * 60).unwrap()];
    let reachable = || {
        failed(
            "GET …/messages 200",
            "ceo@contoso.example is reachable, but it should be out of the app's reach.",
        )
    };
    let denied = spec(CheckKind::Denied, "ceo@contoso.example");
    let ev = reclassify(&denied, reachable(), &facts(Some(&r), &made));
    assert!(
        matches!(&ev, CheckEvent::Pending { diagnosis, .. } if diagnosis.summary.contains("application access policy was made 10 min ago")),
        "{ev:?}"
    );
    // Under RBAC a reachable out-of-scope mailbox is a real finding, pending nothing.
    let rbac = record(ScopeKind::Rbac);
    assert!(matches!(
        reclassify(&denied, reachable(), &facts(Some(&rbac), &made)),
        CheckEvent::Failed { .. }
    ));
    // After the window, a policy-scoped refusal names the policy, not a permission to add.
    let old = [Made::from_key("exchange:accesspolicy", NOW - 3 * 60 * 60).unwrap()];
    let ev = reclassify(
        &spec(CheckKind::GraphRead, "alice@contoso.example"),
        graph_403(),
        &facts(Some(&r), &old),
    );
    let d = failed_without_widening(ev);
    assert!(
        d.fix.contains(&format!(
            "Test-ApplicationAccessPolicy -Identity alice@contoso.example -AppId {CLIENT}"
        )),
        "{d:#?}"
    );
}

#[test]
fn journal_keys_and_ages_read_as_said() {
    assert_eq!(
        Made::from_key("exchange:member:alice@contoso.example", 7),
        Some(Made {
            change: Change::Exchange(ExKind::Member),
            mailbox: Some("alice@contoso.example".into()),
            user: None,
            at: 7
        })
    );
    assert_eq!(Made::from_key("exchange:mailboxes", 7), None);
    assert_eq!(Made::from_key("other", 7), None);
    assert_eq!(age(40), "40 s");
    assert_eq!(age(4 * 60 + 59), "4 min");
    assert_eq!(age(3900), "1 h 5 min");
}

#[test]
fn a_policy_scoped_token_without_its_role_is_mended_by_the_setup_not_the_portal() {
    let r = record(ScopeKind::RestrictPolicy);
    let token = CheckSpec {
        kind: CheckKind::Token,
        mailbox: None,
        skip: None,
        via: None,
        as_user: None,
    };
    let missing = failed(
        "Token issued; the token carries no roles at all.",
        "Missing application permission: Mail.Read.",
    );
    let d = failed_without_widening(reclassify(&token, missing, &facts(Some(&r), &[])));
    assert!(
        d.fix.contains(&format!(
            "Get-ApplicationAccessPolicy | Where-Object AppId -eq '{CLIENT}'"
        )) && d.fix.contains("run the setup again"),
        "{d:#?}"
    );
}
