//! The guided path: what is pasted is checked, then each step is read back before it counts as
//! done; a wrong secret never gets past its step; what nothing can read is "not verified".

use super::*;
use crate::model::{Diagnosis, StepStatus};

/// The app's service principal as the sign-in with the secret tells it.
const SP: &str = "5be0c0de-0001-4000-8000-0000000005b1";

/// The read-back effect `fx` holds.
fn the_check(fx: &[Effect]) -> &GuidedCheck {
    match fx {
        [Effect::VerifyGuided(c)] => c,
        other => panic!("expected one read-back, got {other:?}"),
    }
}

fn verdict(status: StepStatus, sp: Option<&str>) -> GuideVerdict {
    GuideVerdict {
        status,
        sp_object_id: sp.map(String::from),
    }
}

fn refused(summary: &str) -> StepStatus {
    StepStatus::Failed(Diagnosis {
        summary: summary.into(),
        evidence: String::new(),
        cause: "cause".into(),
        fix: "fix".into(),
    })
}

/// The status the guided path recorded for the first plan step of `kind`.
fn status_of(s: &State, kind: StepKind) -> Option<&StepStatus> {
    let i = s.setup.plan.iter().position(|p| p.kind == kind)?;
    s.setup.verified.get(&i)
}

/// From the sign-in screen to the guided path's secret step (the client ID read back by
/// `app`, when an administrator is signed in).
fn at_guided_secret(signed_in: bool) -> State {
    let (mut s, _) = at_sign_in();
    if signed_in {
        update(
            &mut s,
            Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
        );
    }
    keys(&mut s, &[Key::Char('g')]);
    assert_eq!(guide_step(&s), StepKind::CreateApp);
    let fx = answer_both(&mut s, CLIENT_ID, &tenant().to_string());
    if signed_in {
        let c = the_check(&fx);
        assert!(c.as_admin && c.plan_step.kind == StepKind::CreateApp);
        let i = c.step;
        update(
            &mut s,
            Msg::GuideChecked(i, verdict(StepStatus::Done("registered".into()), Some(SP))),
        );
    } else {
        assert!(fx.is_empty(), "nothing can read the app without an admin");
        assert!(matches!(
            status_of(&s, StepKind::CreateApp),
            Some(StepStatus::Unverified(_))
        ));
    }
    assert_eq!(guide_step(&s), StepKind::AddSecret);
    s
}

#[test]
fn a_secret_is_refused_by_its_shape_then_by_its_sign_in_and_only_a_good_one_goes_on() {
    let mut s = at_guided_secret(false);
    for wrong in ["abc", SECRET_ID] {
        s.form.secret.clear();
        let fx = answer_both(&mut s, wrong, "5/26/2027");
        assert!(fx.is_empty(), "{wrong}: refused before any network call");
        assert_eq!(guide_step(&s), StepKind::AddSecret);
    }
    assert!(error(&s).contains("Secret ID"));
    s.form.secret.clear();
    s.form.guide_expires.clear();
    typed(&mut s, "Qx7Q~short");
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        fx.is_empty() && error(&s).contains("too short"),
        "{:?}",
        s.error
    );
    assert_eq!(
        s.form.secret.text(),
        "",
        "the wrong value is cleared for the next paste"
    );

    // Well shaped, but the tenant refuses it: the step stays, nothing is saved.
    s.form.guide_expires.clear();
    let fx = answer_both(&mut s, SECRET, "5/26/2027");
    let c = the_check(&fx);
    assert_eq!(c.plan_step.kind, StepKind::AddSecret);
    assert_eq!(c.secret.as_ref().map(|b| b.0.expose()), Some(SECRET));
    assert!(!c.as_admin);
    let i = c.step;
    assert!(s.busy.as_deref().unwrap().contains("Signing in as the app"));
    let fx = update(
        &mut s,
        Msg::GuideChecked(i, verdict(refused("The client secret was refused."), None)),
    );
    assert!(fx.is_empty(), "no save, no checks: {fx:?}");
    assert_eq!(guide_step(&s), StepKind::AddSecret);
    assert!(error(&s).contains("The client secret was refused."));
    assert_eq!(s.form.secret.text(), "");
    assert!(s.busy.is_none());

    // The right one signs in: the step is ✔, and so is the app the client ID names.
    typed(&mut s, SECRET);
    let i = the_check(&keys(&mut s, &[Key::Enter])).step;
    update(
        &mut s,
        Msg::GuideChecked(i, verdict(StepStatus::Done("signed in".into()), Some(SP))),
    );
    assert!(matches!(
        status_of(&s, StepKind::AddSecret),
        Some(StepStatus::Done(_))
    ));
    assert!(matches!(
        status_of(&s, StepKind::CreateApp),
        Some(StepStatus::Done(_))
    ));
    assert_eq!(guide_step(&s), StepKind::Exchange);
}

#[test]
fn the_commands_carry_the_client_id_and_the_service_principal_once_known() {
    let mut s = at_guided_secret(false);
    let sp_step = |s: &State| {
        s.setup
            .plan
            .iter()
            .find(|p| p.powershell.contains("New-ServicePrincipal "))
            .unwrap()
            .powershell
            .clone()
    };
    let before = sp_step(&s);
    assert!(
        before.contains(&format!("-AppId '{CLIENT_ID}' -ObjectId $sp.Id")),
        "{before}"
    );
    assert!(
        before.starts_with("$sp = Get-MgServicePrincipal"),
        "{before}"
    );
    let i = the_check(&answer_both(&mut s, SECRET, "5/26/2027")).step;
    update(
        &mut s,
        Msg::GuideChecked(i, verdict(StepStatus::Done("ok".into()), Some(SP))),
    );
    let after = sp_step(&s);
    assert!(
        after.contains(&format!(
            "New-ServicePrincipal -AppId '{CLIENT_ID}' -ObjectId '{SP}'"
        )),
        "{after}"
    );
    for p in &s.setup.plan {
        assert!(!p.powershell.contains('<'), "{}", p.powershell);
        assert!(
            crate::plan::undefined_variables(&p.powershell).is_empty(),
            "{}",
            p.powershell
        );
    }
}

#[test]
fn without_an_admin_the_exchange_steps_are_not_verified_and_the_summary_says_so() {
    let mut s = at_guided_secret(false);
    let i = the_check(&answer_both(&mut s, SECRET, "5/26/2027")).step;
    update(
        &mut s,
        Msg::GuideChecked(i, verdict(StepStatus::Done("ok".into()), Some(SP))),
    );
    assert_eq!(guide_step(&s), StepKind::Exchange);
    assert!(offers(&s, "enter", "next (not verified)"));
    let mut fx = Vec::new();
    for _ in 0..10 {
        fx = keys(&mut s, &[Key::Enter]);
        if !fx.is_empty() {
            break;
        }
    }
    let [Effect::Save { profile, .. }] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(profile.client_id.to_string(), CLIENT_ID);
    assert_eq!(profile.secret_expires.as_deref(), Some("2027-05-26"));
    let exchange = s
        .setup
        .plan
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, StepKind::Exchange | StepKind::ExchangeTest))
        .filter(|(_, p)| p.permission.as_deref() != Some("mailboxes"))
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    assert!(!exchange.is_empty());
    for i in &exchange {
        assert!(
            matches!(s.setup.verified.get(i), Some(StepStatus::Unverified(_))),
            "step {i}: {:?}",
            s.setup.verified.get(i)
        );
    }
    assert_eq!(s.checks.unverified.len(), exchange.len());
    update(&mut s, saved_in(KEYRING));
    assert!(notice(&s).contains("not verified"), "{:?}", s.notice);
}

#[test]
fn signed_in_each_step_is_read_back_as_the_admin_before_the_next() {
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    keys(&mut s, &[Key::Char('g')]);
    let object_id = "d0000000-0001-4000-8000-00000000a001";
    let c = the_check(&answer_both(&mut s, object_id, &tenant().to_string())).clone();
    assert_eq!(c.client_id.to_string(), object_id);
    update(
        &mut s,
        Msg::GuideChecked(
            c.step,
            verdict(refused("That is the Object ID of \"x\"."), None),
        ),
    );
    assert_eq!(guide_step(&s), StepKind::CreateApp, "stays");
    assert_eq!(s.form.guide_field, 0, "the cursor is back on the client ID");
    s.form.client_id.clear();
    typed(&mut s, CLIENT_ID);
    let i = the_check(&keys(&mut s, &[Key::Enter])).step;
    update(
        &mut s,
        Msg::GuideChecked(i, verdict(StepStatus::Done("registered".into()), Some(SP))),
    );
    assert_eq!(guide_step(&s), StepKind::AddSecret);
    let i = the_check(&answer_both(&mut s, SECRET, "5/26/2027")).step;
    update(
        &mut s,
        Msg::GuideChecked(i, verdict(StepStatus::Done("signed in".into()), Some(SP))),
    );
    assert_eq!(guide_step(&s), StepKind::Exchange);
    assert!(offers(&s, "enter", "verify, next"));
    let c = the_check(&keys(&mut s, &[Key::Enter])).clone();
    assert!(c.as_admin && c.plan_step.kind == StepKind::Exchange);
    assert_eq!(c.sp_object_id.as_deref(), Some(SP));
    update(
        &mut s,
        Msg::GuideChecked(
            c.step,
            verdict(refused("Exchange Online does not show it yet."), None),
        ),
    );
    assert_eq!(s.setup.guide, c.step, "a step Exchange does not show stays");
    assert!(error(&s).contains("does not show it yet"));
    let again = the_check(&keys(&mut s, &[Key::Enter])).clone();
    assert_eq!(again.step, c.step);
    update(
        &mut s,
        Msg::GuideChecked(c.step, verdict(StepStatus::Done("shows it".into()), None)),
    );
    assert!(s.setup.guide > c.step);
    assert!(matches!(
        s.setup.verified.get(&c.step),
        Some(StepStatus::Done(_))
    ));
}

#[test]
fn g_on_the_home_screen_starts_the_guided_setup() {
    let mut s = State::new(None, None, today());
    assert!(offers(&s, "g", "guided setup"));
    keys(&mut s, &[Key::Char('g')]);
    assert_eq!(s.screen, Screen::Form(Step::Tenant));
    assert!(s.form.guided && s.form.journey == Journey::Setup);
    answer(&mut s, "contoso.com");
    resolved(&mut s, CloudKind::Global);
    keys(&mut s, &[Key::Enter]);
    answer(&mut s, "alice@contoso.com");
    keys(&mut s, &[Key::Enter, Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::Name));
    assert!(offers(&s, "enter", "to the portal steps"));
    let fx = answer(&mut s, "byhand");
    assert!(fx.is_empty(), "no sign-in: {fx:?}");
    assert_eq!(s.screen, Screen::Guide);
    assert_eq!(guide_step(&s), StepKind::CreateApp);
    keys(&mut s, &[Key::Esc]);
    keys(
        &mut s,
        &[Key::Esc, Key::Esc, Key::Esc, Key::Esc, Key::Esc, Key::Esc],
    );
    assert_eq!(s.screen, Screen::Home);
    keys(&mut s, &[Key::Char('n')]);
    assert!(!s.form.guided, "n is the automated setup again");
}

#[test]
fn a_refused_sign_in_is_not_waited_out() {
    let mut s = scoped_profile_on_checks();
    keys(&mut s, &[Key::Char('r')]);
    let token = s
        .checks
        .rows
        .iter()
        .position(|r| r.kind == crate::model::CheckKind::Token)
        .unwrap();
    let mut d = diagnosis("The client secret was refused.", "");
    d.evidence = "AADSTS7000215: Invalid client secret provided.".into();
    let failed = CheckEvent::Failed {
        diagnosis: d,
        elapsed: std::time::Duration::ZERO,
        unavailable: false,
    };
    update(&mut s, Msg::CheckEvent(token, failed));
    update(&mut s, Msg::ChecksDone);
    assert!(
        s.checks.waiting.is_none(),
        "a wrong secret is no propagation delay"
    );
}
