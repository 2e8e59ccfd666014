//! The delegated check's own browser sign-in as the mailbox user (`check PROFILE --as-user M
//! --sign-in browser`): the authorization-code flow with PKCE on the loopback redirect the app
//! registration lists, with the app's own client ID. The test plays the browser: it follows
//! the printed URL through the sandbox's authorize endpoint to the wizard's loopback.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use common::{Home, Tenant, row, secret_service, text};
use serde_json::Value;

const ALICE: &str = "alice@contoso.example";

fn setup(home: &Home, t: &Tenant, name: &str, extra: &[&str]) {
    let mut args = vec![
        "--access",
        "delegated-imap-smtp",
        "--delegated-user",
        ALICE,
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

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_mailbox_user_signs_in_in_the_browser_on_the_apps_loopback_redirect() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--auto-approve-user", ALICE]);
    let home = Home::new();
    setup(
        &home,
        &t,
        "desk",
        &[
            "--delegated-sign-in",
            "authorization-code",
            "--redirect-uri",
            "http://localhost",
        ],
    );
    let trace = home.dir.path().join("trace.jsonl");
    let trace_arg = trace.display().to_string();
    let mut child = home
        .cmd()
        .args([
            "check",
            "desk",
            "--as-user",
            ALICE,
            "--sign-in",
            "browser",
            "--json",
            "--trace",
            &trace_arg,
        ])
        .env("BROWSER", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let (mut said, mut followed) = (String::new(), Vec::new());
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.starts_with("http") && line.contains("/oauth2/v2.0/authorize?") {
            let url = reqwest::Url::parse(&line).unwrap();
            let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            followed.push((get("client_id"), get("code_challenge_method"), get("scope")));
            let answer = rt.block_on(http.get(url).send()).unwrap();
            assert!(
                answer.url().as_str().starts_with("http://localhost:"),
                "redirected to the wizard's loopback: {}",
                answer.url()
            );
            assert_eq!(answer.status().as_u16(), 200);
        }
    }
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
    for id in [
        "token:user:alice@contoso.example",
        "delegated-imap:alice@contoso.example",
        "delegated-smtp:alice@contoso.example",
        "refresh:alice@contoso.example",
    ] {
        assert_eq!(row(&r, id)["status"], "passed", "{id}: {r:#}");
    }
    assert_eq!(followed.len(), 1, "one browser sign-in: {said}");
    let client_id = t.apps_named("m365-mail-wizard desk")[0]["client_id"]
        .as_str()
        .map(String::from);
    let (client, method, scope) = &followed[0];
    assert_eq!(client, &client_id, "the app's own client ID: {r:#}");
    assert_eq!(method.as_deref(), Some("S256"));
    assert!(
        scope.as_deref().unwrap().contains("IMAP.AccessAsUser.All"),
        "{scope:?}"
    );
    assert!(!said.contains("enter the code"), "no device code: {said}");
    let traced = std::fs::read_to_string(&trace).unwrap();
    assert!(!traced.contains("/devicecode"), "no device code asked");
    assert!(
        traced.contains("authorization_code"),
        "the code was redeemed at the token endpoint"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn without_a_loopback_redirect_the_browser_sign_in_says_why_and_what_to_do() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let (client_id, secret, _) = t.sb.app("scoped");
    let cf = t.sb.cloud_file();
    for (name, extra) in [
        ("dev", vec![]),
        (
            "web",
            vec![
                "--delegated-sign-in",
                "authorization-code",
                "--redirect-uri",
                "https://esm.example/oauth/callback",
            ],
        ),
    ] {
        let mut args = vec![
            "add",
            name,
            "--tenant",
            "contoso.example",
            "--cloud-file",
            &cf,
            "--client-id",
            &client_id,
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            ALICE,
            "--secret-stdin",
        ];
        args.extend(extra);
        let o = home.run(&args, &secret);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = home.run(
        &["check", "dev", "--as-user", ALICE, "--sign-in", "browser"],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let said = text(&o);
    assert!(
        said.contains("profile dev records none")
            && said.contains("device-code flow")
            && said.contains("Leave --sign-in browser out"),
        "{said}"
    );
    let o = home.run(
        &["check", "web", "--as-user", ALICE, "--sign-in", "browser"],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("https://esm.example/oauth/callback, which the wizard cannot receive"),
        "{}",
        text(&o)
    );
    let o = home.run(
        &[
            "check",
            "dev",
            "--as-user",
            ALICE,
            "--password-flow",
            "--sign-in",
            "browser",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
