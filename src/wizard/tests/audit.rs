//! `a` on the dashboard: a read-only sign-in, the audit's progress, then its findings riskiest
//! first with the selected one's detail, and esc back home.

use super::*;
use crate::model::audit::{self, CredentialFacts, LastSignIn, PrincipalFacts, Reach};

/// An audit of three apps: one reaching every mailbox, one scoped by RBAC, one by a policy.
pub(super) fn three_apps() -> Box<audit::Audit> {
    let now = time::macros::datetime!(2026-12-02 10:00 UTC);
    let app = |name: &str| PrincipalFacts {
        sp_id: format!("sp-{name}"),
        app_id: format!("app-{name}"),
        name: name.into(),
        credentials: Some(vec![CredentialFacts {
            kind: "secret",
            name: "main".into(),
            ends: Some(now + time::Duration::days(200)),
        }]),
        last_sign_in: Some(LastSignIn::At {
            at: now - time::Duration::days(1),
        }),
        ..PrincipalFacts::default()
    };
    let wide = PrincipalFacts {
        graph_roles: vec!["Mail.Read".into()],
        ..app("Archiver")
    };
    let scoped = PrincipalFacts {
        exchange_roles: vec!["Mail.Read".into()],
        rbac: vec![audit::RbacGrant {
            role: "Application Mail.Read".into(),
            scope: Some("Sales".into()),
            scope_filter: None,
        }],
        ..app("Sales mailer")
    };
    let policy = PrincipalFacts {
        graph_roles: vec!["Mail.Send".into()],
        policies: vec![audit::PolicyGrant {
            access_right: "RestrictAccess".into(),
            group: "fax@contoso.com".into(),
        }],
        ..app("Fax gateway")
    };
    let mut a = audit::audit("contoso.com", 40, vec![scoped, policy, wide], vec![], now);
    a.exchange_read = true;
    Box::new(a)
}

/// The dashboard's `a`, signed in: the audit screen reading the tenant.
pub(super) fn auditing() -> State {
    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Char('a')]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::StartSignIn {
                purpose: AdminPurpose::Audit,
                ..
            }]
        ),
        "{fx:?}"
    );
    assert_eq!(s.screen, Screen::SignIn);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(_, Upkeep::Audit)]),
        "{fx:?}"
    );
    s
}

#[test]
fn a_signs_in_read_only_and_shows_the_progress_until_the_audit_is_read() {
    let s = home_with_fax();
    assert!(offers(&s, "a", "audit tenant"));
    let mut s = auditing();
    assert_eq!(s.screen, Screen::Audit);
    assert_eq!(s.audit.tenant, "contoso.com");
    assert!(s.audit.running());
    assert!(
        s.busy.is_none(),
        "the screen shows the progress, not the busy line"
    );
    update(
        &mut s,
        Msg::AuditProgress("reading mailbox permissions: 3/9…".into()),
    );
    assert_eq!(
        s.audit.progress.as_deref(),
        Some("reading mailbox permissions: 3/9…")
    );
    // While it reads there is nothing to select; esc leaves.
    assert_eq!(hint_keys(&s), ["esc", "q", "?"]);
    update(&mut s, Msg::Audited(Ok(three_apps())));
    assert!(!s.audit.running() && s.sign_in.renewing.is_none());
    let a = s.audit.audit.as_ref().unwrap();
    assert_eq!(a.rows[0].facts.name, "Archiver");
    assert_eq!(a.rows[0].reach, Reach::EveryMailbox);
    assert!(offers(&s, "↑↓", "select") && offers(&s, "J/K", "scroll"));
    for h in hints(&s) {
        assert!(crate::wizard::help::has_sentence(s.screen, h), "{h:?}");
    }
    // A progress line arriving late changes nothing.
    update(&mut s, Msg::AuditProgress("reading late…".into()));
    assert!(!s.audit.running());
}

#[test]
fn the_keys_move_the_selection_and_scroll_its_pane_and_esc_goes_home() {
    let mut s = auditing();
    update(&mut s, Msg::Audited(Ok(three_apps())));
    update(
        &mut s,
        Msg::Viewport(Viewport {
            list_rows: 3,
            pane_rows: 4,
            pane_lines: 12,
        }),
    );
    keys(&mut s, &[Key::Char('J')]);
    assert_eq!(s.pane, 3);
    keys(&mut s, &[Key::Down]);
    assert_eq!(
        (s.audit.cursor, s.pane),
        (1, 0),
        "a new selection shows its top"
    );
    keys(&mut s, &[Key::End, Key::Down]);
    assert_eq!(s.audit.cursor, 2);
    keys(&mut s, &[Key::Home]);
    assert_eq!(s.audit.cursor, 0);
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Home);
    assert!(!s.quit);
}

#[test]
fn an_audit_that_fails_says_why_and_esc_goes_home() {
    let mut s = auditing();
    let refused = diagnosis(
        "The audit could not read service principals.",
        "Sign in as an administrator with Global Reader.",
    );
    update(&mut s, Msg::Audited(Err(refused)));
    assert!(!s.audit.running());
    assert!(s.audit.audit.is_none());
    assert_eq!(
        s.audit.failed.as_ref().unwrap().fix,
        "Sign in as an administrator with Global Reader."
    );
    assert_eq!(hint_keys(&s), ["esc", "q", "?"]);
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Home);
}

#[test]
fn esc_on_the_sign_in_cancels_the_audit() {
    let mut s = home_with_fax();
    keys(&mut s, &[Key::Char('a')]);
    let fx = keys(&mut s, &[Key::Esc]);
    assert_eq!(fx, [Effect::CancelSignIn]);
    assert_eq!(s.screen, Screen::Home);
    assert!(s.sign_in.renewing.is_none());
}
