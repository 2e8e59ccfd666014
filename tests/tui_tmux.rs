//! The real binary in a real terminal (tmux): journey 3 against the in-process sandbox, from
//! the home screen to the summary, then the keyring and the profile file; Ctrl-C keeping a
//! draft without the secret; and at 80×24, every row and every fix reachable.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{BIN, Home, has_command, peer, secret_service, secret_tool_lookup};

const SCOPED_ID: &str = "a1f5c0de-0001-4000-8000-00000000c001";
const SCOPED_SECRET: &str = "sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD";

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(home: &Home, name: &str) -> Tmux {
        Tmux::start_with(home, name, "")
    }

    /// The wizard in a window of `width`×`height`.
    fn start_sized(home: &Home, name: &str, width: u16, height: u16) -> Tmux {
        Tmux::start_full(home, name, "", width, height)
    }

    /// The wizard with `env` (assignments) before it; after it ends, its exit code and whether
    /// the terminal was left in raw mode (`TTY:raw`) or as the shell expects (`TTY:cooked`).
    fn start_with(home: &Home, name: &str, env: &str) -> Tmux {
        Tmux::start_full(home, name, env, 100, 30)
    }

    /// A wizard killed mid-frame leaves an escape sequence open; CAN (`\030`) ends it, so the
    /// exit line is printed as text rather than read as the rest of that sequence.
    fn start_full(home: &Home, name: &str, env: &str, width: u16, height: u16) -> Tmux {
        Tmux::start_args(home, name, env, "", width, height)
    }

    /// As `start_full`, with more arguments for the wizard.
    fn start_args(home: &Home, name: &str, env: &str, args: &str, width: u16, height: u16) -> Tmux {
        let (width, height) = (width.to_string(), height.to_string());
        let socket = format!("m365mw-test-{}-{name}", std::process::id());
        let cmd = format!(
            "{env} M365MW_CONFIG_DIR='{}' M365MW_DATA_DIR='{}' M365MW_KEYRING_SERVICE='{}' '{BIN}' --sandbox {args}; e=$?; if stty -a | grep -q -- -icanon; then t=raw; else t=cooked; fi; printf '\\030\\r\\nEXITED:%s\\r\\nTTY:%s\\r\\n' $e $t; sleep 60",
            home.config().display(),
            home.data().display(),
            home.service()
        );
        let t = Tmux { socket };
        t.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width,
            "-y",
            &height,
            &cmd,
        ]);
        t.tmux(&["set", "-s", "escape-time", "0"]);
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The wizard's process id: the one child of the pane's shell.
    fn wizard_pid(&self) -> String {
        let shell = self.tmux(&["list-panes", "-t", "t", "-F", "#{pane_pid}"]);
        let o = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .unwrap();
        let pid = String::from_utf8_lossy(&o.stdout).trim().to_string();
        assert!(!pid.is_empty() && !pid.contains('\n'), "one child: {pid:?}");
        pid
    }

    /// Whether the pane shows the alternate screen, and whether its cursor is shown.
    fn alternate_and_cursor(&self) -> String {
        self.tmux(&[
            "display-message",
            "-p",
            "-t",
            "t",
            "#{alternate_on} #{cursor_flag}",
        ])
        .trim()
        .to_string()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "t", k]);
        }
    }

    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait_for_all(&[needle])
    }

    /// Polls until every needle is on screen at once: a capture can land mid-redraw.
    fn wait_for_all(&self, needles: &[&str]) -> String {
        self.wait_within(needles, Duration::from_secs(20))
    }

    /// As `wait_for_all`, for as long as `patience`: for what a realistic tenant delays.
    fn wait_within(&self, needles: &[&str], patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let s = self.screen();
            if needles.iter().all(|n| s.contains(n)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "{needles:?} never all appeared; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn peers() -> bool {
    peer("tmux", has_command("tmux"), "install tmux") && secret_service()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_3_from_home_to_summary() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "journey");
    t.wait_for("No profiles yet");
    t.keys(&["c"]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("Which app registration?");
    t.type_text("{A1F5C0DE-0001-4000-8000-00000000C001}");
    t.keys(&["Enter"]);
    t.wait_for("The client secret");
    t.type_text(SCOPED_SECRET);
    let s = t.screen();
    assert!(!s.contains("Scoped.Helpdesk"), "the secret is masked:\n{s}");
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    t.keys(&["Enter"]);
    t.wait_for("Which mailboxes?");
    t.type_text("alice@contoso.example, bob@contoso.example");
    t.keys(&["Tab"]);
    t.type_text("ceo@contoso.example");
    t.keys(&["Escape"]);
    t.wait_for("What does the application use?");
    t.keys(&["Enter"]);
    t.wait_for_all(&[
        "Which mailboxes?",
        "alice@contoso.example, bob@contoso.example",
    ]);
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text("tui-helpdesk");
    t.keys(&["Enter"]);
    let s = t.wait_for_all(&[
        "4/4",
        "roles: Mail.Read",
        "inbox: 12 messages, 3 unread",
        "inbox: 7 messages",
        "refused as intended",
    ]);
    assert!(!s.contains(SCOPED_SECRET));
    t.keys(&["Enter"]);
    let s = t.wait_for_all(&[
        "All 4 checks passed.",
        SCOPED_ID,
        "https://graph.microsoft.com/.default",
    ]);
    assert!(!s.contains(SCOPED_SECRET));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");

    assert_eq!(
        secret_tool_lookup(&home.sandbox_service(), "tui-helpdesk").as_deref(),
        Some(SCOPED_SECRET),
        "the secret is in the Secret Service"
    );
    let file = home.config().join("sandbox-profiles/tui-helpdesk.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(SCOPED_ID) && text.contains("verdict = \"passed\""),
        "{text}"
    );
    assert!(
        !text.contains("Scoped.Helpdesk"),
        "no secret in the profile file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let log = std::fs::read_to_string(home.data().join("m365-mail-wizard.log")).unwrap();
    assert!(!log.contains("Scoped.Helpdesk"), "no secret in the log");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn with_trace_the_wizard_writes_the_trace_to_its_file_and_nothing_on_the_screen() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let trace = home.dir.path().join("wizard.jsonl");
    let args = format!("--trace '{}'", trace.display());
    let t = Tmux::start_args(&home, "traced", "", &args, 100, 30);
    t.wait_for("No profiles yet");
    t.keys(&["c"]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("Which app registration?");
    t.type_text(SCOPED_ID);
    t.keys(&["Enter"]);
    t.wait_for("The client secret");
    t.type_text(SCOPED_SECRET);
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    t.keys(&["Enter"]);
    t.wait_for("Which mailboxes?");
    t.type_text("alice@contoso.example");
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text("tui-traced");
    t.keys(&["Enter"]);
    let s = t.wait_for_all(&["roles: Mail.Read", "inbox: 12 messages, 3 unread"]);
    assert!(!s.contains("redacted") && !s.contains("\"kind\""), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("checks passed");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    let written = std::fs::read_to_string(&trace).unwrap();
    assert!(written.contains("/mailFolders/inbox"), "{written}");
    assert!(written.contains("client_secret=«redacted:client_secret»"));
    assert!(!written.contains(SCOPED_SECRET) && !written.contains("eyJ"));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn ctrl_c_restores_the_terminal_and_keeps_a_draft_without_the_secret() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "draft");
    type_up_to_the_secret(&t);
    t.keys(&["C-c"]);
    let s = t.wait_for("EXITED:0");
    assert!(!s.contains("Steps"), "the alternate screen is gone:\n{s}");
    let draft =
        std::fs::read_to_string(home.config().join("sandbox-profiles/.draft.toml")).unwrap();
    assert!(draft.contains(SCOPED_ID), "{draft}");
    assert!(!draft.contains("Scoped.Helpdesk"), "no secret in the draft");
    drop(t);

    let t = Tmux::start(&home, "resume");
    t.wait_for("Draft: check of an existing app, left at Secret — enter resumes");
    t.keys(&["d"]);
    t.wait_for_all(&["Draft restored", "The client secret"]);
    t.keys(&["Escape"]);
    t.wait_for_all(&["Which app registration?", SCOPED_ID]);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_small_terminal_gets_a_message_not_a_crash() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "small");
    t.wait_for("No profiles yet");
    t.tmux(&["resize-window", "-t", "t", "-x", "60", "-y", "20"]);
    t.wait_for("needs at least");
    t.tmux(&["resize-window", "-t", "t", "-x", "100", "-y", "30"]);
    t.wait_for("No profiles yet");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

/// Journey 1's questions, answered with the defaults (8 interactions): Graph read for alice@,
/// scoped by RBAC for Applications.
fn answer_setup(t: &Tmux, profile: &str) {
    answer_setup_scoped(t, profile, 0);
}

/// The setup questions, with the scope `downs` rows below RBAC for Applications.
fn answer_setup_scoped(t: &Tmux, profile: &str, downs: usize) {
    answer_journey(t, "n", profile, downs);
}

/// The questions of the setup that `key` starts on the home screen (`n`, or `g` guided).
fn answer_journey(t: &Tmux, key: &str, profile: &str, downs: usize) {
    t.wait_for("n set up a new app");
    t.keys(&[key]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    t.keys(&["Enter"]);
    t.wait_for("Which mailboxes?");
    t.type_text("alice@contoso.example");
    t.keys(&["Enter"]);
    t.wait_for_all(&[
        "Which mailboxes may the app reach?",
        "RBAC for Applications",
    ]);
    for _ in 0..downs {
        t.keys(&["Down"]);
    }
    t.keys(&["Enter"]);
    t.wait_for("The new app and its secret");
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text(profile);
    t.keys(&["Enter"]);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_1_set_it_up_for_me_in_the_sandbox() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "setup");
    // Every interaction of the happy path, counted for the README: 8 answering, 3 below.
    answer_setup(&t, "tui-setup");
    t.wait_for_all(&["/sandbox/device", "press a to approve"]);
    t.keys(&["a"]);
    t.wait_for_all(&[
        "Signed in as admin@contoso.example (Global Administrator)",
        "Register the application \"m365-mail-wizard tui-setup\"",
        "Assign \"Application Mail.Read\" within the scope",
    ]);
    t.keys(&["Enter"]);
    t.wait_for_all(&[
        "3/3",
        "inbox: 12 messages, 3 unread",
        "refused as intended",
        "App registered and consented",
    ]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    let secret = secret_tool_lookup(&home.sandbox_service(), "tui-setup")
        .expect("the new app's secret is in the Secret Service");
    assert!(
        secret.contains("1Q~sbx."),
        "a secret addPassword made: {secret}"
    );
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-setup.toml")).unwrap();
    assert!(!profile.contains(&secret), "no secret in the profile");
    let journal =
        std::fs::read_to_string(home.data().join("sandbox-setup/tui-setup.json")).unwrap();
    assert!(journal.contains("\"finished\": true"), "{journal}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_2_guided_through_the_portal_in_the_sandbox() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "guided");
    // The seeded app is limited by an access policy: the guided path keeps that kind.
    answer_setup_scoped(&t, "tui-guided", 1);
    t.wait_for("g guided instead");
    t.keys(&["g"]);
    t.wait_for_all(&["New registration", "Application (client) ID"]);
    t.type_text(SCOPED_ID);
    t.keys(&["Tab"]);
    t.type_text("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    t.keys(&["Enter"]);
    t.wait_for("Secret Value (hidden as you type)");
    t.keys(&["F2"]);
    t.wait_for("secret was filled in");
    let s = t.screen();
    assert!(!s.contains("Scoped.Helpdesk"), "the secret is masked:\n{s}");
    t.keys(&["Enter"]);
    t.wait_for("Grant admin consent for");
    t.keys(&["Enter"]);
    // The Exchange Online steps, as the commands to run: group, member, policy, its test.
    t.wait_for("New-DistributionGroup");
    t.keys(&["Enter"]);
    t.wait_for("Add-DistributionGroupMember");
    t.keys(&["Enter"]);
    t.wait_for("New-ApplicationAccessPolicy");
    t.keys(&["Enter"]);
    t.wait_for("Test-ApplicationAccessPolicy");
    t.keys(&["Enter"]);
    t.wait_for_all(&["2/2", "inbox: 12 messages, 3 unread"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(
        secret_tool_lookup(&home.sandbox_service(), "tui-guided").as_deref(),
        Some(SCOPED_SECRET)
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn journey_2_from_home_refuses_a_wrong_secret_and_says_what_is_not_verified() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "byhand");
    t.wait_for("g guided setup");
    answer_journey(&t, "g", "tui-byhand", 1);
    t.wait_for_all(&["New registration", "Application (client) ID"]);
    t.type_text(SCOPED_ID);
    t.keys(&["Tab"]);
    t.type_text("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    t.keys(&["Enter"]);
    t.wait_for("Secret Value (hidden as you type)");
    t.type_text("abc");
    t.keys(&["Enter"]);
    t.wait_for("too short to be a client secret's Value");
    t.type_text("Wr0Q~ngValueOfTheRightLengthForAPortal1234");
    t.keys(&["Enter"]);
    t.wait_for("The client secret was refused.");
    let s = t.screen();
    assert!(
        s.contains("Secret Value (hidden as you type)"),
        "stays:\n{s}"
    );
    t.keys(&["F2"]);
    t.wait_for("secret was filled in");
    t.keys(&["Enter"]);
    t.wait_for("Grant admin consent for");
    t.keys(&["Enter"]);
    let s = t.wait_for_all(&["New-DistributionGroup", "next (not verified)"]);
    assert!(
        s.contains(" ✔ Register the app"),
        "the sign-in proved the app:\n{s}"
    );
    assert!(s.contains(" ✔ Add a secret"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Add-DistributionGroupMember");
    t.keys(&["Enter"]);
    let s = t.wait_for("New-ApplicationAccessPolicy");
    assert!(
        s.contains(" ? Exchange:"),
        "not verified is its own mark:\n{s}"
    );
    assert!(!s.contains("<client id>"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Test-ApplicationAccessPolicy");
    t.keys(&["Enter"]);
    t.wait_for_all(&["2/2", "guided step(s) not verified"]);
    t.keys(&["Enter"]);
    t.wait_for("Not verified during the guided setup");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(
        secret_tool_lookup(&home.sandbox_service(), "tui-byhand").as_deref(),
        Some(SCOPED_SECRET),
        "only the secret that signed in is stored"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn signed_in_the_guided_path_recognises_an_app_object_id() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "objectid");
    answer_setup(&t, "tui-oid");
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("Signed in as admin@contoso.example");
    t.keys(&["g"]);
    t.wait_for("Application (client) ID");
    t.type_text("d0000000-0001-4000-8000-00000000a001");
    t.keys(&["Tab"]);
    t.type_text("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b");
    t.keys(&["Enter"]);
    t.wait_for_all(&[
        "That is the Object ID of \"Helpdesk (scoped by policy)\"",
        SCOPED_ID,
    ]);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_dashboard_export_and_renew() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "actions");
    answer_setup(&t, "tui-keep");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-keep", "s new secret", "e export"]);
    let first = secret_tool_lookup(&home.sandbox_service(), "tui-keep").unwrap();
    t.keys(&["e"]);
    t.wait_for("Exported (no secret in any file)");
    let exports = home.data().join("exports");
    let dir = std::fs::read_dir(&exports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for f in [
        "handover.md",
        "handover.html",
        "settings.env",
        "settings.json",
        "mail.properties",
        "setup.ps1",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(!text.contains(&first), "{f} holds the secret");
    }
    t.keys(&["s"]);
    t.wait_for("valid for 6 months");
    // The administrator who ran the setup is still signed in: no new code is asked for.
    t.keys(&["Right", "Enter"]);
    t.wait_for("Renewed tui-keep: the new secret (12 months)");
    let second = secret_tool_lookup(&home.sandbox_service(), "tui-keep").unwrap();
    assert_ne!(first, second, "the keyring holds the new secret");
    // Shown once, on v; the next key clears it.
    t.wait_for("v show new secret once");
    t.keys(&["v"]);
    t.wait_for_all(&["shown once", second.as_str()]);
    t.keys(&["Space"]);
    t.wait_for("will not be shown again");
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "inbox: 12 messages"]);

    // x reads the expiry off the app registration; f then y forgets the profile.
    t.keys(&["Escape"]);
    t.wait_for("x read expiry");
    t.keys(&["x"]);
    t.wait_for("as the app registration says");
    t.keys(&["f"]);
    t.wait_for("Forget tui-keep?");
    t.keys(&["y"]);
    t.wait_for("Forgot profile tui-keep and its keyring entry");
    assert!(
        !home
            .config()
            .join("sandbox-profiles/tui-keep.toml")
            .exists()
    );
    assert_eq!(
        secret_tool_lookup(&home.sandbox_service(), "tui-keep"),
        None,
        "the keyring entry is gone"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_dashboard_a_audits_the_tenant_riskiest_first() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "audit");
    answer_setup(&t, "tui-audit");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for("a audit tenant");
    // The setup's sign-in may not read the sign-in logs: the audit asks for its own.
    t.keys(&["a"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    let screen = t.wait_for_all(&["with access to mail (riskiest first)", "RISK", "REACH"]);
    assert!(screen.contains("Audit · contoso.example"), "{screen}");
    assert!(
        screen.contains("every mailbox") || screen.contains("scoped by"),
        "{screen}"
    );
    // The detail pane names the selected app's reach; the next row has its own.
    assert!(
        screen.contains("Reach") && screen.contains("Credentials"),
        "{screen}"
    );
    t.keys(&["Down"]);

    // j: the JSON, offered in the exports folder, written as named.
    t.keys(&["j"]);
    t.wait_for_all(&["Write the JSON to:", "enter write it"]);
    t.keys(&["Enter"]);
    t.wait_for("Wrote the JSON of the audit to");
    let exports = home.data().join("exports");
    let written: Vec<_> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = std::fs::read_to_string(&written[0]).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = json["audit"]["rows"].as_array().unwrap();
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-audit.toml")).unwrap();
    let tenant: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tenant_file(&home)).unwrap()).unwrap();
    // Every app of the tenant the setup or the seed consented mail roles to is a row; no
    // secret of any app is in the file.
    for app in tenant["tenant"]["apps"].as_array().unwrap() {
        let id = app["client_id"].as_str().unwrap();
        let mail = app["graph_roles"].as_array().is_some_and(|c| {
            c.iter()
                .any(|r| r.as_str().is_some_and(|r| r.starts_with("Mail.")))
        });
        if mail || profile.contains(id) {
            assert!(
                rows.iter().any(|r| r["app_id"] == id),
                "{id} missing:\n{text}"
            );
        }
        if let Some(secret) = app["secret"].as_str().filter(|s| !s.is_empty()) {
            assert!(!text.contains(secret), "a secret in the JSON");
        }
    }
    assert!(rows.iter().all(|r| r["reach"].is_string()));

    // w: a directory refused with the name kept; then the HTML report.
    t.keys(&["w"]);
    t.wait_for("Write the report to (.md or .html):");
    t.keys(&["End"]);
    t.tmux(&[&["send-keys", "-t", "t"][..], &["BSpace"; 200][..]].concat());
    t.type_text(&format!("{}/", exports.display()));
    t.keys(&["Enter"]);
    t.wait_for("is a directory");
    t.type_text("for-the-customer.html");
    t.keys(&["Enter"]);
    t.wait_for("Wrote the report (HTML) to");
    let html = std::fs::read_to_string(exports.join("for-the-customer.html")).unwrap();
    assert!(html.contains("<html") || html.contains("<table"), "{html}");
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-audit", "x read expiry"]);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn sigterm_and_sighup_restore_the_terminal_and_keep_a_draft_without_the_secret() {
    if !peers() {
        return;
    }
    // SIGTERM while an existing app's secret is typed in.
    let home = Home::new();
    let t = Tmux::start(&home, "sigterm");
    type_up_to_the_secret(&t);
    let draft = signalled(&t, "TERM", &home);
    assert!(draft.contains(SCOPED_ID), "{draft}");
    assert!(draft.contains("journey = \"check\"") && draft.contains("at = \"secret\""));
    assert!(!draft.contains("Scoped.Helpdesk"), "no secret in the draft");
    drop(t);

    // SIGHUP while a new setup waits for the administrator's sign-in.
    let home = Home::new();
    let t = Tmux::start(&home, "sighup");
    answer_setup(&t, "tui-hup");
    t.wait_for("press a to approve");
    let draft = signalled(&t, "HUP", &home);
    assert!(draft.contains("journey = \"setup\"") && draft.contains("at = \"sign-in\""));
    assert!(draft.contains("name = \"tui-hup\"") && draft.contains("scope = \"rbac\""));
    assert!(draft.contains("alice@contoso.example"), "{draft}");
}

/// Sends the wizard `signal`; it must leave a normal terminal and a draft, returned.
fn signalled(t: &Tmux, signal: &str, home: &Home) -> String {
    assert!(
        t.alternate_and_cursor().starts_with('1'),
        "the wizard is on the alternate screen"
    );
    let pid = t.wizard_pid();
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let s = t.wait_for_all(&["EXITED:0", "TTY:cooked"]);
    assert!(!s.contains("Steps"), "the wizard's screen is gone:\n{s}");
    assert_eq!(t.alternate_and_cursor(), "0 1", "main screen, cursor shown");
    std::fs::read_to_string(home.config().join("sandbox-profiles/.draft.toml"))
        .expect("a draft was kept")
}

/// The sandbox's tenant as `--sandbox` keeps it between launches in `home`'s data folder; no
/// setting is needed for a second launch to find it.
fn tenant_file(home: &Home) -> std::path::PathBuf {
    home.data().join("sandbox/tenant.json")
}

/// The client IDs of the sandbox tenant's apps named `name`, as its state file holds them.
fn apps_named(state: &std::path::Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(state).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["tenant"]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .map(|a| a["client_id"].to_string())
        .collect()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn ctrl_c_on_the_plan_then_a_restart_offers_the_setup_and_makes_one_app() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let state = tenant_file(&home);
    let t = Tmux::start(&home, "plan-left");
    answer_setup(&t, "tui-again");
    approve_to_the_plan(&t);
    t.keys(&["C-c"]);
    t.wait_for_all(&["EXITED:0", "TTY:cooked"]);
    drop(t);

    let t = Tmux::start(&home, "plan-back");
    t.wait_for("Draft: new setup \"tui-again\", left at the plan — enter resumes");
    t.keys(&["Enter"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for_all(&[
        "enter run the plan",
        "Register the application \"m365-mail-wizard tui-again\"",
    ]);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(
        apps_named(&state, "m365-mail-wizard tui-again").len(),
        1,
        "exactly one app"
    );
    assert!(
        !home.config().join("sandbox-profiles/.draft.toml").exists(),
        "the draft is removed once used"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_setup_killed_after_its_first_change_is_resumed_from_home_without_a_second_app() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let state = tenant_file(&home);
    let t = Tmux::start_with(&home, "crash", "M365MW_CRASH_AFTER=create-app");
    answer_setup(&t, "tui-crash");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    // Killed outright, nothing restores the terminal: what `TTY:cooked` elsewhere rules out.
    t.wait_for_all(&["EXITED:137", "TTY:raw"]);
    drop(t);
    assert_eq!(apps_named(&state, "m365-mail-wizard tui-crash").len(), 1);

    let t = Tmux::start(&home, "crash-back");
    t.wait_for("Setup of \"tui-crash\" unfinished — enter resumes · made so far: app registered");
    t.keys(&["Enter"]);
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(
        apps_named(&state, "m365-mail-wizard tui-crash").len(),
        1,
        "the app made before the crash is the one finished"
    );
    let journal =
        std::fs::read_to_string(home.data().join("sandbox-setup/tui-crash.json")).unwrap();
    assert!(journal.contains("\"finished\": true"), "{journal}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_app_name_taken_is_used_when_chosen_with_the_sign_in_kept() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let state = tenant_file(&home);
    let t = Tmux::start(&home, "clash");
    answer_setup(&t, "tui-one");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for("s new secret");

    // A second setup asks for the same app name; the administrator is still signed in.
    t.keys(&["n"]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    t.keys(&["Enter"]);
    t.wait_for("Which mailboxes?");
    t.type_text("alice@contoso.example");
    t.keys(&["Enter"]);
    t.wait_for("RBAC for Applications");
    t.keys(&["Enter"]);
    t.wait_for("The new app and its secret");
    t.type_text("m365-mail-wizard tui-one");
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text("tui-two");
    t.keys(&["Enter"]);
    t.wait_for_all(&["Signed in as admin@contoso.example", "enter run the plan"]);
    t.keys(&["Enter"]);
    let s = t.wait_for_all(&["already exists", "u use the existing app", "e another name"]);
    assert!(!s.contains("--reuse-app"), "no command-line flags:\n{s}");
    t.keys(&["u"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert_eq!(apps_named(&state, "m365-mail-wizard tui-one").len(), 1);
    let one = std::fs::read_to_string(home.config().join("sandbox-profiles/tui-one.toml")).unwrap();
    let two = std::fs::read_to_string(home.config().join("sandbox-profiles/tui-two.toml")).unwrap();
    let client = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("client_id"))
            .map(String::from)
    };
    assert_eq!(client(&one), client(&two), "both profiles use the one app");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_profile_made_in_one_launch_checks_green_in_the_next() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "kept-1");
    t.tmux(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    answer_setup(&t, "tui-kept");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    drop(t);

    // A new launch: its sandbox tenant still has the app, so the re-check passes.
    let t = Tmux::start(&home, "kept-2");
    t.tmux(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    t.wait_for_all(&["tui-kept", "n set up a new app"]);
    t.keys(&["Enter"]);
    t.wait_for("3/3");
    t.keys(&["Enter"]);
    t.wait_for("All 3 checks passed.");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-kept.toml")).unwrap();
    assert!(profile.contains("verdict = \"passed\""), "{profile}");
}

/// Journey 1's questions for a plan of 17 steps: Graph read, IMAP and POP for alice@ and bob@,
/// ceo@ to be refused, scoped by RBAC for Applications.
fn answer_seventeen_step_setup(t: &Tmux, profile: &str) {
    t.wait_for("n set up a new app");
    t.keys(&["n"]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    t.keys(&["Down", "Down", "Down", "Space", "Down", "Space", "Enter"]);
    t.wait_for("Which mailboxes?");
    t.type_text("alice@contoso.example, bob@contoso.example");
    t.keys(&["Tab"]);
    t.type_text("ceo@contoso.example");
    t.keys(&["Enter"]);
    t.wait_for("Which mailboxes may the app reach?");
    t.keys(&["Enter"]);
    t.wait_for("The new app and its secret");
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text(profile);
    t.keys(&["Enter"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("Signed in as admin@contoso.example");
}

/// Seven profiles of the sandbox tenant, as files.
fn seven_sandbox_profiles(home: &Home) {
    let dir = home.config().join("sandbox-profiles");
    std::fs::create_dir_all(&dir).unwrap();
    for n in 1..=7 {
        std::fs::write(
            dir.join(format!("lab{n}.toml")),
            format!(
                "name = \"lab{n}\"\nsandbox = true\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{SCOPED_ID}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
            ),
        )
        .unwrap();
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn at_80x24_the_seventh_profile_and_the_seventeenth_plan_step_show_when_selected() {
    if !peers() {
        return;
    }
    let home = Home::new();
    seven_sandbox_profiles(&home);
    let t = Tmux::start_sized(&home, "rows", 80, 24);
    t.wait_for("> lab1");
    t.keys(&["Down", "Down", "Down", "Down", "Down", "Down"]);
    let s = t.wait_for_all(&["> lab7", "┌ lab7 "]);
    assert!(
        s.contains("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b") && s.contains("sandbox tenant"),
        "the detail lines whole:\n{s}"
    );
    t.keys(&["Home"]);
    t.wait_for("> lab1");
    t.keys(&["End"]);
    t.wait_for("> lab7");

    answer_seventeen_step_setup(&t, "tui-rows");
    t.wait_for("1. Look up the permission ids");
    t.keys(&["End"]);
    t.wait_for_all(&[
        "> 17. Sign in as the app and check the roles in its token",
        "14–17 of 17",
        "POST /{tenant}/oauth2/v2.0/token",
    ]);
    t.keys(&["PageUp", "Up"]);
    t.wait_for("> 12. Create the management scope");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn at_80x24_the_ticketing_fix_is_readable_in_full_on_the_checks_screen() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let added = home.run(
        &[
            "--sandbox",
            "add",
            "ticketing",
            "--tenant",
            "contoso.example",
            "--client-id",
            "a1f5c0de-0006-4000-8000-00000000c006",
            "--access",
            "imap",
            "--mailbox",
            "alice@contoso.example,bob@contoso.example",
            "--secret-stdin",
        ],
        "sbx6Q~WrongOid.Ticketing-Sandbox_Only.0006qRsT",
    );
    assert_eq!(added.status.code(), Some(0), "{}", common::text(&added));
    let t = Tmux::start_sized(&home, "ticketing", 80, 24);
    t.wait_for("> ticketing");
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "imap    bob@"]);
    t.keys(&["Down"]);
    // The whole fix, each command on a line of its own, without scrolling.
    let s = t.wait_for_all(&[
        ">✘ imap    alice@",
        "The Exchange service principal was registered with the wrong object ID.",
        "Fix: Get-ServicePrincipal | Where-Object AppId -eq",
        "Remove-ServicePrincipal -Identity <that id>;",
        "New-ServicePrincipal -AppId a1f5c0de-0006-4000-8000-00000000c006",
        "(Add-MailboxPermission -Identity alice@contoso.example -User",
        "-AccessRights FullAccess).",
    ]);
    for command in [
        "Remove-ServicePrincipal",
        "New-ServicePrincipal",
        "(Add-MailboxPermission",
    ] {
        assert!(
            s.lines()
                .any(|l| l.trim_start_matches('│').trim_start().starts_with(command)),
            "{command} starts a line:\n{s}"
        );
    }
    // The cause and the evidence below it, by scrolling.
    t.keys(&["J"]);
    t.wait_for_all(&[
        "the Enterprise application's.",
        "Evidence: a3 BAD User is authenticated but not connected.",
    ]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn question_mark_and_f1_show_the_help_of_the_screen() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_sized(&home, "help", 80, 24);
    t.wait_for("? help");
    t.keys(&["?"]);
    t.wait_for_all(&[
        "Help: the keys of this screen",
        "N sets up a new app registration",
        "Any key closes this help.",
    ]);
    t.keys(&["n"]);
    let s = t.wait_for("No profiles yet");
    assert!(!s.contains("Help: the keys"), "any key closes it:\n{s}");
    assert!(!s.contains("Which tenant?"), "and does nothing else:\n{s}");
    t.keys(&["c"]);
    t.wait_for_all(&["Which tenant?", "F1 help"]);
    t.keys(&["?"]);
    t.wait_for("> contoso.example?");
    t.keys(&["F1"]);
    t.wait_for_all(&["Help: the keys of this screen", "F1 shows this help"]);
    t.keys(&["Escape"]);
    t.wait_for("> contoso.example?");
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn enter_behind_the_too_small_screen_changes_nothing() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_sized(&home, "hidden", 80, 24);
    answer_setup(&t, "tui-hidden");
    approve_to_the_plan(&t);
    t.tmux(&["resize-window", "-t", "t", "-x", "60", "-y", "20"]);
    t.wait_for("The terminal is 60×20");
    t.keys(&["Enter"]);
    // A second resize is handled after the Enter: once it shows, the Enter has been read.
    t.tmux(&["resize-window", "-t", "t", "-x", "70", "-y", "20"]);
    t.wait_for("The terminal is 70×20");
    t.tmux(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]);
    let s = t.wait_for_all(&["New setup · the plan", "enter run the plan"]);
    assert!(!s.contains("running"), "{s}");
    assert!(
        !home.data().join("sandbox-setup/tui-hidden.json").exists(),
        "no setup step ran"
    );
    assert!(
        !home
            .config()
            .join("sandbox-profiles/tui-hidden.toml")
            .exists()
    );
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

/// From an empty home screen, journey 3 up to the secret step, the scoped app's secret typed.
fn type_up_to_the_secret(t: &Tmux) {
    t.wait_for("No profiles yet");
    t.keys(&["c", "Enter"]);
    t.wait_for("Which app registration?");
    t.type_text(SCOPED_ID);
    t.keys(&["Enter"]);
    t.wait_for("The client secret");
    t.type_text(SCOPED_SECRET);
}

/// Approves the sandbox admin's sign-in and waits for the plan that follows it.
fn approve_to_the_plan(t: &Tmux) {
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("enter run the plan");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn on_a_realistic_sandbox_the_setup_waits_for_the_directory_then_shows_checks_pending() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_args(&home, "realistic", "", "--realistic", 100, 30);
    answer_setup(&t, "tui-real");
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    let patience = Duration::from_secs(90);
    t.wait_within(&["waiting for Microsoft Entra ID"], patience);
    // Exchange applies the scope 20 s after the setup: until then the mailbox checks wait.
    let screen = t.wait_within(&["◷"], patience);
    assert!(
        !screen.contains("Grant admin consent") && !screen.contains("✘"),
        "pending, not failed, and no advice to widen the app's access:\n{screen}"
    );
    t.keys(&["q"]);
    t.wait_for("EXITED:");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_panic_restores_the_terminal_and_keeps_the_draft() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_with(&home, "panic", "M365MW_PANIC_ON_KEY='|'");
    type_up_to_the_secret(&t);
    t.type_text("|");
    let s = t.wait_for_all(&["EXITED:101", "TTY:cooked"]);
    assert!(!s.contains("Steps"), "the alternate screen is gone:\n{s}");
    assert_eq!(t.alternate_and_cursor(), "0 1", "main screen, cursor shown");
    let draft =
        std::fs::read_to_string(home.config().join("sandbox-profiles/.draft.toml")).unwrap();
    assert!(draft.contains(SCOPED_ID), "{draft}");
    assert!(!draft.contains("Scoped.Helpdesk"), "no secret in the draft");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_dashboard_migrate_to_rbac_then_remove_from_the_tenant() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_full(&home, "tenant-actions", "", 120, 40);
    // Scoped by an application access policy (one row below RBAC for Applications).
    answer_setup_scoped(&t, "tui-mig", 1);
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["refused as intended", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-mig", "m migrate to RBAC", "R remove from tenant"]);

    t.keys(&["m"]);
    t.wait_for_all(&["Migrate tui-mig to RBAC for Applications", "y carry it out"]);
    t.keys(&["n"]);
    t.wait_for("Nothing changed.");
    t.keys(&["m"]);
    t.wait_for("y carry it out");
    t.keys(&["y"]);
    t.wait_for("tui-mig is scoped by RBAC for Applications");
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-mig.toml")).unwrap();
    assert!(profile.contains("kind = \"rbac\""), "{profile}");
    t.keys(&["Enter"]);
    t.wait_for_all(&["inbox: 12 messages, 3 unread", "refused as intended"]);
    t.keys(&["Escape"]);

    t.keys(&["R"]);
    t.wait_for_all(&[
        "Remove tui-mig from the tenant",
        "management scope",
        "y carry it out",
    ]);
    t.keys(&["y"]);
    t.wait_for_all(&[
        "Removed tui-mig from the tenant",
        "the client is refused a token",
    ]);
    assert!(!home.config().join("sandbox-profiles/tui-mig.toml").exists());
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

/// A delegated setup (device code sign-in, alice@ its user) made in the wizard, up to its
/// first checks.
fn delegated_setup(t: &Tmux, profile: &str) {
    t.wait_for("n set up a new app");
    t.keys(&["n"]);
    t.wait_for("Which tenant?");
    t.keys(&["Enter"]);
    t.wait_for("What does the application use?");
    // Graph read unticked, the delegated style (the last choice) ticked.
    t.keys(&["Space"]);
    for _ in 0..7 {
        t.keys(&["Down"]);
    }
    t.keys(&["Space", "Enter"]);
    t.wait_for("Who signs in to the consuming application");
    t.keys(&["Tab"]);
    t.type_text("alice@contoso.example");
    t.keys(&["Enter"]);
    t.wait_for("The new app and its secret");
    t.keys(&["Enter"]);
    t.wait_for("Name this profile");
    t.type_text(profile);
    t.keys(&["Enter"]);
    approve_to_the_plan(t);
    t.keys(&["Enter"]);
    t.wait_within(&["u check as a mailbox user"], Duration::from_secs(60));
}

/// Waits until the run as a user has ended, and returns the screen.
fn user_run_ended(t: &Tmux, seen: &mut Vec<String>) -> String {
    let s = t.wait_within(
        &["u check as a mailbox user", "refresh"],
        Duration::from_secs(60),
    );
    seen.push(s.clone());
    s
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn u_checks_the_delegated_part_as_a_mailbox_user_by_device_code_and_by_password() {
    if !peers() {
        return;
    }
    const PASSWORD: &str = "Sandbox-Mailbox-1";
    let home = Home::new();
    let t = Tmux::start_sized(&home, "as-user", 100, 40);
    delegated_setup(&t, "tui-esm");
    let mut seen = Vec::new();
    // The device code: the user's code shows, a approves it as alice@, the rows pass.
    t.keys(&["u"]);
    seen.push(t.wait_for_all(&["delegated part?", "alice@contoso.example", "device code"]));
    t.keys(&["Enter"]);
    let code = t.wait_for_all(&["The mailbox user's sign-in", "2. Enter"]);
    assert!(code.contains("/sandbox/device"), "{code}");
    assert!(
        code.contains("press a to approve as alice@contoso.example"),
        "{code}"
    );
    t.keys(&["a"]);
    let done = user_run_ended(&t, &mut seen);
    for row in ["imap·u", "smtp·u", "refresh"] {
        let line = done
            .lines()
            .find(|l| l.contains(row))
            .unwrap_or_else(|| panic!("no {row} row:\n{done}"));
        assert!(line.contains('✔'), "{row} passed:\n{done}");
    }
    assert!(!done.contains('✘'), "{done}");
    assert!(
        !done.contains("The mailbox user's sign-in"),
        "the code is gone"
    );

    // The password flow: masked, warned about, and green for alice@.
    t.keys(&["u"]);
    t.wait_for("delegated part?");
    t.keys(&["Tab", "Right", "Tab"]);
    seen.push(t.wait_for_all(&["the password flow", "multifactor authentication"]));
    t.type_text(PASSWORD);
    seen.push(t.wait_for("•••••••••••••••••"));
    t.keys(&["Enter"]);
    let done = user_run_ended(&t, &mut seen);
    assert!(!done.contains('✘'), "{done}");
    assert!(
        done.lines()
            .any(|l| l.contains("refresh") && l.contains('✔')),
        "{done}"
    );

    // frank@ must use MFA: the password flow is refused, and the diagnosis says why.
    t.keys(&["u"]);
    t.wait_for("delegated part?");
    t.keys(&["End"]);
    for _ in 0.."alice@contoso.example".len() {
        t.keys(&["BSpace"]);
    }
    t.type_text("frank@contoso.example");
    t.keys(&["Tab", "Right", "Tab"]);
    t.type_text(PASSWORD);
    t.keys(&["Enter"]);
    let done = user_run_ended(&t, &mut seen);
    assert!(
        done.lines()
            .any(|l| l.contains("frank@") && l.contains('✘')),
        "{done}"
    );
    // The user's sign-in row, selected: its diagnosis with the evidence.
    t.keys(&["Down"]);
    let refused = t.wait_for_all(&[
        "must use multifactor authentication",
        "AADSTS50076",
        "choose the device code",
    ]);
    seen.push(refused.clone());
    for s in &seen {
        assert!(!s.contains(PASSWORD), "the password on screen:\n{s}");
    }
    // Esc while the user's code waits: the run stops, and esc again goes home.
    t.keys(&["u"]);
    t.wait_for("delegated part?");
    t.keys(&["Enter"]);
    t.wait_for_all(&["2. Enter", "esc cancel the check"]);
    t.keys(&["Escape"]);
    let cancelled = t.wait_for("was cancelled: nothing was recorded");
    assert!(!cancelled.contains("2. Enter"), "{cancelled}");
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-esm", "u check as a mailbox user"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    assert!(!t.screen().contains(PASSWORD));
    // Nor in any file the wizard wrote: profile, last check, log, sandbox tenant.
    let written = files_under(home.dir.path());
    assert!(
        written
            .iter()
            .any(|f| f.ends_with("sandbox-profiles/tui-esm.toml")),
        "{written:?}"
    );
    for f in written {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(PASSWORD),
            "the password in {}",
            f.display()
        );
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_dashboard_u_undoes_a_migration_waiting_for_the_policy_in_between() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_full(&home, "undo-migration", "", 120, 40);
    answer_setup_scoped(&t, "tui-undo", 1);
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["refused as intended", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-undo", "m migrate to RBAC"]);
    let screen = t.wait_for("R remove from tenant");
    assert!(
        !screen.contains("U undo migration"),
        "no journal yet:\n{screen}"
    );
    t.keys(&["m"]);
    t.wait_for("y carry it out");
    t.keys(&["y"]);
    t.wait_for_all(&[
        "tui-undo is scoped by RBAC for Applications",
        "U undo migration",
    ]);
    let client = {
        let p =
            std::fs::read_to_string(home.config().join("sandbox-profiles/tui-undo.toml")).unwrap();
        let line = p
            .lines()
            .find(|l| l.starts_with("client_id"))
            .unwrap()
            .to_string();
        line.split('"').nth(1).unwrap().to_string()
    };
    let policies = |home: &Home| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(tenant_file(home)).unwrap()).unwrap();
        v["tenant"]["access_policies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["app_id"] == client.as_str())
            .count()
    };
    assert_eq!(policies(&home), 0, "the migration removed the policy");

    // U: the undo's plan, then the policy made again and the roles waiting for it to apply.
    t.keys(&["U"]);
    t.wait_for_all(&[
        "Undo the migration of tui-undo (finished)",
        "y carry it out",
    ]);
    t.keys(&["y"]);
    t.wait_for("Press U again later");
    assert_eq!(policies(&home), 1, "the policy back first");
    let journal = home.data().join("sandbox-migrate/tui-undo.json");
    let mut j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    for (k, v) in j["made_at"].as_object_mut().unwrap() {
        if k.starts_with("undo:policy:") {
            *v = serde_json::Value::from("2000-01-01T00:00:00Z");
        }
    }
    std::fs::write(&journal, j.to_string()).unwrap();

    // U again, once the policy applies: the rest put back, the journal gone.
    t.keys(&["U"]);
    t.wait_for_all(&["Undo the migration of tui-undo", "y carry it out"]);
    t.keys(&["y"]);
    let screen = t.wait_for("is back as it was before the migration");
    assert!(!journal.exists(), "the journal gone:\n{screen}");
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-undo.toml")).unwrap();
    assert!(!profile.contains("kind = \"rbac\""), "{profile}");
    t.wait_for("R remove from tenant");
    let screen = t.wait_for("m migrate to RBAC");
    assert!(!screen.contains("U undo migration"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_audit_a_marked_app_is_migrated_after_y_and_an_rbac_one_refused() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start_full(&home, "audit-migrate", "", 120, 40);
    answer_setup_scoped(&t, "tui-am", 1);
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["refused as intended", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for("a audit tenant");
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-am.toml")).unwrap();
    let client = profile
        .lines()
        .find(|l| l.starts_with("client_id"))
        .and_then(|l| l.split('"').nth(1))
        .unwrap()
        .to_string();
    t.keys(&["a"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("with access to mail (riskiest first)");
    // Down until the detail pane names the profile's app.
    let mut found = false;
    for _ in 0..20 {
        let screen = t.screen();
        if screen.contains(&format!("App ID         {client}")) {
            found = true;
            break;
        }
        t.keys(&["Down"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    assert!(found, "the setup's app is a row:\n{}", t.screen());
    t.keys(&["Space"]);
    t.wait_for_all(&["1 marked", "M migrate marked"]);
    t.keys(&["M"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for_all(&[
        "Migration 1 of 1 from the audit: Migrate tui-am",
        "y carry it out",
    ]);
    t.keys(&["y"]);
    t.wait_for("Migrations from the audit: tui-am: migrated.");
    let profile =
        std::fs::read_to_string(home.config().join("sandbox-profiles/tui-am.toml")).unwrap();
    assert!(profile.contains("kind = \"rbac\""), "{profile}");

    // Audited again (the migration's sign-in does not read the sign-in logs: a new one): the
    // app is scoped by RBAC now, and space refuses it with the reason.
    t.keys(&["a"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("with access to mail (riskiest first)");
    for _ in 0..20 {
        if t.screen().contains(&format!("App ID         {client}")) {
            break;
        }
        t.keys(&["Down"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    t.keys(&["Space"]);
    t.wait_for("is scoped by RBAC for Applications already");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn from_the_audit_an_app_with_no_profile_is_migrated_with_its_secret_typed_masked() {
    if !peers() {
        return;
    }
    let home = Home::new();
    // The tenant the wizard's sandbox opens, populated with the audit's kinds of apps.
    let state = tenant_file(&home);
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    let state_arg = state.display().to_string();
    common::Served::start(&["--state", &state_arg, "--extra-apps", "8"]).stop();
    let tenant: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let app = tenant["tenant"]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["expect"] == "audit:policy")
        .expect("a policy-scoped app")
        .clone();
    let client = app["client_id"].as_str().unwrap().to_string();
    let secret = app["secret"].as_str().unwrap().to_string();
    let policies = |home: &Home| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(tenant_file(home)).unwrap()).unwrap();
        v["tenant"]["access_policies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["app_id"] == client.as_str())
            .count()
    };
    assert_eq!(policies(&home), 1);

    let t = Tmux::start_full(&home, "audit-unsaved", "", 120, 40);
    answer_setup_scoped(&t, "tui-au", 1);
    approve_to_the_plan(&t);
    t.keys(&["Enter"]);
    t.wait_for_all(&["refused as intended", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for("a audit tenant");
    t.keys(&["a"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("with access to mail (riskiest first)");
    let mut found = false;
    for _ in 0..40 {
        if t.screen().contains(&format!("App ID         {client}")) {
            found = true;
            break;
        }
        t.keys(&["Down"]);
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(found, "the policy-scoped app is a row:\n{}", t.screen());
    t.keys(&["Space"]);
    t.wait_for_all(&["1 marked", "has no profile here", "M migrate marked"]);
    t.keys(&["M"]);
    let mut panes = vec![t.wait_for_all(&["no profile here", "esc skip this app"])];
    // An empty secret is named; then the secret typed shows as dots only.
    t.keys(&["Enter"]);
    panes.push(t.wait_for("The secret is empty"));
    t.type_text(&secret);
    panes.push(t.wait_for(&"•".repeat(secret.chars().count())));
    t.keys(&["Enter"]);
    t.type_text("alice@contoso.example,bob@contoso.example");
    t.keys(&["Enter"]);
    t.type_text("ceo@contoso.example");
    t.keys(&["Enter"]);
    panes.push(t.wait_for("press a to approve"));
    t.keys(&["a"]);
    panes.push(t.wait_for_all(&[
        &format!("Migration 1 of 1 from the audit: Migrate {client}"),
        "y carry it out",
    ]));
    t.keys(&["y"]);
    panes.push(t.wait_for(&format!("Migrations from the audit: {client}: migrated.")));
    assert_eq!(policies(&home), 0, "the policy is gone");
    for pane in &panes {
        assert!(!pane.contains(&secret), "the secret on screen:\n{pane}");
    }
    // Nothing saved for the app, and its secret in no file under the test's home.
    assert!(
        !home
            .config()
            .join(format!("sandbox-profiles/{client}.toml"))
            .exists()
    );
    let journal = home.data().join(format!("sandbox-migrate/{client}.json"));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).unwrap()).unwrap();
    assert_eq!(
        (j["finished"].clone(), j["profile_less"].clone()),
        (true.into(), true.into())
    );
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
    let mut files = files_under(home.dir.path());
    files.retain(|f| f != &state);
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).to_string();
        assert!(!text.contains(&secret), "the secret in {}", f.display());
    }
}
