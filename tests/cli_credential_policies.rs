//! Credential policies and the answers that come with them, end to end against `sandbox serve`:
//! a tenant that forbids client secrets (a certificate with the administrator's consent), an
//! app without a service principal (AADSTS7000229), a certificate removed from the app
//! (AADSTS700027), and a mailbox without an Exchange Online licence (realistic mode).

mod common;

use common::admin_api::{graph_call as graph, sign_in};
use common::{Home, Served, Tenant, json, row, secret_service, text};
use serde_json::{Value, json};

const GRAPH_CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The sandbox administrator's Graph token for app registrations, signed in by device code.
fn admin_token(sb: &Served) -> String {
    sign_in(
        sb,
        GRAPH_CLIENT,
        "https://graph.microsoft.com/Application.ReadWrite.All",
    )
}

fn app(t: &Tenant, name: &str) -> Value {
    let apps = t.apps_named(name);
    assert_eq!(apps.len(), 1, "one app named {name}");
    apps[0].clone()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn forbidden_secrets_stop_naming_the_policy_then_a_certificate_profile_checks_green() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--forbid-secrets"]);
    let home = Home::new();
    let args = common::GRAPH_READ_ALICE;
    // Without consent: a stop that names the policy (as far as it can be read) and the flag.
    let o = home.setup_cmd(&t, "nosecret", &args).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains("CredentialTypeNotAllowedAsPerAppPolicy"),
        "{err}"
    );
    assert!(err.contains("forbids client secrets"), "{err}");
    // The setup's sign-in holds no Policy.Read.All; its refresh token gets one here (the sandbox
    // outside --realistic consents to anything), and the policy is named.
    assert!(
        err.contains("Client secrets are forbidden by the tenant's default app management policy"),
        "{err}"
    );
    assert!(err.contains("--certificate-if-secrets-forbidden"), "{err}");
    assert!(
        err.contains("Run the same command again to resume"),
        "{err}"
    );
    // Nothing half-made is lost: the app, its service principal and the journal stay.
    let made = app(&t, "m365-mail-wizard nosecret");
    assert!(
        made["sp_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{made:#}"
    );
    assert!(made["passwords"].as_array().is_none_or(|p| p.is_empty()));
    let journal = home.data().join("setup/nosecret.json");
    assert!(journal.exists(), "{}", journal.display());
    assert!(!home.config().join("profiles/nosecret.toml").exists());

    // With consent: the same app, a certificate, no secret, and the checks pass.
    let mut with = args.to_vec();
    with.push("--certificate-if-secrets-forbidden");
    let o = home.setup_cmd(&t, "nosecret", &with).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains("no client secret: a certificate instead"),
        "{err}"
    );
    assert!(
        err.contains("certificate's private key is in the keyring"),
        "{err}"
    );
    let made = app(&t, "m365-mail-wizard nosecret");
    assert_eq!(
        made["certificates"].as_array().unwrap().len(),
        1,
        "{made:#}"
    );
    assert!(made["passwords"].as_array().is_none_or(|p| p.is_empty()));
    let profile = common::read(&home.config().join("profiles/nosecret.toml"));
    assert!(profile.contains("thumbprint"), "{profile}");
    let j = common::read(&journal);
    assert!(
        j.contains("\"certificate\": true") && j.contains("\"stored\": true"),
        "{j}"
    );
    assert!(!j.contains("secret_key_id\": \""), "{j}");
    let o = home.run(&["check", "nosecret", "--json"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["verdict"], "passed");

    // Run again: the certificate is found, not made twice.
    let o = home.setup_cmd(&t, "nosecret", &args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stderr(&o).contains("already registered"), "{}", text(&o));
    let made = app(&t, "m365-mail-wizard nosecret");
    assert_eq!(made["certificates"].as_array().unwrap().len(), 1);

    // The certificate removed from the app: AADSTS700027, named with the profile's thumbprint.
    let token = admin_token(&t.sb);
    let oid = made["object_id"].as_str().unwrap();
    let (status, body) = graph(
        &t.sb,
        &token,
        "PATCH",
        &format!("applications/{oid}"),
        &json!({ "keyCredentials": [] }),
    );
    assert_eq!(status, 204, "{body}");
    let o = home.run(&["check", "nosecret", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    let d = &row(&r, "token:graph")["diagnosis"];
    assert_eq!(
        d["summary"],
        "The certificate that signed the client assertion is not registered on the app.",
        "{d:#}"
    );
    assert!(
        d["evidence"].as_str().unwrap().starts_with("AADSTS700027"),
        "{d:#}"
    );
    let x5t = profile
        .lines()
        .find_map(|l| l.trim().strip_prefix("thumbprint = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the profile names its thumbprint");
    assert!(
        d["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("x5t#S256 {x5t}")),
        "{d:#}"
    );
    assert!(d["fix"].as_str().unwrap().contains("cert PROFILE"), "{d:#}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_app_without_service_principal_is_diagnosed_and_the_setup_resumes() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    // A setup that stopped right after making the app: no service principal yet.
    let o = home
        .setup_cmd(&t, "halfway", &common::GRAPH_READ_ALICE)
        .env("M365MW_CRASH_AFTER", "create-app")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(137), "{}", text(&o));
    let made = app(&t, "m365-mail-wizard halfway");
    assert_eq!(made["sp_id"], "", "{made:#}");
    // Someone gives the app a secret and uses it: the token is refused for the missing SP.
    let token = admin_token(&t.sb);
    let oid = made["object_id"].as_str().unwrap();
    let (status, body) = graph(
        &t.sb,
        &token,
        "POST",
        &format!("applications/{oid}/addPassword"),
        &json!({ "passwordCredential": { "displayName": "by hand" } }),
    );
    assert_eq!(status, 200, "{body}");
    let secret: Value = serde_json::from_str(&body).unwrap();
    let client_id = made["client_id"].as_str().unwrap();
    let cf = t.sb.cloud_file();
    let o = home.run(
        &[
            "add",
            "byhand",
            "--tenant",
            "contoso.example",
            "--client-id",
            client_id,
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--cloud-file",
            &cf,
            "--secret-stdin",
        ],
        secret["secretText"].as_str().unwrap(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["check", "byhand", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    let d = &row(&r, "token:graph")["diagnosis"];
    assert!(
        d["evidence"].as_str().unwrap().starts_with("AADSTS7000229"),
        "{d:#}"
    );
    assert_eq!(
        d["summary"], "The app has no service principal (Enterprise application) in this tenant.",
        "{d:#}"
    );
    let fix = d["fix"].as_str().unwrap();
    assert!(fix.contains("run setup again to resume"), "{fix}");
    assert!(
        fix.contains(&format!("{{\"appId\": \"{client_id}\"}}")),
        "{fix}"
    );
    // Resuming the setup makes the service principal and finishes.
    let o = home
        .setup_cmd(&t, "halfway", &common::GRAPH_READ_ALICE)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_ne!(app(&t, "m365-mail-wizard halfway")["sp_id"], "");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_mailbox_without_exchange_online_is_named_and_never_counts_as_denied() {
    if !secret_service() {
        return;
    }
    let sb = Served::start(&["--realistic"]);
    let home = Home::new();
    let (client_id, secret, _) = sb.app("unscoped");
    let cf = sb.cloud_file();
    let add = |name: &str, mailbox: &str, deny: &str| {
        let o = home.run(
            &[
                "add",
                name,
                "--tenant",
                "contoso.example",
                "--client-id",
                &client_id,
                "--access",
                "graph-read",
                "--mailbox",
                mailbox,
                "--deny-mailbox",
                deny,
                "--cloud-file",
                &cf,
                "--secret-stdin",
            ],
            &secret,
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = home.run(&["check", name, "--json"], "");
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        json(&o)
    };
    // Reading ivan@: the licence, not the app, is named.
    let r = add("toivan", "ivan@contoso.example", "ceo@contoso.example");
    let read = row(&r, "graph-read:ivan@contoso.example");
    assert_eq!(read["status"], "failed", "{read:#}");
    let d = &read["diagnosis"];
    assert!(
        d["evidence"]
            .as_str()
            .unwrap()
            .contains("MailboxNotEnabledForRESTAPI"),
        "{d:#}"
    );
    assert!(
        d["cause"]
            .as_str()
            .unwrap()
            .contains("no Exchange Online licence"),
        "{d:#}"
    );
    assert!(
        d["fix"].as_str().unwrap().contains("ivan@contoso.example"),
        "{d:#}"
    );
    // ivan@ as the mailbox that must be denied: the 404 proves nothing about the scope.
    let r = add("denyivan", "alice@contoso.example", "ivan@contoso.example");
    let denied = row(&r, "denied:ivan@contoso.example");
    assert_ne!(denied["status"], "passed", "{denied:#}");
    let d = &denied["diagnosis"];
    assert!(
        d["summary"].as_str().unwrap().contains("proves nothing"),
        "{d:#}"
    );
    assert!(d["fix"].as_str().unwrap().contains("Do not widen"), "{d:#}");
    assert_eq!(
        row(&r, "graph-read:alice@contoso.example")["status"],
        "passed"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_certificate_registered_but_never_stored_is_replaced_on_the_rerun() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--forbid-secrets"]);
    let home = Home::new();
    let mut args = common::GRAPH_READ_ALICE.to_vec();
    args.push("--certificate-if-secrets-forbidden");
    let o = home
        .setup_cmd(&t, "stopped", &args)
        .env("M365MW_CRASH_AFTER", "add-certificate")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(137), "{}", text(&o));
    let first = app(&t, "m365-mail-wizard stopped")["certificates"].clone();
    assert_eq!(first.as_array().unwrap().len(), 1, "{first:#}");
    let j = common::read(&home.data().join("setup/stopped.json"));
    assert!(j.contains("\"stored\": false"), "{j}");
    // The rerun needs no flag: the journal remembers the consent.
    let o = home
        .setup_cmd(&t, "stopped", &common::GRAPH_READ_ALICE)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        stderr(&o).contains("replaced the certificate an interrupted run never stored"),
        "{}",
        text(&o)
    );
    let now = app(&t, "m365-mail-wizard stopped")["certificates"].clone();
    assert_eq!(now.as_array().unwrap().len(), 1, "{now:#}");
    assert_ne!(now[0]["key_id"], first[0]["key_id"], "a new certificate");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn without_consent_to_read_policies_the_policy_is_said_to_be_unnamed_and_why() {
    if !secret_service() {
        return;
    }
    // Realistic: a refresh token gives no permission its sign-in was not consented.
    let t = Tenant::start(&["--auto-approve", "--forbid-secrets", "--realistic"]);
    let home = Home::new();
    let o = home
        .setup_cmd(&t, "unnamed", &common::GRAPH_READ_ALICE)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stderr(&o).contains("The policy could not be named: reading the tenant's default app management policy was refused (HTTP 403"),
        "{}",
        text(&o)
    );
}
