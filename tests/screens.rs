//! Every screen rendered with `TestBackend` at 80×24 and 120×40, built through the wizard's
//! own messages, and compared with reviewed snapshots.

use std::time::Duration;

use m365_mail_wizard::model::{
    CheckEvent, CloudKind, Diagnosis, Endpoints, Profile, StepStatus, TenantId,
};
use m365_mail_wizard::tui::render::draw;
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
