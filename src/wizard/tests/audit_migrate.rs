//! Space and `M` on the audit screen: apps that can move to RBAC for Applications marked (the
//! others refused with the reason), then migrated one after the other through the dashboard's
//! migration, each plan confirmed with `y`, a summary at the end.

use super::*;
use crate::model::ClientId;
use crate::model::audit::{self, PolicyGrant, PrincipalFacts, RbacGrant};

const FAX: &str = "a1f5c0de-0001-4000-8000-00000000c001";
const ARCHIVER: &str = "a1f5c0de-0002-4000-8000-00000000c002";

/// The dashboard with profiles fax and archiver; the audit of their tenant read.
fn audited() -> State {
    let mut archiver = row("archiver", "contoso.com", None);
    archiver.profile.client_id = ClientId::parse(ARCHIVER).unwrap();
    let mut s = home_with(vec![row("fax", "contoso.com", None), archiver]);
    keys(&mut s, &[Key::Char('a')]);
    update(&mut s, Msg::SignedIn(Ok(admin(None))));
    let now = time::macros::datetime!(2026-12-02 10:00 UTC);
    let app = |name: &str, id: &str| PrincipalFacts {
        sp_id: format!("sp-{name}"),
        app_id: id.into(),
        name: name.into(),
        ..PrincipalFacts::default()
    };
    let rows = vec![
        PrincipalFacts {
            graph_roles: vec!["Mail.Read".into()],
            ..app("Archiver", ARCHIVER)
        },
        PrincipalFacts {
            graph_roles: vec!["Mail.Read".into()],
            ..app("Vendor sync", "b0000000-0000-4000-8000-000000000009")
        },
        PrincipalFacts {
            graph_roles: vec!["Mail.Send".into()],
            policies: vec![PolicyGrant {
                access_right: "RestrictAccess".into(),
                group: "fax@contoso.com".into(),
            }],
            ..app("Fax gateway", FAX)
        },
        PrincipalFacts {
            exchange_roles: vec!["Mail.Read".into()],
            rbac: vec![RbacGrant {
                role: "Application Mail.Read".into(),
                scope: Some("Sales".into()),
                scope_filter: None,
            }],
            ..app("Sales mailer", "b0000000-0000-4000-8000-000000000008")
        },
    ];
    let mut a = audit::audit("contoso.com", 40, rows, vec![], now);
    a.exchange_read = true;
    update(&mut s, Msg::Audited(Ok(Box::new(a))));
    s
}

/// The dashboard's profile `name`.
fn profile(s: &State, name: &str) -> Profile {
    let row = s
        .home
        .profiles
        .iter()
        .find(|r| r.profile.name.as_str() == name);
    row.unwrap_or_else(|| panic!("no profile {name}"))
        .profile
        .clone()
}

/// Selects the audit's row of `name`.
fn select(s: &mut State, name: &str) {
    let at = s
        .audit
        .audit
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| r.facts.name == name);
    s.audit.cursor = at.unwrap_or_else(|| panic!("no row {name}"));
}

#[test]
fn space_marks_only_apps_that_can_move_and_says_why_not_for_the_others() {
    let mut s = audited();
    assert!(offers(&s, "space", "mark for migration"));
    assert!(!hint_keys(&s).contains(&"M"), "nothing marked yet");
    select(&mut s, "Sales mailer");
    keys(&mut s, &[Key::Char(' ')]);
    assert!(s.audit.marked.is_empty());
    assert!(
        s.error
            .as_deref()
            .unwrap()
            .contains("scoped by RBAC for Applications already"),
        "{:?}",
        s.error
    );
    select(&mut s, "Vendor sync");
    keys(&mut s, &[Key::Char(' ')]);
    assert!(s.error.is_none(), "{:?}", s.error);
    let n = notice(&s);
    assert!(
        n.contains("Vendor sync has no profile here") && n.contains("asked on its turn"),
        "{n}"
    );
    keys(&mut s, &[Key::Char(' ')]);
    assert!(s.audit.marked.is_empty(), "space again unmarks it");
    select(&mut s, "Fax gateway");
    keys(&mut s, &[Key::Char(' ')]);
    select(&mut s, "Archiver");
    keys(&mut s, &[Key::Char(' ')]);
    assert_eq!(s.audit.marked.len(), 2);
    assert!(s.error.is_none());
    assert!(notice(&s).starts_with("2 marked"), "{}", notice(&s));
    assert!(offers(&s, "M", "migrate marked"));
    for h in hints(&s) {
        assert!(crate::wizard::help::has_sentence(s.screen, h), "{h:?}");
    }
    // Space again unmarks.
    keys(&mut s, &[Key::Char(' ')]);
    assert_eq!(s.audit.marked.len(), 1);
}

#[test]
fn m_migrates_the_marked_apps_in_turn_each_after_y_and_sums_up() {
    let mut s = audited();
    select(&mut s, "Archiver");
    keys(&mut s, &[Key::Char(' ')]);
    select(&mut s, "Fax gateway");
    keys(&mut s, &[Key::Char(' ')]);
    // The audit's sign-in reads only: the migration signs in for itself.
    let fx = keys(&mut s, &[Key::Char('M')]);
    assert_signs_in(&fx, AdminPurpose::Migrate);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    let (first, what) = upkeep_of(&fx);
    assert_eq!(first, "archiver", "in the audit's order (riskiest first)");
    assert_eq!(what, Upkeep::Migrate { go: false });
    plan_read(&mut s, "archiver", what, "Migrate archiver.");
    let n = notice(&s);
    assert!(
        n.starts_with("Migration 1 of 2 from the audit: Migrate archiver."),
        "{n}"
    );
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert_eq!(upkeep_of(&fx).1, Upkeep::Migrate { go: true });
    // Done: the next plan is read at once with the same sign-in.
    let done = Ok("archiver is scoped by RBAC for Applications.".into());
    let fx = update(&mut s, Msg::Renewed(done));
    assert!(matches!(fx.first(), Some(Effect::LoadProfiles)), "{fx:?}");
    assert_eq!(upkeep_of(&fx), ("fax".into(), what));
    plan_read(&mut s, "fax", what, "Migrate fax.");
    assert!(notice(&s).starts_with("Migration 2 of 2"), "{}", notice(&s));
    // Any other key skips it; the queue is done: the summary.
    let fx = keys(&mut s, &[Key::Char('n')]);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(
        notice(&s),
        "Migrations from the audit: archiver: migrated; fax: skipped."
    );
    assert!(s.home.batch.is_none());
    // The dashboard's own m is no batch.
    keys(&mut s, &[Key::Char('m')]);
    assert!(s.home.batch.is_none());
}

#[test]
fn a_plan_that_cannot_be_made_goes_to_the_next_and_esc_skips_the_rest() {
    let mut s = audited();
    select(&mut s, "Archiver");
    keys(&mut s, &[Key::Char(' ')]);
    select(&mut s, "Fax gateway");
    keys(&mut s, &[Key::Char(' ')]);
    keys(&mut s, &[Key::Char('M')]);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    let first = profile(&s, &upkeep_of(&fx).0);
    let refused = diagnosis(
        "Profile archiver cannot be migrated: a DenyAccess policy.",
        "Run migrate with --mailboxes.",
    );
    let fx = update(
        &mut s,
        Msg::UpkeepPlan(Box::new(first), Upkeep::Migrate { go: false }, Err(refused)),
    );
    let what = Upkeep::Migrate { go: false };
    assert_eq!(upkeep_of(&fx), ("fax".into(), what), "the next one at once");
    assert!(s.error.as_deref().unwrap().contains("DenyAccess"));
    plan_read(&mut s, "fax", what, "Migrate fax.");
    keys(&mut s, &[Key::Esc]);
    let n = notice(&s);
    assert!(
        n.contains("archiver: refused: Profile archiver cannot be migrated")
            && n.contains("fax: skipped"),
        "{n}"
    );
    assert!(s.home.batch.is_none());
}

const VENDOR: &str = "b0000000-0000-4000-8000-000000000009";

/// The hints of the screen, each with its help sentence.
fn every_hint_has_help(s: &State) {
    for h in hints(s) {
        assert!(crate::wizard::help::has_sentence(s.screen, h), "{h:?}");
    }
}

#[test]
fn an_app_with_no_profile_has_its_secret_asked_masked_and_esc_skips_it() {
    let mut s = audited();
    select(&mut s, "Archiver");
    keys(&mut s, &[Key::Char(' ')]);
    select(&mut s, "Vendor sync");
    keys(&mut s, &[Key::Char(' ')]);
    keys(&mut s, &[Key::Char('M')]);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    let what = upkeep_of(&fx).1;
    assert_eq!(upkeep_of(&fx).0, "archiver");
    plan_read(&mut s, "archiver", what, "Migrate archiver.");
    keys(&mut s, &[Key::Char('y')]);
    let fx = update(&mut s, Msg::Renewed(Ok("archiver is scoped.".into())));
    // Vendor sync's turn: no sign-in, no migration yet; its form on the audit screen.
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Upkeep(..) | Effect::StartSignIn { .. })),
        "{fx:?}"
    );
    assert_eq!(s.screen, Screen::Audit);
    let n = notice(&s);
    assert!(
        n.starts_with("Migration 2 of 2 from the audit: Vendor sync has no profile here"),
        "{n}"
    );
    let u = s.audit.unsaved.as_ref().expect("the secret is asked");
    assert_eq!((u.field, u.client_id.to_string()), (0, VENDOR.to_string()));
    assert!(u.secret.masked);
    for k in ["type", "tab", "enter", "esc"] {
        assert!(hint_keys(&s).contains(&k), "{k}: {:?}", hint_keys(&s));
    }
    every_hint_has_help(&s);
    // An empty secret is named, and the field keeps the cursor.
    keys(&mut s, &[Key::Enter]);
    assert!(
        error(&s).starts_with("The secret is empty"),
        "{}",
        error(&s)
    );
    assert!(error(&s).contains("Vendor sync"), "{}", error(&s));
    assert_eq!(s.audit.unsaved.as_ref().unwrap().field, 0);
    typed_keys(&mut s, "s3cr3t-value");
    let u = s.audit.unsaved.as_ref().unwrap();
    assert!(!u.secret.display().contains("s3cr3t"), "shown only as dots");
    assert!(!format!("{u:?}").contains("s3cr3t"), "nor in a debug print");
    // Esc skips the app: the queue is done, its secret gone with the form.
    let fx = keys(&mut s, &[Key::Esc]);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.audit.unsaved.is_none());
    assert_eq!(
        notice(&s),
        "Migrations from the audit: archiver: migrated; Vendor sync: skipped."
    );
    assert!(s.home.batch.is_none());
}

#[test]
fn an_app_with_no_profile_is_migrated_with_the_secret_and_mailboxes_typed() {
    let mut s = audited();
    select(&mut s, "Vendor sync");
    keys(&mut s, &[Key::Char(' ')]);
    let fx = keys(&mut s, &[Key::Char('M')]);
    assert!(fx.is_empty(), "asked before any sign-in: {fx:?}");
    typed_keys(&mut s, "s3cr3t-value-of-forty-characters-0000000");
    keys(&mut s, &[Key::Enter]);
    assert!(s.error.is_none(), "{:?}", s.error);
    typed(&mut s, "alice@contoso.com, bob@contoso.com");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "not a mailbox");
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(fx.is_empty(), "{fx:?}");
    let u = s.audit.unsaved.as_ref().expect("kept for correction");
    assert_eq!((u.field, u.deny.text()), (2, "not a mailbox"));
    assert!(
        error(&s).starts_with("Mailbox it must not reach"),
        "{}",
        error(&s)
    );
    keys(&mut s, &[Key::Backspace; 13]);
    typed(&mut s, "ceo@contoso.com");
    let fx = keys(&mut s, &[Key::Enter]);
    let [
        Effect::HoldUnsaved {
            app,
            like,
            client_id,
            mailboxes,
            deny,
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(app, "Vendor sync");
    assert_eq!(client_id.to_string(), VENDOR);
    assert_eq!(like.tenant, "contoso.com", "in the audited tenant");
    assert_eq!(mailboxes.len(), 2);
    assert_eq!(deny.to_string(), "ceo@contoso.com");
    assert!(
        !format!("{fx:?}").contains("s3cr3t"),
        "the secret never printed"
    );
    assert!(s.audit.unsaved.is_none(), "the typed secret is dropped");
    // Held: its migration signs in and reads the plan, as for a profile's.
    let mut p = like.as_ref().clone();
    p.name = crate::model::ProfileName::parse(VENDOR).unwrap();
    p.client_id = *client_id;
    let fx = update(&mut s, Msg::UnsavedHeld(app.clone(), Ok(Box::new(p))));
    assert_signs_in(&fx, AdminPurpose::Migrate);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert_eq!(
        upkeep_of(&fx),
        (VENDOR.into(), Upkeep::Migrate { go: false })
    );
    // Its plan skipped: the secret held for it is dropped all the same.
    let held = Box::new(s.sign_in.renewing.clone().unwrap());
    let what = Upkeep::Migrate { go: false };
    update(
        &mut s,
        Msg::UpkeepPlan(held, what, Ok("Migrate it.".into())),
    );
    let fx = keys(&mut s, &[Key::Char('n')]);
    assert!(
        matches!(fx.as_slice(), [Effect::DropHeldSecret(n)] if n.as_str() == VENDOR),
        "{fx:?}"
    );
    assert!(
        notice(&s).ends_with(&format!("{VENDOR}: skipped.")),
        "{}",
        notice(&s)
    );
}

/// Vendor sync alone marked, its secret and mailboxes typed and held: its migration's
/// administrator sign-in under way.
fn held_at_sign_in() -> State {
    let mut s = audited();
    select(&mut s, "Vendor sync");
    keys(&mut s, &[Key::Char(' '), Key::Char('M')]);
    typed_keys(&mut s, "s3cr3t-value-of-forty-characters-0000000");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "alice@contoso.com");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "ceo@contoso.com");
    let fx = keys(&mut s, &[Key::Enter]);
    let [Effect::HoldUnsaved { app, like, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let mut p = like.as_ref().clone();
    p.name = crate::model::ProfileName::parse(VENDOR).unwrap();
    let fx = update(&mut s, Msg::UnsavedHeld(app.clone(), Ok(Box::new(p))));
    assert_signs_in(&fx, AdminPurpose::Migrate);
    assert_eq!(s.screen, Screen::SignIn);
    s
}

/// Whether the effects drop the secret held for Vendor sync.
fn drops_held(fx: &[Effect]) -> bool {
    fx.iter()
        .any(|e| matches!(e, Effect::DropHeldSecret(n) if n.as_str() == VENDOR))
}

#[test]
fn esc_on_the_sign_in_of_an_app_with_no_profile_drops_its_held_secret() {
    let code = crate::wizard::CodeView {
        user_code: "ABCD-EFGH".into(),
        uri: "https://microsoft.com/devicelogin".into(),
        expires_in: 900,
    };
    let declined = diagnosis("The sign-in was declined.", "Approve it.");
    let expired = diagnosis("The code expired before it was entered.", "Be quicker.");
    let browser = crate::wizard::BrowserView {
        url: "https://login.microsoftonline.com/authorize".into(),
        not_opened: None,
    };
    let ways = [
        ("waiting for the code", None),
        ("a code shown", Some(Msg::DeviceCode(Ok(code)))),
        (
            "no code",
            Some(Msg::DeviceCode(Err("Entra is down.".into()))),
        ),
        ("declined", Some(Msg::SignedIn(Err(declined)))),
        ("code expired", Some(Msg::SignedIn(Err(expired)))),
        ("in the browser", Some(Msg::BrowserSignIn(browser))),
    ];
    for (how, msg) in ways {
        let mut s = held_at_sign_in();
        if let Some(msg) = msg {
            let fx = update(&mut s, msg);
            assert!(!drops_held(&fx), "{how}: {fx:?}");
        }
        let fx = keys(&mut s, &[Key::Esc]);
        assert_eq!(fx.first(), Some(&Effect::CancelSignIn), "{how}");
        assert!(drops_held(&fx), "{how}: {fx:?}");
        assert_eq!(fx.len(), 2, "{how}: {fx:?}");
        assert!(s.home.batch.is_none(), "{how}");
        assert_eq!(s.screen, Screen::Home, "{how}");
    }
}

#[test]
fn a_new_code_after_a_failed_sign_in_keeps_the_held_secret_for_the_migration() {
    let mut s = held_at_sign_in();
    let declined = diagnosis("The sign-in was declined.", "Approve it.");
    update(&mut s, Msg::SignedIn(Err(declined)));
    let fx = keys(&mut s, &[Key::Char('n')]);
    assert_signs_in(&fx, AdminPurpose::Migrate);
    let held = s.home.batch.as_ref().and_then(|b| b.held.as_ref());
    assert_eq!(held.map(|n| n.as_str()), Some(VENDOR));
}

#[test]
fn leaving_the_wizard_during_that_sign_in_drops_the_held_secret_first() {
    for (how, msg) in [
        ("q", Msg::Key(Key::Char('q'))),
        ("ctrl-c", Msg::Key(Key::Interrupt)),
        ("SIGTERM", Msg::Terminate),
    ] {
        let mut s = held_at_sign_in();
        let fx = update(&mut s, msg);
        let dropped = fx
            .iter()
            .position(|e| matches!(e, Effect::DropHeldSecret(_)));
        let quit = fx.iter().position(|e| matches!(e, Effect::Quit));
        assert!(drops_held(&fx), "{how}: {fx:?}");
        assert!(dropped < quit, "{how}: {fx:?}");
    }
}

#[test]
fn a_refused_plan_esc_on_the_plan_or_a_migration_that_ends_drops_the_held_secret() {
    let what = Upkeep::Migrate { go: false };
    let signed_in = |s: &mut State| {
        let fx = update(s, Msg::SignedIn(Ok(admin(None))));
        assert_eq!(upkeep_of(&fx), (VENDOR.into(), what));
        Box::new(s.sign_in.renewing.clone().unwrap())
    };
    // Refused: no plan to confirm.
    let mut s = held_at_sign_in();
    let p = signed_in(&mut s);
    let refused = diagnosis("It has a DenyAccess policy.", "Name its mailboxes.");
    let fx = update(&mut s, Msg::UpkeepPlan(p, what, Err(refused)));
    assert!(drops_held(&fx), "{fx:?}");
    assert!(s.home.batch.is_none());
    // Esc on its plan.
    let mut s = held_at_sign_in();
    let p = signed_in(&mut s);
    update(&mut s, Msg::UpkeepPlan(p, what, Ok("Migrate it.".into())));
    let fx = keys(&mut s, &[Key::Esc]);
    assert!(drops_held(&fx), "{fx:?}");
    assert!(s.home.batch.is_none());
    // Carried out, whether it stopped or finished.
    let stopped = Err(diagnosis("Exchange refused.", "Resume it."));
    for result in [stopped, Ok("Vendor sync is scoped.".into())] {
        let mut s = held_at_sign_in();
        let p = signed_in(&mut s);
        update(&mut s, Msg::UpkeepPlan(p, what, Ok("Migrate it.".into())));
        let fx = keys(&mut s, &[Key::Char('y')]);
        assert_eq!(upkeep_of(&fx).1, Upkeep::Migrate { go: true });
        let fx = update(&mut s, Msg::Renewed(result));
        assert!(drops_held(&fx), "{fx:?}");
        assert!(s.home.batch.is_none());
    }
}
