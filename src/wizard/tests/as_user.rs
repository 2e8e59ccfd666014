//! `u`: the delegated part checked as a mailbox user, from the dashboard and the checks
//! screen: the form, its mistakes, the password flow's password, the user's device code and
//! esc stopping the run.

use super::*;
use crate::model::{ConsumerSignIn, DelegatedPart, Mailbox};
use crate::wizard::{CodeView, UserCheck};

const ALICE: &str = "alice@contoso.com";
const PASSWORD: &str = "Sandbox-Mailbox-1";

fn delegated_row(name: &str) -> ProfileRow {
    let mut r = row(name, "contoso.com", None);
    r.profile.access = vec![AccessChoice::Delegated];
    r.profile.mailboxes = Vec::new();
    r.profile.delegated = Some(DelegatedPart {
        sign_in: ConsumerSignIn::DeviceCode,
        openid: false,
        users: Mailbox::parse_list("alice@contoso.com, bob@contoso.com").unwrap(),
        shared: Mailbox::parse_list("helpdesk@contoso.com").unwrap(),
    });
    r
}

/// The dashboard with a delegated profile, esm, and `u` pressed on it.
fn form_open() -> State {
    let mut s = home_with(vec![delegated_row("esm")]);
    assert!(offers(&s, "u", "check as a mailbox user"));
    assert!(keys(&mut s, &[Key::Char('u')]).is_empty());
    assert_eq!(s.screen, Screen::AsUser);
    s
}

fn every_hint_has_a_sentence(s: &State) {
    for h in hints(s) {
        assert!(
            crate::wizard::help::has_sentence(s.screen, h),
            "{:?}: {h:?} has a help line",
            s.screen
        );
    }
}

/// The run the effects start: its user check.
fn started(fx: &[Effect]) -> &UserCheck {
    match fx {
        [
            Effect::RunChecks {
                as_user: Some(c), ..
            },
        ] => c,
        other => panic!("no run as a user: {other:?}"),
    }
}

fn ids(s: &State) -> Vec<String> {
    s.checks.rows.iter().map(|r| r.id.clone()).collect()
}

#[test]
fn the_form_names_the_first_user_and_keeps_a_mistyped_one_with_a_precise_message() {
    let mut s = form_open();
    assert_eq!(s.checks.as_user.user.text(), ALICE);
    assert!(!s.checks.as_user.password_flow, "device code by default");
    every_hint_has_a_sentence(&s);
    // q is text here: it goes into the field rather than quitting.
    keys(&mut s, &[Key::End, Key::Backspace]);
    keys(&mut s, &[Key::Char('q')]);
    assert!(!s.quit);
    for _ in 0.."alice@contoso.coq".len() {
        keys(&mut s, &[Key::Backspace]);
    }
    typed(&mut s, "alice at contoso");
    assert!(keys(&mut s, &[Key::Enter]).is_empty());
    assert!(
        error(&s).contains("\"alice at contoso\" is not a mailbox address"),
        "{}",
        error(&s)
    );
    assert_eq!(s.checks.as_user.user.text(), "alice at contoso", "kept");
    assert_eq!(s.screen, Screen::AsUser);
    for _ in 0.."alice at contoso".len() {
        keys(&mut s, &[Key::Backspace]);
    }
    typed(&mut s, "Bob@Contoso.com");
    let fx = keys(&mut s, &[Key::Enter]);
    let check = started(&fx);
    assert_eq!(check.user.as_str(), "bob@contoso.com");
    assert!(check.password.is_none(), "a device code");
    assert_eq!(s.screen, Screen::Checks);
    assert!(s.checks.running);
    let ids = ids(&s);
    assert!(
        ids.contains(&"token:user:bob@contoso.com".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"delegated-imap:helpdesk@contoso.com:as:bob@contoso.com".to_string()),
        "the shared mailbox too: {ids:?}"
    );
    assert!(ids.contains(&"refresh:bob@contoso.com".to_string()));
}

#[test]
fn the_users_code_shows_until_the_user_signed_in_and_the_sandbox_approves_it_as_the_user() {
    let mut s = form_open();
    s.sandbox = Some(crate::wizard::SandboxView {
        tenant_domain: "contoso.example".into(),
        endpoints: crate::model::Endpoints::named(CloudKind::Global).unwrap(),
        apps: vec![],
        mailboxes: vec![],
    });
    keys(&mut s, &[Key::Enter]);
    assert!(
        offers(&s, "esc", "cancel the check"),
        "{:?}",
        hint_actions(&s)
    );
    assert!(
        !offers(&s, "u", "check as a mailbox user"),
        "not while running"
    );
    let code = CodeView {
        user_code: "USERCODE1".into(),
        uri: "https://microsoft.com/devicelogin".into(),
        expires_in: 900,
    };
    update(&mut s, Msg::UserCode(code));
    assert!(offers(&s, "a", "approve as the user (sandbox)"));
    every_hint_has_a_sentence(&s);
    assert_eq!(
        keys(&mut s, &[Key::Char('a')]),
        [Effect::SandboxApproveAs {
            code: "USERCODE1".into(),
            user: ALICE.into(),
        }]
    );
    let token = ids(&s)
        .iter()
        .position(|i| i == "token:user:alice@contoso.com")
        .unwrap();
    update(&mut s, Msg::CheckEvent(token, CheckEvent::Started));
    assert!(s.checks.user_run.as_ref().unwrap().code.is_some());
    update(
        &mut s,
        Msg::CheckEvent(
            token,
            CheckEvent::Passed {
                detail: "alice@contoso.com signed in".into(),
                elapsed: std::time::Duration::from_millis(5),
            },
        ),
    );
    assert!(
        s.checks.user_run.as_ref().unwrap().code.is_none(),
        "signed in: the code goes"
    );
    assert!(!offers(&s, "a", "approve as the user (sandbox)"));
    update(&mut s, Msg::ChecksDone);
    assert!(s.checks.waiting.is_none());
    assert!(offers(&s, "u", "check as a mailbox user") && offers(&s, "esc", "home"));
    every_hint_has_a_sentence(&s);
    // u again from the checks screen: the form, and esc back to the checks.
    keys(&mut s, &[Key::Char('u')]);
    assert_eq!(s.screen, Screen::AsUser);
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Checks);
}

#[test]
fn the_password_flow_takes_a_masked_password_and_forgets_it_once_the_run_starts() {
    let mut s = form_open();
    keys(&mut s, &[Key::Tab]);
    assert!(offers(&s, "←→", "how the user signs in"));
    every_hint_has_a_sentence(&s);
    keys(&mut s, &[Key::Right]);
    assert!(s.checks.as_user.password_flow);
    keys(&mut s, &[Key::Tab]);
    assert_eq!(s.checks.as_user.field, 2);
    assert!(s.checks.as_user.password.masked);
    // Enter without a password: the message says what is missing, the user stays.
    keys(&mut s, &[Key::Enter]);
    assert!(error(&s).contains("password"), "{}", error(&s));
    assert_eq!(s.screen, Screen::AsUser);
    assert_eq!(s.checks.as_user.user.text(), ALICE);
    typed(&mut s, PASSWORD);
    assert!(!s.checks.as_user.password.display().contains("Sandbox"));
    assert!(!format!("{:?}", s.checks.as_user).contains(PASSWORD));
    let fx = keys(&mut s, &[Key::Enter]);
    let check = started(&fx);
    assert_eq!(
        check.password.as_ref().map(|p| p.0.expose()),
        Some(PASSWORD)
    );
    assert!(
        !format!("{fx:?}").contains(PASSWORD),
        "never in a Debug print"
    );
    assert!(
        s.checks.as_user.password.text().is_empty(),
        "gone from the form"
    );
    assert!(s.checks.user_run.as_ref().unwrap().password_flow);
}

#[test]
fn esc_leaving_the_form_forgets_the_password_and_goes_back_where_it_came_from() {
    let mut s = form_open();
    keys(&mut s, &[Key::Tab, Key::Right, Key::Tab]);
    typed(&mut s, PASSWORD);
    assert_eq!(keys(&mut s, &[Key::Esc]), [Effect::LoadProfiles]);
    assert_eq!(s.screen, Screen::Home);
    assert!(s.checks.as_user.password.text().is_empty());
}

#[test]
fn esc_while_the_user_signs_in_stops_the_run_and_records_nothing() {
    let mut s = form_open();
    keys(&mut s, &[Key::Enter]);
    assert_eq!(keys(&mut s, &[Key::Esc]), [Effect::CancelChecks]);
    assert_eq!(s.screen, Screen::Checks, "the rows stay to be read");
    assert!(!s.checks.running);
    assert!(
        s.checks
            .rows
            .iter()
            .all(|r| r.status == crate::model::Status::Skipped),
        "none is left waiting"
    );
    assert!(notice(&s).contains("cancelled"), "{}", notice(&s));
    // What the stopped run had sent already changes nothing.
    update(&mut s, Msg::CheckEvent(0, CheckEvent::Started));
    assert_eq!(s.checks.rows[0].status, crate::model::Status::Skipped);
    assert_eq!(keys(&mut s, &[Key::Esc]), [Effect::LoadProfiles]);
    assert_eq!(s.screen, Screen::Home);
}

#[test]
fn a_profile_without_a_delegated_part_offers_no_user_check() {
    let mut s = home_with_fax();
    assert!(!offers(&s, "u", "check as a mailbox user"));
    assert!(keys(&mut s, &[Key::Char('u')]).is_empty());
    assert_eq!(s.screen, Screen::Home);
    assert!(error(&s).contains("no delegated part"), "{}", error(&s));
    // Its checks screen offers none either; a plain re-run runs no user.
    keys(&mut s, &[Key::Esc]);
    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(
        fx.as_slice(),
        [Effect::RunChecks { as_user: None, .. }]
    ));
    update(&mut s, Msg::ChecksDone);
    assert!(!offers(&s, "u", "check as a mailbox user"));
}
