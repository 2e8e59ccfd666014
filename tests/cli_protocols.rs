//! IMAP, POP3, SMTP and EWS checks through the real binary against `sandbox serve`: every
//! protocol passing for a correctly set-up app, each seeded misconfiguration with its own
//! diagnosis, and the faults a mail server can throw.

mod common;

use common::{Home, Served, json, row, secret_service, text};
use serde_json::Value;

struct Case<'a> {
    app: &'a str,
    access: &'a str,
    mailboxes: &'a str,
    deny: Option<&'a str>,
    send_test: bool,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Case {
            app: "scoped",
            access: "imap",
            mailboxes: "alice@contoso.example,bob@contoso.example",
            deny: None,
            send_test: false,
        }
    }
}

/// Adds a profile for the case and returns the exit code and `check --json` report.
fn run(
    sb: &Served,
    home: &Home,
    cloud_file: &str,
    name: &str,
    c: &Case,
    check: &[&str],
) -> (i32, Value) {
    let (client_id, secret, _) = sb.app(c.app);
    let mut args = vec![
        "add",
        name,
        "--tenant",
        "contoso.example",
        "--client-id",
        &client_id,
        "--access",
        c.access,
        "--mailbox",
        c.mailboxes,
        "--cloud-file",
        cloud_file,
        "--secret-stdin",
    ];
    if let Some(d) = c.deny {
        args.extend(["--deny-mailbox", d]);
    }
    if c.send_test {
        args.push("--send-test");
    }
    let o = home.run(&args, &secret);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut args = vec!["check", name, "--json"];
    args.extend(check);
    let o = home.run(&args, "");
    (o.status.code().unwrap(), json(&o))
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    row(report, id)["status"].as_str().unwrap()
}

fn diag<'a>(report: &'a Value, id: &str, field: &str) -> &'a str {
    row(report, id)["diagnosis"][field]
        .as_str()
        .unwrap_or_else(|| panic!("{id} has no diagnosis: {report:#}"))
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn every_protocol_passes_for_a_correctly_set_up_app() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        access: "graph-read,imap,pop,smtp,ews",
        deny: Some("ceo@contoso.example"),
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "all", &case, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["verdict"], "passed");
    assert_eq!(status(&r, "token:exchange"), "passed");
    let detail = |id: &str| row(&r, id)["detail"].as_str().unwrap().to_string();
    assert!(detail("token:exchange").contains("IMAP.AccessAsApp"));
    assert_eq!(
        detail("imap:alice@contoso.example"),
        "inbox: 12 messages, 3 unseen (read-only)"
    );
    assert_eq!(
        detail("pop:bob@contoso.example"),
        "7 messages (14336 bytes)"
    );
    assert!(detail("smtp:alice@contoso.example").contains("no message sent"));
    assert_eq!(
        detail("ews:alice@contoso.example"),
        "inbox: 12 messages, 3 unread"
    );
    assert_eq!(status(&r, "denied:ceo@contoso.example"), "passed");
    let rows = r["checks"].as_array().unwrap().len();
    assert_eq!(
        rows,
        2 + 2 * 5 + 1,
        "two tokens, five protocols per mailbox, one denial"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn smtp_sends_only_when_asked_and_the_message_arrives() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let quiet = Case {
        access: "smtp",
        mailboxes: "alice@contoso.example",
        ..Case::default()
    };
    let (code, _) = run(&sb, &home, &sb.cloud_file(), "quiet", &quiet, &[]);
    assert_eq!(code, 0);
    let send = Case {
        send_test: true,
        ..quiet
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "send", &send, &[]);
    assert_eq!(code, 0, "{r:#}");
    assert!(
        row(&r, "smtp:alice@contoso.example")["detail"]
            .as_str()
            .unwrap()
            .contains("test message sent")
    );
    let read = Case {
        mailboxes: "alice@contoso.example",
        ..Case::default()
    };
    let (_, r) = run(&sb, &home, &sb.cloud_file(), "read", &read, &[]);
    assert_eq!(
        row(&r, "imap:alice@contoso.example")["detail"],
        "inbox: 13 messages, 4 unseen (read-only)",
        "one test message arrived, unread; the check without opt-in sent none"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn wrong_object_id_is_named_with_the_fix() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        app: "wrong-object-id",
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "oid", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    for m in ["alice", "bob"] {
        let id = format!("imap:{m}@contoso.example");
        assert_eq!(status(&r, &id), "failed");
        assert!(
            diag(&r, &id, "summary").contains("wrong object ID"),
            "{r:#}"
        );
        assert!(diag(&r, &id, "evidence").contains("User is authenticated but not connected."));
        assert!(
            diag(&r, &id, "fix").contains("-ObjectId e0000000-0006-4000-8000-00000000b006"),
            "the fix names the service principal's object id from the token"
        );
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn fullaccess_missing_on_one_mailbox() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        app: "fullaccess-missing",
        access: "imap,pop,smtp",
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "fa", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    for p in ["imap", "pop", "smtp"] {
        assert_eq!(
            status(&r, &format!("{p}:alice@contoso.example")),
            "passed",
            "{r:#}"
        );
        assert_eq!(status(&r, &format!("{p}:bob@contoso.example")), "failed");
    }
    assert!(diag(&r, "imap:bob@contoso.example", "summary").contains("no FullAccess on bob@"));
    assert!(
        diag(&r, "imap:bob@contoso.example", "fix")
            .contains("Add-MailboxPermission -Identity bob@contoso.example -User e0000000-0007")
    );
    assert!(
        diag(&r, "pop:bob@contoso.example", "evidence")
            .contains("-ERR Authentication failure: unknown user name or bad password.")
    );
    assert!(diag(&r, "pop:bob@contoso.example", "fix").contains("FullAccess"));
    assert!(
        diag(&r, "smtp:bob@contoso.example", "evidence")
            .contains("535 5.7.3 Authentication unsuccessful")
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn imap_consented_on_graph_instead_of_exchange() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        app: "graph-not-exchange",
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "trap", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(status(&r, "token:exchange"), "failed");
    assert!(diag(&r, "token:exchange", "fix").contains("Office 365 Exchange Online"));
    let id = "imap:alice@contoso.example";
    assert!(
        diag(&r, id, "summary").contains("no IMAP.AccessAsApp"),
        "{r:#}"
    );
    assert!(diag(&r, id, "cause").contains("IMAP.AccessAsUser.All"));
    assert!(diag(&r, id, "evidence").contains("NO AUTHENTICATE failed."));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn imap_switched_off_for_one_mailbox() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        access: "imap,pop",
        mailboxes: "alice@contoso.example,dave@contoso.example",
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "cas", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(status(&r, "imap:alice@contoso.example"), "passed");
    assert!(
        diag(&r, "imap:dave@contoso.example", "cause").contains("IMAP is switched off for dave@")
    );
    assert!(
        diag(&r, "imap:dave@contoso.example", "fix")
            .contains("Set-CASMailbox -Identity dave@contoso.example -ImapEnabled $true")
    );
    assert!(diag(&r, "pop:dave@contoso.example", "fix").contains("-PopEnabled $true"));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn ews_is_scoped_by_the_access_policy() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        access: "ews",
        mailboxes: "alice@contoso.example,carol@contoso.example",
        deny: Some("ceo@contoso.example"),
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "ews", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(status(&r, "ews:alice@contoso.example"), "passed");
    assert!(diag(&r, "ews:carol@contoso.example", "evidence").contains("ErrorAccessDenied"));
    assert!(
        diag(&r, "ews:carol@contoso.example", "summary").contains("outside the app's EWS scope")
    );
    assert_eq!(status(&r, "denied:ceo@contoso.example"), "passed");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn mail_server_faults_end_in_a_diagnosis_not_a_crash() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&["--faults", "imap:garbage,pop:close:2,smtp:endless"]);
    let home = Home::new();
    let case = Case {
        access: "imap,pop,smtp",
        mailboxes: "alice@contoso.example",
        ..Case::default()
    };
    let (code, r) = run(
        &sb,
        &home,
        &sb.cloud_file(),
        "faults",
        &case,
        &["--timeout", "3"],
    );
    assert_eq!(
        code, 3,
        "server faults are unavailability, not configuration: {r:#}"
    );
    assert_eq!(r["verdict"], "unavailable");
    assert!(diag(&r, "imap:alice@contoso.example", "summary").contains("unexpected"));
    // Closed twice: a dropped connection is tried once more, then named.
    assert!(diag(&r, "pop:alice@contoso.example", "summary").contains("closed the connection"));
    assert!(diag(&r, "smtp:alice@contoso.example", "evidence").contains("longer than"));

    let hang = Served::start(&["--faults", "imap:hang"]);
    let (code, r) = run(
        &hang,
        &home,
        &hang.cloud_file(),
        "hang",
        &case,
        &["--timeout", "1"],
    );
    assert_eq!(code, 3, "{r:#}");
    assert!(
        diag(&r, "imap:alice@contoso.example", "evidence").contains("within 1 s"),
        "{r:#}"
    );
    assert_eq!(
        status(&r, "pop:alice@contoso.example"),
        "passed",
        "one hung server spoils nothing else"
    );
}

/// Rewrites the sandbox's cloud file with one field replaced.
fn cloud_file_with(sb: &Served, dir: &std::path::Path, field: &str, value: &str) -> String {
    let text = std::fs::read_to_string(sb.cloud_file()).unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    doc.insert(field.into(), toml::Value::String(value.into()));
    let path = dir.join(format!("cloud-{field}.toml"));
    std::fs::write(&path, toml::to_string(&doc).unwrap()).unwrap();
    path.display().to_string()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn unreachable_refused_and_untrusted_servers() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let other = Served::start(&[]);
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let case = Case {
        mailboxes: "alice@contoso.example",
        ..Case::default()
    };

    let foreign_ca = other.info["mail_ca"].as_str().unwrap();
    let cf = cloud_file_with(&sb, dir.path(), "mail_ca", foreign_ca);
    let (code, r) = run(&sb, &home, &cf, "tls", &case, &[]);
    assert_eq!(code, 3, "{r:#}");
    assert!(diag(&r, "imap:alice@contoso.example", "summary").contains("secure connection"));
    assert!(diag(&r, "imap:alice@contoso.example", "evidence").contains("trusted authority"));

    let cf = cloud_file_with(&sb, dir.path(), "imap", "127.0.0.1:1");
    let (code, r) = run(&sb, &home, &cf, "refused", &case, &[]);
    assert_eq!(code, 3);
    assert!(
        diag(&r, "imap:alice@contoso.example", "summary").contains("Nothing answered"),
        "{r:#}"
    );

    let cf = cloud_file_with(&sb, dir.path(), "imap", "no-such-host.invalid:993");
    let (code, r) = run(&sb, &home, &cf, "dns", &case, &["--timeout", "5"]);
    assert_eq!(code, 3);
    assert!(
        diag(&r, "imap:alice@contoso.example", "summary").contains("could not be resolved"),
        "{r:#}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn ews_without_its_role_is_named() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let case = Case {
        app: "fullaccess-missing",
        access: "ews",
        mailboxes: "alice@contoso.example",
        ..Case::default()
    };
    let (code, r) = run(&sb, &home, &sb.cloud_file(), "noews", &case, &[]);
    assert_eq!(code, 1, "{r:#}");
    assert!(
        diag(&r, "ews:alice@contoso.example", "summary").contains("no full_access_as_app"),
        "{r:#}"
    );
    assert!(
        diag(&r, "ews:alice@contoso.example", "evidence").contains("HTTP 403"),
        "{r:#}"
    );
}
