//! A Secret Service that is running but locked (no unlocked default keyring, and no prompt
//! can show): `add` names that, stores nothing, and exits 3.

mod common;

use common::{BIN, Home, Served, has_command, peer, text};

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_locked_secret_service_is_named_and_nothing_is_saved() {
    if !peer(
        "gnome-keyring",
        has_command("dbus-run-session") && has_command("gnome-keyring-daemon"),
        "apt install dbus gnome-keyring (scripts/test does)",
    ) {
        return;
    }
    let sb = Served::start(&[]);
    let home = Home::new();
    let keyring = tempfile::tempdir().unwrap();
    let run = keyring.path().join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let (client_id, secret, _) = sb.app("scoped");
    let cf = sb.cloud_file();
    let mut child = std::process::Command::new("dbus-run-session")
        .env("M365MW_CONFIG_DIR", home.config())
        .env("M365MW_DATA_DIR", home.data())
        .env("M365MW_KEYRING_SERVICE", home.service())
        .env("XDG_DATA_HOME", keyring.path().join("data"))
        .env("XDG_RUNTIME_DIR", &run)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .args([
            "--",
            "sh",
            "-c",
            "gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; exec \"$0\" \"$@\"",
            BIN,
            "add",
            "locked",
            "--tenant",
            "contoso.example",
            "--client-id",
            &client_id,
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
            "--secret-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), secret.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("The Secret Service is running but did not read or store the secret")
            && !text(&o).contains("No OS keyring is reachable"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains(&secret));
    assert!(!home.config().join("profiles/locked.toml").exists());
}
