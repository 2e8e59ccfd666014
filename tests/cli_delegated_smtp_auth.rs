//! The delegated setup on a tenant with SMTP AUTH off for the organisation (`--realistic`):
//! SMTP AUTH is allowed for the users' and shared mailboxes alone (`Set-CASMailbox`, never
//! `Set-TransportConfig`), journaled, and the user's SMTP check passes with no hand-made change;
//! with `--exchange powershell` the same lines go into the script instead; `remove
//! --from-tenant` leaves the switches as they are and says how to turn them off.

mod common;

use std::process::{Output, Stdio};

use common::{Home, Tenant, json, row, secret_service, text};
use m365_mail_wizard::plan::{crowded_lines, undefined_variables};
use serde_json::Value;

const ALICE: &str = "alice@contoso.example";
const ERIN: &str = "erin@contoso.example";

fn setup(home: &Home, t: &Tenant, name: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--access",
        "delegated-imap-smtp",
        "--delegated-user",
        ALICE,
        "--shared-mailbox",
        ERIN,
        "--public-client",
        "--json",
    ];
    args.extend(extra);
    home.setup_cmd(t, name, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// The identities of the sandbox's logged calls of `cmdlet`.
fn logged(t: &Tenant, cmdlet: &str) -> Vec<String> {
    t.objects()["exchange_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cmdlet"] == cmdlet)
        .map(|c| {
            c["parameters"]["Identity"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

fn journal(home: &Home, profile: &str) -> Value {
    let path = home.data().join(format!("setup/{profile}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_delegated_setup_allows_smtp_auth_for_its_mailboxes_and_the_users_smtp_check_passes() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[
        "--auto-approve",
        "--auto-approve-user",
        ALICE,
        "--realistic",
        "--propagation-delay",
        "2",
    ]);
    let home = Home::new();
    let o = setup(&home, &t, "esm", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    for m in [ALICE, ERIN] {
        assert!(
            said.contains(&format!("SMTP AUTH allowed for {m} only; it was off")),
            "each mailbox signed in to SMTP as, the organisation's switch being off: {said}"
        );
    }
    assert_eq!(logged(&t, "Set-CASMailbox"), [ALICE, ERIN]);
    assert!(logged(&t, "Set-TransportConfig").is_empty());
    let j = journal(&home, "esm");
    for m in [ALICE, ERIN] {
        let key = format!("smtpauth:{m}");
        assert!(
            j["exchange_done"]
                .as_array()
                .unwrap()
                .contains(&Value::String(key.clone())),
            "{j:#}"
        );
        assert!(j["made_at"][format!("exchange:{key}")].is_string(), "{j:#}");
    }

    // No Set-CASMailbox by hand: the user's SMTP sign-in passes.
    let o = home.run(
        &["check", "esm", "--as-user", ALICE, "--wait", "2m", "--json"],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&o);
    assert_eq!(
        row(&r, "delegated-smtp:alice@contoso.example")["status"],
        "passed",
        "{r:#}"
    );

    // A second run finds SMTP AUTH allowed and changes nothing.
    let o = setup(&home, &t, "esm", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(logged(&t, "Set-CASMailbox").len(), 2, "{}", text(&o));

    // Removing the app leaves the switches and says how to turn them off.
    let o = home
        .cmd()
        .args(["remove", "esm", "--from-tenant"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    for m in [ALICE, ERIN] {
        assert!(
            said.contains(&format!("SMTP AUTH allowed for the mailbox {m}"))
                && said.contains(&format!(
                    "Set-CASMailbox -Identity '{m}' -SmtpClientAuthenticationDisabled $true"
                )),
            "{said}"
        );
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn with_exchange_powershell_the_smtp_auth_lines_go_into_the_script_and_nothing_is_changed() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--realistic"]);
    let home = Home::new();
    let o = setup(&home, &t, "itsm", &["--exchange", "powershell"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let path = json(&o)["script"].as_str().unwrap().to_string();
    let script = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        undefined_variables(&script),
        Vec::<String>::new(),
        "{script}"
    );
    assert_eq!(crowded_lines(&script), Vec::<String>::new(), "{script}");
    for m in [ALICE, ERIN] {
        assert!(
            script.contains(&format!(
                "$found = Get-CASMailbox -Identity '{m}' -ErrorAction SilentlyContinue"
            )) && script.contains(&format!(
                "    Set-CASMailbox -Identity '{m}' -SmtpClientAuthenticationDisabled $false"
            )),
            "{script}"
        );
    }
    assert!(!script.contains("Set-TransportConfig"), "{script}");
    assert!(
        logged(&t, "Set-CASMailbox").is_empty(),
        "the script is the administrator's to run"
    );
}
