//! Shared helpers: the real binary, a `sandbox serve` process, and the real peers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub mod admin_api;
pub mod replay;

pub const BIN: &str = env!("CARGO_BIN_EXE_m365-mail-wizard");

/// A peer (Secret Service, tmux) the test needs. When the test run asks for peers
/// (`M365MW_REQUIRE_PEERS=1`, as `scripts/test` and CI do), a missing peer fails the test;
/// otherwise the test says loudly that it did not run and returns false.
pub fn peer(name: &str, present: bool, how: &str) -> bool {
    if present {
        return true;
    }
    let required = std::env::var("M365MW_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    assert!(!required, "peer {name} is missing: {how}");
    eprintln!("NOT RUN: peer {name} is missing ({how}); run scripts/test to run everything");
    false
}

pub fn has_command(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether a Secret Service answers on the session bus.
pub fn secret_service() -> bool {
    peer(
        "Secret Service",
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() && has_command("secret-tool"),
        "run the tests inside dbus-run-session with an unlocked gnome-keyring-daemon (scripts/test does)",
    )
}

/// A private config and data directory for one test.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The keyring service this home's runs keep secrets under: its own, never the one of the
    /// wizard a developer uses (`M365MW_KEYRING_SERVICE`).
    pub fn service(&self) -> String {
        let tag: String = self
            .dir
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("m365mw-test-{tag}")
    }

    /// The service of this home's sandbox runs.
    pub fn sandbox_service(&self) -> String {
        format!("{}-sandbox", self.service())
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Moves the times the setup journal of `profile` gives for its changes whose key starts
    /// with `prefix` (`exchange:smtpauth:`) to `secs` before now; there must be one.
    pub fn age_changes(&self, profile: &str, prefix: &str, secs: i64) {
        let path = self.data().join(format!("setup/{profile}.json"));
        let mut j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let then = (time::OffsetDateTime::now_utc() - time::Duration::seconds(secs))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let made = j["made_at"].as_object_mut().expect("the journal says when");
        let mut aged = 0;
        for (_, v) in made.iter_mut().filter(|(k, _)| k.starts_with(prefix)) {
            *v = Value::String(then.clone());
            aged += 1;
        }
        assert!(aged > 0, "no change {prefix}… in the journal: {made:?}");
        std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("M365MW_CONFIG_DIR", self.config())
            .env("M365MW_DATA_DIR", self.data())
            .env("M365MW_KEYRING_SERVICE", self.service());
        c
    }

    /// Runs the binary with `args`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The binary may stop reading early, at a limit of its own: a closed pipe is its answer.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }
}

/// `m365-mail-wizard sandbox serve`, killed on drop.
pub struct Served {
    child: Child,
    pub info: Value,
}

impl Served {
    pub fn start(extra: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["sandbox", "serve"])
            .args(extra)
            .env(
                "M365MW_DATA_DIR",
                std::env::temp_dir().join("m365mw-test-logs"),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("first line is JSON: {e}: {line}"));
        Served { child, info }
    }

    pub fn cloud_file(&self) -> String {
        self.info["cloud_file"].as_str().unwrap().to_string()
    }

    pub fn app(&self, key: &str) -> (String, String, String) {
        let a = self.info["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .unwrap_or_else(|| panic!("sandbox app {key}"));
        (
            a["client_id"].as_str().unwrap().into(),
            a["secret"].as_str().unwrap().into(),
            a["object_id"].as_str().unwrap().into(),
        )
    }

    /// Stops the server and removes its cloud file (a later server on the same port writes
    /// its own).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(f) = self.info["cloud_file"].take().as_str() {
            let _ = std::fs::remove_file(f);
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `sandbox serve` that keeps its tenant in a state file the test can read.
pub struct Tenant {
    pub sb: Served,
    state: tempfile::TempDir,
}

impl Tenant {
    pub fn start(extra: &[&str]) -> Tenant {
        let state = tempfile::tempdir().unwrap();
        let path = state.path().join("tenant.json").display().to_string();
        let mut args = vec!["--state", path.as_str()];
        args.extend(extra);
        Tenant {
            sb: Served::start(&args),
            state,
        }
    }

    /// Stops the sandbox and starts it again on the same tenant, with other options.
    pub fn restart(&mut self, extra: &[&str]) {
        self.sb.stop();
        let path = self.state.path().join("tenant.json").display().to_string();
        let mut args = vec!["--state", path.as_str()];
        args.extend(extra);
        self.sb = Served::start(&args);
    }

    /// Stops the sandbox, changes its tenant as `change` says (what an administrator might do in
    /// the portal), and starts it again with the same options `extra`.
    pub fn edit(&mut self, extra: &[&str], change: impl FnOnce(&mut Value)) {
        // The same port, so that the cloud files of the profiles made so far still lead here.
        let port = self.sb.info["token"]
            .as_str()
            .and_then(|u| u.split("127.0.0.1:").nth(1))
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        self.sb.stop();
        let path = self.state.path().join("tenant.json");
        let mut saved: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut saved["tenant"]);
        std::fs::write(&path, serde_json::to_string(&saved).unwrap()).unwrap();
        let path = path.display().to_string();
        let mut args = vec!["--state", path.as_str(), "--port", port.as_str()];
        args.extend(extra);
        self.sb = Served::start(&args);
    }

    /// The sandbox tenant as it stands (its state file).
    pub fn objects(&self) -> Value {
        let text = std::fs::read_to_string(self.state.path().join("tenant.json")).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["tenant"].clone()
    }

    pub fn apps_named(&self, name: &str) -> Vec<Value> {
        self.objects()["apps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["name"] == name)
            .cloned()
            .collect()
    }

    pub fn assignments_of(&self, sp: &str) -> usize {
        self.objects()["app_role_assignments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["principal_id"] == sp)
            .count()
    }
}

/// Access to alice@ for Graph reads, scoped to every mailbox: the shortest setup there is.
pub const GRAPH_READ_ALICE: [&str; 7] = [
    "--access",
    "graph-read",
    "--mailbox",
    "alice@contoso.example",
    "--scope",
    "all-mailboxes",
    "--i-understand-all-mailboxes",
];

impl Home {
    /// `setup PROFILE --yes` against the served tenant `t` (its domain and cloud file), with
    /// `args` for the rest; standard input closed.
    pub fn setup_cmd(&self, t: &Tenant, profile: &str, args: &[&str]) -> Command {
        let cf = t.sb.cloud_file();
        let mut c = self.cmd();
        c.args([
            "setup",
            profile,
            "--tenant",
            "contoso.example",
            "--cloud-file",
            &cf,
        ])
        .args(args)
        .arg("--yes")
        .stdin(Stdio::null());
        c
    }
}

/// A form POST over plain HTTP to a loopback URL; the status code.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> u16 {
    let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
    admin_api::http("POST", url, &content_type, &admin_api::form(fields)).0
}

pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}):\n{}", text(o)))
}

pub fn secret_tool_lookup(service: &str, user: &str) -> Option<String> {
    let o = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", user])
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).to_string())
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The row of check `id` in a `check --json` report.
#[allow(dead_code)]
pub fn row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}
