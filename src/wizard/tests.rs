use super::*;
use crate::model::{AccessChoice, AdminPurpose, CheckEvent, KeyringBackend};
use crate::plan::StepKind;
use crate::scope::ScopeSpec;

/// The day every test runs on: the dates typed in and the expiries are measured from it.
fn today() -> time::Date {
    time::macros::date!(2026 - 11 - 26)
}

fn tenant() -> TenantId {
    TenantId::parse("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b").unwrap()
}

const CLIENT_ID: &str = "a1f5c0de-0001-4000-8000-00000000c001";
/// A client secret's Value, as the portal shows it once.
const SECRET: &str = "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789";
/// A client secret's Secret ID: GUID-shaped, and not what the wizard wants.
const SECRET_ID: &str = "8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f";
const KEYRING: &str = "Secret Service keyring";

fn keys(s: &mut State, ks: &[Key]) -> Vec<Effect> {
    ks.iter().flat_map(|k| update(s, Msg::Key(*k))).collect()
}

fn typed(s: &mut State, text: &str) {
    update(s, Msg::Paste(text.into()));
}

/// Pastes `text` into the field in focus and presses enter.
fn answer(s: &mut State, text: &str) -> Vec<Effect> {
    typed(s, text);
    keys(s, &[Key::Enter])
}

/// Fills the two fields of a step, tab between them, and presses enter.
fn answer_both(s: &mut State, first: &str, second: &str) -> Vec<Effect> {
    typed(s, first);
    keys(s, &[Key::Tab]);
    answer(s, second)
}

/// Types `text` key by key, as into a filter.
fn typed_keys(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, Msg::Key(Key::Char(c)));
    }
}

/// A new session in which `journey` was pressed on the home screen ('c' checks an app, 'n' sets
/// one up) and `domain` answered the tenant question; with what that enter asked for.
fn tenant_answered(journey: char, domain: &str) -> (State, Vec<Effect>) {
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char(journey)]);
    let fx = answer(&mut s, domain);
    (s, fx)
}

/// The tenant lookup finds the test tenant, in `cloud`.
fn resolved(s: &mut State, cloud: CloudKind) {
    update(s, Msg::TenantResolved(Ok((tenant(), cloud))));
}

/// The keyring the checks read has no secret for the profile.
fn secret_missing(s: &mut State) {
    update(s, Msg::SecretMissing(KEYRING.into()));
}

fn saved_in(store: &str) -> Msg {
    Msg::Saved(Ok(Saved {
        store: store.into(),
        note: None,
    }))
}

/// An administrator signed in, with `role` where the directory named one.
fn admin(role: Option<&str>) -> SignedIn {
    SignedIn {
        who: "admin@contoso.com".into(),
        role: role.map(String::from),
        lacks_rights: false,
    }
}

fn diagnosis(summary: &str, fix: &str) -> crate::model::Diagnosis {
    crate::model::Diagnosis {
        summary: summary.into(),
        evidence: String::new(),
        cause: String::new(),
        fix: fix.into(),
    }
}

/// Runs `n` ticks; true when none of them asked for anything.
fn ticks_do_nothing(s: &mut State, n: u32) -> bool {
    (0..n).all(|_| update(s, Msg::Tick).is_empty())
}

/// A wait whose next tick starts the checks again.
fn one_tick_before_retry() -> crate::wizard::Waiting {
    crate::wizard::Waiting {
        pause_secs: 10,
        ticks_left: 1,
        waited_secs: 0,
    }
}

fn error(s: &State) -> &str {
    s.error.as_deref().unwrap()
}

fn notice(s: &State) -> &str {
    s.notice.as_deref().unwrap()
}

/// The keys the help line offers.
fn hint_keys(s: &State) -> Vec<&'static str> {
    hints(s).iter().map(|h| h.key).collect()
}

/// What the help line says its keys do.
fn hint_actions(s: &State) -> Vec<&'static str> {
    hints(s).iter().map(|h| h.action).collect()
}

/// Asserts that the effects are one administrator's sign-in for `purpose`.
fn assert_signs_in(fx: &[Effect], purpose: AdminPurpose) {
    assert!(
        matches!(fx, [Effect::StartSignIn { purpose: p, .. }] if *p == purpose),
        "{fx:?}"
    );
}

/// The one upkeep the effects carry out, and for which profile.
fn upkeep_of(fx: &[Effect]) -> (String, Upkeep) {
    match fx {
        [.., Effect::Upkeep(p, u)] => (p.name.to_string(), *u),
        other => panic!("no upkeep: {other:?}"),
    }
}

/// The plan of `upkeep` read for the dashboard's profile `name`, in `text`.
fn plan_read(s: &mut State, name: &str, upkeep: Upkeep, text: &str) -> Vec<Effect> {
    let row = s
        .home
        .profiles
        .iter()
        .find(|r| r.profile.name.as_str() == name);
    let profile = row
        .unwrap_or_else(|| panic!("no profile {name}"))
        .profile
        .clone();
    update(
        s,
        Msg::UpkeepPlan(Box::new(profile), upkeep, Ok(text.into())),
    )
}

fn offers(s: &State, key: &str, action: &str) -> bool {
    hints(s).iter().any(|h| h.key == key && h.action == action)
}

mod as_user;
mod audit;
mod audit_files;
mod audit_migrate;
mod browser;
mod delegated;
mod guide;
mod renewal;
mod tenant_actions;

/// The plan step the guided path shows.
fn guide_step(s: &State) -> StepKind {
    s.setup.plan[s.setup.guide].kind
}

/// How the setup order scopes the mailboxes.
fn scope_answered(s: &State) -> ScopeSpec {
    s.setup
        .order
        .as_ref()
        .unwrap()
        .answers
        .scope
        .clone()
        .unwrap()
}

fn row(name: &str, tenant: &str, expires: Option<&str>) -> ProfileRow {
    let mut profile: Profile = toml::from_str(&format!(
        "name = \"{name}\"\ncloud = \"global\"\ntenant = \"{tenant}\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = [\"graph-read\"]\nmailboxes = [\"a@b.example\"]\n"
    ))
    .unwrap();
    profile.secret_expires = expires.map(String::from);
    ProfileRow { profile }
}

/// The home screen listing these profiles.
fn home_with(rows: Vec<ProfileRow>) -> State {
    let mut s = State::new(None, None, today());
    update(&mut s, Msg::Profiles(rows, vec![]));
    s
}

/// The home screen listing one profile, fax, whose secret's expiry is not known.
fn home_with_fax() -> State {
    home_with(vec![row("fax", "contoso.com", None)])
}

/// An existing app being checked, answered up to its client secret.
fn at_secret_step() -> State {
    let (mut s, fx) = tenant_answered('c', "contoso.com");
    assert_eq!(
        fx,
        [Effect::ResolveTenant {
            cloud: CloudKind::Global,
            tenant: "contoso.com".into()
        }]
    );
    assert!(s.busy.is_some());
    assert!(
        keys(&mut s, &[Key::Char('x')]).is_empty(),
        "keys wait while busy"
    );
    resolved(&mut s, CloudKind::Global);
    assert_eq!(s.screen, Screen::Form(Step::ClientId));
    answer(&mut s, CLIENT_ID);
    assert_eq!(s.screen, Screen::Form(Step::Secret));
    s
}

/// A setup journey answered up to the scope step (Graph read, alice@).
fn at_scope_step() -> State {
    let (mut s, _) = tenant_answered('n', "contoso.com");
    assert_eq!(s.form.journey, Journey::Setup);
    resolved(&mut s, CloudKind::Global);
    assert_eq!(
        s.screen,
        Screen::Form(Step::Access),
        "no client id or secret to ask"
    );
    keys(&mut s, &[Key::Enter]);
    answer(&mut s, "alice@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::Scope));
    s
}

/// A setup journey answered up to the sign-in screen.
fn at_sign_in() -> (State, Vec<Effect>) {
    let mut s = at_scope_step();
    keys(&mut s, &[Key::Enter]);
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
    keys(&mut s, &[Key::Tab, Key::Right, Key::Right]);
    assert_eq!(crate::plan::SECRET_MONTHS[s.form.months], 18);
    keys(&mut s, &[Key::Left, Key::Enter]);
    let fx = answer(&mut s, "fax");
    (s, fx)
}

#[test]
fn the_secret_id_is_refused_and_kept_for_correction() {
    let mut s = at_secret_step();
    answer(&mut s, SECRET_ID);
    assert_eq!(s.screen, Screen::Form(Step::Secret));
    assert!(error(&s).contains("Secret ID"));
    assert_eq!(s.form.secret.text().len(), 36, "what was typed is kept");
}

#[test]
fn surrounding_spaces_are_trimmed_with_a_notice() {
    let mut s = at_secret_step();
    answer(&mut s, "  Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789 ");
    assert_eq!(s.screen, Screen::Form(Step::Access));
    assert!(notice(&s).contains("removed"));
    assert_eq!(s.form.secret.text(), SECRET);
}

#[test]
fn the_tenant_id_as_client_id_is_named() {
    let (mut s, _) = tenant_answered('c', "contoso.com");
    resolved(&mut s, CloudKind::Global);
    answer(&mut s, &tenant().to_string());
    assert!(error(&s).contains("tenant ID"));
}

#[test]
fn a_tenant_in_another_cloud_switches_the_cloud() {
    let (mut s, _) = tenant_answered('c', "contoso.us");
    resolved(&mut s, CloudKind::GccHigh);
    assert_eq!(s.form.cloud, CloudKind::GccHigh);
    assert!(notice(&s).contains("GCC High"));
    assert_eq!(s.screen, Screen::Form(Step::ClientId));
}

#[test]
fn editing_the_tenant_forgets_the_resolved_id() {
    let mut s = at_secret_step();
    keys(&mut s, &[Key::Esc, Key::Esc]);
    assert_eq!(s.screen, Screen::Form(Step::Tenant));
    assert!(
        keys(&mut s, &[Key::Enter]).is_empty(),
        "resolved already: just advances"
    );
    keys(&mut s, &[Key::Esc, Key::Char('x')]);
    assert_eq!(s.form.tenant_id, None);
    assert!(
        !keys(&mut s, &[Key::Backspace, Key::Enter]).is_empty(),
        "looked up again"
    );
}

#[test]
fn full_walk_saves_then_checks_and_ctrl_c_keeps_a_draft() {
    let mut s = at_secret_step();
    answer(&mut s, SECRET);
    assert!(keys(&mut s, &[Key::Char(' '), Key::Enter]).is_empty());
    assert!(error(&s).contains("at least one"), "no access chosen");
    keys(&mut s, &[Key::Char(' '), Key::Enter]);
    answer_both(&mut s, "alice@contoso.com", "alice@contoso.com");
    assert!(error(&s).contains("both lists"));
    keys(&mut s, &[Key::End]);
    keys(&mut s, &[Key::Backspace; 17]);
    answer(&mut s, "ceo@contoso.com");
    assert_eq!(s.screen, Screen::Form(Step::Name));
    answer(&mut s, "help desk");
    assert!(error(&s).contains("1 to 64 letters"));
    keys(&mut s, &[Key::Home]);
    keys(&mut s, &[Key::Delete; 5]);
    assert_eq!(s.form.name.text(), "desk");
    let fx = keys(&mut s, &[Key::Enter]);
    let Effect::Save { profile, .. } = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(profile.name.as_str(), "desk");
    assert_eq!(
        profile.deny_mailbox.as_ref().unwrap().as_str(),
        "ceo@contoso.com"
    );
    assert_eq!(profile.keyring, KeyringBackend::Os);
    let fx = update(&mut s, saved_in("OS keyring"));
    assert!(matches!(
        fx[..],
        [
            Effect::ClearDraft,
            Effect::RunChecks {
                secret: Some(_),
                ..
            }
        ]
    ));
    assert_eq!(s.screen, Screen::Checks);
    assert_eq!(s.checks.rows.len(), 3);
    assert!(
        s.form.secret.text().is_empty(),
        "the form is cleared after saving"
    );
    update(&mut s, Msg::CheckEvent(0, CheckEvent::Started));
    assert!(
        keys(&mut s, &[Key::Char('r')]).is_empty(),
        "no re-run while running"
    );
    update(&mut s, Msg::ChecksDone);
    assert!(matches!(
        keys(&mut s, &[Key::Char('r')])[..],
        [Effect::RunChecks { .. }]
    ));

    let mut s = at_secret_step();
    let fx = update(&mut s, Msg::Key(Key::Interrupt));
    let Effect::SaveDraft(d) = &fx[0] else {
        panic!("{fx:?}")
    };
    assert_eq!(d.client_id, CLIENT_ID);
    assert_eq!(fx[1], Effect::Quit);
}

#[test]
fn save_failure_stays_on_the_name_step_with_everything_kept() {
    let mut s = at_secret_step();
    answer(&mut s, SECRET);
    keys(&mut s, &[Key::Enter]);
    answer(&mut s, "a@contoso.com");
    answer(&mut s, "p1");
    update(&mut s, Msg::Saved(Err("No OS keyring is reachable".into())));
    assert_eq!(s.screen, Screen::Form(Step::Name));
    assert!(s.error.is_some());
    assert_eq!(s.form.name.text(), "p1");
    assert!(!s.form.secret.text().is_empty());
}

#[test]
fn hints_follow_the_state() {
    let mut s = State::new(None, None, today());
    assert_eq!(hint_keys(&s), ["n", "g", "c", "q", "?"]);
    s.screen = Screen::Checks;
    s.checks.running = true;
    assert!(!hint_keys(&s).contains(&"r"));
    s.checks.running = false;
    assert!(hint_keys(&s).contains(&"r"));
}

#[test]
fn p_on_the_scope_step_writes_the_exchange_part_as_a_script_and_skips_the_checks() {
    let mut s = at_scope_step();
    assert!(offers(&s, "p", "Exchange part as a script"));
    keys(&mut s, &[Key::Char('p')]);
    assert!(s.form.exchange_script);
    assert!(hint_actions(&s).contains(&"do the Exchange part for me"));
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "p");
    assert_eq!(
        s.form.group.text(),
        "p",
        "in the group field p is typed, not a toggle"
    );
    assert!(s.form.exchange_script);
    s.form.group.clear();
    keys(&mut s, &[Key::Enter, Key::Enter]);
    answer(&mut s, "fax");
    assert!(scope_answered(&s).script_only);
    s.screen = Screen::Progress;
    s.setup.running = true;
    let profile = row("fax", "contoso.com", None).profile;
    let fx = update(&mut s, Msg::SetupDone(Ok(Box::new(profile))));
    assert!(
        matches!(fx.as_slice(), [Effect::ClearDraft]),
        "no checks yet: {fx:?}"
    );
    assert_eq!(s.screen, Screen::Progress);
    assert!(notice(&s).contains("run it in PowerShell as an Exchange administrator"));
}

#[test]
fn the_scope_step_defaults_to_rbac_and_guards_the_wide_choices() {
    use crate::model::ScopeKind;
    let (s, _) = at_sign_in();
    let spec = scope_answered(&s);
    assert_eq!(spec.kind, ScopeKind::Rbac);
    assert_eq!(spec.group.unwrap().name, "m365mw-fax");
    assert!(
        s.setup
            .plan
            .iter()
            .all(|p| p.permission.as_deref() != Some("Mail.Read")),
        "no tenant-wide Mail.Read under RBAC"
    );

    let mut s = at_scope_step();
    assert_eq!(s.screen, Screen::Form(Step::Scope));
    keys(&mut s, &[Key::Down, Key::Down, Key::Enter]);
    assert_eq!(s.form.scope(), ScopeKind::DenyPolicy);
    assert!(error(&s).contains("must be denied"), "{:?}", s.error);
    keys(&mut s, &[Key::Down, Key::Enter]);
    assert_eq!(s.form.scope(), ScopeKind::AllMailboxes);
    assert_eq!(
        s.screen,
        Screen::Form(Step::Scope),
        "not without the typed confirmation"
    );
    assert!(error(&s).contains("all mailboxes"));
    assert!(
        hint_keys(&s).contains(&"↑↓"),
        "choosing is on the help line"
    );
    keys(&mut s, &[Key::Tab]);
    answer(&mut s, "all mailboxes");
    assert_eq!(s.screen, Screen::Form(Step::AppDetails));
}

/// An RBAC-scoped profile on the checks screen, its checks not yet run.
fn scoped_profile_on_checks() -> State {
    let (mut s, _) = at_sign_in();
    let mut p: Profile = toml::from_str(
        r#"
name = "fax"
cloud = "global"
tenant = "contoso.com"
tenant_id = "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
client_id = "a1f5c0de-0001-4000-8000-00000000c001"
access = ["graph-read"]
mailboxes = ["alice@contoso.com"]
deny_mailbox = "ceo@contoso.com"
"#,
    )
    .unwrap();
    p.scope = Some(crate::model::ScopeRecord {
        kind: crate::model::ScopeKind::Rbac,
        group: Some("m365mw-fax".into()),
        app_name: "fax".into(),
    });
    s.checks.profile = Some(p);
    s.screen = Screen::Checks;
    s
}

#[test]
fn a_scoped_profile_whose_checks_fail_waits_and_checks_again() {
    let mut s = scoped_profile_on_checks();
    assert!(matches!(
        keys(&mut s, &[Key::Char('r')]).as_slice(),
        [Effect::RunChecks { .. }]
    ));
    let n = s.checks.rows.len();
    let failed = CheckEvent::Failed {
        diagnosis: diagnosis("refused", ""),
        elapsed: std::time::Duration::ZERO,
        unavailable: false,
    };
    update(&mut s, Msg::CheckEvent(n - 1, failed));
    update(&mut s, Msg::ChecksDone);
    let w = s.checks.waiting.expect("waiting after a failure");
    assert_eq!((w.pause_secs, w.seconds_left()), (10, 10));
    assert!(hint_actions(&s).contains(&"check now"));
    assert!(ticks_do_nothing(
        &mut s,
        10 * crate::wizard::TICKS_PER_SECOND - 1
    ));
    let fx = update(&mut s, Msg::Tick);
    assert!(
        matches!(fx.as_slice(), [Effect::RunChecks { .. }]),
        "{fx:?}"
    );
    assert!(ticks_do_nothing(&mut s, 30), "one retry at a time");
    update(&mut s, Msg::ChecksDone);
    assert_eq!(
        s.checks.waiting.map(|w| w.pause_secs),
        None,
        "nothing failed this time"
    );
    keys(&mut s, &[Key::Esc]);
    assert!(s.checks.waiting.is_none());
}

#[test]
fn setup_asks_what_it_needs_then_signs_in() {
    let (s, fx) = at_sign_in();
    assert_eq!(s.screen, Screen::SignIn);
    assert_eq!(
        fx,
        [Effect::StartSignIn {
            cloud: CloudKind::Global,
            tenant_id: tenant(),
            purpose: AdminPurpose::Setup,
        }]
    );
    let order = s.setup.order.as_ref().unwrap();
    assert_eq!(order.answers.app_name, "m365-mail-wizard fax");
    assert_eq!(order.answers.secret_months, 12);
    assert!(
        s.setup
            .plan
            .iter()
            .any(|p| p.title.contains("valid for 12 months"))
    );
}

#[test]
fn signing_in_leads_to_the_plan_and_only_an_admin_may_run_it() {
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::DeviceCode(Ok(CodeView {
            user_code: "ABC123XYZ".into(),
            uri: "https://microsoft.com/devicelogin".into(),
            expires_in: 900,
        })),
    );
    assert_eq!(
        keys(&mut s, &[Key::Char('o')]),
        [Effect::OpenBrowser(
            "https://microsoft.com/devicelogin".into()
        )]
    );
    assert!(
        keys(&mut s, &[Key::Char('a')]).is_empty(),
        "approval is a sandbox-only key"
    );
    let without_rights = SignedIn {
        who: "alice@contoso.com".into(),
        role: None,
        lacks_rights: true,
    };
    update(&mut s, Msg::SignedIn(Ok(without_rights)));
    assert_eq!(s.screen, Screen::Plan);
    assert!(
        keys(&mut s, &[Key::Enter]).is_empty(),
        "no run without the rights"
    );
    assert!(error(&s).contains("Hand this plan"));
    s.sign_in.signed_in = Some(admin(Some("Global Administrator")));
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(matches!(
        fx.as_slice(),
        [Effect::SaveDraft(_), Effect::RunSetup(_)]
    ));
    assert_eq!(s.screen, Screen::Progress);
    update(
        &mut s,
        Msg::SetupStep(0, crate::model::StepStatus::Done("ok".into())),
    );
    assert!(!s.setup.rows[0].pending);
    let unavailable = diagnosis("Graph is unavailable.", "Try later.");
    update(&mut s, Msg::SetupDone(Err(unavailable)));
    assert!(error(&s).contains("Press r to resume"));
    let fx = keys(&mut s, &[Key::Char('r')]);
    assert!(
        matches!(fx.as_slice(), [Effect::SaveDraft(_), Effect::RunSetup(_)]),
        "resume runs the same order"
    );
}

#[test]
fn a_declined_sign_in_offers_a_new_code() {
    let (mut s, _) = at_sign_in();
    let declined = diagnosis("The sign-in was declined.", "Approve it.");
    update(&mut s, Msg::SignedIn(Err(declined)));
    assert_eq!(s.screen, Screen::SignIn);
    assert!(matches!(
        keys(&mut s, &[Key::Char('n')]).as_slice(),
        [Effect::StartSignIn { .. }]
    ));
    assert_eq!(keys(&mut s, &[Key::Esc]), [Effect::CancelSignIn]);
    assert_eq!(
        s.screen,
        Screen::Form(Step::Name),
        "back to the answers, all kept"
    );
    assert_eq!(s.form.name.text(), "fax");
}

#[test]
fn k_makes_a_certificate_after_an_admin_sign_in() {
    let mut s = home_with_fax();
    assert!(hint_keys(&s).contains(&"k"));
    keys(&mut s, &[Key::Char('k')]);
    assert!(notice(&s).contains("valid for 12 months"), "{:?}", s.notice);
    assert!(hint_keys(&s).contains(&"←→"));
    keys(&mut s, &[Key::Right, Key::Right, Key::Left]);
    assert!(notice(&s).contains("valid for 18 months"));
    keys(&mut s, &[Key::Left]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(fx.as_slice(), [Effect::StartSignIn { .. }]),
        "{fx:?}"
    );
    assert_eq!(s.screen, Screen::SignIn);
    let fx = update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(p, Upkeep::Certificate { months: 12 })] if p.name.as_str() == "fax"),
        "{fx:?}"
    );
    assert!(s.busy.as_deref().unwrap().contains("certificate"));
    update(&mut s, Msg::Renewed(Ok("done".into())));
    assert!(s.sign_in.upkeep == Upkeep::default() && s.sign_in.renewing.is_none());
}

#[test]
fn x_reads_the_expiry_after_an_admin_sign_in_and_esc_leaves_it() {
    let mut s = home_with_fax();
    assert!(hint_keys(&s).contains(&"x"));
    keys(&mut s, &[Key::Char('x')]);
    assert_eq!(s.screen, Screen::SignIn);
    assert!(!hint_keys(&s).contains(&"g"), "no guided setup from here");
    let fx = keys(&mut s, &[Key::Esc]);
    assert!(matches!(fx.as_slice(), [Effect::CancelSignIn]), "{fx:?}");
    assert_eq!(s.screen, Screen::Home);
    assert!(s.sign_in.renewing.is_none());
    keys(&mut s, &[Key::Char('x')]);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(p, Upkeep::ReadExpiry)] if p.name.as_str() == "fax"),
        "{fx:?}"
    );
    assert!(s.busy.as_deref().unwrap().contains("expires"));
    let fx = update(&mut s, Msg::Renewed(Ok("fax: expires 2027-05-26".into())));
    assert!(matches!(fx.as_slice(), [Effect::LoadProfiles]), "{fx:?}");
    assert_eq!(s.notice.as_deref(), Some("fax: expires 2027-05-26"));
    assert!(s.busy.is_none() && s.sign_in.renewing.is_none());
}

#[test]
fn a_read_only_sign_in_is_not_reused_for_a_new_secret() {
    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Char('x')]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::StartSignIn {
                purpose: AdminPurpose::ReadApps,
                ..
            }]
        ),
        "{fx:?}"
    );
    update(&mut s, Msg::SignedIn(Ok(admin(None))));
    update(&mut s, Msg::Renewed(Ok("fax: expires 2027-05-26".into())));
    // Reading again reuses the sign-in; a new secret needs one that may write.
    let fx = keys(&mut s, &[Key::Char('x')]);
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(_, Upkeep::ReadExpiry)]),
        "{fx:?}"
    );
    update(&mut s, Msg::Renewed(Ok("again".into())));
    keys(&mut s, &[Key::Char('s')]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::StartSignIn {
                purpose: AdminPurpose::WriteApps,
                ..
            }]
        ),
        "{fx:?}"
    );
    assert_eq!(s.screen, Screen::SignIn);
    let fx = update(&mut s, Msg::SignedIn(Ok(admin(None))));
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(_, Upkeep::Secret { .. })]),
        "{fx:?}"
    );
    update(&mut s, Msg::Renewed(Ok("renewed".into())));
    // The sign-in that may write covers reading.
    let fx = keys(&mut s, &[Key::Char('x')]);
    assert!(
        matches!(fx.as_slice(), [Effect::Upkeep(_, Upkeep::ReadExpiry)]),
        "{fx:?}"
    );
}

#[test]
fn a_setup_sign_in_covers_every_upkeep_but_an_upkeep_one_no_setup() {
    let mut s = home_with_fax();
    s.sign_in.signed_in = Some(admin(None));
    s.sign_in.tenant = Some(s.home.profiles[0].profile.tenant_id);
    s.sign_in.purpose = AdminPurpose::Setup;
    keys(&mut s, &[Key::Char('k')]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Upkeep(_, Upkeep::Certificate { .. })]
        ),
        "{fx:?}"
    );
    update(&mut s, Msg::Renewed(Ok("done".into())));
    let tenant = s.home.profiles[0].profile.tenant_id;
    assert!(
        s.sign_in
            .signed_in_for(tenant, AdminPurpose::Setup)
            .is_some()
    );
    s.sign_in.purpose = AdminPurpose::WriteApps;
    assert!(
        s.sign_in
            .signed_in_for(tenant, AdminPurpose::Setup)
            .is_none()
    );
    assert!(
        s.sign_in
            .signed_in_for(tenant, AdminPurpose::ReadApps)
            .is_some()
    );
}

#[test]
fn a_missing_secret_is_pasted_again_and_the_profile_re_checked() {
    let mut s = home_with(vec![row("fax", "contoso.com", Some("2027-01-01"))]);
    // What the form held before (a setup begun) comes back afterwards, untouched.
    s.form.tenant = Input::new("begun.example");
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(fx.as_slice(), [Effect::RunChecks { secret: None, .. }]),
        "{fx:?}"
    );
    secret_missing(&mut s);
    assert_eq!(s.screen, Screen::Form(Step::Secret));
    assert!(!s.checks.running);
    assert!(
        error(&s).starts_with("The Secret Service keyring holds no secret for fax"),
        "{:?}",
        s.error
    );
    assert!(offers(&s, "enter", "store & re-check"));
    let fx = answer(&mut s, "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    assert!(fx.is_empty(), "a Secret ID is not stored: {fx:?}");
    assert!(s.error.is_some() && s.reentry.is_some());
    keys(&mut s, &[Key::Backspace; 36]);
    typed(&mut s, "Abc8Q~pasted-again");
    let save = |s: &mut State| match keys(s, &[Key::Enter]).as_slice() {
        [Effect::Save { profile, secret }] => {
            assert_eq!(profile.name.as_str(), "fax");
            assert_eq!(profile.secret_expires.as_deref(), Some("2027-01-01"));
            assert_eq!(secret.0.expose(), "Abc8Q~pasted-again");
        }
        other => panic!("{other:?}"),
    };
    save(&mut s);
    // A failed save keeps the step and what was pasted: enter tries again.
    update(&mut s, Msg::Saved(Err("The keyring is locked.".into())));
    assert_eq!(s.screen, Screen::Form(Step::Secret));
    assert!(s.reentry.is_some() && s.error.is_some());
    s.busy = None;
    save(&mut s);
    let fx = update(&mut s, saved_in(KEYRING));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::RunChecks {
                secret: Some(_),
                ..
            }]
        ),
        "checks again, and no draft is cleared: {fx:?}"
    );
    assert!(s.reentry.is_none());
    assert_eq!(s.form.tenant.text(), "begun.example");
    assert!(s.form.secret.text().is_empty());

    // esc instead leaves it and puts the form back; ctrl-c while there keeps no draft.
    keys(&mut s, &[Key::Esc]);
    keys(&mut s, &[Key::Enter]);
    secret_missing(&mut s);
    typed(&mut s, "half-typed");
    keys(&mut s, &[Key::Esc]);
    assert_eq!(s.screen, Screen::Home);
    assert!(s.reentry.is_none() && s.form.secret.text().is_empty());
    assert_eq!(s.form.tenant.text(), "begun.example");
    keys(&mut s, &[Key::Enter]);
    secret_missing(&mut s);
    let fx = keys(&mut s, &[Key::Interrupt]);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::SaveDraft(_))),
        "{fx:?}"
    );
}

#[test]
fn news_of_a_missing_secret_after_leaving_the_checks_takes_nobody_anywhere() {
    let mut s = home_with_fax();
    let fx = keys(&mut s, &[Key::Enter]);
    let first = match fx.as_slice() {
        [Effect::RunChecks { run, .. }] => *run,
        other => panic!("{other:?}"),
    };
    keys(&mut s, &[Key::Esc, Key::Char('n')]);
    typed(&mut s, "contoso.com");
    secret_missing(&mut s);
    assert_eq!(s.screen, Screen::Form(Step::Tenant));
    assert_eq!(s.form.tenant.text(), "contoso.com");
    assert!(s.reentry.is_none());
    assert!(error(&s).contains("re-check it"));
    keys(&mut s, &[Key::Esc]);
    let fx = keys(&mut s, &[Key::Enter]);
    assert!(
        matches!(fx.as_slice(), [Effect::RunChecks { run, .. }] if *run > first),
        "each run has its own number: {fx:?}"
    );
}

#[test]
fn the_dashboard_sorts_and_filters() {
    let mut s = home_with(vec![
        row("zeta", "fabrikam.com", Some("2027-06-01")),
        row("alpha", "contoso.com", None),
        row("fax", "contoso.com", Some("2026-12-01")),
    ]);
    let names = |s: &State| {
        s.visible_profiles()
            .iter()
            .map(|r| r.profile.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&s), ["alpha", "fax", "zeta"]);
    keys(&mut s, &[Key::Char('o'), Key::Char('o')]);
    assert_eq!(s.home.sort, HomeSort::Expiry);
    assert_eq!(
        names(&s),
        ["fax", "zeta", "alpha"],
        "soonest expiry first, unknown last"
    );
    keys(&mut s, &[Key::Char('/')]);
    typed_keys(&mut s, "contoso");
    assert_eq!(names(&s), ["fax", "alpha"]);
    keys(&mut s, &[Key::Enter, Key::Down]);
    assert_eq!(
        s.selected_profile().unwrap().profile.name.to_string(),
        "alpha"
    );
    keys(&mut s, &[Key::Char('/'), Key::Esc]);
    assert_eq!(names(&s).len(), 3, "esc clears the filter");
}

#[test]
fn checking_an_existing_app_lists_only_choices_its_checks_prove() {
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('c')]);
    assert!(!s.form.choices().contains(&AccessChoice::Delegated));
    assert_eq!(s.form.access_rows(), AccessChoice::ALL.len());
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('n')]);
    assert!(s.form.choices().contains(&AccessChoice::Delegated));
    // Chosen in a setup, then the journey changed: it does not stay on, unseen.
    s.form.access = vec![AccessChoice::Delegated];
    s.form.access_cursor = AccessChoice::ALL.len();
    s.screen = Screen::Home;
    keys(&mut s, &[Key::Char('c')]);
    assert_eq!(s.form.access, [AccessChoice::GraphRead]);
    assert_eq!(s.form.access_cursor, AccessChoice::ALL.len() - 1);
}

#[test]
fn a_secret_pasted_into_another_field_never_reaches_the_draft() {
    let mut f = Form {
        tenant: Input::new("sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD"),
        mailboxes: Input::new(
            "alice@contoso.example, Zk3PqR7sT9uV1wX3yZ5aB7cD9eF1gH3jK, bob@contoso.example",
        ),
        name: Input::new("helpdesk"),
        ..Form::default()
    };
    f.secret.insert("helpdesk-typed-into-secret");
    f.deny = Input::new("helpdesk-typed-into-secret");
    let d = f.draft();
    assert_eq!(d.tenant, "");
    assert!(
        d.mailboxes.contains("alice@contoso.example")
            && d.mailboxes.contains("bob@contoso.example")
            && !d.mailboxes.contains("Zk3P"),
        "{}",
        d.mailboxes
    );
    assert_eq!(
        d.deny_mailbox, "",
        "the secret field's own text is never kept elsewhere"
    );
    assert_eq!(d.name, "helpdesk", "ordinary answers are kept");
}

#[test]
fn f_forgets_the_selected_profile_only_after_y() {
    let mut s = home_with_fax();
    assert!(hint_keys(&s).contains(&"f"));
    keys(&mut s, &[Key::Char('f')]);
    assert!(error(&s).starts_with("Forget fax?"));
    assert!(hint_keys(&s).contains(&"y"));
    // Any other key keeps it, and does nothing else.
    let fx = keys(&mut s, &[Key::Char('n')]);
    assert!(fx.is_empty());
    assert_eq!(s.screen, Screen::Home);
    assert_eq!(s.notice.as_deref(), Some("fax is kept."));
    keys(&mut s, &[Key::Char('f')]);
    let fx = keys(&mut s, &[Key::Char('y')]);
    assert!(
        matches!(fx.as_slice(), [Effect::Forget(p)] if p.name.as_str() == "fax"),
        "{fx:?}"
    );
    let fx = update(&mut s, Msg::Forgotten(Ok("Forgot fax.".into())));
    assert!(matches!(fx.as_slice(), [Effect::LoadProfiles]));
    assert!(s.busy.is_none() && s.home.forgetting.is_none());
}

#[test]
fn s_asks_the_new_secrets_lifetime_first_and_any_other_key_cancels() {
    let mut s = home_with_fax();
    keys(&mut s, &[Key::Char('s')]);
    assert!(notice(&s).contains("valid for 6 months"));
    let fx = keys(&mut s, &[Key::Esc]);
    assert!(fx.is_empty() && !s.quit, "esc cancels, it does not quit");
    assert_eq!(s.notice.as_deref(), Some("Nothing changed."));
    keys(&mut s, &[Key::Char('s')]);
    keys(&mut s, &[Key::Right; 4]);
    assert!(notice(&s).contains("valid for 24 months"), "the longest");
    keys(&mut s, &[Key::Left, Key::Left, Key::Enter]);
    assert_eq!(s.sign_in.upkeep, Upkeep::Secret { months: 12 });
    assert_eq!(s.screen, Screen::SignIn);
}

#[test]
fn a_retry_that_cannot_start_stops_waiting_instead_of_trying_ten_times_a_second() {
    let mut s = home_with_fax();
    keys(&mut s, &[Key::Enter]);
    s.checks.waiting = Some(one_tick_before_retry());
    s.checks.running = false;
    let fx = update(&mut s, Msg::Tick);
    assert!(
        matches!(fx.as_slice(), [Effect::RunChecks { .. }]),
        "{fx:?}"
    );
    update(
        &mut s,
        Msg::CheckFailedToStart("The keyring is locked.".into()),
    );
    assert!(s.checks.waiting.is_none());
    assert!(ticks_do_nothing(&mut s, 50));
    assert_eq!(s.error.as_deref(), Some("The keyring is locked."));

    // The same for a missing secret: its re-entry keeps the screen, ticks or not.
    s.checks.waiting = Some(one_tick_before_retry());
    update(&mut s, Msg::Tick);
    secret_missing(&mut s);
    assert!(ticks_do_nothing(&mut s, 50));
    assert_eq!(s.screen, Screen::Form(Step::Secret));
    assert!(s.reentry.is_some() && s.checks.waiting.is_none());
    assert!(start_checks_is_refused_while_reentering(&mut s));
}

fn start_checks_is_refused_while_reentering(s: &mut State) -> bool {
    s.screen = Screen::Checks;
    let fx = keys(s, &[Key::Char('r')]);
    fx.is_empty()
}

#[test]
fn behind_the_too_small_screen_only_leaving_acts() {
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert_eq!(s.screen, Screen::Plan);
    update(&mut s, Msg::Resize(60, 20));
    assert!(s.too_small());
    for k in [Key::Enter, Key::Char('g'), Key::Esc, Key::Down] {
        assert!(keys(&mut s, &[k]).is_empty(), "{k:?} acted unseen");
        assert_eq!(s.screen, Screen::Plan);
    }
    update(&mut s, Msg::Paste("x".into()));
    assert_eq!(s.screen, Screen::Plan);
    assert!(!s.quit);
    assert!(matches!(
        keys(&mut s, &[Key::Char('q')]).as_slice(),
        [Effect::SaveDraft(_), Effect::Quit]
    ));
    assert!(s.quit);

    // Enlarged again, the same keys act as they always did.
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    update(&mut s, Msg::Resize(60, 20));
    update(&mut s, Msg::Resize(80, 24));
    assert!(matches!(
        keys(&mut s, &[Key::Enter]).as_slice(),
        [Effect::SaveDraft(_), Effect::RunSetup(_)]
    ));
}

mod drafts;
mod navigation;

#[test]
fn l_on_the_plan_declines_the_ews_allow_list_and_the_plan_says_ews_will_fail() {
    let (mut s, _) = at_sign_in();
    update(
        &mut s,
        Msg::SignedIn(Ok(admin(Some("Global Administrator")))),
    );
    assert_eq!(s.screen, Screen::Plan);
    assert!(!hint_keys(&s).contains(&"l"), "offered only with EWS");
    assert!(keys(&mut s, &[Key::Char('l')]).is_empty());
    assert!(!s.form.decline_ews_allow_list);
    s.form.access = vec![AccessChoice::Ews];
    let ews_step = |s: &State| {
        s.setup
            .plan
            .iter()
            .find(|p| p.permission.as_deref() == Some("ewsallowlist"))
            .map(|p| p.changes.clone())
            .unwrap_or_default()
    };
    assert!(offers(&s, "l", "decline EWS allow list"));
    keys(&mut s, &[Key::Char('l')]);
    assert!(s.form.decline_ews_allow_list);
    assert!(
        ews_step(&s).contains("EWS will fail: not on the organisation's EWS allow list"),
        "{}",
        ews_step(&s)
    );
    assert!(offers(&s, "l", "add to EWS allow list"));
    keys(&mut s, &[Key::Char('l')]);
    assert!(ews_step(&s).contains("replaces the whole list"));
    assert_eq!(s.screen, Screen::Plan);
}
