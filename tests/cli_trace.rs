//! `--trace FILE`: the file is private and refused early when it cannot be written; a trace of
//! a whole setup, check and renewal holds none of the run's secrets; and a trace replayed by
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
    assert_eq!(err.trim().lines().count(), 1, "one message, nothing else: {err}");
    assert!(!home.config().join("profiles/never.toml").exists());

    let dir = tempfile::tempdir().unwrap();
    let o = home.run(
        &["--trace", dir.path().to_str().unwrap(), "profiles", "--json"],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(json(&o)["error"]["message"].as_str().unwrap().contains("it is a directory"));
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
    let setup = run(&home, &with_trace(&trace, &setup_args("trace-rec", &cf)), "");
    assert_eq!(setup.status.code(), Some(0), "{}", text(&setup));
    let check_args = ["check", "trace-rec", "--json"];
    let check = run(&home, &with_trace(&trace, &check_args), "");
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    let replay = Replay::from_file(&trace);
    let again = Home::new();
    let rcf = replay.cloud_file(dir.path());
    let rcf = rcf.to_str().unwrap();
    let setup2 = run(&again, &setup_args("trace-rec", rcf), "");
    assert_eq!(outcome(&setup2), outcome(&setup), "{}", text(&setup2));
    assert_eq!(key_lines(&setup2), key_lines(&setup));
    let check2 = again.run(&check_args, "");
    assert_eq!(outcome(&check2), outcome(&check), "{}", text(&check2));
    assert_eq!(replay.misses(), Vec::<String>::new());
    assert_eq!(replay.unused(), Vec::<String>::new());
}
