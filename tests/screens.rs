//! Every screen rendered with `TestBackend` at 80×24 and 120×40, built through the wizard's
//! own messages, and compared with reviewed snapshots.

use std::time::Duration;

use m365_mail_wizard::model::{
    CheckEvent, CloudKind, Diagnosis, Endpoints, Mailbox, Profile, StepStatus, TenantId,
};
use m365_mail_wizard::tui::render::{draw, frame};
use m365_mail_wizard::wizard::{
    Key, Msg, ProfileRow, SandboxApp, SandboxView, Saved, State, update,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn sandbox() -> SandboxView {
    let mut endpoints = Endpoints::named(CloudKind::Global).unwrap();
    endpoints.login = "http://127.0.0.1:4000".into();
    endpoints.graph = "http://127.0.0.1:4000/graph".into();
    SandboxView {
        tenant_domain: "contoso.example".into(),
        endpoints,
        apps: vec![
            SandboxApp {
                name: "Helpdesk (scoped by policy)".into(),
                client_id: "a1f5c0de-0001-4000-8000-00000000c001".into(),
            },
            SandboxApp {
                name: "Fax relay (no admin consent)".into(),
                client_id: "a1f5c0de-0002-4000-8000-00000000c002".into(),
            },
        ],
        mailboxes: vec!["alice@contoso.example".into(), "bob@contoso.example".into()],
    }
}

fn send(s: &mut State, msgs: impl IntoIterator<Item = Msg>) {
    for m in msgs {
        update(s, m);
    }
}

fn keys(s: &mut State, ks: &[Key]) {
    send(s, ks.iter().map(|k| Msg::Key(*k)));
}

fn typed(s: &mut State, text: &str) {
    send(s, [Msg::Paste(text.into())]);
}

fn render(s: &State, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, s)).unwrap();
    t.backend().buffer().clone()
}

fn text(b: &Buffer) -> String {
    let w = b.area.width as usize;
    b.content
        .chunks(w)
        .map(|row| {
            row.iter()
                .map(|c| c.symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snap(name: &str, s: &State) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&render(s, w, h)));
    }
}

/// The day the screens are drawn on: the dashboard's days to expiry count from it.
fn today() -> time::Date {
    time::macros::date!(2026 - 11 - 26)
}

fn tenant() -> TenantId {
    TenantId::parse("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b").unwrap()
}

/// A state walked through the form up to `Step::Name`.
fn filled() -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('c'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    typed(&mut s, "a1f5c0de-0001-4000-8000-00000000c001");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD");
    keys(&mut s, &[Key::Enter, Key::Enter]);
    typed(&mut s, "alice@contoso.example, bob@contoso.example");
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "ceo@contoso.example");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "helpdesk");
    s
}

fn checked(fail_bob: bool) -> State {
    let mut s = filled();
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "OS keyring".into(),
            note: None,
        }))],
    );
    let ms = Duration::from_millis;
    send(
        &mut s,
        [
            Msg::CheckEvent(
                0,
                CheckEvent::Passed {
                    detail: "roles: Mail.Read".into(),
                    elapsed: ms(210),
                },
            ),
            Msg::CheckEvent(
                1,
                CheckEvent::Passed {
                    detail: "inbox: 12 messages, 3 unread".into(),
                    elapsed: ms(340),
                },
            ),
        ],
    );
    if fail_bob {
        send(
            &mut s,
            [
                Msg::CheckEvent(
                    2,
                    CheckEvent::Failed {
                        diagnosis: Diagnosis {
                            summary: "bob@contoso.example is outside the app's scope.".into(),
                            evidence: "HTTP 403 ErrorAccessDenied: Access to OData is disabled: [RAOP]".into(),
                            cause: "An Application Access Policy limits this app.".into(),
                            fix: "Add-DistributionGroupMember -Identity <group> -Member bob@contoso.example".into(),
                        },
                        elapsed: ms(1410),
                        unavailable: false,
                    },
                ),
                Msg::CheckEvent(3, CheckEvent::Started),
                Msg::Key(Key::Down),
                Msg::Key(Key::Down),
            ],
        );
    } else {
        send(
            &mut s,
            [
                Msg::CheckEvent(
                    2,
                    CheckEvent::Passed {
                        detail: "inbox: 7 messages, 0 unread".into(),
                        elapsed: ms(300),
                    },
                ),
                Msg::CheckEvent(
                    3,
                    CheckEvent::Passed {
                        detail: "refused as intended (outside the scope)".into(),
                        elapsed: ms(290),
                    },
                ),
                Msg::ChecksDone,
            ],
        );
    }
    s
}

#[test]
fn home_empty_sandbox() {
    snap(
        "home_empty_sandbox",
        &State::new(Some(sandbox()), None, today()),
    );
}

#[test]
fn home_real_tenant_with_draft() {
    let draft = m365_mail_wizard::model::Draft {
        tenant: "contoso.com".into(),
        ..Default::default()
    };
    snap(
        "home_real_with_draft",
        &State::new(None, Some(draft), today()),
    );
}

#[test]
fn form_steps() {
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('c'), Key::Down]);
    typed(&mut s, "contoso.us");
    snap("step_tenant_real_cloud", &s);
    let mut s = filled();
    keys(&mut s, &[Key::Esc, Key::Esc, Key::Esc]);
    snap("step_secret_masked", &s);
    keys(&mut s, &[Key::Enter, Key::Down, Key::Down, Key::Char(' ')]);
    snap("step_access", &s);
    keys(&mut s, &[Key::Enter]);
    snap("step_mailboxes", &s);
    keys(&mut s, &[Key::Enter]);
    snap("step_name", &s);
}

#[test]
fn form_errors() {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('c'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    typed(&mut s, "d0000000-0001-4000-8000-00000000a00");
    keys(&mut s, &[Key::Enter]);
    snap("step_client_id_error", &s);
}

#[test]
fn checks_in_progress_with_a_diagnosis() {
    snap("checks_running_diagnosis", &checked(true));
}

/// Right after a scoped setup: Exchange Online has not applied the role assignment yet.
#[test]
fn a_check_waiting_for_exchange_is_pending_not_failed() {
    let mut s = filled();
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "OS keyring".into(),
            note: None,
        }))],
    );
    let pending = |who: &str| {
        CheckEvent::Pending {
        diagnosis: Diagnosis {
            summary: "pending: the role assignment was made 4 min ago; Exchange Online applies it within 2 hours".into(),
            evidence: "HTTP 403 ErrorAccessDenied: Access is denied.".into(),
            cause: format!("The setup made the role assignment 4 min ago. Until the change applies, {who} is refused as it is now; nothing is wrong with the setup."),
            fix: "Nothing to change: wait, then check again (`check --wait` checks until it passes). If it is still refused in 1 h 56 min, the check fails and says what to look at.".into(),
        },
        since_change_secs: 240,
        elapsed: Duration::from_millis(120),
    }
    };
    send(
        &mut s,
        [
            Msg::CheckEvent(
                0,
                CheckEvent::Passed {
                    detail: "no tenant-wide roles: mailbox access comes from RBAC for Applications"
                        .into(),
                    elapsed: Duration::from_millis(210),
                },
            ),
            Msg::CheckEvent(1, pending("alice@contoso.example")),
            Msg::CheckEvent(2, pending("bob@contoso.example")),
            Msg::CheckEvent(3, CheckEvent::Started),
            Msg::Key(Key::Down),
        ],
    );
    snap_at("checks_pending_120x40", &s, 120, 40);
    let screen = text(&render(&s, 120, 40));
    assert!(screen.contains("◷"), "{screen}");
    assert!(
        screen.contains("pending: the role assignment was made 4 min ago"),
        "{screen}"
    );
    assert!(screen.contains("Nothing to change: wait"), "{screen}");
    assert!(!screen.contains("✘"), "nothing failed:\n{screen}");
}

#[test]
fn summary_after_all_passed() {
    let mut s = checked(false);
    keys(&mut s, &[Key::Enter]);
    snap("summary_passed", &s);
}

/// A profile for IMAP and EWS, checked: bob@ lacks FullAccess.
fn mail_checked() -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('c'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    typed(&mut s, "a1f5c0de-0007-4000-8000-00000000c007");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "sbx7Q~NoFullAccess.Poller-Sandbox_Only.0007uVwX");
    keys(&mut s, &[Key::Enter, Key::Char(' ')]);
    keys(&mut s, &[Key::Down, Key::Down, Key::Down, Key::Char(' ')]);
    keys(&mut s, &[Key::Down, Key::Down, Key::Down, Key::Char(' ')]);
    snap("step_access_ews_legacy", &s);
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "alice@contoso.example, bob@contoso.example");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "poller");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "OS keyring".into(),
            note: None,
        }))],
    );
    let ms = Duration::from_millis;
    let passed = |detail: &str, t| CheckEvent::Passed {
        detail: detail.into(),
        elapsed: ms(t),
    };
    send(
        &mut s,
        [
            Msg::CheckEvent(0, passed("roles: IMAP.AccessAsApp, full_access_as_app", 190)),
            Msg::CheckEvent(1, passed("inbox: 12 messages, 3 unseen (read-only)", 420)),
            Msg::CheckEvent(2, passed("inbox: 12 messages, 3 unread", 260)),
            Msg::CheckEvent(
                3,
                CheckEvent::Failed {
                    diagnosis: Diagnosis {
                        summary: "The app has no FullAccess on bob@contoso.example.".into(),
                        evidence: "a3 BAD User is authenticated but not connected.".into(),
                        cause: "The sign-in worked and other mailboxes open, so the service principal is registered; it lacks permission on this mailbox.".into(),
                        fix: "Add-MailboxPermission -Identity bob@contoso.example -User e0000000-0007-4000-8000-00000000b007 -AccessRights FullAccess".into(),
                    },
                    elapsed: ms(380),
                    unavailable: false,
                },
            ),
            Msg::CheckEvent(4, CheckEvent::Started),
            Msg::Key(Key::Down),
            Msg::Key(Key::Down),
            Msg::Key(Key::Down),
        ],
    );
    s
}

#[test]
fn mail_protocols_per_mailbox_with_a_diagnosis() {
    let s = mail_checked();
    snap("checks_mail_protocols", &s);
    let screen = text(&render(&s, 120, 40));
    for want in [
        "token   Exchange",
        "imap    alice@",
        "ews     bob@",
        "not connected",
    ] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
}

#[test]
fn too_small() {
    let s = State::new(Some(sandbox()), None, today());
    insta::assert_snapshot!("too_small_60x20", text(&render(&s, 60, 20)));
}

#[test]
fn colours_that_carry_meaning() {
    let s = checked(true);
    let b = render(&s, 80, 24);
    let t = text(&b);
    let find = |needle: &str| {
        let (y, line) = t
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap();
        let x = line[..line.find(needle).unwrap()].chars().count();
        b[(x as u16, y as u16)].fg
    };
    assert_eq!(find("✔"), Color::Green, "passed checks are green");
    assert_eq!(find("✘"), Color::Red, "failed checks are red");
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('c'), Key::Enter]);
    let b = render(&s, 80, 24);
    let t = text(&b);
    assert!(t.contains("Tenant is empty"), "{t}");
    let (y, line) = t
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Tenant is empty"))
        .unwrap();
    let x = line
        .find("Tenant")
        .map(|i| line[..i].chars().count())
        .unwrap();
    assert_eq!(b[(x as u16, y as u16)].fg, Color::Red, "errors are red");
}

#[test]
fn the_secret_never_reaches_the_screen() {
    for s in [filled(), checked(true), checked(false)] {
        for (w, h) in [(80, 24), (120, 40)] {
            assert!(!text(&render(&s, w, h)).contains("Scoped.Helpdesk"));
        }
    }
}

#[test]
fn setup_sign_in_and_plan() {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('n'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    keys(
        &mut s,
        &[Key::Down, Key::Down, Key::Down, Key::Char(' '), Key::Enter],
    );
    typed(&mut s, "alice@contoso.example");
    keys(&mut s, &[Key::Enter]);
    snap("setup_scope", &s);
    keys(&mut s, &[Key::Enter]);
    snap("setup_app_details", &s);
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "ticketing");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::DeviceCode(Ok(m365_mail_wizard::wizard::CodeView {
            user_code: "TL7NKNTMK".into(),
            uri: "http://127.0.0.1:43107/sandbox/device".into(),
            expires_in: 900,
        }))],
    );
    snap("setup_sign_in", &s);
    send(
        &mut s,
        [
            Msg::DeviceCodeBlocked(
                "A Conditional Access policy blocks the device code flow for your sign-in."
                    .into(),
            ),
            Msg::BrowserSignIn(m365_mail_wizard::wizard::BrowserView {
                url: "http://127.0.0.1:43107/3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b/oauth2/v2.0/authorize?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A41234&state=Xy&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256".into(),
                not_opened: Some("xdg-open could not be started: No such file or directory (os error 2)".into()),
            }),
        ],
    );
    snap("setup_browser_sign_in", &s);
    send(
        &mut s,
        [Msg::SignedIn(Ok(m365_mail_wizard::wizard::SignedIn {
            who: "admin@contoso.example".into(),
            role: Some("Global Administrator".into()),
            lacks_rights: false,
        }))],
    );
    keys(&mut s, &[Key::Down, Key::Down, Key::Down, Key::Down]);
    snap("setup_plan", &s);
    let screen = text(&render(&s, 120, 40));
    assert!(
        screen.contains("IMAP.AccessAsApp on Office 365 Exchange Online"),
        "{screen}"
    );
    assert!(
        screen.contains("New-MgServicePrincipalAppRoleAssignedTo"),
        "{screen}"
    );
}

#[test]
fn the_caret_shows_where_typing_goes() {
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('c')]);
    typed(&mut s, "contoso.com");
    keys(&mut s, &[Key::Left, Key::Left, Key::Left, Key::Left]);
    let screen = text(&render(&s, 100, 30));
    assert!(screen.contains("> contoso▏.com"), "{screen}");
}

/// A setup (Graph read, one mailbox) with the admin signed in, on the plan screen.
fn signed_in_setup() -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('n'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "alice@contoso.example");
    keys(&mut s, &[Key::Enter, Key::Enter, Key::Enter]);
    typed(&mut s, "ticketing");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::SignedIn(Ok(m365_mail_wizard::wizard::SignedIn {
            who: "admin@contoso.example".into(),
            role: Some("Global Administrator".into()),
            lacks_rights: false,
        }))],
    );
    s
}

#[test]
fn setup_progress_and_guide() {
    let mut s = signed_in_setup();
    let mut guided = signed_in_setup();
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [
            Msg::SetupStep(0, StepStatus::Done("app 3c1e… created".into())),
            Msg::SetupStep(
                1,
                StepStatus::Done("service principal 9a0d… created".into()),
            ),
            Msg::SetupStep(
                2,
                StepStatus::Failed(Diagnosis {
                    summary: "Microsoft Graph refused: the signed-in account may not do this."
                        .into(),
                    evidence: "HTTP 403 Authorization_RequestDenied".into(),
                    cause: "The account lost its role during the setup.".into(),
                    fix: "Sign in as a Global Administrator and press r: what exists is kept."
                        .into(),
                }),
            ),
        ],
    );
    snap("setup_progress_failed", &s);
    keys(&mut guided, &[Key::Char('g')]);
    snap("setup_guide_first_step", &guided);
}

#[test]
fn a_step_waiting_for_the_directory_says_so() {
    let mut s = signed_in_setup();
    keys(&mut s, &[Key::Enter]);
    let waiting = "waiting for Microsoft Entra ID to show the new app registration (directory replication), 3 s so far";
    send(
        &mut s,
        [
            Msg::SetupStep(0, StepStatus::Done("app 3c1e… created".into())),
            Msg::SetupStep(1, StepStatus::Waiting(waiting.into())),
        ],
    );
    let screen = text(&render(&s, 200, 30));
    assert!(
        screen.contains(waiting),
        "the step says what it waits for:\n{screen}"
    );
}

fn dashboard_row(
    name: &str,
    tenant: &str,
    expires: Option<&str>,
    verdict: Option<&str>,
) -> ProfileRow {
    let last = verdict
        .map(|v| format!("[last_check]\nat = \"2026-11-20T08:00:00Z\"\nverdict = \"{v}\"\npassed = 3\nfailed = {}\n", u8::from(v == "failed")))
        .unwrap_or_default();
    let mut profile: Profile = toml::from_str(&format!(
        "name = \"{name}\"\ncloud = \"global\"\ntenant = \"{tenant}\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = [\"graph-read\"]\nmailboxes = [\"a@{tenant}\"]\n{last}"
    ))
    .unwrap();
    profile.secret_expires = expires.map(String::from);
    ProfileRow { profile }
}

#[test]
fn home_dashboard_with_expiry_and_a_damaged_file() {
    let mut s = State::new(None, None, today());
    send(
        &mut s,
        [Msg::Profiles(
            vec![
                dashboard_row(
                    "fabrikam-fax",
                    "fabrikam.com",
                    Some("2026-11-30"),
                    Some("passed"),
                ),
                dashboard_row(
                    "contoso-helpdesk",
                    "contoso.com",
                    Some("2027-05-26"),
                    Some("passed"),
                ),
                dashboard_row(
                    "tailspin-crm",
                    "tailspin.com",
                    Some("2026-12-15"),
                    Some("failed"),
                ),
                dashboard_row("woodgrove-backup", "woodgrove.com", None, None),
            ],
            vec!["/home/u/.config/m365-mail-wizard/profiles/old.toml:3: expected `=`".into()],
        )],
    );
    snap("home_dashboard", &s);
}

#[test]
fn home_with_an_unfinished_setup() {
    let mut s = State::new(None, None, today());
    let draft = m365_mail_wizard::model::Draft {
        journey: "setup".into(),
        at: "progress".into(),
        name: "contoso-helpdesk".into(),
        ..Default::default()
    };
    send(
        &mut s,
        [
            Msg::Profiles(
                vec![dashboard_row(
                    "fabrikam-fax",
                    "fabrikam.com",
                    Some("2026-11-30"),
                    Some("passed"),
                )],
                vec![],
            ),
            Msg::DraftLoaded(
                Some(Box::new(draft)),
                Some("app registered, service principal, secret".into()),
            ),
        ],
    );
    snap("home_unfinished_setup", &s);
    keys(&mut s, &[Key::Down]);
    snap("home_unfinished_setup_profile_selected", &s);
}

#[test]
fn secret_step_warnings_and_resolved_tenant() {
    let mut s = State::new(None, None, today());
    keys(&mut s, &[Key::Char('c')]);
    typed(&mut s, "contoso.com");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Global)))],
    );
    snap("step_client_id_after_resolved_tenant", &s);
    typed(&mut s, "a1f5c0de-0001-4000-8000-00000000c001");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "8d2e1f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a");
    keys(&mut s, &[Key::Enter]);
    snap("step_secret_id_refused", &s);
}

#[test]
fn summary_when_the_secret_is_only_in_memory() {
    let mut s = filled();
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "session memory".into(),
            note: Some(
                "No OS keyring here: this sandbox secret is held in memory for this session only."
                    .into(),
            ),
        }))],
    );
    send(
        &mut s,
        (0..4).map(|i| {
            Msg::CheckEvent(
                i,
                CheckEvent::Passed {
                    detail: "ok".into(),
                    elapsed: Duration::from_millis(100),
                },
            )
        }),
    );
    send(&mut s, [Msg::ChecksDone, Msg::Key(Key::Enter)]);
    let screen = text(&render(&s, 120, 40));
    assert!(
        screen.contains("held in memory for this session only")
            && !screen.contains("in the keyring:"),
        "{screen}"
    );
    snap("summary_secret_in_memory", &s);
}

/// Draws `s` at `w`×`h` and tells the wizard what the frame showed, as the event loop does.
fn settle(s: &mut State, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut viewport = s.viewport;
    t.draw(|f| viewport = frame(f, s)).unwrap();
    update(s, Msg::Viewport(viewport));
}

/// A profile of the sandbox tenant, as the TUI saves it (custom endpoints, `sandbox = true`).
fn sandbox_row(name: &str, verdict: &str) -> ProfileRow {
    let failed = u8::from(verdict == "failed");
    let mut row = dashboard_row(name, "contoso.example", Some("2028-06-30"), Some(verdict));
    row.profile.sandbox = true;
    row.profile.cloud = CloudKind::Custom;
    row.profile.mailboxes = Mailbox::parse_list("alice@contoso.example").unwrap();
    if let Some(c) = row.profile.last_check.as_mut() {
        c.failed = u32::from(failed);
    }
    row
}

#[test]
fn home_with_seven_sandbox_profiles_scrolled_to_the_last() {
    let mut s = State::new(Some(sandbox()), None, today());
    let names = [
        "backup",
        "crm",
        "fax",
        "helpdesk",
        "poller",
        "scanner",
        "ticketing",
    ];
    send(
        &mut s,
        [Msg::Profiles(
            names
                .iter()
                .map(|n| {
                    sandbox_row(
                        n,
                        if *n == "ticketing" {
                            "failed"
                        } else {
                            "passed"
                        },
                    )
                })
                .collect(),
            vec![],
        )],
    );
    keys(&mut s, &[Key::End]);
    snap("home_seven_profiles_last", &s);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&render(&s, w, h));
        assert!(
            screen.contains("> ticketing"),
            "the 7th is selected and shows:\n{screen}"
        );
        assert!(
            screen.contains("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
                && screen.contains("sandbox tenant")
                && !screen.contains("custom cloud"),
            "the detail lines whole, the sandbox named:\n{screen}"
        );
    }
}

/// A setup of Graph read, IMAP and POP for alice@ and bob@ (ceo@ refused): 17 plan steps,
/// an administrator signed in.
fn seventeen_step_plan() -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('n'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    keys(&mut s, &[Key::Down, Key::Down, Key::Down, Key::Char(' ')]);
    keys(&mut s, &[Key::Down, Key::Char(' '), Key::Enter]);
    typed(&mut s, "alice@contoso.example, bob@contoso.example");
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "ceo@contoso.example");
    keys(&mut s, &[Key::Enter, Key::Enter, Key::Enter]);
    typed(&mut s, "ticketing");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::SignedIn(Ok(m365_mail_wizard::wizard::SignedIn {
            who: "admin@contoso.example".into(),
            role: Some("Global Administrator".into()),
            lacks_rights: false,
        }))],
    );
    assert_eq!(s.setup.plan.len(), 17);
    s
}

#[test]
fn plan_scrolled_to_its_seventeenth_step() {
    let mut s = seventeen_step_plan();
    keys(&mut s, &[Key::End]);
    snap("setup_plan_step_17", &s);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&render(&s, w, h));
        assert!(
            screen.contains("> 17. Sign in as the app and check the roles in its token"),
            "{screen}"
        );
    }
    let screen = text(&render(&s, 80, 24));
    assert!(
        screen.contains("14–17 of 17"),
        "the position mark:\n{screen}"
    );
    // The PowerShell of a long step: each command on its own line, none cut.
    keys(
        &mut s,
        &[Key::Home, Key::Down, Key::Down, Key::Down, Key::Down],
    );
    let screen = text(&render(&s, 80, 24));
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .trim_start_matches('│')
            .trim_start()
            .starts_with("New-MgServicePrincipalAppRoleAssignedTo")),
        "{screen}"
    );
    assert!(screen.contains("Changes:"), "{screen}");
}

#[test]
fn progress_follows_the_step_under_way() {
    let mut s = seventeen_step_plan();
    keys(&mut s, &[Key::Enter]);
    for i in 0..14 {
        send(
            &mut s,
            [Msg::SetupStep(
                i,
                StepStatus::Done(format!("step {} done", i + 1)),
            )],
        );
    }
    send(&mut s, [Msg::SetupStep(14, StepStatus::Running)]);
    snap("setup_progress_scrolled", &s);
    let screen = text(&render(&s, 80, 24));
    assert!(
        screen.contains("Give the service principal FullAccess to bob@contoso.example — …")
            && screen.contains("4–17 of 17"),
        "the step under way shows:\n{screen}"
    );
}

/// The Ticketing app of the sandbox (`…c006`): its Exchange service principal was registered
/// with the app registration's object ID, so no mailbox opens over IMAP.
fn ticketing_checked() -> State {
    use m365_mail_wizard::checks::mail_diagnosis::{MailContext, Peers, diagnose_probe};
    use m365_mail_wizard::checks::wire::ProbeError;
    use m365_mail_wizard::model::CheckKind;
    let mut s = answered_up_to_access(
        "a1f5c0de-0006-4000-8000-00000000c006",
        "sbx6Q~WrongOid.Ticketing-Sandbox_Only.0006qRsT",
    );
    keys(&mut s, &[Key::Char(' '), Key::Enter]);
    typed(&mut s, "alice@contoso.example, bob@contoso.example");
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "ticketing");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "OS keyring".into(),
            note: None,
        }))],
    );
    let roles = ["IMAP.AccessAsApp".to_string()];
    let refused = |mailbox: &str| {
        let err = ProbeError::Refused {
            step: "select",
            line: "a3 BAD User is authenticated but not connected.".into(),
        };
        CheckEvent::Failed {
            diagnosis: diagnose_probe(
                &err,
                &MailContext {
                    kind: CheckKind::Imap,
                    mailbox,
                    client_id: "a1f5c0de-0006-4000-8000-00000000c006",
                    sp_object_id: "e0000000-0006-4000-8000-00000000b006",
                    roles: &roles,
                    peers: Peers {
                        passed: 0,
                        failed_alike: 1,
                    },
                },
            ),
            elapsed: Duration::from_millis(380),
            unavailable: false,
        }
    };
    send(
        &mut s,
        [
            Msg::CheckEvent(
                0,
                CheckEvent::Passed {
                    detail: "roles: IMAP.AccessAsApp".into(),
                    elapsed: Duration::from_millis(190),
                },
            ),
            Msg::CheckEvent(1, refused("alice@contoso.example")),
            Msg::CheckEvent(2, refused("bob@contoso.example")),
            Msg::ChecksDone,
            Msg::Key(Key::Down),
        ],
    );
    s
}

#[test]
fn ticketing_fix_is_whole_at_80x24() {
    let s = ticketing_checked();
    snap("checks_ticketing_imap_alice", &s);
    let d = s.checks.rows[1].diagnosis.clone().unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&render(&s, w, h));
        assert!(screen.contains(">✘ imap    alice@"), "{screen}");
        // Every word of the fix is on the screen, in order, without scrolling.
        let shown: String = screen
            .lines()
            .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
            .collect::<Vec<_>>()
            .join(" ");
        let fix_words: Vec<&str> = d.fix.split_whitespace().collect();
        let at = shown.find("Fix: ").expect("a Fix line") + 5;
        let after: Vec<&str> = shown[at..].split_whitespace().collect();
        assert_eq!(&after[..fix_words.len()], &fix_words[..], "{screen}");
        // Each command starts its own line.
        for cmd in [
            "Remove-ServicePrincipal",
            "New-ServicePrincipal",
            "(Add-MailboxPermission",
        ] {
            assert!(
                screen
                    .lines()
                    .any(|l| l.trim_start_matches('│').trim_start().starts_with(cmd)),
                "{cmd}:\n{screen}"
            );
        }
    }
}

#[test]
fn ticketing_cause_and_evidence_follow_the_fix_by_scrolling() {
    let mut s = ticketing_checked();
    settle(&mut s, 80, 24);
    let first = text(&render(&s, 80, 24));
    assert!(!first.contains("The usual cause is"), "{first}");
    assert!(
        first.contains("J/K scroll · lines 1–"),
        "the pane says it scrolls:\n{first}"
    );
    keys(&mut s, &[Key::Char('J'), Key::Char('J'), Key::Char('J')]);
    let scrolled = text(&render(&s, 80, 24));
    assert!(
        scrolled.contains("The usual cause is")
            && scrolled.contains("the Enterprise application's.")
            && scrolled.contains("Evidence: a3 BAD User is authenticated but not connected."),
        "{scrolled}"
    );
    snap_at("checks_ticketing_scrolled_80x24", &s, 80, 24);
}

fn snap_at(name: &str, s: &State, w: u16, h: u16) {
    insta::assert_snapshot!(name, text(&render(s, w, h)));
}

/// A consultant's profile: ten mailboxes, each over IMAP, POP and SMTP (31 checks).
fn consultant_checked() -> State {
    let mut s = answered_up_to_access(
        "a1f5c0de-0005-4000-8000-00000000c005",
        "sbx5Q~Unscoped.Archiver-Sandbox_Only.0005qRsT",
    );
    keys(
        &mut s,
        &[
            Key::Char(' '),
            Key::Down,
            Key::Char(' '),
            Key::Down,
            Key::Char(' '),
            Key::Enter,
        ],
    );
    let mailboxes: Vec<String> = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "ceo",
    ]
    .iter()
    .map(|m| format!("{m}@contoso.example"))
    .collect();
    typed(&mut s, &mailboxes.join(", "));
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "consultant");
    keys(&mut s, &[Key::Enter]);
    send(
        &mut s,
        [Msg::Saved(Ok(Saved {
            store: "OS keyring".into(),
            note: None,
        }))],
    );
    assert_eq!(s.checks.rows.len(), 31);
    let passed = |i| {
        Msg::CheckEvent(
            i,
            CheckEvent::Passed {
                detail: "signed in; inbox selected".into(),
                elapsed: Duration::from_millis(200 + i as u64),
            },
        )
    };
    send(&mut s, (0..10).map(passed));
    send(
        &mut s,
        [Msg::CheckEvent(
            10,
            CheckEvent::Failed {
                diagnosis: Diagnosis {
                    summary: "IMAP sign-in to dave@contoso.example was refused.".into(),
                    evidence: "a1 NO AUTHENTICATE failed.".into(),
                    cause: "Other mailboxes sign in, so the token and the service principal are fine. IMAP is switched off for dave@contoso.example (or it has no Exchange Online mailbox).".into(),
                    fix: "Get-CASMailbox -Identity dave@contoso.example shows the switch; Set-CASMailbox -Identity dave@contoso.example -ImapEnabled $true.".into(),
                },
                elapsed: Duration::from_millis(330),
                unavailable: false,
            },
        )],
    );
    send(&mut s, (11..29).map(passed));
    send(&mut s, [Msg::CheckEvent(29, CheckEvent::Started)]);
    s
}

#[test]
fn thirty_checks_scroll_with_the_selection() {
    let mut s = consultant_checked();
    settle(&mut s, 80, 24);
    keys(&mut s, &[Key::PageDown, Key::PageDown, Key::PageDown]);
    assert_eq!(
        s.checks.cursor,
        3 * s.viewport.list_rows,
        "a page is what shows"
    );
    assert!(s.checks.cursor > 10);
    while s.checks.cursor > 10 {
        keys(&mut s, &[Key::Up]);
    }
    snap("checks_thirty_rows_dave", &s);
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&render(&s, w, h));
        assert!(screen.contains(">✘ imap    dave@"), "{screen}");
        assert!(screen.contains("of 31"), "{screen}");
        assert!(
            screen.contains("Set-CASMailbox -Identity dave@contoso.example -ImapEnabled $true."),
            "{screen}"
        );
    }
    keys(&mut s, &[Key::End]);
    snap("checks_thirty_rows_last", &s);
    assert!(text(&render(&s, 80, 24)).contains("31 of 31"));
}

#[test]
fn help_lists_the_keys_of_the_screen_in_sentences() {
    let mut s = State::new(Some(sandbox()), None, today());
    send(
        &mut s,
        [Msg::Profiles(
            vec![
                sandbox_row("helpdesk", "passed"),
                sandbox_row("ticketing", "failed"),
            ],
            vec![],
        )],
    );
    keys(&mut s, &[Key::Char('?')]);
    snap("help_home", &s);
    let screen = text(&render(&s, 80, 24));
    for want in [
        "Help: the keys of this screen",
        "S makes a new client secret",
        "Q or ctrl-C quits the wizard.",
        "Any key closes this help.",
    ] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    keys(&mut s, &[Key::Char('x')]);
    assert!(!text(&render(&s, 80, 24)).contains("Help: the keys"));
    // Every screen's help fits at 80×24: the closing line shows.
    let mut plan = seventeen_step_plan();
    keys(&mut plan, &[Key::Help]);
    let screen = text(&render(&plan, 80, 24));
    assert!(
        screen.contains("J and K (or shift-↓ and shift-↑) scroll"),
        "{screen}"
    );
    assert!(screen.contains("Any key closes this help."), "{screen}");
}

#[test]
fn the_name_step_says_what_enter_does_in_each_journey() {
    let checking = text(&render(&filled(), 120, 40));
    assert!(checking.contains("runs the live checks"), "{checking}");
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('n'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, "alice@contoso.example");
    keys(&mut s, &[Key::Enter, Key::Enter, Key::Enter]);
    let setting_up = text(&render(&s, 120, 40));
    assert!(
        setting_up.contains("Enter asks for an administrator's sign-in")
            && !setting_up.contains("runs the live checks"),
        "{setting_up}"
    );
}

/// Journey 3 on the sandbox, up to the access step with its first choice unticked and the
/// cursor on the fourth: the app's client ID and secret answered.
fn answered_up_to_access(client_id: &str, secret: &str) -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('c'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    typed(&mut s, client_id);
    keys(&mut s, &[Key::Enter]);
    typed(&mut s, secret);
    keys(
        &mut s,
        &[Key::Enter, Key::Char(' '), Key::Down, Key::Down, Key::Down],
    );
    s
}

#[test]
fn a_renewed_secret_is_shown_once_then_cleared() {
    use m365_mail_wizard::model::Secret;
    use m365_mail_wizard::wizard::SecretBox;
    const VALUE: &str = "Xq81Q~renewed.Value-shown-once_0123456789ab";
    let mut s = State::new(None, None, today());
    let row = dashboard_row(
        "helpdesk",
        "contoso.com",
        Some("2027-06-02"),
        Some("passed"),
    );
    let name = row.profile.name.clone();
    send(
        &mut s,
        [
            Msg::Profiles(vec![row], vec![]),
            Msg::NewSecret(name, SecretBox(Secret::new(VALUE))),
            Msg::Renewed(Ok(
                "Renewed helpdesk. Press v to see its Value once (it will not be shown again)."
                    .into(),
            )),
        ],
    );
    assert!(!text(&render(&s, 80, 24)).contains(VALUE), "not before v");
    keys(&mut s, &[Key::Char('v')]);
    assert!(text(&render(&s, 80, 24)).contains(VALUE));
    snap("home_secret_shown_once", &s);
    keys(&mut s, &[Key::Char('q')]);
    assert!(!s.quit, "the key only clears the secret");
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&render(&s, w, h));
        assert!(!screen.contains(VALUE), "{screen}");
        assert!(screen.contains("will not be shown again"), "{screen}");
    }
}

#[test]
fn the_checks_of_a_custom_cloud_profile_name_its_cloud() {
    let mut s = checked(false);
    s.sandbox = None;
    if let Some(p) = s.checks.profile.as_mut() {
        p.cloud = m365_mail_wizard::model::CloudKind::Custom;
    }
    let screen = text(&render(&s, 100, 30));
    assert!(screen.contains("cloud: custom"), "{screen}");
}

/// A sandbox setup on the delegated step: Graph read off, the delegated style (the last
/// choice) on.
fn at_delegated_step() -> State {
    let mut s = State::new(Some(sandbox()), None, today());
    keys(&mut s, &[Key::Char('n'), Key::Enter]);
    send(
        &mut s,
        [Msg::TenantResolved(Ok((tenant(), CloudKind::Custom)))],
    );
    keys(&mut s, &[Key::Char(' ')]);
    keys(&mut s, &[Key::Down; 7]);
    keys(&mut s, &[Key::Char(' '), Key::Enter]);
    s
}

#[test]
fn setup_delegated_step() {
    let mut s = at_delegated_step();
    keys(&mut s, &[Key::Right, Key::Tab]);
    typed(&mut s, "https://esm.contoso.example/oauth/callback");
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "alice@contoso.example");
    keys(&mut s, &[Key::Tab]);
    typed(&mut s, "bob@contoso.example");
    snap("setup_delegated", &s);
}

#[test]
fn setup_delegated_step_with_the_exchange_part_as_a_script() {
    let mut s = at_delegated_step();
    keys(&mut s, &[Key::Char('p')]);
    let screen = text(&render(&s, 120, 40));
    assert!(
        screen.contains("Exchange part: a PowerShell script to run (p: done for me)"),
        "{screen}"
    );
    assert!(screen.contains("do the Exchange part for me"), "{screen}");
    snap("setup_delegated_script", &s);
}

/// The audit screen of the dashboard's `a`: signed in, `facts` read from contoso.com.
fn audited(facts: Vec<m365_mail_wizard::model::audit::PrincipalFacts>) -> State {
    use m365_mail_wizard::model::audit;
    let mut s = State::new(None, None, today());
    let row = dashboard_row("contoso-helpdesk", "contoso.com", None, Some("passed"));
    send(&mut s, [Msg::Profiles(vec![row], vec![])]);
    keys(&mut s, &[Key::Char('a')]);
    send(
        &mut s,
        [
            Msg::SignedIn(Ok(m365_mail_wizard::wizard::SignedIn {
                who: "admin@contoso.com".into(),
                role: Some("Global Reader".into()),
                lacks_rights: false,
            })),
            Msg::AuditProgress("reading mailbox permissions: 120/300…".into()),
        ],
    );
    if facts.is_empty() {
        return s;
    }
    let now = time::macros::datetime!(2026-11-26 09:00 UTC);
    let missing = vec!["Sign-in activity: AuditLog.Read.All was not granted, so last sign-ins are unknown for apps only Exchange grants anything.".into()];
    let a = audit::audit("contoso.com", 412, facts, missing, now);
    send(&mut s, [Msg::Audited(Ok(Box::new(a)))]);
    s
}

#[test]
fn the_sign_in_screen_names_what_the_sign_in_is_for() {
    let mut s = State::new(None, None, today());
    let row = dashboard_row("contoso-helpdesk", "contoso.com", None, Some("passed"));
    send(&mut s, [Msg::Profiles(vec![row], vec![])]);
    keys(&mut s, &[Key::Char('a')]);
    let title = text(&render(&s, 120, 40))
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    assert!(
        title.contains("Audit of the tenant's mail apps · administrator sign-in"),
        "{title}"
    );
    assert!(!title.contains("New setup"), "{title}");
}

#[test]
fn audit_progress_then_findings_riskiest_first_with_a_detail_pane() {
    use m365_mail_wizard::model::audit::{
        CredentialFacts, LastSignIn, PolicyGrant, PrincipalFacts, RbacGrant,
    };
    let s = audited(vec![]);
    snap("audit_reading", &s);
    let now = time::macros::datetime!(2026-11-26 09:00 UTC);
    let app = |name: &str, ends_in: i64, last: Option<i64>| PrincipalFacts {
        sp_id: format!("5b0c{:04}-0000-4000-8000-00000000aa01", name.len()),
        app_id: format!("c0de{:04}-0000-4000-8000-00000000bb02", name.len()),
        name: name.into(),
        credentials: Some(vec![CredentialFacts {
            kind: "secret",
            name: "prod".into(),
            ends: Some(now + time::Duration::days(ends_in)),
        }]),
        last_sign_in: Some(match last {
            Some(d) => LastSignIn::At {
                at: now - time::Duration::days(d),
            },
            None => LastSignIn::Never,
        }),
        ..PrincipalFacts::default()
    };
    let s = audited(vec![
        PrincipalFacts {
            rbac: vec![RbacGrant {
                role: "Application Mail.Read".into(),
                scope: Some("Helpdesk mailboxes".into()),
                scope_filter: Some("CustomAttribute1 -eq 'helpdesk'".into()),
            }],
            ..app("Helpdesk", 300, Some(1))
        },
        PrincipalFacts {
            graph_roles: vec!["Mail.ReadWrite".into(), "Mail.Send".into()],
            ..app("Legacy archiver", -3, None)
        },
        PrincipalFacts {
            graph_roles: vec!["Mail.Send".into()],
            policies: vec![PolicyGrant {
                access_right: "RestrictAccess".into(),
                group: "fax-senders@contoso.com".into(),
            }],
            ..app("Fax relay", 20, Some(5))
        },
        PrincipalFacts {
            mailbox_permissions: vec!["shared@contoso.com".into()],
            exchange_roles: vec!["IMAP.AccessAsApp".into()],
            credentials: None,
            ..app("Scanner (vendor)", 0, Some(2))
        },
    ]);
    let screen = text(&render(&s, 120, 40));
    let first = screen.find("Legacy archiver").unwrap();
    let helpdesk = screen.find("Helpdesk  ").unwrap();
    assert!(first < helpdesk, "the riskiest first:\n{screen}");
    assert!(
        screen.contains("every mailbox") && screen.contains("never"),
        "{screen}"
    );
    snap("audit_findings", &s);
    // w: the report's file, offered in the exports folder.
    let mut s = s;
    s.exports = "/home/u/.local/share/m365-mail-wizard/exports".into();
    keys(&mut s, &[Key::Char('w')]);
    snap("audit_write_report", &s);
}

/// `U` on the dashboard of a migrated profile: signed in, what undoing the migration puts back,
/// last step first, until `y`.
#[test]
fn dashboard_undo_of_a_migration_waits_for_y() {
    use m365_mail_wizard::wizard::{Migrating, SignedIn, Upkeep};
    let mut s = State::new(None, None, today());
    let row = dashboard_row("contoso-fax", "contoso.com", None, Some("passed"));
    let profile = row.profile.clone();
    send(
        &mut s,
        [
            Msg::Profiles(vec![row], vec![]),
            Msg::Migrations(vec![(profile.name.clone(), Migrating::Finished)]),
        ],
    );
    keys(&mut s, &[Key::Char('U')]);
    send(
        &mut s,
        [
            Msg::SignedIn(Ok(SignedIn {
                who: "admin@contoso.com".into(),
                role: Some("Exchange Administrator".into()),
                lacks_rights: false,
            })),
            Msg::UpkeepPlan(
                Box::new(profile),
                Upkeep::UndoMigration { go: false },
                Ok("Undo the migration of contoso-fax (finished): make the access policy on fax-senders@contoso.com again, grant Mail.Send again once the policy applies (up to 2 hours: then U again), remove \"Application Mail.Send\", remove the scope \"Fax mailboxes\"; then its scope as before. `migrate contoso-fax --to rbac --undo` does the same.".into()),
            ),
        ],
    );
    snap("dashboard_undo_migration", &s);
}
