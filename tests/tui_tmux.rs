//! The real binary in a real terminal (tmux): journey 3 against the in-process sandbox, from
//! the home screen to the summary, then the keyring and the profile file; and Ctrl-C keeping
//! a draft without the secret.

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
        let socket = format!("m365mw-test-{}-{name}", std::process::id());
        let cmd = format!(
            "M365MW_CONFIG_DIR='{}' M365MW_DATA_DIR='{}' '{BIN}' --sandbox; echo EXITED:$?; sleep 60",
            home.config().display(),
            home.data().display()
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
            "100",
            "-y",
            "30",
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
        let deadline = Instant::now() + Duration::from_secs(20);
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
        secret_tool_lookup("m365-mail-wizard-sandbox", "tui-helpdesk").as_deref(),
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

#[test]
fn ctrl_c_restores_the_terminal_and_keeps_a_draft_without_the_secret() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "draft");
    t.wait_for("No profiles yet");
    t.keys(&["c", "Enter"]);
    t.wait_for("Which app registration?");
    t.type_text(SCOPED_ID);
    t.keys(&["Enter"]);
    t.wait_for("The client secret");
    t.type_text(SCOPED_SECRET);
    t.keys(&["C-c"]);
    let s = t.wait_for("EXITED:0");
    assert!(!s.contains("Steps"), "the alternate screen is gone:\n{s}");
    let draft =
        std::fs::read_to_string(home.config().join("sandbox-profiles/.draft.toml")).unwrap();
    assert!(draft.contains(SCOPED_ID), "{draft}");
    assert!(!draft.contains("Scoped.Helpdesk"), "no secret in the draft");
    drop(t);

    let t = Tmux::start(&home, "resume");
    t.wait_for("resume draft");
    t.keys(&["d"]);
    t.wait_for("Draft restored");
    t.keys(&["Enter"]);
    t.wait_for_all(&["Which app registration?", SCOPED_ID]);
}

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
    let secret = secret_tool_lookup("m365-mail-wizard-sandbox", "tui-setup")
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
        secret_tool_lookup("m365-mail-wizard-sandbox", "tui-guided").as_deref(),
        Some(SCOPED_SECRET)
    );
}

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
        secret_tool_lookup("m365-mail-wizard-sandbox", "tui-byhand").as_deref(),
        Some(SCOPED_SECRET),
        "only the secret that signed in is stored"
    );
}

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

#[test]
fn from_the_dashboard_export_and_renew() {
    if !peers() {
        return;
    }
    let home = Home::new();
    let t = Tmux::start(&home, "actions");
    answer_setup(&t, "tui-keep");
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("enter run the plan");
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "App registered and consented"]);
    t.keys(&["Escape"]);
    t.wait_for_all(&["tui-keep", "s new secret", "e export"]);
    let first = secret_tool_lookup("m365-mail-wizard-sandbox", "tui-keep").unwrap();
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
    t.keys(&["Right", "Enter"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
    t.wait_for("Renewed tui-keep: the new secret (12 months)");
    let second = secret_tool_lookup("m365-mail-wizard-sandbox", "tui-keep").unwrap();
    assert_ne!(first, second, "the keyring holds the new secret");
    t.keys(&["Enter"]);
    t.wait_for_all(&["3/3", "inbox: 12 messages"]);

    // x reads the expiry off the app registration; f then y forgets the profile.
    t.keys(&["Escape"]);
    t.wait_for("x read expiry");
    t.keys(&["x"]);
    t.wait_for("press a to approve");
    t.keys(&["a"]);
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
        secret_tool_lookup("m365-mail-wizard-sandbox", "tui-keep"),
        None,
        "the keyring entry is gone"
    );
}
