//! `renew` and `cert` through the real binary against `sandbox serve`: when the proof fails,
//! the old secret stays in the keyring and on the app, and the checks still pass; expiry, the
//! move to a certificate, guided renewal. The two phases of a renewal: `cli_renew_phases.rs`.

mod common;

use common::{Home, Served, Tenant, json, read, secret_service, secret_tool_lookup, text};
use serde_json::Value;

/// A sandbox that approves sign-ins at once, its tenant readable from its state file.
fn served(extra: &[&str]) -> Tenant {
    let mut args = vec!["--auto-approve"];
    args.extend(extra);
    Tenant::start(&args)
}

fn app(t: &Tenant, client_id: &str) -> Value {
    t.objects()["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == client_id)
        .cloned()
        .unwrap()
}

/// The sign-in asked for exactly the permissions `asks` starts with, and none of a setup's.
fn assert_asks(o: &std::process::Output, asks: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("Asks for "))
        .unwrap_or_else(|| panic!("no line on the permissions asked for: {err}"));
    assert!(line.starts_with(&format!("Asks for {asks}")), "{line}");
    assert!(!line.contains("AppRoleAssignment"), "{line}");
}

fn add_scoped(home: &Home, sb: &Served, name: &str) -> (String, String) {
    let (client_id, secret, _) = sb.app("scoped");
    let o = add_with(home, sb, name, &client_id, &secret, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (client_id, secret)
}

/// `add NAME` for the app `client_id`, with `secret` on standard input.
fn add_with(
    home: &Home,
    sb: &Served,
    name: &str,
    client_id: &str,
    secret: &str,
    extra: &[&str],
) -> std::process::Output {
    let cf = sb.cloud_file();
    let mut args = vec![
        "add",
        name,
        "--force",
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
    ];
    args.extend(extra);
    home.run(&args, secret)
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_failed_proof_keeps_the_old_secret_working() {
    if !secret_service() {
        return;
    }
    // The sign-in's poll is the first token request; the proof of the new secret the second.
    let state = served(&["--faults", "token:401:1@1"]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, old) = add_scoped(&home, sb, "keeper");
    let o = home.run(&["renew", "keeper"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("The new secret did not work; the old one stays in use."),
        "{}",
        text(&o)
    );
    assert_eq!(
        secret_tool_lookup(&home.service(), "keeper").as_deref(),
        Some(old.as_str()),
        "the old secret is back in the keyring"
    );
    let a = app(&state, &client_id);
    assert_eq!(
        a["secret"].as_str(),
        Some(old.as_str()),
        "the old secret is still on the app"
    );
    assert!(
        a["passwords"].as_array().unwrap().is_empty(),
        "the new one was removed"
    );
    let o = home.run(&["check", "keeper", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}

fn recorded_expiry(home: &Home, name: &str) -> Value {
    let o = home.run(&["profiles", "--json"], "");
    json(&o)
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["secret_expires"].clone())
        .unwrap()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn expiry_is_read_from_the_app_registration_for_secrets_and_certificates() {
    if !secret_service() {
        return;
    }
    let state = served(&[]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, _) = add_scoped(&home, sb, "helpdesk");
    assert_eq!(recorded_expiry(&home, "helpdesk"), Value::Null);
    let o = home.run(&["expiry", "helpdesk"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Read with a sign-in that holds Application.Read.All only: the sandbox reads the app
    // registration for it, and would refuse any change.
    assert_asks(
        &o,
        "Application.Read.All: to read the app's secret expiry — nothing is changed.",
    );
    let seeded = app(&state, &client_id)["secret_expires"]
        .as_str()
        .unwrap()
        .get(..10)
        .unwrap()
        .to_string();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), seeded);
    assert!(
        text(&o).contains(&format!("the secret in use expires {seeded}")),
        "{}",
        text(&o)
    );
    assert_eq!(recorded_expiry(&home, "helpdesk"), seeded.as_str());

    // After a renewal the app holds only the new secret; its end date is the one read.
    let o = home.run(&["renew", "helpdesk", "--secret-months", "3"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let renewed = recorded_expiry(&home, "helpdesk");
    assert_ne!(renewed, seeded.as_str());
    let o = add_with(
        &home,
        sb,
        "other",
        &client_id,
        "Zz9~not-a-secret-of-this-app",
        &["--secret-expires", "2031-02-03"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        recorded_expiry(&home, "other"),
        "2031-02-03",
        "typed in at add"
    );
    let o = home.run(&["expiry", "other"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("The app lists no secret like the one in the keyring for other."),
        "{}",
        text(&o)
    );
    assert_eq!(
        recorded_expiry(&home, "other"),
        "2031-02-03",
        "left as it was"
    );
    let o = home.run(&["expiry", "helpdesk"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(recorded_expiry(&home, "helpdesk"), renewed);

    // A certificate: its end date as registered on the app.
    let o = home.run(&["cert", "helpdesk", "--months", "18"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_asks(&o, "Application.ReadWrite.All: ");
    let made = recorded_expiry(&home, "helpdesk");
    let path = home.config().join("profiles/helpdesk.toml");
    let edited = read(&path).replace(made.as_str().unwrap(), "2030-01-01");
    std::fs::write(&path, edited).unwrap();
    // A certificate is found by its name on the app: the keyring is not needed for that.
    let cleared = std::process::Command::new("secret-tool")
        .args(["clear", "service", &home.service(), "username", "helpdesk"])
        .status()
        .unwrap();
    assert!(cleared.success());
    assert_eq!(secret_tool_lookup(&home.service(), "helpdesk"), None);
    let o = home.run(&["expiry", "helpdesk"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("the certificate in use expires"),
        "{}",
        text(&o)
    );
    assert_eq!(recorded_expiry(&home, "helpdesk"), made);
}

#[test]
fn a_bad_expiry_at_add_is_refused_before_anything_is_saved() {
    let sb = Served::start(&[]);
    let home = Home::new();
    let (client_id, secret, _) = sb.app("scoped");
    let add = |expires: &str| {
        add_with(
            &home,
            &sb,
            "typed",
            &client_id,
            &secret,
            &["--secret-expires", expires],
        )
    };
    let o = add("31/12/2027");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--secret-expires: \"31/12/2027\" is not a date: write it as 2027-05-26"),
        "{}",
        text(&o)
    );
    let o = add("2001-01-01");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not in the future"), "{}", text(&o));
    assert!(!home.config().join("profiles/typed.toml").exists());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn renewing_without_admin_rights_changes_nothing() {
    if !secret_service() {
        return;
    }
    let state = Tenant::start(&["--auto-approve", "alice@contoso.example"]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, old) = add_scoped(&home, sb, "norights");
    let o = home.run(&["renew", "norights"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("may not make this change") && text(&o).contains("Nothing was changed"),
        "{}",
        text(&o)
    );
    assert_eq!(
        secret_tool_lookup(&home.service(), "norights").as_deref(),
        Some(old.as_str())
    );
    let a = app(&state, &client_id);
    assert_eq!(a["secret"].as_str(), Some(old.as_str()));
    assert!(a["passwords"].as_array().unwrap().is_empty());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_missing_keyring_entry_is_named() {
    if !secret_service() {
        return;
    }
    let state = served(&[]);
    let sb = &state.sb;
    let home = Home::new();
    add_scoped(&home, sb, "gone");
    let o = std::process::Command::new("secret-tool")
        .args(["clear", "service", &home.service(), "username", "gone"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = home.run(&["renew", "gone"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("Profile gone has no secret in the keyring."),
        "{}",
        text(&o)
    );

    // check: a report all the same, naming the entry; the other profiles are still checked,
    // and a damaged profile file is reported in its place without stopping them.
    add_scoped(&home, sb, "kept");
    let o = home.run(&["check", "gone", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    assert_eq!(r["verdict"], "failed");
    assert_eq!(r["checks"][0]["id"], "keyring");
    assert!(
        r["checks"][0]["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .contains("add gone --force"),
        "{r:#}"
    );
    std::fs::write(
        home.config().join("profiles/broken.toml"),
        "name = \"broken\"\ncloud = [",
    )
    .unwrap();
    let o = home.run(&["check", "--all", "--json"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let all = json(&o);
    let verdicts: Vec<(&str, &str)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap_or("-"),
                r["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [("-", "failed"), ("gone", "failed"), ("kept", "passed")],
        "in the files' order, the damaged one (broken.toml) in its place: {all:#}"
    );
    assert!(
        all[0]["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("broken.toml:2"),
        "{all:#}"
    );
    assert!(text(&o).contains("broken.toml:2"), "{}", text(&o));
    std::fs::remove_file(home.config().join("profiles/gone.toml")).unwrap();
    let o = home.run(&["check", "--all"], "");
    assert_eq!(
        o.status.code(),
        Some(2),
        "only the damaged file fails: {}",
        text(&o)
    );
    let o = home.run(&["forget", "broken"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("broken.toml:2")
            && text(&o).contains("removing the file as asked")
            && text(&o).contains(
                "Forgot the damaged profile broken (no entry in the Secret Service keyring)"
            ),
        "{}",
        text(&o)
    );
    assert!(!home.config().join("profiles/broken.toml").exists());
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_profile_moves_to_a_certificate_and_checks_with_it() {
    if !secret_service() {
        return;
    }
    let state = served(&[]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, secret) = add_scoped(&home, sb, "certified");
    let o = home.run(&["cert", "certified", "--months", "6"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("now signs in with a certificate"),
        "{}",
        text(&o)
    );
    let key = secret_tool_lookup(&home.service(), "certified").unwrap();
    assert!(
        key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "the keyring holds the private key"
    );
    let a = app(&state, &client_id);
    assert_eq!(a["certificates"].as_array().unwrap().len(), 1);
    assert!(
        !a["certificates"].to_string().contains("PRIVATE KEY"),
        "only the public part is registered"
    );
    let profile = std::fs::read_to_string(home.config().join("profiles/certified.toml")).unwrap();
    assert!(
        profile.contains("kind = \"certificate\"") && !profile.contains("PRIVATE"),
        "{profile}"
    );
    let sha1 = profile
        .lines()
        .find_map(|l| l.strip_prefix("sha1_thumbprint = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("the SHA-1 thumbprint is kept: {profile}"));
    assert!(
        sha1.len() == 40 && sha1.chars().all(|c| c.is_ascii_hexdigit()),
        "{sha1}"
    );
    let o = home.run(&["check", "certified", "--json"], "");
    let r = json(&o);
    assert_eq!(r["verdict"], "passed", "{r:#}");
    for f in ["env", "json", "report"] {
        let o = home.run(&["export", "certified", "--format", f], "");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            !out.contains("PRIVATE KEY") && !out.contains(&secret),
            "{f}"
        );
    }
    let o = home.run(&["export", "certified", "--format", "report"], "");
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("Certificate and its renewal")
            && !report.contains("client secret is in the keyring")
            && !report.contains("New client secret"),
        "a certificate profile's handover speaks of its certificate: {report}"
    );
    let o = home.run(&["export", "certified", "--format", "env"], "");
    let env = String::from_utf8_lossy(&o.stdout);
    assert!(
        env.contains("M365_CLIENT_CERTIFICATE_X5T_S256=") && !env.contains("M365_CLIENT_SECRET"),
        "a certificate profile is not exported as a secret: {env}"
    );
    assert!(
        env.contains("M365_CLIENT_ASSERTION_ALG=PS256"),
        "the consuming app is told the algorithm: {env}"
    );
    let o = home.run(&["renew", "certified"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cert certified"), "{}", text(&o));

    // Rotation in two phases: a new certificate, proven; the old one stays on the app until
    // the renewal is finished.
    let first = a["certificates"][0]["thumbprint"].clone();
    let o = home.run(&["cert", "certified", "--months", "12"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("The old certificate (key ID")
            && text(&o).contains("renew certified --finish"),
        "{}",
        text(&o)
    );
    let a = app(&state, &client_id);
    assert_eq!(a["certificates"].as_array().unwrap().len(), 2, "both stay");
    // The check above signed in with the old certificate: the logs show it, so not without
    // --force.
    let o = home.run(&["renew", "certified", "--finish"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("the old certificate (key ID") && text(&o).contains("last signed in"),
        "{}",
        text(&o)
    );
    assert_eq!(
        app(&state, &client_id)["certificates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let o = home.run(&["renew", "certified", "--finish", "--force"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("Removed the old certificate"),
        "{}",
        text(&o)
    );
    let a = app(&state, &client_id);
    let certs = a["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "only the new certificate: {certs:#?}");
    assert_ne!(certs[0]["thumbprint"], first);
    assert_eq!(
        a["secret"], "",
        "the client secret it replaced first went too"
    );
    assert_ne!(
        secret_tool_lookup(&home.service(), "certified").unwrap(),
        key,
        "the keyring holds the new private key"
    );
    let o = home.run(&["check", "certified", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_certificate_uploaded_in_the_portal_is_proven_then_used() {
    use std::io::{BufRead, BufReader, Write};
    if !secret_service() {
        return;
    }
    let state = served(&[]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, secret) = add_scoped(&home, sb, "uploaded");
    let mut child = home
        .cmd()
        .args(["cert", "uploaded", "--guided"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut told = String::new();
    let file = loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "no upload step: {told}"
        );
        told.push_str(&line);
        if let Some(path) = line.split("Upload certificate: choose ").nth(1) {
            break path.trim().to_string();
        }
    };
    let pem = std::fs::read_to_string(&file).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----") && !pem.contains("PRIVATE"));
    assert_eq!(
        secret_tool_lookup(&home.service(), "uploaded").as_deref(),
        Some(secret.as_str()),
        "nothing changes before the upload is confirmed"
    );
    let login = sb.info["login"].as_str().unwrap();
    let status = common::post_form(
        &format!("{login}/sandbox/portal/certificate"),
        &[
            ("client_id", &client_id),
            ("certificate", &pem),
            // A name of the admin's own: the wizard finds it by its SHA-1 thumbprint.
            ("description", "Helpdesk mail 2027"),
        ],
    );
    assert_eq!(status, 204);
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{told}{rest}");
    assert!(
        rest.contains("now signs in with the uploaded certificate"),
        "{rest}"
    );
    assert_eq!(
        app(&state, &client_id)["certificates"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let o = home.run(&["check", "uploaded", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
    let profile = read(&home.config().join("profiles/uploaded.toml"));
    assert!(profile.contains("sha1_thumbprint = \""), "{profile}");

    // Graph lists the upload under its SHA-1 thumbprint (customKeyIdentifier), not a name the
    // wizard gave it: the expiry is found by that.
    let o = home.run(&["expiry", "uploaded"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("the certificate in use expires"),
        "{}",
        text(&o)
    );
    // Replaced by a certificate registered through Graph: the upload, found the same way,
    // stays until the renewal is finished.
    let uploaded = app(&state, &client_id)["certificates"][0]["key_id"].clone();
    let o = home.run(&["cert", "uploaded", "--months", "6"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        app(&state, &client_id)["certificates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let o = home.run(&["renew", "uploaded", "--finish", "--force"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let certs = app(&state, &client_id)["certificates"].clone();
    let certs = certs.as_array().unwrap();
    assert_eq!(certs.len(), 1, "{certs:#?}");
    assert_ne!(certs[0]["key_id"], uploaded, "only the new one is left");
    let o = home.run(&["check", "uploaded", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn guided_renewal_proves_the_pasted_secret_or_keeps_the_old_one() {
    if !secret_service() {
        return;
    }
    let state = served(&[]);
    let sb = &state.sb;
    let home = Home::new();
    let (_, secret) = add_scoped(&home, sb, "byhand");
    let o = home.run(
        &["renew", "byhand", "--guided"],
        "Zq71Q~not.the.right.value.at.all.0000000\n\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("the old one stays in use"),
        "{}",
        text(&o)
    );
    assert_eq!(
        secret_tool_lookup(&home.service(), "byhand").as_deref(),
        Some(secret.as_str())
    );
    let o = home.run(
        &["renew", "byhand", "--guided"],
        &format!("{secret}\n2099-12-31\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("delete the old secret"), "{}", text(&o));
    let profile = std::fs::read_to_string(home.config().join("profiles/byhand.toml")).unwrap();
    assert!(
        profile.contains("secret_expires = \"2099-12-31\""),
        "{profile}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_certificate_whose_proof_fails_is_rolled_back_and_the_secret_kept() {
    if !secret_service() {
        return;
    }
    // The sign-in's poll is the first token request; the certificate's proof the second.
    let state = served(&["--faults", "token:401:1@1"]);
    let sb = &state.sb;
    let home = Home::new();
    let (client_id, secret) = add_scoped(&home, sb, "unproven");
    let before = std::fs::read_to_string(home.config().join("profiles/unproven.toml")).unwrap();
    let o = home.run(&["cert", "unproven", "--months", "6"], "");
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        secret_tool_lookup(&home.service(), "unproven").as_deref(),
        Some(secret.as_str()),
        "the secret is back in the keyring: {}",
        text(&o)
    );
    let a = app(&state, &client_id);
    assert!(
        a["certificates"].as_array().is_none_or(|c| c.is_empty()),
        "the unproven certificate was removed from the app: {a:#}"
    );
    let after = std::fs::read_to_string(home.config().join("profiles/unproven.toml")).unwrap();
    assert_eq!(before, after, "the profile still names the secret");
    let o = home.run(&["check", "unproven", "--json"], "");
    assert_eq!(json(&o)["verdict"], "passed", "{}", text(&o));
}
