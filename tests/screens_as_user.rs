//! The check as a mailbox user (`u`), rendered with `TestBackend` at 80×24 and 120×40: the
//! form with each sign-in, a mistyped user, the user's device code beside the rows, and the
//! rows once the user signed in; compared with reviewed snapshots.

use std::time::Duration;

use m365_mail_wizard::model::{
    AccessChoice, CheckEvent, CloudKind, ConsumerSignIn, DelegatedPart, Endpoints, Mailbox, Profile,
};
use m365_mail_wizard::tui::render::draw;
use m365_mail_wizard::wizard::{CodeView, Key, Msg, ProfileRow, SandboxView, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

const PASSWORD: &str = "Sandbox-Mailbox-1";

fn sandbox() -> SandboxView {
    let mut endpoints = Endpoints::named(CloudKind::Global).unwrap();
    endpoints.login = "http://127.0.0.1:4000".into();
    endpoints.graph = "http://127.0.0.1:4000/graph".into();
    SandboxView {
        tenant_domain: "contoso.example".into(),
        endpoints,
        apps: vec![],
        mailboxes: vec!["alice@contoso.example".into()],
    }
}

fn keys(s: &mut State, ks: &[Key]) {
    for k in ks {
        update(s, Msg::Key(*k));
    }
}

fn typed(s: &mut State, text: &str) {
    update(s, Msg::Paste(text.into()));
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

fn screen(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, s)).unwrap();
    text(t.backend().buffer())
}

fn snap(name: &str, s: &State) {
    for (w, h) in [(80, 24), (120, 40)] {
        let shown = screen(s, w, h);
        assert!(!shown.contains(PASSWORD), "no password on screen");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), shown);
    }
}

/// A delegated profile, esm: alice@ and bob@ sign in, helpdesk@ is shared.
fn esm() -> Profile {
    let mut p: Profile = toml::from_str(
        "name = \"esm\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = [\"delegated-imap-smtp\"]\nmailboxes = []\nsandbox = true\n",
    )
    .unwrap();
    assert_eq!(p.access, [AccessChoice::Delegated]);
    p.delegated = Some(DelegatedPart {
        sign_in: ConsumerSignIn::DeviceCode,
        openid: false,
        users: Mailbox::parse_list("alice@contoso.example, bob@contoso.example").unwrap(),
        shared: Mailbox::parse_list("helpdesk@contoso.example").unwrap(),
    });
    p
}

/// The dashboard listing esm, and `u` pressed on it.
fn form() -> State {
    let mut s = State::new(Some(sandbox()), None, time::macros::date!(2026 - 11 - 26));
    update(
        &mut s,
        Msg::Profiles(vec![ProfileRow { profile: esm() }], vec![]),
    );
    keys(&mut s, &[Key::Char('u')]);
    s
}

#[test]
fn the_form_asks_who_signs_in_and_how() {
    let s = form();
    snap("as_user_device_code", &s);
    let mut s = form();
    keys(&mut s, &[Key::Tab, Key::Right, Key::Tab]);
    typed(&mut s, PASSWORD);
    snap("as_user_password_flow", &s);
    let mut s = form();
    keys(
        &mut s,
        &[Key::End, Key::Backspace, Key::Backspace, Key::Backspace],
    );
    typed(&mut s, " at");
    keys(&mut s, &[Key::Enter]);
    snap("as_user_mistyped", &s);
}

/// The run as alice@: the app's token passed, the user's code waiting.
fn waiting_for_alice() -> State {
    let mut s = form();
    keys(&mut s, &[Key::Enter]);
    update(
        &mut s,
        Msg::CheckEvent(
            0,
            CheckEvent::Passed {
                detail: "roles: (none: delegated only)".into(),
                elapsed: Duration::from_millis(12),
            },
        ),
    );
    update(&mut s, Msg::CheckEvent(1, CheckEvent::Started));
    update(
        &mut s,
        Msg::UserCode(CodeView {
            user_code: "K7MQ4XZ2P".into(),
            uri: "http://127.0.0.1:4000/sandbox/device".into(),
            expires_in: 900,
        }),
    );
    s
}

#[test]
fn the_users_device_code_shows_above_the_rows() {
    snap("as_user_code", &waiting_for_alice());
}

#[test]
fn once_the_user_signed_in_the_code_goes_and_the_rows_pass() {
    let mut s = waiting_for_alice();
    let passed = |detail: &str| CheckEvent::Passed {
        detail: detail.into(),
        elapsed: Duration::from_millis(20),
    };
    let rows = s.checks.rows.len();
    update(
        &mut s,
        Msg::CheckEvent(
            1,
            passed("alice@contoso.example signed in; scopes: IMAP.AccessAsUser.All SMTP.Send"),
        ),
    );
    for i in 2..rows - 1 {
        update(
            &mut s,
            Msg::CheckEvent(i, passed("signed in as alice@contoso.example")),
        );
    }
    update(
        &mut s,
        Msg::CheckEvent(
            rows - 1,
            passed("the refresh token was redeemed once for a new token (offline_access works)"),
        ),
    );
    update(&mut s, Msg::ChecksDone);
    let shown = screen(&s, 80, 24);
    assert!(!shown.contains("K7MQ4XZ2P"), "{shown}");
    snap("as_user_passed", &s);
}
