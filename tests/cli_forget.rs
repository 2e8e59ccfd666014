//! `forget` in a safe order: the setup journal and the profile file go before the keyring
//! entry, so a later setup of the same name starts clean, and a step that cannot be done
//! leaves the profile with its secret.

mod common;

use std::process::Output;

use common::{GRAPH_READ_ALICE, Home, Tenant, secret_service, secret_tool_lookup, text};

/// Profile `profile` (each test its own) for an app named `name`.
fn setup(home: &Home, t: &Tenant, profile: &str, name: &str) -> Output {
    let args = [&["--name", name][..], &GRAPH_READ_ALICE].concat();
    home.setup_cmd(t, profile, &args).output().unwrap()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn after_forget_a_setup_of_the_same_name_makes_its_own_app() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(&home, &t, "fa", "forget-a");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let journal = home.data().join("setup/fa.json");
    assert!(journal.exists(), "the setup keeps a journal");
    assert!(secret_tool_lookup(&home.service(), "fa").is_some());
    assert_eq!(
        secret_tool_lookup("m365-mail-wizard", "fa"),
        None,
        "tests keep their secrets under their own keyring service"
    );

    let o = home.run(&["forget", "fa"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!journal.exists(), "the journal goes with the profile");
    assert_eq!(secret_tool_lookup(&home.service(), "fa"), None);

    let o = setup(&home, &t, "fa", "forget-b");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        t.apps_named("forget-b").len(),
        1,
        "a new app for the new name"
    );
    let a = t.apps_named("forget-a");
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0]["passwords"].as_array().unwrap().len(),
        1,
        "the first app and its secret are left alone"
    );
    let saved = std::fs::read_to_string(home.config().join("profiles/fa.toml")).unwrap();
    let b_id = t.apps_named("forget-b")[0]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        saved.contains(&b_id),
        "the profile names the new app: {saved}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_journal_that_cannot_be_removed_leaves_the_profile_and_its_secret() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(&home, &t, "fb", "forget-stuck");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let secret = secret_tool_lookup(&home.service(), "fb").expect("stored");
    // A directory where the journal file is: removing it fails even for root.
    let journal = home.data().join("setup/fb.json");
    std::fs::remove_file(&journal).unwrap();
    std::fs::create_dir(&journal).unwrap();
    std::fs::write(journal.join("keep"), "x").unwrap();

    let o = home.run(&["forget", "fb"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("fb.json"),
        "names what it could not remove: {}",
        text(&o)
    );
    assert!(
        home.config().join("profiles/fb.toml").exists(),
        "the profile stays"
    );
    assert_eq!(
        secret_tool_lookup(&home.service(), "fb").as_deref(),
        Some(secret.as_str()),
        "with its secret"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn forget_of_a_setup_that_never_finished_removes_its_journal_and_names_its_app() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let args = [&["--name", "forget-half"][..], &GRAPH_READ_ALICE].concat();
    let o = home
        .setup_cmd(&t, "fc", &args)
        .env("M365MW_CRASH_AFTER", "create-app")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["forget", "fc"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let client_id = t.apps_named("forget-half")[0]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text(&o).contains("stays in the tenant") && text(&o).contains(&client_id),
        "{}",
        text(&o)
    );
    assert!(!home.data().join("setup/fc.json").exists());
    let o = home.run(&["forget", "fc"], "");
    assert_eq!(
        o.status.code(),
        Some(2),
        "nothing left to forget: {}",
        text(&o)
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn add_into_a_folder_it_cannot_write_leaves_no_keyring_entry() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[]);
    let (client_id, secret, _) = t.sb.app("scoped");
    let home = Home::new();
    // A file where the profile folder should be: the profile cannot be written, even as root.
    std::fs::create_dir_all(home.config()).unwrap();
    std::fs::write(home.config().join("profiles"), "in the way").unwrap();
    let cf = t.sb.cloud_file();
    let o = home.run(
        &[
            "add",
            "orphan",
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
        ],
        &secret,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("orphan.toml"),
        "the profile write failed: {}",
        text(&o)
    );
    assert_eq!(
        secret_tool_lookup(&home.service(), "orphan"),
        None,
        "no secret is left without its profile"
    );
}
