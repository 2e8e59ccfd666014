//! SMTP end to end, through the real binary against `sandbox serve`: under RBAC for
//! Applications an SMTP-only app gets the role `Application SMTP.SendAsApp` in the scope and no
//! mailbox permission, and sends from the scope's mailboxes only; on a tenant with SMTP AUTH
//! off, the setup allows it for each intended mailbox and never for the organisation; each
//! 5.7.139 refusal is diagnosed by its own cause.

mod common;

use std::process::Output;

use common::{Home, Tenant, json, row, secret_service, text};
use serde_json::Value;

const ALICE: &str = "alice@contoso.example";
const BOB: &str = "bob@contoso.example";
const CEO: &str = "ceo@contoso.example";

fn setup(home: &Home, t: &Tenant, profile: &str, scope: &[&str], mailboxes: &[&str]) -> Output {
    let mut args = vec!["--access", "smtp", "--deny-mailbox", CEO, "--json"];
    for m in mailboxes {
        args.extend(["--mailbox", m]);
    }
    args.extend(scope);
    home.setup_cmd(t, profile, &args).output().unwrap()
}

fn sp_of(t: &Tenant, profile: &str) -> String {
    t.apps_named(&format!("m365-mail-wizard {profile}"))[0]["sp_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn of_sp(t: &Tenant, list: &str, sp: &str, field: &str) -> Vec<Value> {
    t.objects()[list]
        .as_array()
        .map(|a| a.iter().filter(|x| x[field] == sp).cloned().collect())
        .unwrap_or_default()
}

/// The parameters of each Exchange change made with `cmdlet`.
fn logged(t: &Tenant, cmdlet: &str) -> Vec<Value> {
    t.objects()["exchange_log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cmdlet"] == cmdlet)
        .map(|c| c["parameters"].clone())
        .collect()
}

fn diagnosis(r: &Value, id: &str) -> String {
    let d = &row(r, id)["diagnosis"];
    format!("{} | {} | {}", d["summary"], d["cause"], d["fix"])
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn smtp_under_rbac_sends_from_the_scope_only_with_no_mailbox_permission() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--propagation-delay", "2"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "mailer",
        &["--scope", "rbac", "--wait", "60s", "--send-test"],
        &[ALICE, BOB],
    );
    let r = json(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(r["ready_to_hand_over"], true, "{r:#}");
    let sp = sp_of(&t, "mailer");
    assert!(
        of_sp(&t, "mailbox_permissions", &sp, "principal").is_empty(),
        "no FullAccess or SendAs: {:#}",
        t.objects()["mailbox_permissions"]
    );
    assert_eq!(
        t.assignments_of(&sp),
        0,
        "no Entra SMTP.SendAsApp, which would make Exchange check mailbox permissions"
    );
    let roles: Vec<Value> = of_sp(&t, "role_assignments", &sp, "app")
        .iter()
        .map(|a| a["role"].clone())
        .collect();
    assert_eq!(roles, [Value::from("Application SMTP.SendAsApp")]);
    assert!(logged(&t, "Add-MailboxPermission").is_empty());
    for m in [ALICE, BOB] {
        assert_eq!(row(&r, &format!("smtp:{m}"))["status"], "passed", "{r:#}");
    }
    let denied = row(&r, &format!("denied:{CEO}"));
    assert_eq!(denied["status"], "passed", "{r:#}");
    assert!(
        denied["detail"].as_str().unwrap().contains("535 5.7.3"),
        "refused as Exchange refuses an app outside its scope: {denied}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("SMTP.SendAsApp") && !err.contains("Grant admin consent: SMTP.SendAsApp"),
        "the plan names the Entra permission it leaves out: {err}"
    );

    let sent = row(&r, &format!("smtp:{ALICE}"))["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sent.contains("test message sent"),
        "sending works for real: {sent}"
    );

    let o = home.run(&["export", "mailer", "--format", "report"], "");
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("Application SMTP.SendAsApp") && report.contains("end of December 2026"),
        "the handover report says how it sends and when basic SMTP AUTH ends: {report}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn smtp_auth_off_for_the_tenant_is_allowed_per_mailbox_only() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--smtp-auth-off"]);
    let home = Home::new();

    let o = setup(
        &home,
        &t,
        "sender",
        &["--scope", "all-mailboxes", "--i-understand-all-mailboxes"],
        &[ALICE, BOB],
    );
    let r = json(&o);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let set = logged(&t, "Set-CASMailbox");
    let who: Vec<&str> = set.iter().filter_map(|p| p["Identity"].as_str()).collect();
    assert_eq!(who, [ALICE, BOB], "{set:?}");
    assert!(
        set.iter()
            .all(|p| p["SmtpClientAuthenticationDisabled"] == false)
    );
    assert!(
        logged(&t, "Set-TransportConfig").is_empty(),
        "never tenant-wide"
    );
    assert_eq!(t.objects()["switches"]["smtp_client_auth_disabled"], true);
    for m in [ALICE, BOB] {
        assert_eq!(row(&r, &format!("smtp:{m}"))["status"], "passed", "{r:#}");
    }
    let denied = row(&r, &format!("denied:{CEO}"));
    assert_eq!(denied["status"], "passed", "no FullAccess on it: {r:#}");

    // A second run finds SMTP AUTH allowed and changes nothing.
    let o = setup(
        &home,
        &t,
        "sender",
        &["--scope", "all-mailboxes", "--i-understand-all-mailboxes"],
        &[ALICE, BOB],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(logged(&t, "Set-CASMailbox").len(), 2);

    // Switched off again for bob, long after the setup allowed it (so no longer pending): the
    // mailbox's own switch, diagnosed as such.
    home.age_changes("sender", "exchange:smtpauth:", 3 * 60 * 60);
    let api = common::admin_api::AdminApi::sign_in(&t.sb);
    api.cmdlet(
        "Set-CASMailbox",
        serde_json::json!({"Identity": BOB, "SmtpClientAuthenticationDisabled": true}),
    );
    let o = home.run(&["check", "sender", "--json"], "");
    let r = json(&o);
    let bob = diagnosis(&r, &format!("smtp:{BOB}"));
    assert!(bob.contains("off for bob@contoso.example itself"), "{bob}");
    assert!(bob.contains(&format!(
        "Set-CASMailbox -Identity {BOB} -SmtpClientAuthenticationDisabled $false"
    )));
    assert!(!bob.contains("Set-TransportConfig"), "{bob}");
    // And back to $null: the tenant's switch applies, diagnosed as the tenant's.
    api.cmdlet(
        "Set-CASMailbox",
        serde_json::json!({"Identity": BOB, "SmtpClientAuthenticationDisabled": null}),
    );
    let o = home.run(&["check", "sender", "--json"], "");
    let r = json(&o);
    let bob = diagnosis(&r, &format!("smtp:{BOB}"));
    assert!(bob.contains("off for the organisation"), "{bob}");
    assert!(!bob.contains("Set-TransportConfig"), "{bob}");
    assert_eq!(row(&r, &format!("smtp:{ALICE}"))["status"], "passed");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn realistic_security_defaults_and_conditional_access_are_told_apart() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--realistic", "--propagation-delay", "2"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "refused",
        &["--scope", "rbac", "--wait", "60s"],
        &[ALICE, "grace@contoso.example", "frank@contoso.example"],
    );
    let r = json(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "two mailboxes refused: {}",
        text(&o)
    );
    assert_eq!(
        row(&r, &format!("smtp:{ALICE}"))["status"],
        "passed",
        "{r:#}"
    );
    assert_eq!(
        row(&r, &format!("denied:{CEO}"))["status"],
        "passed",
        "{r:#}"
    );
    let grace = diagnosis(&r, "smtp:grace@contoso.example");
    assert!(grace.contains("Security defaults"), "{grace}");
    assert!(grace.contains("Microsoft Graph"), "{grace}");
    let frank = diagnosis(&r, "smtp:frank@contoso.example");
    assert!(frank.contains("Conditional Access policy"), "{frank}");
    assert!(frank.contains("sign-in logs"), "{frank}");
    for d in [&grace, &frank] {
        assert!(
            !d.contains("Set-TransportConfig") && !d.contains("Grant admin consent"),
            "{d}"
        );
    }
    let set = logged(&t, "Set-CASMailbox");
    assert_eq!(
        set.len(),
        3,
        "each intended mailbox, SMTP AUTH being off tenant-wide: {set:?}"
    );
    assert!(logged(&t, "Set-TransportConfig").is_empty());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_lost_answer_to_the_smtp_auth_change_is_settled_by_looking() {
    if !secret_service() {
        return;
    }
    let mut t = Tenant::start(&["--auto-approve", "--smtp-auth-off"]);
    let mut stopped_at_smtp_auth = false;
    // The last Exchange calls of the setup lose their answer in turn, Set-CASMailbox among them;
    // each run is for another mailbox, whose SMTP AUTH is still off.
    let mailboxes = ["alice", "bob", "dave", "erin", "heidi", "ivan"];
    for (n, who) in (5..).zip(mailboxes) {
        let fault = format!("exchange:lost@{n}");
        t.restart(&["--auto-approve", "--faults", &fault]);
        let home = Home::new();
        let profile = format!("smtp-lost-{n}");
        let mailbox = format!("{who}@contoso.example");
        let scope = ["--scope", "all-mailboxes", "--i-understand-all-mailboxes"];
        let o = setup(&home, &t, &profile, &scope, &[&mailbox]);
        if o.status.code() != Some(0) {
            assert!(text(&o).contains("again"), "{fault}: {}", text(&o));
            stopped_at_smtp_auth |= text(&o).contains("Allow SMTP AUTH");
            let o = setup(&home, &t, &profile, &scope, &[&mailbox]);
            assert_eq!(o.status.code(), Some(0), "{fault} rerun: {}", text(&o));
        }
        let set = logged(&t, "Set-CASMailbox");
        let times = set
            .iter()
            .filter(|p| p["Identity"] == mailbox.as_str())
            .count();
        assert_eq!(
            times, 1,
            "{fault}: allowed once, then found allowed: {set:?}"
        );
    }
    assert!(
        stopped_at_smtp_auth,
        "one of the lost answers was the SMTP AUTH step's"
    );
    assert!(logged(&t, "Set-TransportConfig").is_empty());
}
