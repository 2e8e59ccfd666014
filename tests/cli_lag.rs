//! Directory replication lag through the real binary against `sandbox serve
//! --replication-lag-ms`: each object the setup makes stays unknown for a while to the calls
//! that name it; the setup waits, says so, and succeeds; a lag longer than its wait stops it
//! with a clear message, and running it again resumes with nothing made twice.

mod common;

use std::process::{Output, Stdio};

use common::{Home, Tenant, json, secret_service, text};
use serde_json::Value;

fn setup(home: &Home, t: &Tenant, profile: &str, scope: &[&str], extra: &[&str]) -> Output {
    let cf = t.sb.cloud_file();
    home.cmd()
        .args([
            "setup",
            profile,
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read,imap",
            "--mailbox",
            "alice@contoso.example",
            "--mailbox",
            "bob@contoso.example",
            "--cloud-file",
            &cf,
            "--yes",
            "--json",
        ])
        .args(scope)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn count(t: &Tenant, list: &str, f: impl Fn(&Value) -> bool) -> usize {
    t.objects()[list]
        .as_array()
        .map(|a| a.iter().filter(|x| f(x)).count())
        .unwrap_or(0)
}

fn apps(t: &Tenant, profile: &str) -> Vec<Value> {
    t.apps_named(&format!("m365-mail-wizard {profile}"))
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_setup_waits_for_the_directory_and_says_so() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--replication-lag-ms", "1500"]);
    let home = Home::new();
    let rbac = ["--scope", "rbac", "--deny-mailbox", "ceo@contoso.example"];
    let o = setup(&home, &t, "lag", &rbac, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "waiting for Microsoft Entra ID to show the new app registration",
        "waiting for Exchange Online to show the new group m365mw-lag (directory replication)",
        "waiting for Exchange Online to show the app's new service principal",
        "s so far",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    let made = apps(&t, "lag");
    assert_eq!(made.len(), 1, "one app: {made:#?}");
    let sp = made[0]["sp_id"].as_str().unwrap().to_string();
    assert!(!sp.is_empty());
    assert_eq!(
        made[0]["passwords"].as_array().unwrap().len(),
        1,
        "one secret"
    );
    assert_eq!(
        count(&t, "exchange_service_principals", |x| x["object_id"]
            == sp.as_str()),
        1
    );
    assert_eq!(
        count(&t, "groups", |g| g["name"] == "m365mw-lag"
            && g["members"]
                == serde_json::json!([
                    "alice@contoso.example",
                    "bob@contoso.example"
                ])),
        1,
        "the group with both members, once"
    );
    let roles = count(&t, "role_assignments", |a| a["app"] == sp.as_str());
    let permissions = count(&t, "mailbox_permissions", |p| p["principal"] == sp.as_str());
    assert_eq!(
        (roles, permissions),
        (1, 2),
        "Mail.Read in the scope; FullAccess for IMAP on each mailbox"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_lag_longer_than_the_wait_stops_clearly_and_the_next_run_resumes() {
    if !secret_service() {
        return;
    }
    let mut t = Tenant::start(&["--auto-approve", "--replication-lag-ms", "600000"]);
    let home = Home::new();
    let all = ["--scope", "all-mailboxes", "--i-understand-all-mailboxes"];
    let o = setup(&home, &t, "slow", &all, &["--directory-wait", "2s"]);
    assert_eq!(o.status.code(), Some(3), "unavailable: {}", text(&o));
    let r = json(&o);
    let message = r.to_string();
    for want in [
        "Microsoft Entra ID did not show the new app registration (client ID",
        "within 2 seconds",
        "Run the same command again",
    ] {
        assert!(message.contains(want), "{want}: {r:#}");
    }
    assert!(!message.contains("mailbox does not exist"), "{r:#}");
    assert_eq!(apps(&t, "slow").len(), 1);
    assert!(
        !home.config().join("profiles/slow.toml").exists(),
        "no profile before the setup finished"
    );

    // The directory has caught up: the same command resumes and makes nothing twice.
    t.restart(&["--auto-approve"]);
    let o = setup(&home, &t, "slow", &all, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already registered"),
        "{}",
        text(&o)
    );
    let made = apps(&t, "slow");
    assert_eq!(made.len(), 1, "still one app: {made:#?}");
    assert!(!made[0]["sp_id"].as_str().unwrap().is_empty());
    assert_eq!(made[0]["passwords"].as_array().unwrap().len(), 1);
}
