//! The delegated check over several rounds (`check --wait`): the mailbox user signs in once and
//! later rounds renew that sign-in; and a shared mailbox whose FullAccess was just given is
//! pending until Exchange applies it.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Output, Stdio};

use common::admin_api::AdminApi;
use common::{Home, Tenant, json as json_of, row, secret_service, text};
use serde_json::{Value, json};

const ALICE: &str = "alice@contoso.example";

fn delegated_setup(home: &Home, t: &Tenant, name: &str, extra: &[&str]) {
    let mut args = vec![
        "--access",
        "delegated-imap-smtp",
        "--delegated-user",
        ALICE,
        "--public-client",
        "--json",
    ];
    args.extend(extra);
    let o = home
        .setup_cmd(t, name, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The trace's HTTP requests whose URL ends with `tail`.
fn requests_to(trace: &std::path::Path, tail: &str) -> usize {
    std::fs::read_to_string(trace)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| {
            v["kind"] == "http"
                && v["method"] == "POST"
                && v["url"].as_str().is_some_and(|u| u.ends_with(tail))
        })
        .count()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn check_wait_asks_the_mailbox_user_once_and_renews_that_sign_in_in_later_rounds() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--auto-approve-user", ALICE]);
    let home = Home::new();
    delegated_setup(&home, &t, "esm", &[]);
    let admin = AdminApi::sign_in(&t.sb);
    admin.cmdlet(
        "Set-CASMailbox",
        json!({"Identity": ALICE, "ImapEnabled": false}),
    );
    let trace = home.dir.path().join("trace.jsonl");
    let trace_arg = trace.display().to_string();
    let mut child = home
        .cmd()
        .args([
            "check",
            "esm",
            "--as-user",
            ALICE,
            "--wait",
            "5m",
            "--json",
            "--trace",
            &trace_arg,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    // The first round fails on IMAP; the administrator turns it on before the next one.
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the check ended without waiting: {said}"
        );
        said.push_str(&line);
        if line.contains("waiting —") {
            break;
        }
    }
    admin.cmdlet(
        "Set-CASMailbox",
        json!({"Identity": ALICE, "ImapEnabled": true}),
    );
    stderr.read_to_string(&mut said).unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{said}\n{out}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["verdict"], "passed", "{r:#}");
    assert_eq!(
        said.matches("sign in to the app as alice@contoso.example")
            .count(),
        1,
        "one device code shown: {said}"
    );
    assert_eq!(
        requests_to(&trace, "/devicecode"),
        1,
        "one device code asked"
    );
    let token = row(&r, "token:user:alice@contoso.example");
    assert!(
        token["detail"]
            .as_str()
            .unwrap()
            .contains("not asked again"),
        "{r:#}"
    );
    assert_eq!(row(&r, "refresh:alice@contoso.example")["status"], "passed");
}

const ERIN: &str = "erin@contoso.example";
const ERIN_AS_ALICE: &str = "delegated-imap:erin@contoso.example:as:alice@contoso.example";

fn check(home: &Home, args: &[&str]) -> (Output, Value) {
    let mut all = vec!["check"];
    all.extend(args);
    all.push("--json");
    let o = home.run(&all, "");
    let r = json_of(&o);
    (o, r)
}

/// Moves the setup journal's time of alice@'s FullAccess on erin@ to `secs` before now.
fn age_full_access(home: &Home, profile: &str, secs: i64) {
    let path = home.data().join(format!("setup/{profile}.json"));
    let mut j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let then = (time::OffsetDateTime::now_utc() - time::Duration::seconds(secs))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let key = format!("exchange:userfullaccess:{ERIN}:{ALICE}");
    let made = j["made_at"].as_object_mut().unwrap();
    assert!(made.contains_key(&key), "the journal says when: {made:?}");
    made.insert(key, Value::String(then));
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_shared_mailbox_is_pending_while_the_users_new_full_access_applies_then_diagnosed() {
    if !secret_service() {
        return;
    }
    // Exchange applies the new FullAccess after a delay (8 s here; hours at most in a tenant).
    let t = Tenant::start(&[
        "--auto-approve",
        "--auto-approve-user",
        ALICE,
        "--realistic",
        "--propagation-delay",
        "8",
    ]);
    let home = Home::new();
    // The realistic tenant has SMTP AUTH off for the organisation: the setup allows it for
    // alice and erin.
    delegated_setup(&home, &t, "shared", &["--shared-mailbox", ERIN]);
    let admin = AdminApi::sign_in(&t.sb);
    let (o, r) = check(&home, &["shared", "--as-user", ALICE]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_eq!(r["verdict"], "pending", "{r:#}");
    let erin = row(&r, ERIN_AS_ALICE);
    assert_eq!(erin["status"], "pending", "{r:#}");
    let summary = erin["diagnosis"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("pending: the user's FullAccess permission was made"),
        "{summary}"
    );
    assert_eq!(
        row(&r, "delegated-imap:alice@contoso.example")["status"],
        "passed"
    );

    // Once Exchange has applied it, the wait ends green.
    let (o, r) = check(&home, &["shared", "--as-user", ALICE, "--wait", "2m"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(row(&r, ERIN_AS_ALICE)["status"], "passed");

    // Long after the change, a refusal is the missing FullAccess, with its fix.
    admin.cmdlet(
        "Remove-MailboxPermission",
        json!({"Identity": ERIN, "User": ALICE, "AccessRights": ["FullAccess"]}),
    );
    age_full_access(&home, "shared", 3 * 60 * 60);
    let (o, r) = check(&home, &["shared", "--as-user", ALICE]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let erin = row(&r, ERIN_AS_ALICE);
    assert_eq!(erin["status"], "failed", "{r:#}");
    assert!(
        erin["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .starts_with(&format!(
                "Add-MailboxPermission -Identity {ERIN} -User {ALICE} -AccessRights FullAccess"
            )),
        "{r:#}"
    );
}
