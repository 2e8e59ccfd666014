//! Monitoring a fleet: `check --all --format prometheus` read back by a real Prometheus
//! text-format parser (Python's `prometheus_client`), and `--notify` against a local webhook
//! that answers, answers 500, or never answers.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Home, Tenant, has_command, peer, secret_service, text};
use serde_json::Value;

const MAILBOXES: &str = "alice@contoso.example,bob@contoso.example";

/// Adds profile `name` for the sandbox's unscoped app; `deny` makes its must-be-denied check
/// fail, `expires_in` sets the secret's expiry that many days from today.
fn add(t: &Tenant, home: &Home, name: &str, deny: Option<&str>, expires_in: Option<i64>) {
    let (client_id, secret, _) = t.sb.app("unscoped");
    let cf = t.sb.cloud_file();
    let expires = expires_in.map(|d| {
        let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(d);
        day.format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap()
    });
    let mut args = vec![
        "add",
        name,
        "--tenant",
        "contoso.example",
        "--client-id",
        &client_id,
        "--access",
        "graph-read",
        "--mailbox",
        MAILBOXES,
        "--cloud-file",
        &cf,
        "--secret-stdin",
    ];
    if let Some(d) = deny {
        args.extend(["--deny-mailbox", d]);
    }
    if let Some(e) = &expires {
        args.extend(["--secret-expires", e]);
    }
    let o = home.run(&args, &secret);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The families Python's parser read from `text`: name → (type, samples as (labels, value)).
fn parse_with_prometheus_client(python: &str, text: &str) -> Vec<Value> {
    const SCRIPT: &str = r#"
import sys, json
from prometheus_client.parser import text_string_to_metric_families
fams = []
for f in text_string_to_metric_families(sys.stdin.read()):
    samples = [{'labels': s.labels, 'value': s.value} for s in f.samples]
    fams.append({'name': f.name, 'type': f.type, 'help': f.documentation, 'samples': samples})
print(json.dumps(fams))
"#;
    let mut child = Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "the parser refused the text: {}\n{text}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A Python that has `prometheus_client`: the one on PATH, or the system's (where Debian's
/// python3-prometheus-client goes), when the peer is there.
fn prometheus_client() -> Option<String> {
    let found = ["python3", "/usr/bin/python3"].into_iter().find(|py| {
        (py.starts_with('/') || has_command(py))
            && Command::new(py)
                .args(["-c", "import prometheus_client.parser"])
                .output()
                .is_ok_and(|o| o.status.success())
    });
    peer(
        "python3-prometheus-client",
        found.is_some(),
        "install python3-prometheus-client (scripts/test and CI do)",
    )
    .then(|| found.unwrap().to_string())
}

fn value(fams: &[Value], family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let f = fams.iter().find(|f| f["name"] == family)?;
    f["samples"]
        .as_array()?
        .iter()
        .find(|s| labels.iter().all(|(k, v)| s["labels"][*k] == *v))
        .and_then(|s| s["value"].as_f64())
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn check_all_in_prometheus_format_is_read_back_by_a_real_parser() {
    if !secret_service() {
        return;
    }
    let Some(python) = prometheus_client() else {
        return;
    };
    let t = Tenant::start(&[]);
    let home = Home::new();
    add(&t, &home, "good", None, None);
    add(&t, &home, "bad", Some("ceo@contoso.example"), None);
    add(&t, &home, "soon", None, Some(10));

    let o = home.run(&["check", "--all", "--format", "prometheus"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.contains("profiles…"),
        "no progress line when piped: {stderr}"
    );
    let out = String::from_utf8(o.stdout).unwrap();
    let fams = parse_with_prometheus_client(&python, &out);

    for f in &fams {
        assert_eq!(f["type"], "gauge", "{f}");
        assert!(!f["help"].as_str().unwrap().is_empty(), "{f}");
    }
    let status = |p: &str, c: &str, m: &str| {
        value(
            &fams,
            "m365mw_check_status",
            &[("profile", p), ("check", c), ("mailbox", m)],
        )
    };
    assert_eq!(
        status("good", "graph-read", "alice@contoso.example"),
        Some(1.0)
    );
    assert_eq!(status("good", "token", ""), Some(1.0));
    assert_eq!(
        status("bad", "graph-read", "bob@contoso.example"),
        Some(1.0)
    );
    assert_eq!(
        status("bad", "denied", "ceo@contoso.example"),
        Some(0.0),
        "{out}"
    );
    let verdict = |p: &str, v: &str| {
        value(
            &fams,
            "m365mw_profile_verdict",
            &[("profile", p), ("verdict", v)],
        )
    };
    assert_eq!(verdict("good", "passed"), Some(1.0));
    assert_eq!(verdict("good", "failed"), Some(0.0));
    assert_eq!(verdict("bad", "failed"), Some(1.0));
    assert_eq!(verdict("bad", "pending"), Some(0.0));
    assert_eq!(
        value(
            &fams,
            "m365mw_credential_expiry_days",
            &[("profile", "soon")]
        ),
        Some(10.0)
    );
    assert_eq!(
        value(
            &fams,
            "m365mw_credential_expiry_days",
            &[("profile", "good")]
        ),
        None,
        "no expiry known, no sample"
    );
    assert_eq!(value(&fams, "m365mw_profiles_unreadable", &[]), Some(0.0));

    // On a terminal (script(1) gives the command one), how many profiles are done, on one
    // line cleared at the end; never with --json.
    if peer(
        "script",
        has_command("script"),
        "install util-linux's script (bsdutils)",
    ) {
        let on_terminal = |args: &str| {
            let o = Command::new("script")
                .args([
                    "-qec",
                    &format!("{} {args} >/dev/null", common::BIN),
                    "/dev/null",
                ])
                .env("M365MW_CONFIG_DIR", home.config())
                .env("M365MW_DATA_DIR", home.data())
                .env("M365MW_KEYRING_SERVICE", home.service())
                .stdin(Stdio::null())
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let seen = on_terminal("check --all --format prometheus");
        assert!(seen.contains("checked 3/3 profiles…"), "{seen:?}");
        assert!(seen.ends_with("\r\x1b[2K"), "the line is cleared: {seen:?}");
        let seen = on_terminal("check --all --json");
        assert!(!seen.contains("profiles…"), "{seen:?}");
    }

    // --format json is --json.
    let a = home.run(&["check", "good", "--format", "json"], "");
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    let v: Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["profile"], "good");
}

/// A one-route webhook on this machine: each POST's body is sent on the channel, then answered
/// with `status`, or never answered when `status` is none.
fn receiver(status: Option<u16>) -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hook/path-that-is-a-credential",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = tx.send((request_line, String::from_utf8_lossy(&body).into_owned()));
            match status {
                Some(code) => {
                    let mut s = stream;
                    let _ = write!(
                        s,
                        "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    );
                }
                None => held.push(stream),
            }
        }
    });
    (url, rx)
}

fn check_notify(home: &Home, url: Option<&str>, timeout: &str) -> Output {
    let mut args = vec!["check", "--all", "--timeout", timeout];
    if let Some(u) = url {
        args.extend(["--notify", u]);
    }
    home.run(&args, "")
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn notify_posts_what_changed_once_and_a_failing_webhook_leaves_the_exit_code_alone() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[]);
    let (_, secret, _) = t.sb.app("unscoped");
    let home = Home::new();
    add(&t, &home, "good", None, None);
    add(&t, &home, "bad", Some("ceo@contoso.example"), None);

    // First run: "bad" was never checked and fails now; "good" passes: one POST about "bad".
    let (url, posts) = receiver(Some(200));
    let o = check_notify(&home, Some(&url), "15");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let (line, body) = posts
        .recv_timeout(Duration::from_secs(30))
        .expect("one POST");
    assert!(
        line.starts_with("POST /hook/path-that-is-a-credential "),
        "{line}"
    );
    assert!(posts.try_recv().is_err(), "exactly one POST");
    assert!(!body.contains(&secret), "no secret in {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let said = v["text"].as_str().unwrap();
    assert!(said.contains("bad (failed)"), "{said}");
    assert!(!said.contains("good"), "{said}");
    assert_eq!(v["stopped_passing"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["stopped_passing"][0]["profile"], "bad");
    assert_eq!(v["stopped_passing"][0]["before"], Value::Null);
    assert_eq!(v["stopped_passing"][0]["after"], "failed");
    assert_eq!(
        v["stopped_passing"][0]["not_passing"],
        serde_json::json!(["denied:ceo@contoso.example"])
    );
    assert_eq!(v["recovered"], serde_json::json!([]));
    assert_eq!(
        (v["checked"].as_u64(), v["passing"].as_u64()),
        (Some(2), Some(1))
    );

    // Second run: nothing changed, nothing sent, and it says so.
    let o = check_notify(&home, Some(&url), "15");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("nothing sent"), "{}", text(&o));
    assert!(posts.try_recv().is_err(), "no POST when nothing changed");

    // A credential close to its expiry is always worth a message: the webhooks below are tried.
    add(&t, &home, "soon", None, Some(5));
    let without = check_notify(&home, None, "15").status.code();
    assert_eq!(without, Some(1));

    let (url500, posts500) = receiver(Some(500));
    let trace = home.dir.path().join("trace.jsonl");
    let trace_arg = trace.display().to_string();
    let o = home.run(
        &["--trace", &trace_arg, "check", "--all", "--notify", &url500],
        "",
    );
    assert_eq!(o.status.code(), without, "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        stderr.contains("warning: the notification was not sent"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(!stderr.contains("path-that-is-a-credential"), "{stderr}");
    let (_, body) = posts500.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(body.contains("soon (5 days)"), "{body}");
    let traced = std::fs::read_to_string(&trace).unwrap();
    assert!(
        traced.contains("\"status\":500"),
        "the POST is traced: {traced}"
    );
    assert!(!traced.contains("path-that-is-a-credential"), "{traced}");
    assert!(!traced.contains(&secret), "no secret in the trace");

    let (hang, hung) = receiver(None);
    let o = check_notify(&home, Some(&hang), "1");
    assert_eq!(o.status.code(), without, "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(stderr.contains("did not answer within 1s"), "{stderr}");
    assert!(
        hung.recv_timeout(Duration::from_secs(30)).is_ok(),
        "the POST reached it"
    );
}

#[test]
fn notify_takes_https_or_http_to_this_machine_only_and_one_format() {
    let home = Home::new();
    for (url, says) in [
        ("http://hooks.example.com/x", "plain http"),
        ("ftp://127.0.0.1/x", "is not a URL"),
        ("not a url", "is not a URL"),
    ] {
        let o = home.run(&["check", "--all", "--notify", url], "");
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(says), "{url}: {}", text(&o));
    }
    let o = home.run(&["check", "--all", "--json", "--format", "prometheus"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
