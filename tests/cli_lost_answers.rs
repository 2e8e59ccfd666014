//! "The service did it, the client never heard": `setup` against `sandbox serve --faults
//! admin:lost@N`, where the N+1th directory call is carried out and then answered 502. A create
//! whose answer was lost is found by the wizard's tag (the app) or its attempt's name (a secret)
//! and adopted or replaced, never made twice; an app the wizard did not tag stays refused.

mod common;

use std::process::{Output, Stdio};

use common::{Home, Tenant, secret_service, secret_tool_lookup, text};

fn setup(home: &Home, t: &Tenant, profile: &str, extra: &[&str]) -> Output {
    setup_env(home, t, profile, extra, None)
}

fn setup_env(
    home: &Home,
    t: &Tenant,
    profile: &str,
    extra: &[&str],
    crash: Option<&str>,
) -> Output {
    let access = [
        "--access",
        "graph-read,graph-send",
        "--mailbox",
        "alice@contoso.example",
        "--json",
        "--scope",
        "all-mailboxes",
        "--i-understand-all-mailboxes",
    ];
    let mut cmd = home.setup_cmd(t, profile, &[&access[..], extra].concat());
    if let Some(point) = crash {
        cmd.env("M365MW_CRASH_AFTER", point);
    }
    cmd.output().unwrap()
}

/// One app of the profile's name, one service principal, one password credential (the one the
/// keyring holds), each consent once.
fn assert_one_working_app(home: &Home, t: &Tenant, profile: &str, why: &str) {
    let apps = t.apps_named(&format!("m365-mail-wizard {profile}"));
    assert_eq!(apps.len(), 1, "{why}: one app, no duplicate: {apps:#?}");
    let app = &apps[0];
    let sp = app["sp_id"].as_str().unwrap();
    assert!(!sp.is_empty(), "{why}: the service principal exists");
    let passwords = app["passwords"].as_array().unwrap();
    assert_eq!(passwords.len(), 1, "{why}: one secret: {passwords:#?}");
    assert_eq!(
        secret_tool_lookup(&home.service(), profile).as_deref(),
        passwords[0]["secret"].as_str(),
        "{why}: the keyring holds the app's only secret"
    );
    assert_eq!(t.assignments_of(sp), 2, "{why}: each consent once");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_lost_answer_to_any_directory_call_leaves_one_working_app() {
    if !secret_service() {
        return;
    }
    let mut t = Tenant::start(&["--auto-approve"]);
    // What the run says when it settles a lost create, by step: each is met at least once.
    let lost = "the answer was lost on its way, so it was looked for and found";
    let signs = [
        ("Register the application", lost),
        ("Create its service principal", lost),
        (
            "Add a client secret",
            "secret(s) whose value was lost on its way",
        ),
    ];
    let mut seen = [false; 3];
    // Every directory call of a first setup, the creates among them, loses its answer in turn.
    for n in 0..12 {
        let fault = format!("admin:lost@{n}");
        t.restart(&["--auto-approve", "--faults", &fault]);
        let home = Home::new();
        let profile = format!("lost-{n}");
        let first = setup(&home, &t, &profile, &[]);
        let said = String::from_utf8_lossy(&first.stderr).to_string();
        for (i, (step, note)) in signs.iter().enumerate() {
            if said.lines().any(|l| l.contains(step) && l.contains(note)) {
                seen[i] = true;
            }
        }
        if first.status.code() != Some(0) {
            // A lost answer the run could not settle by itself: the rerun resumes.
            assert!(
                text(&first).contains("again"),
                "{fault}: says to run again: {}",
                text(&first)
            );
            let o = setup(&home, &t, &profile, &[]);
            assert_eq!(o.status.code(), Some(0), "{fault} rerun: {}", text(&o));
        }
        assert_one_working_app(&home, &t, &profile, &fault);
    }
    assert_eq!(seen, [true; 3], "{signs:?}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_app_the_wizard_did_not_tag_is_not_adopted_without_reuse() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let name = "CRM sync (expired secret)";
    let o = setup(&home, &t, "crm", &["--name", name]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("An app named \"CRM sync (expired secret)\" already exists"),
        "{}",
        text(&o)
    );
    // Resuming changes nothing about that: the second run is refused the same way.
    let o = setup(&home, &t, "crm", &["--name", name]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(t.apps_named(name).len(), 1);
    assert!(
        t.apps_named(name)[0]["passwords"]
            .as_array()
            .is_none_or(|p| p.is_empty())
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_app_this_profile_made_is_resumed_even_when_the_journal_lost_it() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let mut cmd_env = setup_env(&home, &t, "forgotten", &[], Some("add-secret"));
    assert_eq!(cmd_env.status.code(), Some(137), "{}", text(&cmd_env));
    // The journal goes missing (a full disk, a lost answer before it was written).
    let mut removed = 0;
    for dir in std::fs::read_dir(home.data()).unwrap() {
        let j = dir.unwrap().path().join("forgotten.json");
        if j.exists() {
            std::fs::remove_file(j).unwrap();
            removed += 1;
        }
    }
    assert_eq!(removed, 1, "the setup journal was found");
    cmd_env = setup(&home, &t, "forgotten", &[]);
    assert_eq!(cmd_env.status.code(), Some(0), "{}", text(&cmd_env));
    assert!(
        text(&cmd_env).contains("using the existing app"),
        "{}",
        text(&cmd_env)
    );
    assert_one_working_app(&home, &t, "forgotten", "journal lost");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_lost_answer_to_any_exchange_change_is_settled_without_duplicates() {
    if !secret_service() {
        return;
    }
    let mut t = Tenant::start(&["--auto-approve"]);
    // Every other Exchange call of a scoped setup loses its answer in turn; some of them are
    // changes (the run stops, exit 3, and the rerun finishes): no cmdlet is run twice.
    for n in [2, 4, 6, 8, 10, 12, 14] {
        let fault = format!("exchange:lost@{n}");
        t.restart(&["--auto-approve", "--faults", &fault]);
        let home = Home::new();
        let profile = format!("xlost-{n}");
        let scoped = ["--mailbox", "bob@contoso.example", "--wait", "30s"];
        let mut extra = vec!["--access", "graph-read,imap"];
        extra.extend(scoped);
        let o = setup_scoped(&home, &t, &profile, &extra);
        if o.status.code() != Some(0) {
            assert!(text(&o).contains("again"), "{fault}: {}", text(&o));
            let o = setup_scoped(&home, &t, &profile, &extra);
            assert_eq!(o.status.code(), Some(0), "{fault} rerun: {}", text(&o));
        }
        let log = t.objects()["exchange_log"].clone();
        let mut seen = std::collections::HashSet::new();
        for e in log.as_array().unwrap() {
            assert!(seen.insert(e.to_string()), "{fault}: ran twice: {e}");
        }
    }
}

/// A setup scoped by Exchange RBAC to two mailboxes.
fn setup_scoped(home: &Home, t: &Tenant, profile: &str, extra: &[&str]) -> Output {
    let cf = t.sb.cloud_file();
    let mut cmd = home.cmd();
    cmd.args([
        "setup",
        profile,
        "--tenant",
        "contoso.example",
        "--mailbox",
        "alice@contoso.example",
        "--cloud-file",
        &cf,
        "--yes",
        "--json",
    ]);
    cmd.args(extra);
    cmd.stdin(Stdio::null()).output().unwrap()
}
