//! The documented exit codes, one row per kind of ending: 0 passed, 1 a check or a step
//! failed, 2 usage or configuration (a corrupt file included), 3 unavailable (network, a
//! server error of any 5xx, a sign-in that ran out), 4 and 5 in their own tests
//! (`cli_checks.rs`, `cli_pending.rs`).

mod common;

use std::process::Output;

use common::{GRAPH_READ_ALICE, Home, Tenant, text};

fn setup(home: &Home, t: &Tenant, profile: &str) -> Output {
    home.setup_cmd(t, profile, &GRAPH_READ_ALICE)
        .output()
        .unwrap()
}

/// What ends, how it is brought about, and the exit code it must have.
type Row = (&'static str, Box<dyn Fn() -> Output>, i32);

#[test]
fn each_ending_has_its_documented_exit_code() {
    let rows: Vec<Row> = vec![
        (
            "a mistyped flag",
            Box::new(|| Home::new().run(&["check", "--no-such-flag"], "")),
            2,
        ),
        (
            "an unknown profile",
            Box::new(|| Home::new().run(&["check", "nosuch"], "")),
            2,
        ),
        (
            "a corrupt profile file",
            Box::new(|| {
                let home = Home::new();
                let dir = home.config().join("profiles");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("bad.toml"), "name = [").unwrap();
                home.run(&["check", "bad"], "")
            }),
            2,
        ),
        (
            "a corrupt setup journal",
            Box::new(|| {
                let t = Tenant::start(&["--auto-approve"]);
                let home = Home::new();
                let dir = home.data().join("setup");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("broken.json"), "{ not json").unwrap();
                setup(&home, &t, "broken")
            }),
            2,
        ),
        (
            "Graph answering 500 during a setup",
            Box::new(|| {
                let t = Tenant::start(&["--auto-approve", "--faults", "admin:500:9"]);
                setup(&Home::new(), &t, "five-hundred")
            }),
            3,
        ),
        (
            "Graph answering 503 during a setup",
            Box::new(|| {
                let t = Tenant::start(&["--auto-approve", "--faults", "admin:503:9"]);
                setup(&Home::new(), &t, "five-oh-three")
            }),
            3,
        ),
        (
            "a sign-in whose code ran out",
            Box::new(|| {
                let t = Tenant::start(&["--device-code-secs", "2"]);
                setup(&Home::new(), &t, "late")
            }),
            3,
        ),
        (
            "discovery answering 500",
            Box::new(|| {
                let t = Tenant::start(&["--faults", "discovery:500:9"]);
                setup(&Home::new(), &t, "no-discovery")
            }),
            3,
        ),
    ];
    let mut wrong = Vec::new();
    for (what, run, expected) in &rows {
        let o = run();
        if o.status.code() != Some(*expected) {
            wrong.push(format!("{what}: expected {expected}\n{}", text(&o)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
