//! `setup` through the real binary against `sandbox serve`: the plan, the device-code sign-in,
//! the objects it leaves in the sandbox tenant, the keyring and the profile; resuming after a
//! kill at every step; and the refusals (no admin rights, declined sign-in, a name in use).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Output, Stdio};

use common::{Home, Tenant, json, row, secret_service, secret_tool_lookup, text};

fn setup(home: &Home, t: &Tenant, profile: &str, extra: &[&str], crash: Option<&str>) -> Output {
    let cf = t.sb.cloud_file();
    let mut args = vec![
        "setup",
        profile,
        "--tenant",
        "contoso.example",
        "--access",
        "graph-read,graph-send",
        "--mailbox",
        "alice@contoso.example",
        "--cloud-file",
        &cf,
        "--yes",
        "--json",
        "--scope",
        "all-mailboxes",
        "--i-understand-all-mailboxes",
    ];
    args.extend(extra);
    let mut cmd = home.cmd();
    cmd.args(&args);
    if let Some(c) = crash {
        cmd.env("M365MW_CRASH_AFTER", c);
    }
    cmd.stdin(Stdio::null()).output().unwrap()
}

/// Exactly one app, one service principal, one secret (the keyring's), and its consents.
fn assert_one_working_app(home: &Home, t: &Tenant, profile: &str) {
    let apps = t.apps_named(&format!("m365-mail-wizard {profile}"));
    assert_eq!(apps.len(), 1, "one app, no duplicate: {apps:#?}");
    let app = &apps[0];
    let sp = app["sp_id"].as_str().unwrap();
    assert!(!sp.is_empty(), "the service principal exists");
    let passwords = app["passwords"].as_array().unwrap();
    assert_eq!(passwords.len(), 1, "one secret: {passwords:#?}");
    assert_eq!(
        secret_tool_lookup(&home.service(), profile).as_deref(),
        passwords[0]["secret"].as_str(),
        "the keyring holds the app's only secret"
    );
    assert_eq!(
        t.assignments_of(sp),
        2,
        "Mail.Read and Mail.Send consented once each"
    );
    let profile_file = home.config().join(format!("profiles/{profile}.toml"));
    let saved = std::fs::read_to_string(&profile_file).unwrap();
    assert!(
        saved.contains(app["client_id"].as_str().unwrap()),
        "{saved}"
    );
    assert!(!saved.contains(passwords[0]["secret"].as_str().unwrap()));
}

#[test]
fn without_yes_the_plan_is_printed_and_nothing_changes() {
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let before = t.objects()["apps"].as_array().unwrap().len();
    let cf = t.sb.cloud_file();
    let o = home.run(
        &[
            "setup",
            "p",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read,imap",
            "--mailbox",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "POST /applications",
        "New-MgApplication",
        "Grant admin consent: IMAP.AccessAsApp on Office 365 Exchange Online",
        "New-MgServicePrincipalAppRoleAssignedTo",
        "AddMonths(6)",
    ] {
        assert!(out.contains(want), "{want}:\n{out}");
    }
    assert_eq!(t.objects()["apps"].as_array().unwrap().len(), before);
    let o = home.run(
        &[
            "setup",
            "p",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
            "--secret-months",
            "7",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("3, 6, 12, 18 or 24"), "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn setup_registers_consents_stores_and_checks() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[
        "--auto-approve",
        "--replication-lag-ms",
        "700",
        "--faults",
        "admin:429",
    ]);
    let home = Home::new();
    let o = setup(&home, &t, "helpdesk", &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Signed in as admin@contoso.example (Global Administrator)"),
        "{err}"
    );
    let r = json(&o);
    assert_eq!(r["verdict"], "passed", "{r:#}");
    assert!(
        row(&r, "token:graph")["detail"]
            .as_str()
            .unwrap()
            .contains("Mail.Send")
    );
    assert_one_working_app(&home, &t, "helpdesk");
    let saved = std::fs::read_to_string(home.config().join("profiles/helpdesk.toml")).unwrap();
    assert!(
        saved.contains("secret_expires = \"20"),
        "the setup knows the expiry: {saved}"
    );
    let rra = t.apps_named("m365-mail-wizard helpdesk")[0]["required_resource_access"].to_string();
    assert!(
        !rra.contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        "no User.Read: {rra}"
    );

    // Again: everything is found, nothing changes, and it says so.
    let before = t.objects();
    let o = setup(&home, &t, "helpdesk", &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("already registered") && err.contains("already granted"),
        "{err}"
    );
    assert!(err.contains("already in the keyring"), "{err}");
    assert_eq!(before["apps"], t.objects()["apps"]);
    assert_eq!(
        before["app_role_assignments"],
        t.objects()["app_role_assignments"]
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn killed_after_any_step_it_resumes_without_duplicates() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    for point in [
        "create-app",
        "create-service-principal",
        "add-secret",
        "consent",
    ] {
        let home = Home::new();
        let profile = format!("crash-{point}");
        let o = setup(&home, &t, &profile, &[], Some(point));
        assert_eq!(o.status.code(), Some(137), "{point}: {}", text(&o));
        assert!(
            !home
                .config()
                .join(format!("profiles/{profile}.toml"))
                .exists(),
            "{point}: no profile before the setup finished"
        );
        let o = setup(&home, &t, &profile, &[], None);
        assert_eq!(o.status.code(), Some(0), "{point}: {}", text(&o));
        if point == "add-secret" {
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("replaced 1 secret(s)"),
                "the unstored secret was replaced: {}",
                text(&o)
            );
        }
        assert_eq!(json(&o)["verdict"], "passed", "{point}");
        assert_one_working_app(&home, &t, &profile);
    }
}

#[test]
fn a_user_without_admin_rights_gets_the_plan_not_a_half_setup() {
    let t = Tenant::start(&["--auto-approve", "alice@contoso.example"]);
    let home = Home::new();
    let o = setup(&home, &t, "p", &[], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Signed in as alice@contoso.example"), "{err}");
    assert!(err.contains("may not make this change"), "{err}");
    // --json: the error object carries the plan to hand over.
    let e = &json(&o)["error"];
    assert_eq!(e["code"], "failed", "{}", text(&o));
    assert!(
        e["steps_left"].to_string().contains("New-MgApplication"),
        "the plan to hand over: {e:#}"
    );
    assert!(
        t.apps_named("m365-mail-wizard p").is_empty(),
        "nothing was created"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_name_in_use_is_refused_unless_reused() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(&home, &t, "first", &["--name", "Shared name"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = setup(&home, &t, "second", &["--name", "Shared name"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("An app named \"Shared name\" already exists")
            && text(&o).contains("--reuse-app"),
        "{}",
        text(&o)
    );
    let o = setup(
        &home,
        &t,
        "second",
        &["--name", "Shared name", "--reuse-app"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(t.apps_named("Shared name").len(), 1);
}

/// Posts the sandbox's approval form.
fn decide(login: &str, code: &str, decision: &str) {
    let status = common::post_form(
        &format!("{login}/sandbox/device"),
        &[
            ("user_code", code),
            ("user", "admin@contoso.example"),
            ("decision", decision),
        ],
    );
    assert_eq!(status, 200);
}

#[test]
fn a_declined_sign_in_changes_nothing() {
    let t = Tenant::start(&[]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let mut child = home
        .cmd()
        .args([
            "setup",
            "p",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
            "--yes",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let code = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(line.contains("/sandbox/device"), "{line}");
    decide(t.sb.info["login"].as_str().unwrap(), &code, "decline");
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(rest.contains("The sign-in was declined."), "{rest}");
    assert!(t.apps_named("m365-mail-wizard p").is_empty());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_guided_path_checks_every_pasted_value_and_verifies_live() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let (client_id, secret, _) = t.sb.app("scoped");
    let tenant_id = t.sb.info["tenant_id"].as_str().unwrap().to_string();
    let pasted = [
        tenant_id.as_str(),
        client_id.as_str(),
        "0b5c9a1e-2222-4333-8444-555566667777",
        tenant_id.as_str(),
        "8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f",
        secret.as_str(),
        "31.01.2099",
        "2099-01-31",
        "",
    ]
    .join("\n")
        + "\n";
    let o = home.run(
        &[
            "setup",
            "guided",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--deny-mailbox",
            "ceo@contoso.example",
            "--cloud-file",
            &cf,
            "--guided",
            "--json",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
        ],
        &pasted,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "New registration",
        "That is the Directory (tenant) ID",
        "is another tenant",
        "Secret ID",
        "Grant admin consent for",
        "✔ read back: the app signed in with the pasted secret",
        "✔ read back: the app's Microsoft Graph token carries Mail.Read",
        "Signed in as the app: Microsoft Graph roles: Mail.Read",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    assert!(!err.contains(&secret), "the secret is never echoed");
    assert!(err.contains("is not a date"), "{err}");
    let saved = std::fs::read_to_string(home.config().join("profiles/guided.toml")).unwrap();
    assert!(saved.contains("secret_expires = \"2099-01-31\""), "{saved}");
    assert_eq!(json(&o)["verdict"], "passed");
    assert_eq!(
        secret_tool_lookup(&home.service(), "guided").as_deref(),
        Some(secret.as_str())
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_guided_path_refuses_a_wrong_secret_at_its_step_and_fills_the_commands_in() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let (client_id, secret, _) = t.sb.app("scoped");
    let tenant_id = t.sb.info["tenant_id"].as_str().unwrap().to_string();
    let wrong = "Wr0Q~ngValueOfTheRightLengthForAPortal1234";
    let pasted = [
        client_id.as_str(),
        tenant_id.as_str(),
        "abc",
        wrong,
        secret.as_str(),
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    .join("\n")
        + "\n";
    let o = home.run(
        &[
            "setup",
            "byhand",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--deny-mailbox",
            "ceo@contoso.example",
            "--cloud-file",
            &cf,
            "--guided",
            "--scope",
            "restrict-policy",
            "--group",
            "byhand-scope",
        ],
        &pasted,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("too short to be a client secret's Value"),
        "{err}"
    );
    assert!(
        err.contains("The client secret was refused.") && err.contains("AADSTS7000215"),
        "{err}"
    );
    assert!(
        err.contains("✔ read back: the app signed in with the pasted secret"),
        "{err}"
    );
    assert!(
        !err.contains(&secret) && !err.contains(wrong),
        "no secret echoed"
    );
    // The Exchange Online commands carry the pasted client ID; each one on its own line.
    assert!(
        err.contains(&format!("New-ApplicationAccessPolicy -AppId '{client_id}'")),
        "{err}"
    );
    assert!(
        !err.contains("<client id>") && !err.contains("<service principal"),
        "{err}"
    );
    let not_verified = err
        .matches("? not verified: no Exchange administrator")
        .count();
    assert!(not_verified >= 3, "group, member, policy, test:\n{err}");
    assert!(
        err.contains("Not verified (nothing could read them back"),
        "{err}"
    );
    assert!(home.config().join("profiles/byhand.toml").exists(), "{err}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_tenant_cap_on_secret_lifetime_is_met_with_the_longest_allowed() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--max-secret-months", "6"]);
    let home = Home::new();
    let o = setup(&home, &t, "capped", &["--secret-months", "24"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the tenant's policy refused 24 months; 6 is the longest it accepts"),
        "{err}"
    );
    assert_one_working_app(&home, &t, "capped");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_outage_mid_plan_stops_cleanly_and_the_next_run_finishes() {
    if !secret_service() {
        return;
    }
    // Look-up, name check and app creation pass; then the service principal's create fails, and
    // so does every attempt to look for what it may have made.
    let t = Tenant::start(&["--auto-approve", "--faults", "admin:503:4@3"]);
    let home = Home::new();
    let o = setup(&home, &t, "outage", &[], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("Run the same command again to resume"),
        "{}",
        text(&o)
    );
    assert_eq!(
        t.apps_named("m365-mail-wizard outage").len(),
        1,
        "the app was made"
    );
    let o = setup(&home, &t, "outage", &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already registered"));
    assert_one_working_app(&home, &t, "outage");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_delegated_style_gets_scopes_a_public_client_and_tenant_wide_consent() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let o = home
        .cmd()
        .args([
            "setup",
            "itsm",
            "--tenant",
            "contoso.example",
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
            "--public-client",
            "--openid",
            "--yes",
            "--json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let app = &t.apps_named("m365-mail-wizard itsm")[0];
    assert_eq!(app["public_client"], true);
    let rra = app["required_resource_access"].to_string();
    assert!(
        rra.contains("652390e4-393a-48de-9484-05f9b1212954"),
        "IMAP.AccessAsUser.All: {rra}"
    );
    assert!(
        rra.contains("\"Scope\"") && !rra.contains("\"Role\""),
        "{rra}"
    );
    let grants = t.objects()["permission_grants"].clone();
    let grant = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client_id"] == app["sp_id"])
        .unwrap_or_else(|| panic!("{grants:#}"));
    for scope in [
        "IMAP.AccessAsUser.All",
        "SMTP.Send",
        "offline_access",
        "openid",
        "User.Read",
    ] {
        assert!(grant["scope"].as_str().unwrap().contains(scope), "{grant}");
    }
    let r = json(&o);
    assert_eq!(r["verdict"], "passed", "{r:#}");
    assert_eq!(row(&r, "delegated")["status"], "skipped");
}

#[test]
fn an_expired_code_is_named_and_nothing_changes() {
    let t = Tenant::start(&["--device-code-secs", "2"]);
    let home = Home::new();
    let o = setup(&home, &t, "late", &[], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("The sign-in code expired."),
        "{}",
        text(&o)
    );
    assert!(t.apps_named("m365-mail-wizard late").is_empty());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn monitoring_warns_of_a_secret_that_expires_soon() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(&home, &t, "short", &["--secret-months", "3"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["profiles", "--json"], "");
    let days = json(&o)[0]["secret_expires_in_days"].as_i64().unwrap();
    assert!((88..=93).contains(&days), "{days}");
    assert_eq!(json(&o)[0]["secret_expiry_level"], "fine");
    let o = home.run(&["check", "--all", "--warn-days", "100", "--json"], "");
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("short ("), "{}", text(&o));
    let o = home.run(&["check", "--all", "--warn-days", "30"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_tenant_whose_permission_ids_differ_from_the_catalog_is_set_up_with_its_own() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--other-role-ids"]);
    let home = Home::new();
    let o = home
        .setup_cmd(
            &t,
            "ids",
            &[
                "--access",
                "graph-read,imap",
                "--mailbox",
                "alice@contoso.example",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("using the tenant's ids"), "{}", text(&o));
    let c = home.run(&["check", "ids", "--json"], "");
    assert_eq!(c.status.code(), Some(0), "{}", text(&c));
}
