//! EWS's own switches end to end, through the real binary against `sandbox serve`: a setup on
//! a tenant that enforces an EWS allow list adds the app and keeps the IDs already there; each
//! refusal (organisation, mailbox, allow list declined, Kiosk licence, the scope) is diagnosed
//! by its own cause; the must-be-denied check passes only on the scope's own refusal.

mod common;

use std::process::Output;

use common::admin_api::AdminApi;
use common::{Home, Tenant, json, row, secret_service, text};
use serde_json::{Value, json};

/// The ID the sandbox's enforced allow list holds from the start.
const OTHER_APP: &str = "5e1f0a7c-0b8d-4c2e-9f3a-0000000e0500";

fn setup(home: &Home, t: &Tenant, profile: &str, mailboxes: &[&str], extra: &[&str]) -> Output {
    let mut args = vec![
        "--access",
        "ews",
        "--deny-mailbox",
        "ceo@contoso.example",
        "--json",
    ];
    for m in mailboxes {
        args.extend(["--mailbox", m]);
    }
    args.extend(extra);
    home.setup_cmd(t, profile, &args).output().unwrap()
}

fn allow_list(t: &Tenant) -> Vec<String> {
    t.objects()["switches"]["ews_allowed_app_ids"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn client_id(r: &Value) -> String {
    r["client_id"]
        .as_str()
        .or_else(|| r["profile"]["client_id"].as_str())
        .unwrap_or_else(|| panic!("no client ID in {r:#}"))
        .to_string()
}

fn field<'a>(r: &'a Value, id: &str, f: &str) -> &'a str {
    row(r, id)["diagnosis"][f]
        .as_str()
        .unwrap_or_else(|| panic!("{id} has no diagnosis: {r:#}"))
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_enforced_allow_list_gets_the_app_with_every_id_kept_and_kiosk_is_told_apart() {
    if !secret_service() {
        return;
    }
    // `--realistic` holds both: an enforced allow list and heidi@ on a Kiosk licence.
    let realistic = [
        "--auto-approve",
        "--realistic",
        "--propagation-delay",
        "1",
        "--replication-lag-ms",
        "300",
    ];
    let t = Tenant::start(&realistic);
    let home = Home::new();
    assert_eq!(allow_list(&t), [OTHER_APP]);
    let o = setup(
        &home,
        &t,
        "ews",
        &["alice@contoso.example", "bob@contoso.example"],
        &["--wait", "60s"],
    );
    let r = json(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let app = client_id(&r);
    assert_eq!(allow_list(&t), [OTHER_APP.to_string(), app.clone()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("added to the organisation's EWS allow list") && err.contains("1 April 2027"),
        "{err}"
    );
    for id in ["ews:alice@contoso.example", "ews:bob@contoso.example"] {
        assert_eq!(row(&r, id)["status"], "passed", "{id}: {r:#}");
    }
    let denied = row(&r, "denied:ceo@contoso.example");
    assert_eq!(denied["status"], "passed", "the scope's own refusal: {r:#}");
    assert!(
        denied["detail"]
            .as_str()
            .unwrap()
            .contains("ErrorAccessDenied")
    );

    // A second app on the same tenant: both IDs stay on the list; the Kiosk mailbox is refused
    // for its licence, not blamed on the scope.
    let o = setup(
        &home,
        &t,
        "kiosk",
        &["heidi@contoso.example"],
        &["--wait", "60s"],
    );
    let r = json(&o);
    let second = client_id(&r);
    assert_eq!(allow_list(&t), [OTHER_APP.to_string(), app, second]);
    let id = "ews:heidi@contoso.example";
    assert_eq!(row(&r, id)["status"], "failed", "{r:#}");
    assert!(field(&r, id, "summary").contains("licence"), "{r:#}");
    assert!(field(&r, id, "cause").contains("Kiosk"), "{r:#}");
    assert!(!field(&r, id, "summary").contains("scope"), "{r:#}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn each_ews_refusal_is_diagnosed_by_its_own_cause_and_none_passes_as_denied() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--ews-allow-list"]);
    let home = Home::new();

    // The administrator declines the allow list: EWS will fail, and says why.
    let o = setup(
        &home,
        &t,
        "declined",
        &["alice@contoso.example"],
        &["--decline-ews-allow-list"],
    );
    let r = json(&o);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(allow_list(&t), [OTHER_APP], "the list is left alone");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("EWS will fail: not on the organisation's EWS allow list"),
        "{err}"
    );
    let id = "ews:alice@contoso.example";
    assert!(
        field(&r, id, "summary").contains("not on the organisation's EWS allow list"),
        "{r:#}"
    );
    assert!(field(&r, id, "cause").contains("declined"), "{r:#}");
    let denied = "denied:ceo@contoso.example";
    assert_eq!(row(&r, denied)["status"], "failed", "{r:#}");
    assert!(
        field(&r, denied, "summary").contains("not by the app's scope"),
        "{r:#}"
    );

    // EWS switched off for one intended mailbox and for the out-of-scope one.
    let api = AdminApi::sign_in(&t.sb);
    for m in ["bob@contoso.example", "ceo@contoso.example"] {
        api.cmdlet(
            "Set-CASMailbox",
            json!({"Identity": m, "EwsEnabled": false}),
        );
    }
    let o = setup(
        &home,
        &t,
        "mbx",
        &["alice@contoso.example", "bob@contoso.example"],
        &[],
    );
    let r = json(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bob@contoso.example: EWS is disabled for the mailbox")
            && err.contains("Set-CASMailbox -Identity 'bob@contoso.example' -EwsEnabled $true"),
        "the setup warns and shows the command: {err}"
    );
    assert_eq!(
        row(&r, "ews:alice@contoso.example")["status"],
        "passed",
        "{r:#}"
    );
    assert!(
        field(&r, "ews:bob@contoso.example", "summary").contains("EWS is disabled for the mailbox"),
        "{r:#}"
    );
    assert_eq!(row(&r, denied)["status"], "failed", "{r:#}");
    let summary = field(&r, denied, "summary");
    assert!(
        summary.contains("not by the app's scope") && summary.contains("disabled for the mailbox"),
        "{r:#}"
    );

    // EWS switched off for the organisation.
    api.cmdlet("Set-OrganizationConfig", json!({"EwsEnabled": false}));
    let o = home.run(&["check", "mbx", "--json"], "");
    let r = json(&o);
    assert!(
        field(&r, "ews:alice@contoso.example", "summary")
            .contains("EWS is disabled for the organisation"),
        "{r:#}"
    );
    assert_eq!(row(&r, denied)["status"], "failed", "{r:#}");
}
