//! Moving through the lists, scrolling the detail panes, the help, and q.

use super::*;
use crate::model::{CheckRow, StepStatus};
use crate::wizard::help::has_sentence;

/// The home screen listing seven profiles, with what a frame of `rows` list rows showed.
fn home_with_seven(rows: usize) -> State {
    let names = ["a1", "b2", "c3", "d4", "e5", "f6", "g7"];
    let mut s = home_with(names.iter().map(|n| row(n, "contoso.com", None)).collect());
    update(
        &mut s,
        Msg::Viewport(Viewport {
            list_rows: rows,
            ..Viewport::default()
        }),
    );
    s
}

/// The plan screen of a setup, an administrator signed in.
fn at_plan() -> State {
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert_eq!(s.screen, Screen::Plan);
    s
}

/// The checks screen with `n` rows, none run yet.
fn checks_with(n: usize) -> State {
    let mut s = home_with_fax();
    s.screen = Screen::Checks;
    let plan = crate::model::check_plan(&s.home.profiles[0].profile);
    s.checks.rows = (0..n)
        .map(|i| CheckRow::new(plan[i % plan.len()].clone()))
        .collect();
    s
}

/// A detail pane of six rows holding fourteen lines.
fn pane_of_fourteen_lines(s: &mut State) {
    update(
        s,
        Msg::Viewport(Viewport {
            list_rows: 4,
            pane_rows: 6,
            pane_lines: 14,
        }),
    );
}

#[test]
fn every_list_moves_by_one_a_page_or_to_either_end() {
    let mut s = home_with_seven(3);
    keys(&mut s, &[Key::End]);
    assert_eq!(s.selected_profile().unwrap().profile.name.as_str(), "g7");
    keys(&mut s, &[Key::PageUp]);
    assert_eq!(s.home.cursor, 3, "a page is what the frame showed");
    keys(&mut s, &[Key::Home, Key::PageDown, Key::Down]);
    assert_eq!(s.home.cursor, 4);

    let mut s = at_plan();
    let last = s.setup.plan.len() - 1;
    keys(&mut s, &[Key::End]);
    assert_eq!(s.setup.plan_cursor, last);
    keys(&mut s, &[Key::Down, Key::PageDown]);
    assert_eq!(s.setup.plan_cursor, last, "never past the last step");
    keys(&mut s, &[Key::Home, Key::Up]);
    assert_eq!(s.setup.plan_cursor, 0);

    let mut s = checks_with(30);
    keys(&mut s, &[Key::End]);
    assert_eq!(s.checks.cursor, 29, "a consultant's thirtieth row");
    keys(&mut s, &[Key::PageUp, Key::PageUp]);
    assert_eq!(s.checks.cursor, 27, "before any frame a page is one row");
}

#[test]
fn the_progress_list_follows_the_step_under_way_and_keys_move_it() {
    let mut s = at_plan();
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Progress);
    for i in 0..5 {
        update(&mut s, Msg::SetupStep(i, StepStatus::Running));
        assert_eq!(s.setup.progress_cursor, i);
        update(&mut s, Msg::SetupStep(i, StepStatus::Done("ok".into())));
    }
    keys(&mut s, &[Key::Home]);
    assert_eq!(s.setup.progress_cursor, 0);
    keys(&mut s, &[Key::End]);
    assert_eq!(s.setup.progress_cursor, s.setup.rows.len() - 1);
}

#[test]
fn the_pane_scrolls_by_keys_and_starts_at_its_top_for_each_selection() {
    let mut s = checks_with(9);
    pane_of_fourteen_lines(&mut s);
    keys(&mut s, &[Key::Char('J')]);
    assert_eq!(s.pane, 5, "a page less one line");
    keys(&mut s, &[Key::ShiftDown, Key::Char('J')]);
    assert_eq!(s.pane, 8, "no further than the last line");
    keys(&mut s, &[Key::Char('K')]);
    assert_eq!(s.pane, 3);
    keys(&mut s, &[Key::ShiftUp]);
    assert_eq!(s.pane, 0);
    keys(&mut s, &[Key::Char('J'), Key::Down]);
    assert_eq!((s.checks.cursor, s.pane), (1, 0), "a new row: its top");
    keys(&mut s, &[Key::Char('J'), Key::Char('J')]);
    update(
        &mut s,
        Msg::Viewport(Viewport {
            list_rows: 4,
            pane_rows: 6,
            pane_lines: 9,
        }),
    );
    assert_eq!(s.pane, 3, "a shorter text: the pane ends where it ends");

    // The guided path's step list moves only by enter and esc: PgUp/PgDn scroll its text.
    let mut s = at_plan();
    keys(&mut s, &[Key::Char('g')]);
    pane_of_fourteen_lines(&mut s);
    keys(&mut s, &[Key::PageDown]);
    assert_eq!(s.pane, 5);
    keys(&mut s, &[Key::Char('J')]);
    assert_eq!(s.pane, 5, "J is text in the client ID field");
    assert_eq!(s.form.client_id.text(), "J");
    keys(&mut s, &[Key::PageUp]);
    assert_eq!(s.pane, 0);
}

#[test]
fn question_mark_or_f1_opens_the_help_and_any_key_closes_it_without_acting() {
    let mut s = home_with_fax();
    keys(&mut s, &[Key::Char('?')]);
    assert!(s.help);
    assert!(keys(&mut s, &[Key::Char('n')]).is_empty());
    assert!(!s.help);
    assert_eq!(s.screen, Screen::Home, "the key only closed the help");
    assert!(keys(&mut s, &[Key::Help, Key::Enter]).is_empty());
    assert_eq!(s.screen, Screen::Home);

    // On a text field `?` is text; F1 still opens the help.
    let (mut s, _) = tenant_answered('c', "contoso.com");
    resolved(&mut s, CloudKind::Global);
    keys(&mut s, &[Key::Char('?')]);
    assert!(!s.help);
    assert_eq!(s.form.client_id.text(), "?");
    keys(&mut s, &[Key::Help]);
    assert!(s.help);
    assert!(hint_keys(&s).contains(&"F1") && !hint_keys(&s).contains(&"?"));
}

/// What `key` asks for on the state `make` builds, and whether the wizard then quits.
fn leaving(make: &dyn Fn() -> State, key: Key) -> (Vec<Effect>, bool) {
    let mut s = make();
    let fx = keys(&mut s, &[key]);
    (fx, s.quit)
}

#[test]
fn q_leaves_every_screen_but_a_text_field_the_way_ctrl_c_does() {
    let on_plan: &dyn Fn() -> State = &at_plan;
    let on_sign_in: &dyn Fn() -> State = &|| at_sign_in().0;
    let on_progress: &dyn Fn() -> State = &|| {
        let mut s = at_plan();
        keys(&mut s, &[Key::Enter]);
        s
    };
    let on_checks: &dyn Fn() -> State = &|| checks_with(3);
    let on_summary: &dyn Fn() -> State = &|| {
        let mut s = checks_with(3);
        s.screen = Screen::Summary;
        s
    };
    let on_access_step: &dyn Fn() -> State = &|| {
        let mut s = at_secret_step();
        answer(&mut s, SECRET);
        assert_eq!(s.screen, Screen::Form(Step::Access));
        s
    };
    let on_guided_consent: &dyn Fn() -> State = &|| {
        let mut s = at_plan();
        keys(&mut s, &[Key::Char('g')]);
        s.setup.guide = s.setup.guided_steps()[2];
        assert_eq!(guide_step(&s), StepKind::Exchange);
        s
    };
    let screens = [
        ("home", &home_with_fax as &dyn Fn() -> State),
        ("sign-in", on_sign_in),
        ("plan", on_plan),
        ("progress", on_progress),
        ("checks", on_checks),
        ("summary", on_summary),
        ("access step", on_access_step),
        ("guided Exchange step", on_guided_consent),
    ];
    for (name, make) in screens {
        let by_q = leaving(make, Key::Char('q'));
        let by_ctrl_c = leaving(make, Key::Interrupt);
        assert_eq!(by_q, by_ctrl_c, "{name}");
        assert!(by_q.1 && by_q.0.last() == Some(&Effect::Quit), "{name}");
        assert!(
            hint_keys(&make()).contains(&"q"),
            "{name}: the bottom line says so"
        );
    }
    let (fx, _) = leaving(on_access_step, Key::Char('q'));
    assert!(matches!(fx[0], Effect::SaveDraft(_)), "{fx:?}");

    // On a text field q is text.
    let mut s = at_secret_step();
    assert!(keys(&mut s, &[Key::Char('q')]).is_empty());
    assert!(!s.quit);
    assert!(hint_keys(&s).contains(&"ctrl-c"));
    let mut s = at_plan();
    keys(&mut s, &[Key::Char('g'), Key::Char('q')]);
    assert!(!s.quit, "the guided path's client ID field");
    assert_eq!(s.form.client_id.text(), "q");
}

/// The guided path of a setup, at each of its steps.
fn each_guided_step() -> Vec<State> {
    let mut guided = at_plan();
    keys(&mut guided, &[Key::Char('g')]);
    let mut out = Vec::new();
    for step in guided.setup.guided_steps() {
        let mut s = at_plan();
        keys(&mut s, &[Key::Char('g')]);
        s.setup.guide = step;
        out.push(s);
    }
    out
}

fn sandbox_view() -> SandboxView {
    SandboxView {
        tenant_domain: "contoso.example".into(),
        endpoints: Endpoints::named(CloudKind::Global).unwrap(),
        apps: vec![],
        mailboxes: vec![],
    }
}

/// Every question of both journeys, with and without the sandbox, each field in focus.
fn each_question() -> Vec<State> {
    let mut out = Vec::new();
    for journey in ['c', 'n'] {
        for sandbox in [false, true] {
            for step in Step::ALL.iter().chain(&Step::SETUP) {
                for field in [0, 1] {
                    let (mut s, _) = tenant_answered(journey, "contoso.com");
                    if sandbox {
                        s.sandbox = Some(sandbox_view());
                    }
                    s.screen = Screen::Form(*step);
                    (s.form.scope_field, s.form.app_field) = (field, field);
                    out.push(s);
                }
            }
        }
    }
    let mut s = at_secret_step();
    s.reentry = Some(Box::new(s.form.clone()));
    out.push(s);
    out
}

#[test]
fn every_key_the_bottom_line_offers_has_its_sentence_in_the_help() {
    let mut states = vec![State::new(None, None, today()), home_with_seven(3)];
    for k in [
        Key::Char('/'),
        Key::Char('s'),
        Key::Char('f'),
        Key::Char('o'),
    ] {
        let mut s = home_with_fax();
        s.home.draft = Some(Default::default());
        keys(&mut s, &[k]);
        states.push(s);
    }
    states.extend(each_question());
    let (mut declined, _) = at_sign_in();
    declined.error = Some("The sign-in was declined.".into());
    states.push(declined);
    let (mut with_code, _) = at_sign_in();
    with_code.sandbox = Some(sandbox_view());
    update(
        &mut with_code,
        Msg::DeviceCode(Ok(CodeView {
            user_code: "ABC".into(),
            uri: "https://microsoft.com/devicelogin".into(),
            expires_in: 900,
        })),
    );
    states.push(with_code);
    states.push(at_plan());
    states.extend(each_guided_step());
    let mut running = at_plan();
    keys(&mut running, &[Key::Enter]);
    let mut failed = at_plan();
    keys(&mut failed, &[Key::Enter]);
    update(
        &mut failed,
        Msg::SetupDone(Err(diagnosis("Refused.", "Retry."))),
    );
    let mut clashed = at_plan();
    keys(&mut clashed, &[Key::Enter]);
    update(
        &mut clashed,
        Msg::AppNameTaken {
            client_id: "a1f5c0de-0001-4000-8000-00000000c001".into(),
        },
    );
    let mut forbidden = at_plan();
    keys(&mut forbidden, &[Key::Enter]);
    update(
        &mut forbidden,
        Msg::SecretsForbidden {
            policy: "The policy could not be named.".into(),
            diagnosis: diagnosis("Secrets are forbidden.", "Agree."),
        },
    );
    states.extend([running, failed, clashed, forbidden]);
    for (unfinished, discarding) in [(None, false), (Some("app registered"), true)] {
        let mut with_draft = home_with_seven(3);
        let draft = Draft {
            journey: "setup".into(),
            name: "desk".into(),
            ..Draft::default()
        };
        update(
            &mut with_draft,
            Msg::DraftLoaded(Some(Box::new(draft)), unfinished.map(String::from)),
        );
        if discarding {
            keys(&mut with_draft, &[Key::Char('f')]);
        }
        states.push(with_draft);
    }
    let mut waiting = checks_with(3);
    waiting.checks.waiting = Some(one_tick_before_retry());
    let mut summary = checks_with(3);
    summary.screen = Screen::Summary;
    states.extend([checks_with(3), waiting, summary]);
    for s in &states {
        for h in hints(s) {
            assert!(has_sentence(s.screen, h), "{:?}: {h:?}", s.screen);
        }
    }
}

#[test]
fn forbidden_secrets_ask_for_a_certificate_and_c_runs_the_setup_with_one() {
    let mut s = at_plan();
    keys(&mut s, &[Key::Enter]);
    update(
        &mut s,
        Msg::SecretsForbidden {
            policy: "Client secrets are forbidden by the tenant's default policy.".into(),
            diagnosis: diagnosis("The tenant forbids client secrets.", "Agree."),
        },
    );
    assert_eq!(s.screen, Screen::Progress);
    assert!(offers(&s, "c", "certificate instead"));
    let shown = s.error.clone().unwrap_or_default();
    assert!(shown.contains("default policy") && shown.contains("c gives the app a certificate"));
    let fx = keys(&mut s, &[Key::Char('c')]);
    match fx.last() {
        Some(Effect::RunSetup(o)) => assert!(o.certificate_if_secrets_forbidden),
        other => panic!("{other:?}"),
    }
    assert!(s.setup.secrets_forbidden.is_none() && s.setup.running);
}
