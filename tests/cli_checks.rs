//! The real binary's `add` and `check` against `sandbox serve`, one test per seeded outcome,
//! with the secret in the real Secret Service.

mod common;

use common::{Home, Served, json, row, secret_service, text};
use serde_json::Value;

/// Adds profile `name` for sandbox app `key` and returns the `check --json` output.
fn add_and_check(
    sb: &Served,
    home: &Home,
    name: &str,
    key: &str,
    access: &str,
    deny: Option<&str>,
) -> (i32, Value) {
    let (client_id, secret, _) = sb.app(key);
    add_and_check_as(sb, home, name, &client_id, &secret, access, deny)
}

/// Adds profile `name` with this client id and secret and returns the `check --json` output.
fn add_and_check_as(
    sb: &Served,
    home: &Home,
    name: &str,
    client_id: &str,
    secret: &str,
    access: &str,
    deny: Option<&str>,
) -> (i32, Value) {
    let cf = sb.cloud_file();
    let mut args = vec![
        "add",
        name,
        "--tenant",
        "contoso.example",
        "--client-id",
        client_id,
        "--access",
        access,
        "--mailbox",
        "alice@contoso.example,bob@contoso.example",
        "--cloud-file",
        &cf,
        "--secret-stdin",
    ];
    if let Some(d) = deny {
        args.extend(["--deny-mailbox", d]);
    }
    let o = home.run(&args, secret);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["check", name, "--json"], "");
    (o.status.code().unwrap(), json(&o))
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn scoped_app_reaches_its_two_mailboxes_and_is_denied_the_third() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(
        &sb,
        &home,
        "e2e-scoped",
        "scoped",
        "graph-read,graph-send",
        Some("ceo@contoso.example"),
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["verdict"], "passed");
    assert_eq!(
        row(&r, "token:graph")["detail"],
        "roles: Mail.Read, Mail.Send"
    );
    assert_eq!(
        row(&r, "graph-read:alice@contoso.example")["detail"],
        "inbox: 12 messages, 3 unread"
    );
    assert_eq!(
        row(&r, "graph-read:bob@contoso.example")["status"],
        "passed"
    );
    assert_eq!(
        row(&r, "graph-send:alice@contoso.example")["status"],
        "skipped"
    );
    assert_eq!(row(&r, "denied:ceo@contoso.example")["status"], "passed");
    assert_eq!(r["settings"]["client_id"], sb.app("scoped").0);
    let profiles = json(&home.run(&["profiles", "--json"], ""));
    assert_eq!(profiles[0]["last_check"]["verdict"], "passed");
    let o = home.run(&["forget", "e2e-scoped"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // The log tells what happened, to its owner only, and never the secret.
    let path = home.data().join("m365-mail-wizard.log");
    let log = std::fs::read_to_string(&path).unwrap();
    for said in [
        "profile saved, its secret in the keyring",
        "checks done",
        "profile forgotten",
        "e2e-scoped",
    ] {
        assert!(log.contains(said), "{said}: {log}");
    }
    assert!(
        !log.contains(&sb.app("scoped").1),
        "the secret is not logged"
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn app_without_consent_fails_on_missing_roles() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(
        &sb,
        &home,
        "e2e-noconsent",
        "no-consent",
        "graph-read",
        Some("ceo@contoso.example"),
    );
    assert_eq!(code, 1);
    let t = row(&r, "token:graph");
    assert_eq!(t["status"], "failed");
    assert!(
        t["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .contains("no roles at all"),
        "{t:#}"
    );
    assert!(
        t["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .contains("Grant admin consent")
    );
    let m = row(&r, "graph-read:alice@contoso.example");
    assert!(
        m["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .contains("ErrorAccessDenied")
    );
    // ceo@ is refused too, but so is every mailbox: that proves nothing about a scope.
    let d = row(&r, "denied:ceo@contoso.example");
    assert_eq!(d["status"], "skipped", "{d:#}");
    assert!(
        d["detail"]
            .as_str()
            .unwrap()
            .contains("says nothing about the scope"),
        "{d:#}"
    );
    home.run(&["forget", "e2e-noconsent"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn expired_secret_is_named() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-expired", "expired", "graph-read", None);
    assert_eq!(code, 1);
    let t = row(&r, "token:graph");
    assert!(
        t["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000222"),
        "{t:#}"
    );
    assert_eq!(t["diagnosis"]["summary"], "The client secret has expired.");
    assert_eq!(
        row(&r, "graph-read:alice@contoso.example")["status"],
        "skipped"
    );
    home.run(&["forget", "e2e-expired"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn policy_that_blocks_everything_is_explained() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-blocked", "blocked", "graph-read", None);
    assert_eq!(code, 1);
    assert_eq!(row(&r, "token:graph")["status"], "passed");
    let m = row(&r, "graph-read:alice@contoso.example");
    assert!(
        m["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .contains("[RAOP]"),
        "{m:#}"
    );
    assert!(
        m["diagnosis"]["summary"]
            .as_str()
            .unwrap()
            .contains("outside the app's scope")
    );
    home.run(&["forget", "e2e-blocked"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn unscoped_app_fails_the_must_be_denied_check() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(
        &sb,
        &home,
        "e2e-unscoped",
        "unscoped",
        "graph-read",
        Some("ceo@contoso.example"),
    );
    assert_eq!(code, 1);
    assert_eq!(
        row(&r, "graph-read:alice@contoso.example")["status"],
        "passed"
    );
    let d = row(&r, "denied:ceo@contoso.example");
    assert_eq!(d["status"], "failed");
    assert!(
        d["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .contains("New-ApplicationAccessPolicy")
    );
    home.run(&["forget", "e2e-unscoped"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn wrong_secret_and_object_id_mix_ups() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (client_id, secret, object_id) = sb.app("scoped");
    let (code, r) = add_and_check_as(
        &sb,
        &home,
        "e2e-wrongsecret",
        &client_id,
        "sbx9Q~not.the.right.value.at.all.000000000",
        "graph-read",
        None,
    );
    assert_eq!(code, 1);
    assert!(
        row(&r, "token:graph")["diagnosis"]["cause"]
            .as_str()
            .unwrap()
            .contains("Secret ID")
    );

    let (code, r) = add_and_check_as(
        &sb,
        &home,
        "e2e-objectid",
        &object_id,
        &secret,
        "graph-read",
        None,
    );
    assert_eq!(code, 1);
    let dg = &row(&r, "token:graph")["diagnosis"];
    assert!(
        dg["evidence"].as_str().unwrap().starts_with("AADSTS700016"),
        "{dg:#}"
    );
    assert!(dg["cause"].as_str().unwrap().contains("Object ID"));
    home.run(&["forget", "e2e-wrongsecret"], "");
    home.run(&["forget", "e2e-objectid"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn network_down_is_exit_3_and_throttling_is_retried() {
    if !secret_service() {
        return;
    }
    let mut sb = Served::start(&["--faults", "token:503:1,graph:429:1"]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-net", "scoped", "graph-read", None);
    assert_eq!(code, 0, "one 503 and one 429 are retried: {r:#}");
    sb.stop();
    let o = home.run(&["check", "e2e-net", "--json"], "");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["verdict"], "unavailable");
    assert!(
        row(&r, "token:graph")["diagnosis"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Nothing answered")
    );
    home.run(&["forget", "e2e-net"], "");
}

/// `--timeout` bounds the token and Graph steps too, not only the mail servers: against a
/// sandbox answering every request after 3 s, `--timeout 2` gives up on the token, and
/// `--timeout 10` waits for it.
#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_timeout_reaches_the_token_and_graph_steps() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&["--latency-ms", "3000"]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-slow", "scoped", "graph-read", None);
    assert_eq!(code, 0, "{r:#}");
    let o = home.run(&["check", "e2e-slow", "--timeout", "2", "--json"], "");
    let r = json(&o);
    assert_eq!(o.status.code(), Some(3), "unavailable: {}", text(&o));
    let token = row(&r, "token:graph");
    assert_eq!(token["status"], "failed", "{r:#}");
    assert!(
        token["diagnosis"]["summary"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{r:#}"
    );
    let o = home.run(&["check", "e2e-slow", "--timeout", "10", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    home.run(&["forget", "e2e-slow"], "");
}

/// OpenID discovery is read like any other: two outages with `Retry-After` are waited out.
#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn discovery_outages_are_waited_out() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&["--faults", "discovery:503:2"]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-discovery", "scoped", "graph-read", None);
    assert_eq!(code, 0, "{r:#}");
    home.run(&["forget", "e2e-discovery"], "");
}

/// One IMAP connection dropped mid-dialogue is a passing fault: the probe runs once more.
#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn one_dropped_mail_connection_is_tried_again() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&["--faults", "imap:close:1"]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "e2e-dropped", "scoped", "imap", None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(row(&r, "imap:alice@contoso.example")["status"], "passed");
    home.run(&["forget", "e2e-dropped"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn graph_sends_only_when_asked_and_the_message_arrives() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "quiet", "scoped", "graph-read,graph-send", None);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(
        row(&r, "graph-send:alice@contoso.example")["status"],
        "skipped"
    );
    let (client_id, secret, _) = sb.app("scoped");
    let cf = sb.cloud_file();
    let args = [
        "add",
        "send",
        "--tenant",
        "contoso.example",
        "--client-id",
        &client_id,
        "--access",
        "graph-read,graph-send",
        "--mailbox",
        "alice@contoso.example",
        "--cloud-file",
        &cf,
        "--secret-stdin",
        "--send-test",
    ];
    let o = home.run(&args, &secret);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = json(&home.run(&["check", "send", "--json"], ""));
    assert_eq!(
        row(&r, "graph-send:alice@contoso.example")["detail"],
        "test message sent to itself",
        "{r:#}"
    );
    let r = json(&home.run(&["check", "quiet", "--json"], ""));
    assert_eq!(
        row(&r, "graph-read:alice@contoso.example")["detail"],
        "inbox: 13 messages, 4 unread",
        "one test message arrived, unread; the checks without opt-in sent none"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn read_write_access_without_mail_read_write_names_the_missing_permission() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let (code, r) = add_and_check(&sb, &home, "rw", "unscoped", "graph-read-write", None);
    assert_ne!(code, 0, "{r:#}");
    assert_eq!(r["verdict"], "failed");
    let token = row(&r, "token:graph");
    let said = format!("{token:#}");
    assert!(said.contains("Mail.ReadWrite"), "{said}");
}
