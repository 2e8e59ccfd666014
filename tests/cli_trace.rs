//! `--trace FILE`: the file is private and refused early when it cannot be written; a trace of
//! a whole setup, check, renewal and move to a certificate holds none of the run's secrets; and a trace replayed by
//! the replay server (tests/common/replay.rs) reproduces the run's outcome — for a run just
//! recorded against the sandbox and for the example traces in tests/traces/.

mod common;

use std::path::Path;
use std::process::Output;

use common::replay::Replay;
use common::{Home, Tenant, json, secret_service, secret_tool_lookup, text};
use serde_json::Value;

fn with_trace<A: AsRef<str>>(trace: &Path, args: &[A]) -> Vec<String> {
    let mut all = vec!["--trace".to_string(), trace.display().to_string()];
    all.extend(args.iter().map(|a| a.as_ref().to_string()));
    all
}

fn run(home: &Home, args: &[String], stdin: &str) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    home.run(&args, stdin)
}

#[test]
fn an_unwritable_trace_file_stops_the_run_before_anything_happens() {
    let home = Home::new();
    let o = home.run(
        &[
            "--trace",
            "/nonexistent-dir/t.jsonl",
            "add",
            "never",
            "--tenant",
            "contoso.example",
            "--client-id",
            "a1f5c0de-0001-4000-8000-00000000c001",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--secret-stdin",
        ],
        "some-secret-value",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--trace /nonexistent-dir/t.jsonl: cannot write the trace file: No such file or directory"),
        "{err}"
    );
    assert_eq!(
        err.trim().lines().count(),
        1,
        "one message, nothing else: {err}"
    );
    assert!(!home.config().join("profiles/never.toml").exists());

    let dir = tempfile::tempdir().unwrap();
    let o = home.run(
        &[
            "--trace",
            dir.path().to_str().unwrap(),
            "profiles",
            "--json",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        json(&o)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("it is a directory")
    );
}

#[test]
fn the_trace_file_is_private_and_each_run_adds_whole_json_lines() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.jsonl");
    for _ in 0..2 {
        let o = run(&home, &with_trace(&trace, &["profiles"]), "");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let mode = std::fs::metadata(&trace).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let heads: Vec<Value> = common::read(&trace)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(heads.len(), 2, "one head line a run: {heads:?}");
    assert!(heads.iter().all(|h| h["trace"] == 1 && h["seq"] == 0));
}

fn setup_args(profile: &str, cloud_file: &str) -> Vec<String> {
    [
        "setup",
        profile,
        "--tenant",
        "contoso.example",
        "--access",
        "graph-read",
        "--mailbox",
        "alice@contoso.example",
        "--cloud-file",
        cloud_file,
        "--yes",
        "--json",
        "--scope",
        "all-mailboxes",
        "--i-understand-all-mailboxes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The setup scoped by RBAC for Applications: the Exchange admin API and Graph's Exchange role
/// management take part too.
fn rbac_args(profile: &str, cloud_file: &str) -> Vec<String> {
    let mut args = setup_args(profile, cloud_file);
    args.truncate(args.len() - 3);
    args.extend(["--scope".into(), "rbac".into()]);
    args
}

/// What a run ended with: its exit code, verdict and each check's status.
fn outcome(o: &Output) -> (Option<i32>, Value, Vec<(String, String)>) {
    let r = json(o);
    let rows = r["checks"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|c| (c["id"].to_string(), c["status"].to_string()))
                .collect()
        })
        .unwrap_or_default();
    (o.status.code(), r["verdict"].clone(), rows)
}

/// Lines of standard error that say what was done, not when or with which generated value.
fn key_lines(o: &Output) -> Vec<String> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.contains('✔') || l.starts_with("Signed in as"))
        .map(str::to_string)
        .collect()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_setup_and_check_recorded_against_the_sandbox_replay_to_the_same_outcome() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("run.jsonl");
    let cf = t.sb.cloud_file();
    let setup = run(&home, &with_trace(&trace, &rbac_args("trace-rec", &cf)), "");
    assert_eq!(setup.status.code(), Some(0), "{}", text(&setup));
    let check_args = ["check", "trace-rec", "--json"];
    let check = run(&home, &with_trace(&trace, &check_args), "");
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    let replay = Replay::from_file(&trace);
    let again = Home::new();
    let rcf = replay.cloud_file(dir.path());
    let rcf = rcf.to_str().unwrap();
    let setup2 = run(&again, &rbac_args("trace-rec", rcf), "");
    assert_eq!(outcome(&setup2), outcome(&setup), "{}", text(&setup2));
    assert_eq!(key_lines(&setup2), key_lines(&setup));
    let check2 = again.run(&check_args, "");
    assert_eq!(outcome(&check2), outcome(&check), "{}", text(&check2));
    assert_eq!(replay.misses(), Vec::<String>::new());
    assert_eq!(replay.unused(), Vec::<String>::new());
}

/// Every string in `v` under a field whose name says it holds a secret.
fn secrets_in(v: &Value, field: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| secrets_in(x, k, out)),
        Value::Array(a) => a.iter().for_each(|x| secrets_in(x, field, out)),
        Value::String(s) if s.len() >= 8 => {
            let f = field.to_ascii_lowercase();
            if [
                "secret",
                "token",
                "code",
                "password",
                "assertion",
                "key_pem",
            ]
            .iter()
            .any(|w| f.contains(w))
                && !f.contains("expires")
            {
                out.push(s.clone());
            }
        }
        _ => {}
    }
}

/// Fields of a trace's bodies that hold secrets when they hold anything: only markers allowed.
fn unredacted_fields(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let secret = [
                    "access_token",
                    "refresh_token",
                    "id_token",
                    "device_code",
                    "user_code",
                    "secretText",
                    "client_secret",
                ]
                .contains(&k.as_str());
                match x {
                    Value::String(s) if secret && !s.starts_with("«redacted:") => {
                        out.push(format!("{k}: {s}"))
                    }
                    _ => unredacted_fields(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| unredacted_fields(x, out)),
        _ => {}
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_trace_of_setup_check_and_renewal_holds_none_of_their_secrets() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("whole.jsonl");
    let cf = t.sb.cloud_file();
    let mut setup = rbac_args("trace-scan", &cf);
    setup[5] = "graph-read,imap,pop,smtp".into();
    let o = run(&home, &with_trace(&trace, &setup), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut secrets: Vec<String> = Vec::new();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let code = err
        .split("enter the code ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("a device code was shown: {err}"));
    secrets.push(code.to_string());
    secrets.extend(secret_tool_lookup(&home.service(), "trace-scan"));
    secrets_in(&t.objects(), "", &mut secrets);

    let o = run(&home, &with_trace(&trace, &["check", "trace-scan"]), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&home, &with_trace(&trace, &["renew", "trace-scan"]), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    secrets.extend(secret_tool_lookup(&home.service(), "trace-scan"));
    secrets_in(&t.objects(), "", &mut secrets);
    // A certificate: the app's key goes up, and checks sign in with client assertions.
    let o = run(&home, &with_trace(&trace, &["cert", "trace-scan"]), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&home, &with_trace(&trace, &["check", "trace-scan"]), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pem = secret_tool_lookup(&home.service(), "trace-scan").unwrap();
    secrets.extend(
        pem.lines()
            .filter(|l| l.len() >= 40 && !l.starts_with("-----"))
            .map(str::to_string),
    );
    for a in t.sb.info["apps"].as_array().unwrap() {
        secrets.push(a["secret"].as_str().unwrap().to_string());
    }
    assert!(
        secrets.len() >= 6,
        "the run's secrets were found: {secrets:?}"
    );

    let written = common::read(&trace);
    for s in &secrets {
        assert!(!written.contains(s.trim()), "the trace holds a secret: {s}");
    }
    for shape in ["eyJ", "dXNlcj", "Bearer ey"] {
        assert!(
            !written.contains(shape),
            "the trace holds a token ({shape})"
        );
    }
    let mut left = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for line in written.lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        unredacted_fields(&rec, &mut left);
        if rec["kind"] == "mail" {
            kinds.insert(rec["proto"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(left, Vec::<String>::new());
    assert_eq!(
        kinds.len(),
        3,
        "IMAP, POP3 and SMTP lines were traced: {kinds:?}"
    );
    for kind in [
        "client_assertion",
        "key",
        "access_token",
        "refresh_token",
        "device_code",
        "user_code",
        "secretText",
        "client_secret",
        "xoauth2",
    ] {
        assert!(
            written.contains(&format!("«redacted:{kind}»")),
            "a {kind} was met and redacted"
        );
    }
}

/// The replay server for an example trace, and a cloud file pointing at it.
fn example(name: &str, dir: &Path) -> (Replay, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/traces")
        .join(name);
    let replay = Replay::from_file(&path);
    let cf = replay.cloud_file(dir).display().to_string();
    (replay, cf)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_1_the_example_trace_of_an_automated_setup_replays() {
    if !secret_service() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (replay, cf) = example("journey1-setup.jsonl", dir.path());
    let home = Home::new();
    let o = run(&home, &rbac_args("example-setup", &cf), "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["verdict"], "passed");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Signed in as admin@contoso.example (Global Administrator)"),
        "{err}"
    );
    assert_eq!(replay.misses(), Vec::<String>::new());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_2_the_example_trace_of_a_guided_setup_replays() {
    if !secret_service() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (replay, cf) = example("journey2-guided.jsonl", dir.path());
    let home = Home::new();
    let mut args = setup_args("example-guided", &cf);
    args[10] = "--guided".into();
    // Any secret does: the replay answers what the trace recorded.
    let pasted = "a1f5c0de-0001-4000-8000-00000000c001\n3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\n\
                  Rpl7Q~Pasted.Secret-Stand_In.0123456789ab\n2099-01-31\n\n";
    let o = run(&home, &args, pasted);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["verdict"], "passed");
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "✔ read back: the app signed in with the pasted secret",
        "✔ read back: the app's Microsoft Graph token carries Mail.Read",
    ] {
        assert!(err.contains(want), "{want}:\n{err}");
    }
    assert_eq!(replay.misses(), Vec::<String>::new());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_3_the_example_trace_of_a_check_replays_with_its_diagnosis() {
    if !secret_service() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (replay, cf) = example("journey3-check.jsonl", dir.path());
    let home = Home::new();
    let o = home.run(
        &[
            "add",
            "example-check",
            "--tenant",
            "contoso.example",
            "--client-id",
            "a1f5c0de-0001-4000-8000-00000000c001",
            "--access",
            "graph-read,ews",
            "--mailbox",
            "alice@contoso.example",
            "--mailbox",
            "ceo@contoso.example",
            "--cloud-file",
            &cf,
            "--secret-expires",
            "2099-01-31",
            "--secret-stdin",
        ],
        "Rpl7Q~Pasted.Secret-Stand_In.0123456789ab",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["check", "example-check", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["verdict"], "failed", "{r:#}");
    let rows = r["checks"].as_array().unwrap();
    let status = |id: &str| {
        rows.iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].clone())
            .unwrap_or_else(|| panic!("no check {id}: {r:#}"))
    };
    for ok in [
        "token:graph",
        "token:exchange",
        "graph-read:alice@contoso.example",
        "ews:alice@contoso.example",
    ] {
        assert_eq!(status(ok), "passed", "{ok}");
    }
    for refused in ["graph-read:ceo@contoso.example", "ews:ceo@contoso.example"] {
        assert_eq!(status(refused), "failed", "{refused}");
    }
    assert!(
        r.to_string()
            .contains("ceo@contoso.example is outside the app's scope."),
        "the diagnosis is the recorded answer's: {r:#}"
    );
    assert_eq!(replay.misses(), Vec::<String>::new());
}

#[test]
fn the_example_traces_hold_no_token_secret_or_blob() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let written = common::read(&path);
        for shape in ["eyJ", "dXNlcj", "Q~", "BEGIN PRIVATE KEY"] {
            assert!(!written.contains(shape), "{}: {shape}", path.display());
        }
        let mut left = Vec::new();
        for line in written.lines() {
            unredacted_fields(&serde_json::from_str(line).unwrap(), &mut left);
        }
        assert_eq!(left, Vec::<String>::new(), "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 3, "one example a journey");
}
