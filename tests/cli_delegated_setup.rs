//! `setup` of the delegated style through the real binary against `sandbox serve`: the app as
//! each of the consuming application's sign-ins needs it, read back through the sandbox's Graph
//! and Exchange admin API as an administrator would; a shared mailbox's FullAccess for its user;
//! the hybrid app, each style added to an app holding the other without removing anything; and
//! the refusals of bad answers.

mod common;

use std::process::Output;

use common::admin_api::AdminApi;
use common::{Home, Tenant, json, read, secret_service, text};
use serde_json::Value;

const IMAP_USER: &str = "652390e4-393a-48de-9484-05f9b1212954";
const USER_READ: &str = "e1fe6dd8-ba31-4d61-89e7-88639da4683d";
const MAIL_READ_ROLE: &str = "810c84a8-4a9e-49e6-bf7d-12d183f40d01";

fn encoded(filter: &str) -> String {
    filter.replace(' ', "%20").replace('\'', "%27")
}

/// The app registration named `name`, as Graph lists it.
fn app(api: &AdminApi, name: &str) -> Value {
    let apps = api.list(&encoded(&format!(
        "/v1.0/applications?$filter=displayName eq '{name}'"
    )));
    assert_eq!(apps.len(), 1, "one app named {name}: {apps:#?}");
    apps[0].clone()
}

/// The app's service principal id.
fn sp_of(api: &AdminApi, app: &Value) -> String {
    let sps = api.list(&encoded(&format!(
        "/v1.0/servicePrincipals?$filter=appId eq '{}'",
        app["appId"].as_str().unwrap()
    )));
    sps[0]["id"].as_str().unwrap().to_string()
}

/// The tenant-wide delegated grant of the app's service principal: its scopes.
fn granted_scopes(api: &AdminApi, sp: &str) -> Vec<String> {
    let grants = api.list(&encoded(&format!(
        "/v1.0/oauth2PermissionGrants?$filter=clientId eq '{sp}'"
    )));
    assert_eq!(grants.len(), 1, "{grants:#?}");
    assert_eq!(grants[0]["consentType"], "AllPrincipals", "{grants:#?}");
    grants[0]["scope"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// The ids and types `requiredResourceAccess` lists, lower case.
fn requested(app: &Value) -> Vec<(String, String)> {
    app["requiredResourceAccess"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["resourceAccess"].as_array().unwrap().clone())
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_ascii_lowercase(),
                a["type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(list: &[(String, String)], id: &str, kind: &str) -> bool {
    list.iter().any(|(i, k)| i == id && k == kind)
}

fn setup(home: &Home, t: &Tenant, profile: &str, args: &[&str]) -> Output {
    home.setup_cmd(t, profile, args).output().unwrap()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn device_code_turns_public_client_flows_on_and_a_shared_mailbox_gets_the_users_full_access() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "itsm",
        &[
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example",
            "--shared-mailbox",
            "carol@contoso.example",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "Give alice@contoso.example FullAccess to the shared mailbox carol@contoso.example"
        ),
        "{err}"
    );
    let api = AdminApi::sign_in(&t.sb);
    let a = app(&api, "m365-mail-wizard itsm");
    assert_eq!(a["isFallbackPublicClient"], true);
    assert_eq!(a["web"]["redirectUris"], serde_json::json!([]));
    let rra = requested(&a);
    assert!(has(&rra, IMAP_USER, "Scope"), "{rra:?}");
    assert!(
        !rra.iter().any(|(_, k)| k == "Role"),
        "no application role: {rra:?}"
    );
    assert!(
        !has(&rra, USER_READ, "Scope"),
        "no User.Read without --openid: {rra:?}"
    );
    let scopes = granted_scopes(&api, &sp_of(&api, &a));
    assert_eq!(
        scopes,
        ["IMAP.AccessAsUser.All", "SMTP.Send", "offline_access"]
    );
    let perms = api.cmdlet(
        "Get-MailboxPermission",
        serde_json::json!({"Identity": "carol@contoso.example", "User": "alice@contoso.example"}),
    );
    assert_eq!(perms.len(), 1, "{perms:#?}");
    assert_eq!(perms[0]["AccessRights"], serde_json::json!(["FullAccess"]));
    let saved = read(&home.config().join("profiles/itsm.toml"));
    assert!(saved.contains("flow = \"device-code\""), "{saved}");
    assert!(saved.contains("carol@contoso.example"), "{saved}");
    assert!(
        saved.contains("mailboxes = []"),
        "no app-only mailbox: {saved}"
    );
    // A second run finds everything made: nothing twice.
    let o = setup(
        &home,
        &t,
        "itsm",
        &[
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example",
            "--shared-mailbox",
            "carol@contoso.example",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("done in an earlier run"));
    let again = api.cmdlet(
        "Get-MailboxPermission",
        serde_json::json!({"Identity": "carol@contoso.example"}),
    );
    let alices: Vec<&Value> = again
        .iter()
        .filter(|p| p["User"] == "alice@contoso.example")
        .collect();
    assert_eq!(alices.len(), 1, "granted once: {again:#?}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_authorization_code_flow_registers_its_redirect_uri_and_leaves_public_client_flows_off() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let uri = "https://esm.contoso.example/oauth/callback";
    let o = setup(
        &home,
        &t,
        "esm",
        &[
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example,bob@contoso.example",
            "--delegated-sign-in",
            "authorization-code",
            "--redirect-uri",
            uri,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let api = AdminApi::sign_in(&t.sb);
    let a = app(&api, "m365-mail-wizard esm");
    assert_eq!(a["isFallbackPublicClient"], false);
    assert_eq!(a["web"]["redirectUris"], serde_json::json!([uri]));
    let saved = read(&home.config().join("profiles/esm.toml"));
    assert!(saved.contains("flow = \"authorization-code\""), "{saved}");
    assert!(saved.contains(uri), "{saved}");
    assert!(saved.contains("bob@contoso.example"), "{saved}");
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_password_flow_with_openid_asks_user_read_and_allows_public_client_flows() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "ropc",
        &[
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example",
            "--delegated-sign-in",
            "password",
            "--openid",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let api = AdminApi::sign_in(&t.sb);
    let a = app(&api, "m365-mail-wizard ropc");
    assert_eq!(a["isFallbackPublicClient"], true);
    assert!(has(&requested(&a), USER_READ, "Scope"), "{a:#}");
    let scopes = granted_scopes(&api, &sp_of(&api, &a));
    assert_eq!(
        scopes,
        [
            "IMAP.AccessAsUser.All",
            "SMTP.Send",
            "offline_access",
            "openid",
            "User.Read"
        ]
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn adding_the_delegated_part_to_an_app_only_app_keeps_its_roles() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let app_only = [
        "--access",
        "graph-read",
        "--mailbox",
        "alice@contoso.example",
        "--scope",
        "all-mailboxes",
        "--i-understand-all-mailboxes",
    ];
    let o = setup(&home, &t, "ecs", &app_only);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let api = AdminApi::sign_in(&t.sb);
    let before = app(&api, "m365-mail-wizard ecs");
    let sp = sp_of(&api, &before);
    let o = setup(
        &home,
        &t,
        "ecs",
        &[
            "--access",
            "graph-read,delegated-imap-smtp",
            "--mailbox",
            "alice@contoso.example",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
            "--delegated-user",
            "bob@contoso.example",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "keeps the existing permissions Mail.Read; adds IMAP.AccessAsUser.All (delegated)"
        ),
        "{err}"
    );
    assert!(err.contains("turns on public client flows"), "{err}");
    let after = app(&api, "m365-mail-wizard ecs");
    assert_eq!(after["appId"], before["appId"], "the same app");
    let rra = requested(&after);
    assert!(has(&rra, MAIL_READ_ROLE, "Role"), "the role kept: {rra:?}");
    assert!(has(&rra, IMAP_USER, "Scope"), "the scope added: {rra:?}");
    assert_eq!(after["isFallbackPublicClient"], true);
    let held = api.list(&format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"));
    assert!(
        held.iter().any(|x| x["appRoleId"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(MAIL_READ_ROLE)),
        "Mail.Read's consent kept: {held:#?}"
    );
    assert_eq!(held.len(), 1, "nothing granted twice: {held:#?}");
    assert_eq!(granted_scopes(&api, &sp).len(), 3);
    let saved = read(&home.config().join("profiles/ecs.toml"));
    assert!(
        saved.contains("mailboxes = [\"alice@contoso.example\"]"),
        "{saved}"
    );
    assert!(
        saved.contains("[delegated]") && saved.contains("bob@contoso.example"),
        "{saved}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn adding_the_app_only_part_to_a_delegated_app_keeps_its_scopes_and_consent() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "esm",
        &[
            "--name",
            "Service desk mail",
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "bob@contoso.example",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = setup(
        &home,
        &t,
        "ecs",
        &[
            "--name",
            "Service desk mail",
            "--reuse-app",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("keeps the existing permissions IMAP.AccessAsUser.All (delegated), SMTP.Send (delegated), offline_access (delegated); adds Mail.Read"),
        "{err}"
    );
    let api = AdminApi::sign_in(&t.sb);
    let a = app(&api, "Service desk mail");
    let rra = requested(&a);
    assert!(
        has(&rra, IMAP_USER, "Scope") && has(&rra, MAIL_READ_ROLE, "Role"),
        "{rra:?}"
    );
    assert_eq!(
        a["isFallbackPublicClient"], true,
        "public client flows stay on"
    );
    let sp = sp_of(&api, &a);
    assert_eq!(
        granted_scopes(&api, &sp).len(),
        3,
        "the delegated consent stays"
    );
    let held = api.list(&format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"));
    assert_eq!(held.len(), 1, "Mail.Read consented: {held:#?}");
}

#[test]
fn the_plan_names_the_sign_in_the_scopes_and_the_shared_mailbox_step() {
    let t = Tenant::start(&[]);
    let home = Home::new();
    let cf = t.sb.cloud_file();
    let o = home.run(
        &[
            "setup",
            "esm",
            "--tenant",
            "contoso.example",
            "--cloud-file",
            &cf,
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            "alice@contoso.example",
            "--shared-mailbox",
            "helpdesk@contoso.example",
            "--delegated-sign-in",
            "password",
            "--json",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let plan = json(&o)["plan"].as_array().unwrap().clone();
    let app = plan.iter().find(|s| s["kind"] == "create-app").unwrap();
    assert!(
        app["powershell"]
            .as_str()
            .unwrap()
            .contains("-IsFallbackPublicClient"),
        "{app:#}"
    );
    let consent = plan
        .iter()
        .find(|s| s["kind"] == "delegated-consent")
        .unwrap();
    assert!(
        consent["changes"]
            .as_str()
            .unwrap()
            .contains("openid and User.Read are left out"),
        "{consent:#}"
    );
    let exchange: Vec<&str> = plan
        .iter()
        .filter(|s| s["kind"] == "exchange")
        .map(|s| s["powershell"].as_str().unwrap())
        .collect();
    assert_eq!(
        exchange,
        [
            "Add-MailboxPermission -Identity 'helpdesk@contoso.example' -User 'alice@contoso.example' -AccessRights 'FullAccess'",
            "Set-CASMailbox -Identity 'alice@contoso.example' -SmtpClientAuthenticationDisabled $false",
            "Set-CASMailbox -Identity 'helpdesk@contoso.example' -SmtpClientAuthenticationDisabled $false",
        ],
        "the FullAccess, then SMTP AUTH for the mailboxes signed in to SMTP as: {plan:#?}"
    );
    assert!(
        t.apps_named("m365-mail-wizard esm").is_empty(),
        "nothing made"
    );
}

#[test]
fn bad_delegated_answers_are_refused_with_what_to_do() {
    let home = Home::new();
    let base = [
        "setup",
        "esm",
        "--tenant",
        "contoso.example",
        "--access",
        "delegated-imap-smtp",
    ];
    for (extra, says) in [
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--delegated-sign-in",
                "authorization-code",
            ],
            "--redirect-uri: the authorization-code flow needs the redirect URI",
        ),
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--delegated-sign-in",
                "authorization-code",
                "--redirect-uri",
                "http://esm.contoso.example/cb",
            ],
            "takes http only for localhost",
        ),
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--delegated-sign-in",
                "ropc",
            ],
            "use device-code, authorization-code or password",
        ),
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--redirect-uri",
                "https://esm.example/cb",
            ],
            "the device-code flow has none",
        ),
        (vec![], "--delegated-user: name at least one mailbox user"),
        (
            vec!["--mailbox", "alice@contoso.example"],
            "name the mailbox users with --delegated-user",
        ),
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--shared-mailbox",
                "alice@contoso.example",
            ],
            "is also a --delegated-user",
        ),
        (
            vec![
                "--delegated-user",
                "alice@contoso.example",
                "--public-client",
                "--delegated-sign-in",
                "password",
            ],
            "leave --public-client out",
        ),
        (
            vec!["--delegated-user", "not-an-address"],
            "--delegated-user:",
        ),
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(extra.iter().copied());
        let o = home.run(&args, "");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?}: {}", text(&o));
    }
    let o = home.run(
        &[
            "setup",
            "p",
            "--tenant",
            "contoso.example",
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example",
            "--shared-mailbox",
            "carol@contoso.example",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--shared-mailbox belongs to the delegated style"),
        "{}",
        text(&o)
    );
}

/// What changes from run to run in an export: loopback ports, the new app's client ID, the
/// test's keyring service, today.
fn normalise(s: &str, t: &Tenant, home: &Home, client_id: &str) -> String {
    let mut out = s
        .replace(client_id, "CLIENT-ID")
        .replace(&home.service(), "KEYRING-SERVICE");
    for key in ["login", "imap", "pop", "smtp"] {
        let v = t.sb.info[key].as_str().unwrap();
        let addr = v.trim_start_matches("http://");
        out = out.replace(addr, "127.0.0.1:PORT");
        let port = addr.rsplit(':').next().unwrap();
        out = out.replace(&format!(".port={port}\n"), ".port=PORT\n");
    }
    let today = time::OffsetDateTime::now_utc().date().to_string();
    out.replace(&today, "TODAY")
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_hybrid_profile_exports_esm_style_properties_and_a_report_of_both_styles() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = setup(
        &home,
        &t,
        "ecs",
        &[
            "--access",
            "graph-read,delegated-imap-smtp",
            "--mailbox",
            "alice@contoso.example",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
            "--delegated-user",
            "bob@contoso.example",
            "--shared-mailbox",
            "carol@contoso.example",
            "--delegated-sign-in",
            "authorization-code",
            "--redirect-uri",
            "https://esm.contoso.example/oauth/callback",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let client_id = t.apps_named("m365-mail-wizard ecs")[0]["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let o = home.run(&["export", "ecs", "--format", "properties"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let props = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!(
        "export_properties_hybrid",
        normalise(&props, &t, &home, &client_id)
    );
    let o = home.run(&["export", "ecs", "--format", "report"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = String::from_utf8(o.stdout).unwrap();
    for line in [
        "| alice@contoso.example | app-only |",
        "| bob@contoso.example | delegated | bob@contoso.example signs in to the consuming application (authorization-code flow); the user's own rights apply |",
        "| carol@contoso.example | delegated (shared) |",
        "30 messages a minute and 10,000 recipients a day",
        "FullAccess on carol@contoso.example for bob@contoso.example",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn asking_openid_later_adds_it_to_the_same_grant() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let args = [
        "--access",
        "delegated-imap-smtp",
        "--delegated-user",
        "alice@contoso.example",
    ];
    let o = setup(&home, &t, "esm", &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut more = args.to_vec();
    more.push("--openid");
    let o = setup(&home, &t, "esm", &more);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("keeps the granted IMAP.AccessAsUser.All SMTP.Send offline_access; adds openid User.Read"),
        "{err}"
    );
    let api = AdminApi::sign_in(&t.sb);
    let a = app(&api, "m365-mail-wizard esm");
    assert!(has(&requested(&a), USER_READ, "Scope"), "{a:#}");
    assert_eq!(
        granted_scopes(&api, &sp_of(&api, &a)),
        [
            "IMAP.AccessAsUser.All",
            "SMTP.Send",
            "offline_access",
            "openid",
            "User.Read"
        ],
        "one grant, the scopes added"
    );
}
