//! `export` through the real binary: every format snapshot-tested (ports, dates and times
//! normalised) and scanned for the secret; output files never silently overwritten; the
//! handover report of an RBAC-scoped setup states what the setup made, in the reader's time.

mod common;

use std::process::{Output, Stdio};

use common::{Home, Served, Tenant, secret_service, text};

const FORMATS: [&str; 6] = [
    "env",
    "json",
    "properties",
    "powershell",
    "report",
    "report-html",
];

/// Replaces what changes from run to run: loopback ports, dates, times and durations.
fn normalise(s: &str, sb: &Served) -> String {
    let mut out = s.to_string();
    for key in ["login", "imap", "pop", "smtp"] {
        let v = sb.info[key].as_str().unwrap();
        let addr = v.trim_start_matches("http://");
        out = out.replace(addr, "127.0.0.1:PORT");
        let port = addr.rsplit(':').next().unwrap();
        for prefix in ["_PORT=", ".port="] {
            out = out.replace(&format!("{prefix}{port}\n"), &format!("{prefix}PORT\n"));
        }
    }
    // Times to the minute in the reader's offset, and the durations in the report.
    let mut res = String::new();
    let chars: Vec<char> = out.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 30)].iter().collect();
        if is_local_time(&rest) {
            res.push_str("LOCAL TIME");
            i += "2026-12-02 14:05 +00:00".len();
            continue;
        }
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let after: String = chars[i..chars.len().min(i + 3)].iter().collect();
            if after == " ms" {
                res.push('N');
            } else {
                res.extend(&chars[start..i]);
            }
            continue;
        }
        res.push(chars[i]);
        i += 1;
    }
    let today = time::OffsetDateTime::now_utc().date().to_string();
    res.replace(&today, "TODAY")
}

/// `2026-12-02 14:05 +00:00` at the start of `s`.
fn is_local_time(s: &str) -> bool {
    let pattern = "dddd-dd-dd dd:dd +dd:dd";
    s.len() >= pattern.len()
        && s.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            b'+' => c == b'+' || c == b'-',
            _ => c == p,
        })
}

/// A sandbox and a profile `name` for its scoped app: (sandbox, home, client id, secret).
fn with_profile(name: &str, answers: &[&str]) -> (Served, Home, String, String) {
    let sb = Served::start(&[]);
    let home = Home::new();
    let (client_id, secret, _) = sb.app("scoped");
    let cf = sb.cloud_file();
    let mut args = vec![
        "add",
        name,
        "--tenant",
        "contoso.example",
        "--client-id",
        &client_id,
    ];
    args.extend(answers);
    args.extend(["--cloud-file", &cf, "--secret-stdin"]);
    let o = home.run(&args, &secret);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (sb, home, client_id, secret)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn every_format_without_the_secret() {
    if !secret_service() {
        return;
    }
    let (sb, home, client_id, secret) = with_profile(
        "helpdesk",
        &[
            "--access",
            "graph-read,imap,smtp,ews",
            "--mailbox",
            "alice@contoso.example,bob@contoso.example",
            "--deny-mailbox",
            "ceo@contoso.example",
        ],
    );
    let o = home.run(&["check", "helpdesk"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for f in FORMATS {
        let o = in_zone(&home, "UTC0", &["export", "helpdesk", "--format", f]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", text(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(!out.contains(&secret), "{f} holds the secret");
        assert!(
            !out.contains("Scoped.Helpdesk"),
            "{f} holds part of the secret"
        );
        assert!(out.contains(&client_id), "{f} names the app");
        // The tests' own keyring service, as the wizard a user runs names it.
        let out = out.replace(&home.service(), "m365-mail-wizard");
        insta::assert_snapshot!(format!("export_{f}"), normalise(&out, &sb));
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_existing_output_file_is_not_overwritten() {
    if !secret_service() {
        return;
    }
    let (_sb, home, _, _) = with_profile(
        "p",
        &[
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.env");
    std::fs::write(&path, "KEEP").unwrap();
    let target = path.display().to_string();
    let o = home.run(&["export", "p", "--format", "env", "--output", &target], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--force"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "KEEP");
    let o = home.run(
        &[
            "export", "p", "--format", "env", "--output", &target, "--force",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("M365_CLIENT_ID=")
    );
    let o = home.run(
        &[
            "export",
            "p",
            "--format",
            "env",
            "--output",
            "/proc/forbidden/settings.env",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // A device stays a device, even with --force (as root the rename would replace it).
    let o = home.run(
        &[
            "export",
            "p",
            "--format",
            "env",
            "--output",
            "/dev/null",
            "--force",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a regular file"), "{}", text(&o));
    assert!(!std::fs::symlink_metadata("/dev/null").unwrap().is_file());
    let o = home.run(
        &[
            "export",
            "p",
            "--format",
            "env",
            "--output",
            &dir.path().display().to_string(),
            "--force",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a directory"), "{}", text(&o));
    let o = home.run(&["export", "p", "--format", "yaml"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("report-html"), "{}", text(&o));
}

/// The binary in the reader's time zone `tz` (a POSIX TZ rule: no tz database needed).
fn in_zone(home: &Home, tz: &str, args: &[&str]) -> Output {
    home.cmd()
        .env("TZ", tz)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The binary in UTC+05:30.
fn in_india(home: &Home, args: &[&str]) -> Output {
    in_zone(home, "IST-5:30", args)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_report_of_an_rbac_setup_states_what_was_made() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let o = in_india(
        &home,
        &[
            "setup",
            "crm",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read,imap",
            "--mailbox",
            "alice@contoso.example",
            "--mailbox",
            "bob@contoso.example",
            "--deny-mailbox",
            "ceo@contoso.example",
            "--cloud-file",
            &cf,
            "--yes",
            "--json",
            "--scope",
            "rbac",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let app = &t.apps_named("m365-mail-wizard crm")[0];
    let sp = app["sp_id"].as_str().unwrap();

    let o = in_india(&home, &["export", "crm", "--format", "report"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    let row = |cells: &[&str]| format!("| {} |", cells.join(" | "));
    for line in [
        row(&["Application (display name)", "m365-mail-wizard crm"]),
        row(&["Enterprise application (object ID)", sp]),
        row(&["Registered by", "m365-mail-wizard's setup"]),
        row(&[
            "IMAP.AccessAsApp",
            "application permission on Office 365 Exchange Online (Entra ID)",
            "IMAP — read mail",
            "admin consent",
        ]),
        row(&[
            "Application Mail.Read",
            "Exchange Online role (RBAC for Applications)",
            "Microsoft Graph — read mail",
            "assigned to the app within the management scope \"m365-mail-wizard crm mailboxes\"",
        ]),
        row(&[
            "Mail-enabled security group",
            "m365mw-crm",
            "names the mailboxes in scope: alice@contoso.example, bob@contoso.example",
        ]),
    ] {
        assert!(md.contains(&line), "{line}\nin:\n{md}");
    }
    for start in [
        "| Management scope | m365-mail-wizard crm mailboxes | the mailboxes that are members of m365mw-crm (MemberOfGroup -eq 'CN=",
        "| Role assignment | Application Mail.Read |",
        "| Mailbox permission | FullAccess on alice@contoso.example | the app's service principal may open alice@contoso.example over IMAP |",
        "| Mailbox permission | FullAccess on bob@contoso.example |",
        "| Service principal | m365-mail-wizard crm |",
    ] {
        assert!(md.contains(start), "{start}\nin:\n{md}");
    }
    assert!(
        md.contains("Not granted in Entra ID, on purpose: Mail.Read (Microsoft Graph)."),
        "{md}"
    );
    assert!(
        !md.contains("| Mail.Read |")
            && !md.contains("Mail.Read on Microsoft Graph, with admin consent"),
        "Graph Mail.Read was not granted: {md}"
    );
    let checked = md
        .lines()
        .skip_while(|l| *l != "## Last check")
        .nth(2)
        .unwrap_or_default();
    assert!(
        checked.contains(" +05:30 — all checks passed (") && checked.as_bytes()[10] == b' ',
        "the last check in the reader's time, to the minute: {checked}"
    );
    assert!(
        !md.contains(":00Z") && !md.contains("T0") && !md.contains("T1") && !md.contains("T2"),
        "{md}"
    );

    let o = in_india(&home, &["export", "crm", "--format", "report-html"]);
    let html = String::from_utf8(o.stdout).unwrap();
    assert!(
        html.contains(
            "<h2>Tenant and application</h2>\n<table><tr><th>Item</th><th>Value</th></tr>"
        ) && !html.contains("<th></th>"),
        "{html}"
    );

    let o = in_india(&home, &["renew", "crm"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = in_india(&home, &["export", "crm", "--format", "report"]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(
        md.contains("Last check before the renewal of the client secret on "),
        "{md}"
    );
    assert!(in_india(&home, &["check", "crm"]).status.success());
    let o = in_india(&home, &["export", "crm", "--format", "report"]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(!md.contains("Last check before the renewal"), "{md}");
}
