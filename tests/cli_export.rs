//! `export` through the real binary: every format snapshot-tested (ports, dates and times
//! normalised) and scanned for the secret; output files never silently overwritten.

mod common;

use common::{Home, Served, secret_service, text};

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
    // RFC 3339 timestamps of the last check, and the durations in the report.
    let mut res = String::new();
    let chars: Vec<char> = out.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 30)].iter().collect();
        let is_stamp = rest.len() >= 20
            && rest.as_bytes()[4] == b'-'
            && rest.as_bytes()[10] == b'T'
            && rest[..4].chars().all(|c| c.is_ascii_digit());
        if is_stamp {
            let len = rest.find(['Z', '+']).map(|n| n + 1).unwrap_or(20);
            res.push_str("TIMESTAMP");
            i += len;
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
        let o = home.run(&["export", "helpdesk", "--format", f], "");
        assert_eq!(o.status.code(), Some(0), "{f}: {}", text(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(!out.contains(&secret), "{f} holds the secret");
        assert!(
            !out.contains("Scoped.Helpdesk"),
            "{f} holds part of the secret"
        );
        assert!(out.contains(&client_id), "{f} names the app");
        insta::assert_snapshot!(format!("export_{f}"), normalise(&out, &sb));
    }
}

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
    let o = home.run(&["export", "p", "--format", "yaml"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("report-html"), "{}", text(&o));
}
