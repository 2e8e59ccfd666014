//! The delegated style's step of a setup: asked only with that style, its flow, redirect URI,
//! users and shared mailboxes checked, and carried into the setup's order and a draft.

use super::*;
use crate::model::ConsumerSignIn;

/// A setup at the access step with only the delegated style ticked (Graph read unticked).
fn delegated_only() -> State {
    let (mut s, _) = tenant_answered('n', "contoso.com");
    resolved(&mut s, CloudKind::Global);
    assert_eq!(s.screen, Screen::Form(Step::Access));
    keys(&mut s, &[Key::Char(' ')]);
    let last = AccessChoice::ALL.len() - 1;
    keys(&mut s, &vec![Key::Down; last]);
    keys(&mut s, &[Key::Char(' ')]);
    assert_eq!(s.form.access, [AccessChoice::Delegated]);
    s
}

#[test]
fn the_delegated_style_alone_asks_its_users_instead_of_mailboxes_and_scope() {
    let mut s = delegated_only();
    keys(&mut s, &[Key::Enter]);
    assert_eq!(
        s.screen,
        Screen::Form(Step::Delegated),
        "no mailboxes, no scope"
    );
    assert!(offers(&s, "←→", "sign-in flow") && offers(&s, "o", "ask openid too"));
    for h in hints(&s) {
        assert!(
            crate::wizard::help::has_sentence(s.screen, h),
            "{h:?} has a help line"
        );
    }
    keys(&mut s, &[Key::Enter]);
    assert!(
        error(&s).contains("at least one mailbox user"),
        "{}",
        error(&s)
    );
    keys(&mut s, &[Key::Tab]);
    assert_eq!(
        s.form.delegated_field, 2,
        "device code has no redirect URI field"
    );
    answer(&mut s, "alice@contoso.com, bob@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Form(Step::Delegated));
    keys(&mut s, &[Key::Esc]);
    assert_eq!(
        s.screen,
        Screen::Form(Step::Access),
        "back past the steps not asked"
    );
}

#[test]
fn the_authorization_code_flow_needs_a_redirect_uri_that_entra_accepts() {
    let mut s = delegated_only();
    keys(&mut s, &[Key::Enter, Key::Right]);
    assert_eq!(s.form.sign_in_key(), "authorization-code");
    keys(&mut s, &[Key::Tab]);
    assert_eq!(
        s.form.delegated_field, 1,
        "the redirect URI field comes next"
    );
    typed(&mut s, "http://esm.contoso.com/oauth");
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "alice@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::Delegated));
    assert!(error(&s).contains("plain http"), "{}", error(&s));
    s.form.redirect_uri.clear();
    keys(&mut s, &[Key::BackTab]);
    assert_eq!(s.form.delegated_field, 1);
    typed(&mut s, "https://esm.contoso.com/oauth");
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
}

#[test]
fn a_shared_mailbox_that_is_a_user_and_a_bad_address_are_refused() {
    let mut s = delegated_only();
    keys(&mut s, &[Key::Enter, Key::Tab]);
    typed(&mut s, "alice@contoso.com");
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "alice@contoso.com");
    assert!(
        error(&s).contains("a user and a shared mailbox"),
        "{}",
        error(&s)
    );
    s.form.shared.clear();
    answer(&mut s, "not-an-address");
    assert!(error(&s).starts_with("Shared mailboxes:"), "{}", error(&s));
    assert_eq!(s.screen, Screen::Form(Step::Delegated));
}

#[test]
fn the_order_carries_the_delegated_part_and_no_app_only_mailbox() {
    let mut s = delegated_only();
    keys(
        &mut s,
        &[Key::Enter, Key::Right, Key::Right, Key::Char('o')],
    );
    assert_eq!(s.form.sign_in_key(), "password");
    assert!(offers(&s, "o", "leave openid out"));
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "alice@contoso.com");
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "carol@contoso.com");
    let draft = s.form.draft();
    assert_eq!(
        (
            draft.sign_in.as_str(),
            draft.openid,
            draft.shared_mailboxes.as_str()
        ),
        ("password", true, "carol@contoso.com")
    );
    assert_eq!(Form::from_draft(&draft).sign_in_key(), "password");
    keys(&mut s, &[Key::Enter]);
    answer(&mut s, "esm");
    let order = s.setup.order.as_ref().expect("the setup's order");
    assert!(
        order.mailboxes.is_empty(),
        "the users are not app-only mailboxes"
    );
    let part = order.answers.delegated.as_ref().unwrap();
    assert_eq!(part.sign_in, ConsumerSignIn::Password);
    assert!(part.openid);
    assert_eq!(part.users[0].as_str(), "alice@contoso.com");
    assert_eq!(part.shared[0].as_str(), "carol@contoso.com");
    assert!(s.setup.plan.iter().any(
        |p| p.kind == StepKind::Exchange && p.powershell.contains("-User 'alice@contoso.com'")
    ));
}

#[test]
fn a_hybrid_setup_asks_both_and_keeps_a_mailbox_to_one_style() {
    let (mut s, _) = tenant_answered('n', "contoso.com");
    resolved(&mut s, CloudKind::Global);
    let last = AccessChoice::ALL.len() - 1;
    keys(&mut s, &vec![Key::Down; last]);
    keys(&mut s, &[Key::Char(' '), Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Mailboxes));
    answer(&mut s, "alice@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::Scope));
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Delegated));
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "alice@contoso.com");
    assert!(
        error(&s).contains("also an app-only mailbox"),
        "{}",
        error(&s)
    );
    s.form.delegated_users.clear();
    answer(&mut s, "bob@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
}

/// Answers a delegated-only setup, with `p` pressed on the delegated step when `script`:
/// alice signs in, carol is shared.
fn delegated_order(s: &mut State, script: bool) -> crate::plan::SetupAnswers {
    keys(s, &[Key::Enter]);
    assert!(offers(s, "p", "Exchange part as a script"));
    if script {
        keys(s, &[Key::Char('p')]);
        assert!(offers(s, "p", "do the Exchange part for me"));
    }
    keys(s, &[Key::Tab]);
    typed(s, "alice@contoso.com");
    keys(s, &[Key::Tab]);
    answer(s, "carol@contoso.com");
    keys(s, &[Key::Enter]);
    answer(s, "esm");
    let order = s.setup.order.as_ref().expect("the setup's order");
    order.answers.clone()
}

/// The script holds no undefined variable and one command a line.
fn well_formed(script: &str) -> bool {
    crate::plan::undefined_variables(script).is_empty()
        && crate::plan::crowded_lines(script).is_empty()
}

const ALLOW_ALICE: &str =
    "Set-CASMailbox -Identity 'alice@contoso.com' -SmtpClientAuthenticationDisabled $false";

#[test]
fn p_on_the_delegated_step_writes_the_users_exchange_steps_as_a_script() {
    let mut s = delegated_only();
    let a = delegated_order(&mut s, true);
    assert!(a.delegated_script && a.exchange_script());
    let script = a
        .written_script(None, "contoso.com")
        .expect("the script the setup writes");
    for line in [
        "Connect-ExchangeOnline -Organization 'contoso.com'",
        "Add-MailboxPermission -Identity 'carol@contoso.com' -User 'alice@contoso.com' -AccessRights 'FullAccess'",
        ALLOW_ALICE,
        "Set-CASMailbox -Identity 'carol@contoso.com' -SmtpClientAuthenticationDisabled $false",
    ] {
        assert!(script.contains(line), "{line} in\n{script}");
    }
    assert!(
        !script.contains("Set-TransportConfig") && well_formed(&script),
        "{script}"
    );
    s.screen = Screen::Progress;
    s.setup.running = true;
    let profile = row("esm", "contoso.com", None).profile;
    let fx = update(&mut s, Msg::SetupDone(Ok(Box::new(profile))));
    assert!(
        matches!(fx.as_slice(), [Effect::ClearDraft]),
        "no checks before the script has run: {fx:?}"
    );
    assert!(notice(&s).contains("run it in PowerShell as an Exchange administrator"));
}

#[test]
fn without_p_the_delegated_steps_are_made_and_no_script_is_written() {
    let mut s = delegated_only();
    let a = delegated_order(&mut s, false);
    assert!(!a.delegated_script && a.delegated_steps_made());
    assert_eq!(a.written_script(None, "contoso.com"), None);
    assert!(
        s.setup
            .plan
            .iter()
            .any(|p| p.kind == StepKind::Exchange && p.powershell == ALLOW_ALICE)
    );
}

#[test]
fn a_hybrid_script_holds_the_scope_and_the_delegated_users_steps() {
    let (mut s, _) = tenant_answered('n', "contoso.com");
    resolved(&mut s, CloudKind::Global);
    keys(&mut s, &vec![Key::Down; AccessChoice::ALL.len() - 1]);
    keys(&mut s, &[Key::Char(' '), Key::Enter]);
    answer(&mut s, "bob@contoso.com");
    keys(&mut s, &[Key::Char('p'), Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Delegated));
    let one_choice = offers(&s, "p", "do the Exchange part for me");
    assert!(one_choice, "one choice for both parts");
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "alice@contoso.com");
    keys(&mut s, &[Key::Enter]);
    answer(&mut s, "hybrid");
    let a = s.setup.order.as_ref().unwrap().answers.clone();
    let spec = a.scope.as_ref().expect("the scope");
    assert!(spec.script_only && a.delegated_script);
    let input = spec.input_or_variables(&a.access, &a.app_name, None, None);
    let script = a.written_script(Some(&input), "contoso.com").unwrap();
    let delegated = script
        .find("# The delegated style")
        .expect("the delegated part follows the scope's");
    assert!(script[..delegated].contains("Get-Mailbox"), "{script}");
    assert!(script[delegated..].contains(ALLOW_ALICE), "{script}");
    assert!(well_formed(&script), "{script}");
}
