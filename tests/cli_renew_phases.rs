//! A renewal in two phases through the real binary against `sandbox serve`: `renew` adds,
//! stores and proves the new secret and keeps the old one valid; the new Value leaves the
//! wizard only through `export --with-secret` into a private file; `renew --finish` removes the
//! old one, refusing while the sandbox's sign-in logs show it used within a day (unless
//! `--force`) or when the logs cannot be read.

mod common;

use common::{Home, Served, Tenant, json, post_form, secret_service, secret_tool_lookup, text};
use serde_json::Value;

fn app(t: &Tenant, client_id: &str) -> Value {
    t.objects()["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == client_id)
        .cloned()
        .unwrap()
}

/// `add NAME` for the sandbox's scoped app; its client ID and (seeded) secret.
fn added(home: &Home, sb: &Served, name: &str) -> (String, String) {
    let (client_id, secret, _) = sb.app("scoped");
    let cf = sb.cloud_file();
    let o = home.run(
        &[
            "add",
            name,
            "--force",
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
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (client_id, secret)
}

/// The status of a client-credentials token request with `secret`, as the consuming
/// application makes it.
fn signs_in(sb: &Served, client_id: &str, secret: &str) -> u16 {
    post_form(
        sb.info["token"].as_str().unwrap(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
}

/// Everything a run printed.
fn all(o: &std::process::Output) -> String {
    text(o)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn renew_keeps_both_secrets_until_finish_then_only_the_new_one_signs_in() {
    if !secret_service() {
        return;
    }
    let state = Tenant::start(&["--auto-approve"]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, old) = added(&home, sb, "helpdesk");
    // The consuming application signs in with the old secret.
    assert_eq!(signs_in(sb, &client_id, &old), 200);

    let renewed = home.run(&["renew", "helpdesk", "--secret-months", "12"], "");
    assert_eq!(renewed.status.code(), Some(0), "{}", all(&renewed));
    let new = secret_tool_lookup(&home.service(), "helpdesk").unwrap();
    assert_ne!(new, old, "the keyring holds the new secret");
    let out = all(&renewed);
    assert!(!out.contains(&new), "the new Value is never printed: {out}");
    assert!(
        out.contains("The old secret (key ID") && out.contains("stays on the app"),
        "{out}"
    );
    // The next steps, in order.
    let steps = [
        "--with-secret --output FILE",
        "Confirm the application works",
        "renew helpdesk --finish",
    ];
    let at: Vec<usize> = steps
        .iter()
        .map(|s| out.find(s).unwrap_or(usize::MAX))
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]) && at[2] != usize::MAX,
        "{out}"
    );

    // Both sign in until the renewal is finished.
    assert_eq!(
        signs_in(sb, &client_id, &old),
        200,
        "the old one still works"
    );
    assert_eq!(signs_in(sb, &client_id, &new), 200, "the new one works");
    let profile = std::fs::read_to_string(home.config().join("profiles/helpdesk.toml")).unwrap();
    assert!(
        profile.contains("[rotation") && !profile.contains(&new),
        "{profile}"
    );

    // The sign-in logs show the old secret used just now: --finish refuses.
    let refused = home.run(&["renew", "helpdesk", "--finish"], "");
    assert_eq!(refused.status.code(), Some(1), "{}", all(&refused));
    let out = all(&refused);
    assert!(
        out.contains("Asks for Application.ReadWrite.All, AuditLog.Read.All")
            && out.contains("last signed in")
            && out.contains("nothing was removed")
            && out.contains("--force"),
        "{out}"
    );
    assert_eq!(
        app(&state, &client_id)["secret"].as_str(),
        Some(old.as_str())
    );
    assert_eq!(
        signs_in(sb, &client_id, &old),
        200,
        "refused: nothing removed"
    );

    let forced = home.run(&["renew", "helpdesk", "--finish", "--force"], "");
    assert_eq!(forced.status.code(), Some(0), "{}", all(&forced));
    assert!(
        all(&forced).contains("Removed the old secret (key ID 5eed")
            && all(&forced).contains("last signed in"),
        "{}",
        all(&forced)
    );
    assert_eq!(signs_in(sb, &client_id, &old), 401, "the old one is gone");
    assert_eq!(signs_in(sb, &client_id, &new), 200, "the new one signs in");
    let a = app(&state, &client_id);
    assert_eq!(a["secret"], "");
    assert_eq!(a["passwords"].as_array().unwrap().len(), 1);

    // Twice: said precisely, nothing removed.
    let again = home.run(&["renew", "helpdesk", "--finish", "--force"], "");
    assert_eq!(again.status.code(), Some(1), "{}", all(&again));
    assert!(all(&again).contains("already finished"), "{}", all(&again));
    assert_eq!(signs_in(sb, &client_id, &new), 200);
    for o in [&forced, &refused, &again] {
        assert!(!all(o).contains(&new), "{}", all(o));
    }
    let o = home.run(&["check", "helpdesk", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn finish_with_no_newer_secret_removes_nothing() {
    if !secret_service() {
        return;
    }
    let state = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let (client_id, old) = added(&home, &state.sb, "nothing");
    let o = home.run(&["renew", "nothing", "--finish", "--force"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("Nothing to finish: profile nothing has no renewal waiting"),
        "{}",
        text(&o)
    );
    assert_eq!(
        app(&state, &client_id)["secret"].as_str(),
        Some(old.as_str())
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_unreadable_sign_in_log_is_said_and_force_still_works() {
    if !secret_service() {
        return;
    }
    let state = Tenant::start(&["--auto-approve", "--without-entra-premium"]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, old) = added(&home, sb, "nolicence");
    let o = home.run(&["renew", "nolicence"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["renew", "nolicence", "--finish"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("cannot be known") && text(&o).contains("P1 or P2"),
        "{}",
        text(&o)
    );
    assert_eq!(signs_in(sb, &client_id, &old), 200, "nothing removed");
    let o = home.run(&["renew", "nolicence", "--finish", "--force"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("P1 or P2") && text(&o).contains("Removed the old secret"),
        "{}",
        text(&o)
    );
    assert_eq!(signs_in(sb, &client_id, &old), 401);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_new_value_leaves_only_through_a_private_export_file() {
    if !secret_service() {
        return;
    }
    let state = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    added(&home, &state.sb, "ticketing");
    let o = home.run(&["renew", "ticketing"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let new = secret_tool_lookup(&home.service(), "ticketing").unwrap();
    // Never to standard output, a terminal or a device.
    let o = home.run(
        &["export", "ticketing", "--format", "env", "--with-secret"],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("needs --output FILE") && !text(&o).contains(&new));
    for dev in ["/dev/stdout", "/dev/tty", "-"] {
        let o = home.run(
            &[
                "export",
                "ticketing",
                "--format",
                "env",
                "--with-secret",
                "--output",
                dev,
            ],
            "",
        );
        assert_eq!(o.status.code(), Some(2), "{dev}: {}", text(&o));
        assert!(!text(&o).contains(&new), "{dev}");
    }
    let o = home.run(
        &[
            "export",
            "ticketing",
            "--format",
            "report",
            "--with-secret",
            "--output",
            "x.md",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let file = home.dir.path().join("ticketing.env");
    let path = file.display().to_string();
    let o = home.run(
        &[
            "export",
            "ticketing",
            "--format",
            "env",
            "--with-secret",
            "--output",
            &path,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("warning:") && !text(&o).contains(&new),
        "{}",
        text(&o)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains(&format!("M365_CLIENT_SECRET='{new}'")),
        "{written}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Without --with-secret, no export holds it.
    for f in ["env", "json", "properties", "report", "powershell"] {
        let o = home.run(&["export", "ticketing", "--format", f], "");
        assert!(!text(&o).contains(&new), "{f}");
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_lost_answer_during_renew_leaves_one_new_secret_and_it_is_the_stored_one() {
    if !secret_service() {
        return;
    }
    let mut state = Tenant::start(&["--auto-approve"]);
    let mut settled = 0;
    // Every directory call of a renewal loses its answer in turn.
    for n in 0..6 {
        let fault = format!("admin:lost@{n}");
        state.restart(&["--auto-approve", "--faults", &fault]);
        let home = Home::new();
        let name = format!("lost-{n}");
        let (client_id, old) = added(&home, &state.sb, &name);
        let first = home.run(&["renew", &name, "--secret-months", "6"], "");
        if first.status.code() != Some(0) {
            assert!(all(&first).contains("again"), "{fault}: {}", all(&first));
            let o = home.run(&["renew", &name, "--secret-months", "6"], "");
            assert_eq!(o.status.code(), Some(0), "{fault} rerun: {}", all(&o));
        } else if all(&first).contains("whose Value never arrived were removed") {
            settled += 1;
        }
        let new = secret_tool_lookup(&home.service(), &name).unwrap();
        let app = app(&state, &client_id);
        // The sandbox's app keeps the renewals of earlier rounds: this round's are named for it.
        let mine = format!("({name}) renewal");
        let live: Vec<&Value> = app["passwords"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["display_name"]
                    .as_str()
                    .is_some_and(|d| d.contains(&mine))
            })
            .collect();
        assert_eq!(
            live.len(),
            1,
            "{fault}: one secret added, none lost on the app: {}",
            all(&first)
        );
        assert_eq!(signs_in(&state.sb, &client_id, &new), 200, "{fault}");
        assert_eq!(signs_in(&state.sb, &client_id, &old), 200, "{fault}");
    }
    assert!(
        settled > 0,
        "a lost secret is removed and made again within the run"
    );
}

/// The sandbox app with this client ID, to change in its saved tenant.
fn app_mut<'a>(tenant: &'a mut Value, client_id: &str) -> &'a mut Value {
    tenant["apps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["client_id"] == client_id)
        .unwrap()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_old_secret_that_is_gone_or_has_a_lookalike_is_never_marked_for_removal() {
    if !secret_service() {
        return;
    }
    let mut state = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let (client_id, old) = added(&home, &state.sb, "lookalike");
    // Someone added another secret whose first characters are the old one's.
    let twin = format!("{}Q~made.elsewhere.0000000000000000000000", &old[..3]);
    state.edit(&["--auto-approve"], |t| {
        let end = time::OffsetDateTime::now_utc() + time::Duration::days(300);
        app_mut(t, &client_id)["passwords"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "display_name": "made elsewhere",
                "end": end.format(&time::format_description::well_known::Rfc3339).unwrap(),
                "hint": &old[..3],
                "key_id": "7e1ee000-0000-4000-8000-000000000001",
                "secret": twin,
            }));
    });
    let o = home.run(&["renew", "lookalike"], "");
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(
        all(&o).contains("several secrets on the app start like the old one"),
        "{}",
        all(&o)
    );
    let o = home.run(&["renew", "lookalike", "--finish", "--force"], "");
    let a = app(&state, &client_id);
    assert_eq!(a["secret"].as_str(), Some(old.as_str()), "{}", all(&o));
    assert!(
        a["passwords"].to_string().contains("made elsewhere"),
        "{}",
        all(&o)
    );
    assert_eq!(
        signs_in(&state.sb, &client_id, &twin),
        200,
        "the lookalike is untouched"
    );

    // Another profile whose old secret was already deleted from the app in the portal.
    let home = Home::new();
    let (client_id, _) = added(&home, &state.sb, "gone");
    state.edit(&["--auto-approve"], |t| {
        let a = app_mut(t, &client_id);
        a["secret"] = Value::String(String::new());
        a["passwords"] = serde_json::json!([]);
    });
    let o = home.run(&["renew", "gone"], "");
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    assert!(
        all(&o).contains("the old secret was not found on the app"),
        "{}",
        all(&o)
    );
    let new = secret_tool_lookup(&home.service(), "gone").unwrap();
    assert_eq!(signs_in(&state.sb, &client_id, &new), 200);
}
