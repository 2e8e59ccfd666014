//! `--sandbox` keeps its tenant between runs: what one process makes (a setup, a renewal, a
//! certificate) the next one finds, a setup resumed in another process leaves one app, and
//! `--sandbox-reset` starts afresh. Every step is a separate process on one data directory.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

use common::{Home, json, post_form, row, secret_service, secret_tool_lookup, text};
use serde_json::Value;

/// Runs `--sandbox ARGS`, approving as the sandbox admin every device code it shows.
fn run_signed_in(home: &Home, args: &[&str], crash_after: Option<&str>) -> Output {
    let mut cmd = home.cmd();
    cmd.arg("--sandbox").args(args);
    if let Some(step) = crash_after {
        cmd.env("M365MW_CRASH_AFTER", step);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut said = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if let Some((_, rest)) = line.split_once(" open ")
                && let Some((url, code)) = rest.split_once(" and enter the code ")
            {
                let status = post_form(
                    url,
                    &[
                        ("user_code", code.trim()),
                        ("user", "admin@contoso.example"),
                        ("decision", "approve"),
                    ],
                );
                assert_eq!(status, 200, "{line}");
            }
            said.push_str(&line);
            said.push('\n');
        }
        said
    });
    let mut out = child.wait_with_output().unwrap();
    out.stderr = reader.join().unwrap().into_bytes();
    out
}

fn setup(home: &Home, profile: &str, crash_after: Option<&str>) -> Output {
    run_signed_in(
        home,
        &[
            "setup",
            profile,
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
            "--yes",
        ],
        crash_after,
    )
}

fn check(home: &Home, profile: &str, reset: bool) -> Output {
    let flag = if reset {
        "--sandbox-reset"
    } else {
        "--sandbox"
    };
    home.run(&[flag, "check", profile, "--json"], "")
}

/// The sandbox tenant as the last run left it (its state file in the data directory).
fn tenant(home: &Home) -> Value {
    let path = home.data().join("sandbox/tenant.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    saved["tenant"].clone()
}

fn apps_named(home: &Home, name: &str) -> Vec<Value> {
    tenant(home)["apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .cloned()
        .collect()
}

fn assert_passes(home: &Home, profile: &str) {
    let o = check(home, profile, false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_setup_checks_green_in_the_next_run_renews_there_and_a_reset_forgets_it() {
    if !secret_service() {
        return;
    }
    let home = Home::new();
    let o = setup(&home, "kept", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // What the setup's summary suggests, in a later run.
    assert_passes(&home, "kept");
    let client_id = apps_named(&home, "m365-mail-wizard kept")[0]["client_id"].clone();

    let first = secret_tool_lookup(&home.sandbox_service(), "kept").unwrap();
    let o = run_signed_in(&home, &["renew", "kept"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let second = secret_tool_lookup(&home.sandbox_service(), "kept").unwrap();
    assert_ne!(first, second);
    let secrets = |home: &Home| -> Vec<String> {
        apps_named(home, "m365-mail-wizard kept")[0]["passwords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["secret"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        secrets(&home),
        vec![first.clone(), second.clone()],
        "the old one stays until --finish"
    );
    let o = run_signed_in(&home, &["renew", "kept", "--finish", "--force"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        secrets(&home),
        vec![second.clone()],
        "the old secret was removed"
    );
    assert_passes(&home, "kept");

    // A reset forgets the app the setup made, for this run and the next.
    let o = check(&home, "kept", true);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(row(&json(&o), "token:graph")["status"], "failed");
    assert!(apps_named(&home, "m365-mail-wizard kept").is_empty());
    let o = check(&home, "kept", false);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        tenant(&home)["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["client_id"] != client_id)
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_setup_resumed_in_another_run_leaves_one_app_and_its_certificate_replays() {
    if !secret_service() {
        return;
    }
    let home = Home::new();
    let o = setup(&home, "resumed", Some("create-app"));
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(apps_named(&home, "m365-mail-wizard resumed").len(), 1);
    let o = setup(&home, "resumed", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let apps = apps_named(&home, "m365-mail-wizard resumed");
    assert_eq!(apps.len(), 1, "no second app: {apps:#?}");
    assert_passes(&home, "resumed");

    let o = run_signed_in(&home, &["cert", "resumed"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let app = &apps_named(&home, "m365-mail-wizard resumed")[0];
    assert_eq!(app["certificates"].as_array().unwrap().len(), 1);
    assert_passes(&home, "resumed");
}

#[test]
fn a_damaged_sandbox_tenant_names_the_reset() {
    let home = Home::new();
    let dir = home.data().join("sandbox");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tenant.json"), "{\"tenant\": 1").unwrap();
    let o = home.run(&["--sandbox", "profiles"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("tenant.json cannot be read") && err.contains("--sandbox-reset"),
        "{err}"
    );
    let o = home.run(&["--sandbox", "check", "--all", "--json"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(json(&o)["error"]["code"], "corrupt");
    let o = home.run(&["--sandbox-reset", "profiles"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!tenant(&home)["apps"].as_array().unwrap().is_empty());
}

#[test]
fn a_secret_kept_only_in_an_earlier_runs_memory_is_not_blamed_on_the_admin() {
    let home = Home::new();
    let dir = home.config().join("sandbox-profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("memo.toml"),
        "name = \"memo\"\nsandbox = true\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\nkeyring = \"session-memory\"\n",
    )
    .unwrap();
    let o = home.run(&["--sandbox", "check", "memo", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let report = json(&o);
    let d = &row(&report, "keyring")["diagnosis"];
    let cause = d["cause"].as_str().unwrap();
    assert!(
        cause.contains("No keyring was reachable") && !cause.contains("removed"),
        "{d:#}"
    );
    assert!(d["fix"].as_str().unwrap().contains("--sandbox"), "{d:#}");
}

#[test]
fn sandbox_reset_is_no_flag_for_sandbox_serve() {
    let home = Home::new();
    let o = home.run(&["--sandbox-reset", "sandbox", "serve"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--state"));
}
