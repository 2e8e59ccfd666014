//! Shell integration: `completions SHELL` and `man`, generated from the command line's own
//! definitions, so every command is completed and documented.

mod common;

use std::process::{Command, Output, Stdio};

use common::{BIN, text};

const COMMANDS: [&str; 11] = [
    "setup",
    "add",
    "check",
    "export",
    "renew",
    "cert",
    "expiry",
    "profiles",
    "forget",
    "sandbox",
    "completions",
];

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn script(shell: &str) -> String {
    let o = run(&["completions", shell]);
    assert_eq!(o.status.code(), Some(0), "{shell}: {}", text(&o));
    assert!(o.stderr.is_empty(), "{shell}: {}", text(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn each_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let s = script(shell);
        assert!(s.contains("m365-mail-wizard"), "{shell}: {s}");
        for c in COMMANDS {
            assert!(s.contains(c), "{shell}'s script lacks {c}");
        }
        assert!(
            s.contains("warn-days"),
            "{shell}'s script lacks check's options"
        );
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let path = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(path.path(), script("bash")).unwrap();
    let o = Command::new("bash")
        .arg("-n")
        .arg(path.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "bash -n: {}", text(&o));
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_four() {
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'tcsh'"), "{err}");
    assert!(err.contains("bash, zsh, fish, powershell"), "{err}");
}

#[test]
fn man_prints_a_page_with_every_command() {
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.contains(".TH m365-mail-wizard 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for c in COMMANDS {
        assert!(page.contains(c), "the page lacks {c}");
    }
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(o.stdout.is_empty(), "{}", text(&o));
    for page in ["m365-mail-wizard.1", "m365-mail-wizard-sandbox-serve.1"]
        .into_iter()
        .map(String::from)
        .chain(COMMANDS.iter().map(|c| format!("m365-mail-wizard-{c}.1")))
    {
        let body = std::fs::read_to_string(dir.path().join(&page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(body.contains(".TH "), "{page}: {body}");
    }
    let setup = std::fs::read_to_string(dir.path().join("m365-mail-wizard-setup.1")).unwrap();
    assert!(
        setup.contains("deny\\-mailbox"),
        "setup's page lists its options: {setup}"
    );
}

#[test]
fn man_dir_that_is_not_a_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let o = run(&["man", "--dir", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not a directory"), "{}", text(&o));
}
