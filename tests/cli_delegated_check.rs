//! The delegated style's live check against `sandbox serve`: a delegated setup, then `check
//! --as-user`, where the mailbox user signs in to the app itself and IMAP, SMTP and the
//! refresh token are proven; each way it fails diagnosed; a hybrid profile; and no user token
//! anywhere it could leak.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::admin_api::{AdminApi, form, http};
use common::{Home, Tenant, json, row, secret_service, text};
use serde_json::{Value, json};

const ALICE: &str = "alice@contoso.example";

/// The sandbox, approving the admin's codes as the admin and every other client's as alice@.
fn tenant() -> Tenant {
    Tenant::start(&["--auto-approve", "--auto-approve-user", ALICE])
}

const SERVE: [&str; 3] = ["--auto-approve", "--auto-approve-user", ALICE];

const BOB: &str = "bob@contoso.example";

/// `setup NAME --access ACCESS --delegated-user alice@ EXTRA… --yes --json`; a hybrid app
/// reaches bob@ with its own sign-in.
fn setup(home: &Home, t: &Tenant, name: &str, access: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--access", access, "--delegated-user", ALICE, "--json"];
    if access != "delegated-imap-smtp" {
        args.extend(["--mailbox", BOB]);
    }
    args.extend(extra);
    let o = home
        .setup_cmd(t, name, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

fn check(home: &Home, args: &[&str], stdin: &str) -> (Output, Value) {
    let mut all = vec!["check"];
    all.extend(args);
    all.push("--json");
    let o = home.run(&all, stdin);
    let r = json(&o);
    (o, r)
}

fn status<'a>(r: &'a Value, id: &str) -> &'a str {
    row(r, id)["status"].as_str().unwrap()
}

fn summary(r: &Value, id: &str) -> String {
    row(r, id)["diagnosis"]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The profile file of `name` under the test's home.
fn profile_file(home: &Home, name: &str) -> std::path::PathBuf {
    files(home.dir.path())
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f == format!("{name}.toml").as_str())
        })
        .unwrap_or_else(|| panic!("no profile file {name}.toml"))
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Tokens the sandbox issues: a JWT (`eyJ…`) or a 64-character refresh token (outside the
/// PEM certificates a profile of the sandbox holds).
fn leaks(text: &str) -> Vec<String> {
    let mut rest = text.to_string();
    while let (Some(a), Some(b)) = (rest.find("-----BEGIN"), rest.find("-----END")) {
        if b < a {
            break;
        }
        rest.replace_range(a..b + 8, "");
    }
    let mut found = Vec::new();
    for word in rest.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))) {
        let jwt = word.starts_with("eyJ") && word.matches('.').count() == 2;
        let refresh = word.len() >= 64 && word.chars().all(|c| c.is_ascii_alphanumeric());
        if jwt || refresh {
            found.push(word.chars().take(12).collect());
        }
    }
    found
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_mailbox_user_signs_in_and_imap_smtp_and_the_refresh_token_pass_leaving_no_token() {
    if !secret_service() {
        return;
    }
    let t = tenant();
    let home = Home::new();
    setup(
        &home,
        &t,
        "esm",
        "delegated-imap-smtp",
        &["--public-client"],
    );
    let trace = home.dir.path().join("trace.jsonl");
    let trace_arg = trace.display().to_string();
    let (o, r) = check(
        &home,
        &["esm", "--as-user", ALICE, "--trace", &trace_arg],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(r["verdict"], "passed", "{r:#}");
    for id in [
        "token:user:alice@contoso.example",
        "delegated-imap:alice@contoso.example",
        "delegated-smtp:alice@contoso.example",
        "refresh:alice@contoso.example",
    ] {
        assert_eq!(status(&r, id), "passed", "{id}: {r:#}");
    }
    assert!(
        row(&r, "token:user:alice@contoso.example")["detail"]
            .as_str()
            .unwrap()
            .contains("IMAP.AccessAsUser.All SMTP.Send"),
        "{r:#}"
    );
    assert_eq!(
        row(&r, "token:graph")["detail"],
        "no application roles, and this access asks for none",
        "{r:#}"
    );
    assert!(text(&o).contains("sign in to the app as alice@contoso.example"));
    let mut scanned = vec![text(&o)];
    for f in files(home.dir.path()) {
        scanned.push(String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned());
    }
    assert!(std::fs::metadata(&trace).is_ok(), "the trace was written");
    for s in &scanned {
        assert_eq!(leaks(s), Vec::<String>::new(), "a token in {s:.300}");
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn public_client_flows_off_and_consent_missing_are_each_diagnosed() {
    if !secret_service() {
        return;
    }
    let mut t = tenant();
    let home = Home::new();
    setup(&home, &t, "private", "delegated-imap-smtp", &[]);
    // Someone turns "Allow public client flows" off again in the portal.
    let id = t.apps_named("m365-mail-wizard private")[0]["object_id"].clone();
    t.edit(&SERVE, |tenant| {
        for app in tenant["apps"].as_array_mut().unwrap() {
            if app["object_id"] == id {
                app["public_client"] = false.into();
            }
        }
    });
    let (o, r) = check(&home, &["private", "--as-user", ALICE], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let token = "token:user:alice@contoso.example";
    assert_eq!(status(&r, token), "failed");
    assert_eq!(
        summary(&r, token),
        "The app does not allow public client flows."
    );
    assert!(
        row(&r, token)["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .contains("AADSTS7000218")
    );
    assert!(
        row(&r, token)["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .contains("Allow public client flows")
    );
    assert_eq!(
        status(&r, "delegated-imap:alice@contoso.example"),
        "skipped"
    );

    setup(
        &home,
        &t,
        "open",
        "delegated-imap-smtp",
        &["--public-client"],
    );
    let sp = t.apps_named("m365-mail-wizard open")[0]["sp_id"].clone();
    t.edit(&SERVE, |tenant| {
        tenant["permission_grants"]
            .as_array_mut()
            .unwrap()
            .retain(|g| g["client_id"] != sp);
    });
    let (o, r) = check(&home, &["open", "--as-user", ALICE], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(
        summary(&r, token),
        "Nobody consented to the app's delegated permissions for alice@contoso.example."
    );
    let fix = row(&r, token)["diagnosis"]["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("Grant admin consent"), "{fix}");
    assert!(
        !fix.contains("Application permissions"),
        "never widen: {fix}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_password_flow_passes_for_alice_and_is_refused_for_mfa_and_a_wrong_password() {
    if !secret_service() {
        return;
    }
    let t = tenant();
    let password = t.sb.info["user_password"].as_str().unwrap().to_string();
    let mfa_user = t.sb.info["mfa_users"][0].as_str().unwrap().to_string();
    let home = Home::new();
    setup(
        &home,
        &t,
        "ropc",
        "delegated-imap-smtp",
        &["--public-client"],
    );
    let trace = home.dir.path().join("trace.jsonl").display().to_string();
    let args = [
        "ropc",
        "--as-user",
        ALICE,
        "--password-flow",
        "--trace",
        &trace,
    ];
    let (o, r) = check(&home, &args, &format!("{password}\n"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(r["verdict"], "passed", "{r:#}");
    assert!(
        text(&o).contains("Microsoft discourages it"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains(&password), "the password is never shown");

    let (o, r) = check(&home, &args, "not-the-password\n");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let token = "token:user:alice@contoso.example";
    assert_eq!(
        summary(&r, token),
        "The password of alice@contoso.example was refused."
    );

    let mfa = ["ropc", "--as-user", &mfa_user, "--password-flow"];
    let (o, r) = check(&home, &mfa, &format!("{password}\n"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let id = format!("token:user:{mfa_user}");
    assert!(
        summary(&r, &id).contains("must use multifactor authentication"),
        "{r:#}"
    );
    assert!(
        row(&r, &id)["diagnosis"]["evidence"]
            .as_str()
            .unwrap()
            .contains("AADSTS50076")
    );
    assert!(
        row(&r, &id)["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .contains("without --password-flow")
    );
    for f in files(home.dir.path()) {
        let content = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(
            !content.contains(&password),
            "the password in {}",
            f.display()
        );
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_shared_mailbox_needs_the_users_full_access_and_smtp_auth_off_is_named() {
    if !secret_service() {
        return;
    }
    let t = tenant();
    let home = Home::new();
    setup(
        &home,
        &t,
        "shared",
        "delegated-imap-smtp",
        &["--public-client"],
    );
    let file = profile_file(&home, "shared");
    let mut profile = std::fs::read_to_string(&file).unwrap();
    // erin@ is named as shared after the setup, so that alice@ has no FullAccess on it yet.
    let users = "users = [\"alice@contoso.example\"]\n";
    assert!(profile.contains(users), "{profile}");
    profile = profile.replace(
        users,
        &format!("{users}shared = [\"erin@contoso.example\"]\n"),
    );
    std::fs::write(&file, profile).unwrap();
    let (o, r) = check(&home, &["shared"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let erin = "delegated-imap:erin@contoso.example:as:alice@contoso.example";
    assert_eq!(status(&r, erin), "failed", "{r:#}");
    assert!(
        row(&r, erin)["diagnosis"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("Add-MailboxPermission -Identity erin@contoso.example -User alice@contoso.example -AccessRights FullAccess"),
        "{r:#}"
    );
    assert_eq!(status(&r, "delegated-imap:alice@contoso.example"), "passed");

    let admin = AdminApi::sign_in(&t.sb);
    admin.cmdlet(
        "Add-MailboxPermission",
        json!({"Identity": "erin@contoso.example", "User": ALICE, "AccessRights": ["FullAccess"]}),
    );
    admin.cmdlet(
        "Set-CASMailbox",
        json!({"Identity": ALICE, "SmtpClientAuthenticationDisabled": true}),
    );
    let (o, r) = check(&home, &["shared"], "");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(status(&r, erin), "passed", "{r:#}");
    let smtp = "delegated-smtp:alice@contoso.example";
    assert_eq!(status(&r, smtp), "failed");
    assert_eq!(
        row(&r, smtp)["diagnosis"]["fix"],
        "Allow it for this mailbox only: Set-CASMailbox -Identity alice@contoso.example -SmtpClientAuthenticationDisabled $false (leave the organisation's switch as it is)."
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_hybrid_profile_checks_app_only_and_delegated_access_green() {
    if !secret_service() {
        return;
    }
    let t = tenant();
    let home = Home::new();
    setup(
        &home,
        &t,
        "hybrid",
        "imap,delegated-imap-smtp",
        &[
            "--public-client",
            "--scope",
            "all-mailboxes",
            "--i-understand-all-mailboxes",
        ],
    );
    let (o, r) = check(&home, &["hybrid", "--as-user", ALICE], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(r["verdict"], "passed", "{r:#}");
    assert_eq!(status(&r, "imap:bob@contoso.example"), "passed");
    assert_eq!(status(&r, "delegated-imap:alice@contoso.example"), "passed");
    assert_eq!(status(&r, "refresh:alice@contoso.example"), "passed");
}

#[test]
fn without_a_mailbox_user_the_delegated_part_says_how_to_check_it() {
    let home = Home::new();
    let o = home.run(&["check", "--all", "--as-user", ALICE], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = home.run(&["check", "p", "--as-user", "not a mailbox"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--as-user not a mailbox"), "{}", text(&o));
    let o = home.run(&["check", "p", "--password-flow"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_wizards_own_sandbox_approves_the_mailbox_users_code_as_told() {
    if !secret_service() {
        return;
    }
    let seed: Value = serde_json::from_str(include_str!("../assets/sandbox_seed.json")).unwrap();
    let app = seed["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "scoped")
        .unwrap();
    let home = Home::new();
    let client_id = app["client_id"].as_str().unwrap();
    let o = home.run(
        &[
            "--sandbox",
            "add",
            "inproc",
            "--tenant",
            "contoso.example",
            "--client-id",
            client_id,
            "--access",
            "delegated-imap-smtp",
            "--delegated-user",
            ALICE,
            "--secret-stdin",
        ],
        app["secret"].as_str().unwrap(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The profile names its mailbox user: the check signs alice@ in without --as-user.
    let o = home.run(
        &[
            "--sandbox-auto-approve-user",
            ALICE,
            "check",
            "inproc",
            "--json",
        ],
        "",
    );
    // The code was approved as alice@ at once; the seeded app allows no public client flows.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = json(&o);
    assert_eq!(
        summary(&r, "token:user:alice@contoso.example"),
        "The app does not allow public client flows.",
        "{r:#}"
    );
    let o = home.run(
        &[
            "--sandbox",
            "add",
            "plain",
            "--tenant",
            "contoso.example",
            "--client-id",
            client_id,
            "--access",
            "graph-read",
            "--mailbox",
            ALICE,
            "--secret-stdin",
        ],
        app["secret"].as_str().unwrap(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = home.run(&["--sandbox", "check", "plain", "--as-user", ALICE], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("profile plain has none (its access: graph-read)"),
        "{}",
        text(&o)
    );
}

const CALLBACK: &str = "https://esm.example/oauth/callback";

/// An authorization code for alice@ from the app `client_id`, redirected to `redirect`: the
/// status, and the code when one came back.
fn authorization_code(t: &Tenant, client_id: &str, redirect: &str) -> (u16, Option<String>) {
    let login = t.sb.info["login"].as_str().unwrap();
    let tenant = t.sb.info["tenant_id"].as_str().unwrap();
    let query = form(&[
        ("client_id", client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        (
            "scope",
            "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access",
        ),
        ("sandbox_user", ALICE),
    ]);
    let url = format!("{login}/{tenant}/oauth2/v2.0/authorize?{query}");
    let (status, location, _) = http("GET", &url, &[], "");
    let code = location.filter(|l| l.starts_with(redirect)).and_then(|l| {
        l.split("code=")
            .nth(1)
            .map(|c| c.split('&').next().unwrap().to_string())
    });
    (status, code)
}

#[test]
fn an_app_gets_its_users_code_only_at_its_registered_redirect_and_redeems_it_with_its_secret() {
    let mut t = Tenant::start(&[]);
    let (client_id, secret, _) = t.sb.app("scoped");
    let apps = t.objects()["apps"].clone();
    let sp = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "scoped")
        .unwrap()["sp_id"]
        .clone();
    t.edit(&[], |tenant| {
        let apps = tenant["apps"].as_array_mut().unwrap();
        let app = apps.iter_mut().find(|a| a["key"] == "scoped").unwrap();
        app["web_redirect_uris"] = json!([CALLBACK]);
        tenant["permission_grants"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "id": "esm-grant",
                "client_id": sp,
                "resource_id": "f0000000-0000-4000-8000-000000000001",
                "scope": "IMAP.AccessAsUser.All SMTP.Send offline_access",
            }));
    });
    let (status, code) = authorization_code(&t, &client_id, "https://evil.example/callback");
    assert_eq!(
        (status, code),
        (400, None),
        "an unregistered redirect is refused"
    );

    let token_url = t.sb.info["token"].as_str().unwrap().to_string();
    let redeem = |code: &str, secret: Option<&str>| {
        let mut fields = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code),
            ("redirect_uri", CALLBACK),
        ];
        fields.extend(secret.map(|s| ("client_secret", s)));
        let content_type = [("Content-Type", "application/x-www-form-urlencoded")];
        let (status, _, body) = http("POST", &token_url, &content_type, &form(&fields));
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };
    let (status, code) = authorization_code(&t, &client_id, CALLBACK);
    assert_eq!(status, 302);
    let (status, answer) = redeem(&code.unwrap(), None);
    assert_eq!(status, 401, "{answer}");
    assert_eq!(
        answer["error_codes"][0], 7000218,
        "a web app sends its secret"
    );

    let (_, code) = authorization_code(&t, &client_id, CALLBACK);
    let (status, answer) = redeem(&code.unwrap(), Some(&secret));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["scope"], "IMAP.AccessAsUser.All SMTP.Send");
    assert!(answer["refresh_token"].is_string(), "{answer}");
    let payload = answer["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["upn"], ALICE);
    assert_eq!(claims["aud"], "https://outlook.office365.com");
    assert_eq!(claims["appid"], client_id.as_str());
}
