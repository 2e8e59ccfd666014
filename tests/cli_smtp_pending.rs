//! A mailbox's SMTP AUTH switch takes a while to reach Exchange Online's SMTP servers
//! (REFERENCE.md 7.4; `--propagation-delay` here). Right after a setup that allowed SMTP AUTH
//! for a mailbox, the SMTP refusal that names the switch is pending, not failed (exit 5), while
//! `Get-CASMailbox` already shows the new value; `check --wait` ends green once it applies, and
//! the organisation's switch is never touched.

mod common;

use std::process::Stdio;

use common::admin_api::AdminApi;
use common::{Home, Tenant, json, row, secret_service, text};
use serde_json::{Value, json};

const ALICE: &str = "alice@contoso.example";
const SMTP_ALICE: &str = "smtp:alice@contoso.example";
const USER_SMTP_ALICE: &str = "delegated-smtp:alice@contoso.example";
const TENANT: [&str; 4] = [
    "--auto-approve",
    "--smtp-auth-off",
    "--propagation-delay",
    "8",
];

fn setup(home: &Home, t: &Tenant) -> Value {
    let args = [
        "--access",
        "smtp",
        "--mailbox",
        ALICE,
        "--scope",
        "all-mailboxes",
        "--i-understand-all-mailboxes",
        "--json",
    ];
    let o = home.setup_cmd(t, "late", &args).output().unwrap();
    assert_eq!(o.status.code(), Some(5), "pending: {}", text(&o));
    json(&o)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn right_after_an_app_only_setup_smtp_is_pending_then_passes() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&TENANT);
    let home = Home::new();
    // Right after the setup, SMTP is pending (the switch and FullAccess alike), then passes.
    let r = setup(&home, &t);
    assert_eq!(row(&r, SMTP_ALICE)["status"], "pending", "{r:#}");
    let o = home.run(&["check", "late", "--wait", "2m", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(row(&json(&o), SMTP_ALICE)["status"], "passed");

    assert_eq!(t.objects()["switches"]["smtp_client_auth_disabled"], true);
    never_tenant_wide(&t);
}

fn never_tenant_wide(t: &Tenant) {
    let log = t.objects()["exchange_log"].clone();
    assert!(
        !log.as_array()
            .unwrap()
            .iter()
            .any(|c| c["cmdlet"] == "Set-TransportConfig"),
        "never tenant-wide: {log:#}"
    );
}

/// In the delegated style the user's own mailbox needs no permission: right after the setup,
/// only the mailbox's new SMTP AUTH switch is on its way.
#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_users_smtp_is_pending_on_the_switch_alone_then_passes() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[
        "--auto-approve",
        "--auto-approve-user",
        ALICE,
        "--realistic",
        "--propagation-delay",
        "8",
    ]);
    let home = Home::new();
    let args = [
        "--access",
        "delegated-imap-smtp",
        "--delegated-user",
        ALICE,
        "--public-client",
        "--json",
    ];
    let o = home
        .setup_cmd(&t, "late", &args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Exchange shows the stored switch at once; the SMTP server still has the old one.
    let api = AdminApi::sign_in(&t.sb);
    let cas = api.cmdlet("Get-CASMailbox", json!({"Identity": ALICE}));
    assert_eq!(cas[0]["SmtpClientAuthenticationDisabled"], false, "{cas:?}");
    let o = home.run(&["check", "late", "--as-user", ALICE, "--json"], "");
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["verdict"], "pending", "{r:#}");
    let smtp = row(&r, USER_SMTP_ALICE);
    assert_eq!(smtp["status"], "pending", "{r:#}");
    let d = &smtp["diagnosis"];
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .starts_with("pending: the SMTP AUTH switch of the mailbox was made"),
        "{r:#}"
    );
    assert!(
        d["evidence"]
            .as_str()
            .unwrap()
            .contains("SmtpClientAuthentication is disabled for the Tenant"),
        "the old value applies: {r:#}"
    );
    assert!(!format!("{d}").contains("Set-TransportConfig"), "{d}");

    // Once the switch applies, the wait ends green; the organisation's switch is as it was.
    let o = home.run(
        &[
            "check",
            "late",
            "--as-user",
            ALICE,
            "--wait",
            "2m",
            "--json",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&o);
    assert_eq!(row(&r, USER_SMTP_ALICE)["status"], "passed", "{r:#}");
    assert_eq!(t.objects()["switches"]["smtp_client_auth_disabled"], true);
    never_tenant_wide(&t);
}
