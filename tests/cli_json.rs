//! `--json` always answers JSON: an error is one object `{"error": {"code", "exit",
//! "message"}}` on stdout, with the exit code the same error has without `--json`.

mod common;

use common::{Home, json, text};
use serde_json::Value;

/// The error object of a run that failed with `exit`; the same run without `--json` exits alike.
fn error_of(home: &Home, args: &[&str], exit: i32) -> Value {
    let o = home.run(args, "");
    assert_eq!(o.status.code(), Some(exit), "{}", text(&o));
    let v = json(&o);
    let e = v["error"].clone();
    assert_eq!(e["exit"], exit, "{v:#}");
    assert!(!e["message"].as_str().unwrap().is_empty(), "{v:#}");
    let plain: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
    let o = home.run(&plain, "");
    assert_eq!(o.status.code(), Some(exit), "{}", text(&o));
    assert!(o.stdout.is_empty(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("error:"),
        "{}",
        text(&o)
    );
    e
}

#[test]
fn check_all_without_profiles_answers_an_error_object() {
    let home = Home::new();
    let e = error_of(&home, &["check", "--all", "--json"], 2);
    assert_eq!(e["code"], "no_profiles");
    assert!(e["message"].as_str().unwrap().contains("no profiles yet"));
}

#[test]
fn an_unknown_profile_is_not_found() {
    let home = Home::new();
    let e = error_of(&home, &["check", "nosuch", "--json"], 2);
    assert_eq!(e["code"], "not_found");
    assert!(e["message"].as_str().unwrap().contains("nosuch"), "{e:#}");
}

#[test]
fn a_damaged_profile_is_corrupt() {
    let home = Home::new();
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.toml"), "name = \n").unwrap();
    let e = error_of(&home, &["check", "broken", "--json"], 2);
    assert_eq!(e["code"], "corrupt");
    // profiles --json lists the file in its place, with the error.
    let o = home.run(&["profiles", "--json"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let listed = json(&o);
    assert_eq!(listed[0]["name"], Value::Null, "{listed:#}");
    assert_eq!(listed[0]["error"]["code"], "corrupt", "{listed:#}");
}

#[test]
fn bad_values_and_flags_are_usage_errors_as_json_too() {
    let home = Home::new();
    // Refused by the parser, before anything runs.
    let e = error_of(&home, &["check", "--all", "--timeout", "soon", "--json"], 2);
    assert_eq!(e["code"], "usage");
    assert!(
        e["message"].as_str().unwrap().contains("--timeout"),
        "{e:#}"
    );
    let e = error_of(&home, &["profiles", "--json", "--colour"], 2);
    assert_eq!(e["code"], "usage");
    assert!(e["message"].as_str().unwrap().contains("--colour"), "{e:#}");
    // Refused once parsed: a value the parser takes but the command cannot run with.
    let e = error_of(
        &home,
        &[
            "setup",
            "p",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--scope",
            "everything",
            "--json",
        ],
        2,
    );
    assert_eq!(e["code"], "usage");
    assert!(
        e["message"].as_str().unwrap().contains("everything"),
        "{e:#}"
    );
}
