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

#[test]
fn check_without_any_reachable_keyring_is_unavailable_alone_and_under_all() {
    let sb = Served::start(&[]);
    let home = Home::new();
    let (client_id, _, _) = sb.app("scoped");
    let dir = home.config().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["first", "second"] {
        std::fs::write(
            dir.join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"{client_id}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
            ),
        )
        .unwrap();
    }
    let nowhere = tempfile::tempdir().unwrap();
    for args in [
        vec!["check", "first"],
        vec!["check", "--all"],
        vec!["check", "--all", "--json"],
    ] {
        let o = home
            .cmd()
            .args(&args)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", nowhere.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(
            text(&o).to_lowercase().contains("keyring"),
            "{args:?}: {}",
            text(&o)
        );
    }
}
