//! A consultant's fleet under a small open-file limit: `check --all` of 100 profiles, each with
//! ten mailboxes and five protocols, under `ulimit -n 256`, answers every profile — checks wait
//! for a connection instead of failing with "too many open files" — and the reports come in the
//! profiles' order, whichever finished first.

mod common;

use std::process::{Command, Stdio};

use common::{BIN, Home, Tenant, json, secret_service, text};

const UNSCOPED_ID: &str = "a1f5c0de-0005-4000-8000-00000000c005";
const PROFILES: usize = 100;

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn check_all_of_a_hundred_profiles_under_256_open_files_answers_each() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&[]);
    let (_, secret, _) = t.sb.app("unscoped");
    let cf = t.sb.cloud_file();
    let home = Home::new();
    // Every seeded mailbox the unscoped app reaches with every protocol (dave@ has IMAP off).
    let mailboxes = [
        "admin", "alice", "bob", "carol", "erin", "ceo", "frank", "grace", "heidi", "ivan",
    ]
    .map(|m| format!("{m}@contoso.example"))
    .join(",");
    let names: Vec<String> = (0..PROFILES).map(|i| format!("fleet{i:03}")).collect();
    std::thread::scope(|s| {
        for chunk in names.chunks(PROFILES / 10) {
            let (home, cf, secret, mailboxes) = (&home, &cf, &secret, &mailboxes);
            s.spawn(move || {
                for name in chunk {
                    let o = home.run(
                        &[
                            "add",
                            name,
                            "--tenant",
                            "contoso.example",
                            "--client-id",
                            UNSCOPED_ID,
                            "--access",
                            "graph-read,imap,pop,smtp,ews",
                            "--mailbox",
                            mailboxes,
                            "--cloud-file",
                            cf,
                            "--secret-stdin",
                        ],
                        secret,
                    );
                    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
                }
            });
        }
    });

    let o = Command::new("sh")
        .args(["-c", "ulimit -n 256 && exec \"$0\" check --all --json", BIN])
        .env("M365MW_CONFIG_DIR", home.config())
        .env("M365MW_DATA_DIR", home.data())
        .env("M365MW_KEYRING_SERVICE", home.service())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{}", &all[..all.len().min(4000)]);
    let reports = json(&o);
    let reports = reports.as_array().expect("one report a profile");
    assert_eq!(reports.len(), PROFILES);
    // Profiles finish in any order; their reports come in the order listed all the same.
    let order: Vec<&str> = reports
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(order, names, "reports in the profiles' order");
    for r in reports {
        let rows = r["checks"].as_array().unwrap();
        assert_eq!(rows.len(), 2 + 10 * 5, "{r:#}");
        assert!(
            rows.iter().all(|x| x["status"] == "passed"),
            "every check of {} answered and passed: {r:#}",
            r["profile"]
        );
    }
}
