//! Drafts on every way out, resuming into the same journey and step, the administrator's
//! sign-in kept over esc, and the choice after an app-name clash.

use super::*;

/// A setup answered up to the scope step with every setup answer changed from its default:
/// a named group, the access-policy scope, an app name and an 18-month secret.
fn setup_with_answers() -> State {
    let mut s = at_scope_step();
    keys(&mut s, &[Key::Down, Key::Tab]);
    typed(&mut s, "helpdesk-group");
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
    typed(&mut s, "Helpdesk mail reader");
    keys(&mut s, &[Key::Tab, Key::Right, Key::Right, Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Name));
    typed(&mut s, "fax");
    s
}

/// The same, signed in and on the plan.
fn on_the_plan() -> State {
    let mut s = setup_with_answers();
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(fx.as_slice(), [Effect::StartSignIn { .. }]));
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert_eq!(s.screen, Screen::Plan);
    s
}

/// The guided path from the plan, at its secret step (the client ID looked up as signed in).
fn guided_to_the_secret(s: &mut State) {
    keys(s, &[Key::Char('g')]);
    answer_both(s, CLIENT_ID, &tenant().to_string());
    let at = s.setup.guide;
    let read = GuideVerdict {
        status: StepStatus::Done("registered".into()),
        sp_object_id: None,
    };
    update(s, Msg::GuideChecked(at, read));
    assert_eq!(guide_step(s), StepKind::AddSecret);
}

/// The draft the effects save, if one.
fn saved_draft(fx: &[Effect]) -> Option<Draft> {
    fx.iter().find_map(|e| match e {
        Effect::SaveDraft(d) => Some((**d).clone()),
        _ => None,
    })
}

/// Leaves by `msg` and returns the draft kept; the wizard must quit.
fn leave(mut s: State, msg: Msg) -> Draft {
    let fx = update(&mut s, msg);
    assert!(s.quit);
    assert_eq!(fx.last(), Some(&Effect::Quit));
    saved_draft(&fx).expect("a draft is kept")
}

fn assert_setup_answers(d: &Draft, at: &str) {
    assert_eq!(d.journey, "setup");
    assert_eq!(d.at, at);
    assert_eq!(d.scope, "restrict-policy");
    assert_eq!(d.group, "helpdesk-group");
    assert_eq!(d.app_name, "Helpdesk mail reader");
    assert_eq!(d.secret_months, 18);
    assert_eq!(d.tenant_id, tenant().to_string());
    assert_eq!(d.mailboxes, "alice@contoso.com");
    assert_eq!(d.name, "fax");
}

#[test]
fn every_way_out_of_every_setup_screen_keeps_every_answer() {
    let ways: [fn() -> Msg; 2] = [|| Msg::Key(Key::Interrupt), || Msg::Terminate];
    for msg in ways {
        assert_setup_answers(&leave(setup_with_answers(), msg()), "name");

        let mut s = setup_with_answers();
        keys(&mut s, &[Key::Enter]);
        assert_eq!(s.screen, Screen::SignIn);
        let mut fx = update(&mut s, msg());
        assert_eq!(
            fx.remove(0),
            Effect::CancelSignIn,
            "the sign-in is cancelled"
        );
        assert_setup_answers(&saved_draft(&fx).unwrap(), "sign-in");

        assert_setup_answers(&leave(on_the_plan(), msg()), "plan");

        let mut s = on_the_plan();
        keys(&mut s, &[Key::Enter]);
        assert_eq!(s.screen, Screen::Progress);
        assert_setup_answers(&leave(s, msg()), "progress");

        let mut s = on_the_plan();
        guided_to_the_secret(&mut s);
        let d = leave(s, msg());
        assert_eq!(d.journey, "guided");
        assert_eq!(d.at, "guide");
        assert_eq!(d.client_id, CLIENT_ID);
        assert_eq!(d.guide_tenant, tenant().to_string());
    }
}

#[test]
fn q_after_a_failed_run_keeps_the_draft_and_a_run_writes_it_first() {
    let mut s = on_the_plan();
    let fx = keys(&mut s, &[Key::Enter]);
    assert_setup_answers(&saved_draft(&fx).unwrap(), "progress");
    assert!(matches!(fx.last(), Some(Effect::RunSetup(_))));
    update(
        &mut s,
        Msg::SetupDone(Err(diagnosis("Graph is unavailable.", "Try later."))),
    );
    let fx = keys(&mut s, &[Key::Char('q')]);
    assert_setup_answers(&saved_draft(&fx).unwrap(), "progress");
    assert_eq!(fx.last(), Some(&Effect::Quit));
}

#[test]
fn the_secret_never_reaches_a_draft_of_any_journey() {
    let mut s = at_secret_step();
    typed(&mut s, SECRET);
    let d = leave(s, Msg::Terminate);
    assert_eq!((d.journey.as_str(), d.at.as_str()), ("check", "secret"));
    assert!(!toml::to_string(&d).unwrap().contains("abcdefghij"));

    let mut s = on_the_plan();
    guided_to_the_secret(&mut s);
    typed(&mut s, SECRET);
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "5/26/2027");
    let d = leave(s, Msg::Key(Key::Interrupt));
    assert!(!toml::to_string(&d).unwrap().contains("abcdefghij"));
    assert_eq!(d.guide_expires, "5/26/2027");
}

#[test]
fn nothing_to_keep_leaves_no_draft() {
    let mut s = home_with_fax();
    assert!(saved_draft(&update(&mut s, Msg::Terminate)).is_none());
    let mut s = at_secret_step();
    keys(&mut s, &[Key::Esc, Key::Esc]);
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Home);
    assert!(saved_draft(&update(&mut s, Msg::Key(Key::Interrupt))).is_none());
}

/// A new session that found `d` on disk, with `unfinished` from its setup's journal.
fn found(d: Draft, unfinished: Option<&str>) -> State {
    let mut s = home_with(vec![row("desk", "contoso.com", None)]);
    update(
        &mut s,
        Msg::DraftLoaded(Some(Box::new(d)), unfinished.map(String::from)),
    );
    s
}

#[test]
fn a_setup_draft_comes_back_in_the_same_journey_and_step() {
    let mut s = setup_with_answers();
    keys(&mut s, &[Key::Esc, Key::Esc]);
    assert_eq!(s.screen, Screen::Form(Step::Scope));
    let d = leave(s, Msg::Key(Key::Interrupt));

    let mut s = found(d, None);
    assert!(s.home.on_draft, "the draft's row has the cursor");
    assert!(
        s.home
            .draft_line()
            .unwrap()
            .contains("new setup \"fax\", left at Scope")
    );
    assert!(offers(&s, "enter", "resume draft"));
    assert_eq!(
        s.selected_profile(),
        None,
        "no profile is selected meanwhile"
    );
    assert!(keys(&mut s, &[Key::Enter]).is_empty());
    assert_eq!(s.screen, Screen::Form(Step::Scope));
    assert_eq!(s.form.journey, Journey::Setup);
    assert_eq!(s.form.scope(), crate::model::ScopeKind::RestrictPolicy);
    assert_eq!(s.form.group.text(), "helpdesk-group");
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
    keys(&mut s, &[Key::Enter]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(fx.as_slice(), [Effect::StartSignIn { .. }]),
        "no new tenant look-up: {fx:?}"
    );
    let order = s.setup.order.as_ref().unwrap();
    assert_eq!(order.answers.app_name, "Helpdesk mail reader");
    assert_eq!(order.answers.secret_months, 18);
    assert_eq!(order.name.as_str(), "fax");
}

#[test]
fn a_setup_left_on_the_plan_signs_in_again_and_shows_the_plan() {
    let d = leave(on_the_plan(), Msg::Key(Key::Interrupt));
    let mut s = found(d, None);
    let fx = keys(&mut s, &[Key::Char('d')]);
    assert_eq!(
        fx,
        [Effect::StartSignIn {
            cloud: CloudKind::Global,
            tenant_id: tenant(),
            purpose: AdminPurpose::Setup,
        }]
    );
    assert_eq!(s.screen, Screen::SignIn);
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert_eq!(s.screen, Screen::Plan);
    assert_eq!(
        s.setup.order.as_ref().unwrap().answers.app_name,
        "Helpdesk mail reader"
    );
    assert!(s.home.draft.is_none(), "taken");
}

#[test]
fn an_unfinished_setup_is_named_on_home_and_enter_carries_it_on() {
    let mut s = on_the_plan();
    keys(&mut s, &[Key::Enter]);
    let d = leave(s, Msg::Terminate);
    let mut s = found(d, Some("app registered, service principal"));
    let line = s.home.draft_line().unwrap();
    assert!(
        line.starts_with("Setup of \"fax\" unfinished — enter resumes"),
        "{line}"
    );
    assert!(line.contains("app registered, service principal"));
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(fx.as_slice(), [Effect::StartSignIn { .. }]));
    assert!(notice(&s).contains("nothing is made twice"));
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(fx.last(), Some(Effect::RunSetup(_))));
    // Finished, the draft is removed.
    let profile: Profile = row("fax", "contoso.com", None).profile;
    let fx = update(&mut s, Msg::SetupDone(Ok(Box::new(profile))));
    assert_eq!(fx[0], Effect::ClearDraft);
}

#[test]
fn a_check_draft_and_a_draft_of_an_older_version_come_back_as_checks() {
    let mut s = at_secret_step();
    answer(&mut s, SECRET);
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "alice@contoso.com");
    let d = leave(s, Msg::Key(Key::Interrupt));
    assert_eq!((d.journey.as_str(), d.at.as_str()), ("check", "mailboxes"));
    let mut s = found(d, None);
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Mailboxes));
    assert_eq!(s.form.journey, Journey::Check);
    assert_eq!(s.form.mailboxes.text(), "alice@contoso.com");
    assert_eq!(s.form.client_id.text(), CLIENT_ID);
    assert!(notice(&s).contains("paste it again"));

    let old: Draft = toml::from_str(
        "cloud = \"global\"\ntenant = \"contoso.com\"\nclient_id = \"\"\naccess = [\"imap\"]\nmailboxes = \"a@contoso.com\"\ndeny_mailbox = \"\"\nname = \"old\"\n",
    )
    .unwrap();
    let mut s = found(old, None);
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Tenant));
    assert_eq!(s.form.journey, Journey::Check);
    assert_eq!(s.form.tenant.text(), "contoso.com");
    assert_eq!(s.form.access, [AccessChoice::Imap]);
}

#[test]
fn the_guided_path_comes_back_at_its_step_or_at_the_secret_it_lost() {
    let mut s = on_the_plan();
    keys(&mut s, &[Key::Char('g')]);
    let d = leave(s, Msg::Key(Key::Interrupt));
    let mut s = found(d, None);
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Guide);
    assert_eq!(guide_step(&s), StepKind::CreateApp);

    let mut s = on_the_plan();
    guided_to_the_secret(&mut s);
    let at = s.setup.guide;
    answer_both(&mut s, SECRET, "5/26/2027");
    let signed_in = GuideVerdict {
        status: StepStatus::Done("signed in".into()),
        sp_object_id: None,
    };
    update(&mut s, Msg::GuideChecked(at, signed_in));
    assert_ne!(guide_step(&s), StepKind::AddSecret);
    let d = leave(s, Msg::Key(Key::Interrupt));
    let mut s = found(d, None);
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Guide);
    assert_eq!(
        guide_step(&s),
        StepKind::AddSecret,
        "the secret is asked again"
    );
    assert_eq!(s.form.guide_expires.text(), "5/26/2027");
    assert!(s.form.secret.text().is_empty());
    assert!(notice(&s).contains("paste it again"));
}

#[test]
fn a_draft_is_discarded_only_after_y() {
    let mut s = found(Draft::default(), None);
    keys(&mut s, &[Key::Down]);
    assert!(!s.home.on_draft);
    assert_eq!(s.selected_profile().unwrap().profile.name.as_str(), "desk");
    keys(&mut s, &[Key::Up]);
    assert!(s.home.on_draft);
    keys(&mut s, &[Key::Char('f')]);
    assert!(error(&s).contains("Discard the draft?"));
    assert!(keys(&mut s, &[Key::Char('n')]).is_empty());
    assert!(s.home.draft.is_some(), "kept");
    keys(&mut s, &[Key::Char('f')]);
    assert_eq!(keys(&mut s, &[Key::Char('y')]), [Effect::ClearDraft]);
    assert!(s.home.draft.is_none() && !s.home.on_draft);
}

#[test]
fn the_sign_in_survives_esc_until_it_expires() {
    let mut s = on_the_plan();
    assert!(keys(&mut s, &[Key::Esc]).is_empty(), "nothing is cancelled");
    assert_eq!(s.screen, Screen::Form(Step::Name));
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.form.app_field, 1, "the lifetime has the cursor");
    keys(&mut s, &[Key::Left, Key::Enter]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(fx.is_empty(), "no new code: {fx:?}");
    assert_eq!(s.screen, Screen::Plan);
    assert_eq!(s.setup.order.as_ref().unwrap().answers.secret_months, 12);
    assert!(offers(&s, "enter", "run the plan"));

    // Signed in for one tenant, a setup in another asks for a sign-in there.
    s.sign_in.tenant = TenantId::parse("0b5c9a1e-2222-4333-8444-555566667777").ok();
    keys(&mut s, &[Key::Esc]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(fx.as_slice(), [Effect::StartSignIn { .. }]));
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );

    update(&mut s, Msg::SignInExpired);
    assert!(error(&s).contains("expired"));
    assert!(keys(&mut s, &[Key::Enter]).is_empty(), "no run unsigned");
    keys(&mut s, &[Key::Esc]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(fx.as_slice(), [Effect::StartSignIn { .. }]));
    assert_eq!(s.screen, Screen::SignIn);
}

#[test]
fn the_dashboard_uses_the_sign_in_of_the_same_tenant() {
    let mut s = on_the_plan();
    s.screen = Screen::Home;
    update(
        &mut s,
        Msg::Profiles(vec![row("fax", "contoso.com", None)], vec![]),
    );
    let fx = keys(&mut s, &[Key::Char('x')]);
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(_, Upkeep::ReadExpiry)]),
        "{fx:?}"
    );
}

/// A run that stopped at an app of the same display name.
fn clashed() -> State {
    let mut s = on_the_plan();
    keys(&mut s, &[Key::Enter]);
    update(
        &mut s,
        Msg::AppNameTaken {
            client_id: CLIENT_ID.into(),
        },
    );
    assert!(!s.setup.running);
    assert!(error(&s).contains("An app named \"Helpdesk mail reader\" already exists"));
    assert!(
        !error(&s).contains("--"),
        "no command-line flags in the TUI"
    );
    assert!(offers(&s, "u", "use the existing app"));
    assert!(offers(&s, "e", "another name"));
    assert!(
        keys(&mut s, &[Key::Char('r')]).is_empty(),
        "r would meet the same app"
    );
    s
}

fn run_order(fx: &[Effect]) -> &SetupOrder {
    match fx.last() {
        Some(Effect::RunSetup(o)) => o,
        _ => panic!("{fx:?}"),
    }
}

#[test]
fn a_name_clash_offers_the_existing_app_and_runs_on_with_it() {
    let mut s = clashed();
    let fx = keys(&mut s, &[Key::Char('u')]);
    let order = run_order(&fx);
    assert!(order.reuse_app);
    assert_eq!(order.answers.app_name, "Helpdesk mail reader");
    assert!(
        saved_draft(&fx).unwrap().reuse_app,
        "the choice is in the draft"
    );
    assert_eq!(s.screen, Screen::Progress);
    assert!(s.error.is_none());
}

#[test]
fn a_name_clash_offers_another_name_and_runs_on_with_it() {
    let mut s = clashed();
    keys(&mut s, &[Key::Char('e')]);
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
    assert_eq!(s.form.app_name.text(), "Helpdesk mail reader");
    typed(&mut s, " 2");
    let fx = keys(&mut s, &[Key::Enter]);
    let order = run_order(&fx);
    assert!(!order.reuse_app);
    assert_eq!(order.answers.app_name, "Helpdesk mail reader 2");
    assert_eq!(
        s.screen,
        Screen::Progress,
        "signed in still: it runs at once"
    );
}

#[test]
fn a_guided_setup_left_at_a_question_comes_back_guided() {
    let mut s = home_with(vec![]);
    keys(&mut s, &[Key::Char('g')]);
    assert!(s.form.guided);
    typed(&mut s, "contoso");
    let d = leave(s, Msg::Key(Key::Interrupt));
    assert_eq!(d.journey, "guided");
    let mut s = found(d, None);
    keys(&mut s, &[Key::Enter]);
    assert!(matches!(s.screen, Screen::Form(_)), "{:?}", s.screen);
    assert!(s.form.guided, "the answers still lead to the portal steps");
}
