//! `remove PROFILE --from-tenant` end to end against `sandbox serve`: a scoped setup's objects
//! all gone (counted in the sandbox's state), the client refused a token, the keyring entry and
//! profile gone, the offboarding record written; a shared app refused, naming the other
//! profile; a removal cut short resumes; without --yes nothing changes.

mod common;

use std::process::Output;

use common::{Home, Tenant, post_form, secret_service, secret_tool_lookup, text};
use serde_json::Value;

/// RBAC for Graph reads plus FullAccess for IMAP on two mailboxes, in a group the setup makes.
fn setup(home: &Home, t: &Tenant, profile: &str) {
    let o = home
        .setup_cmd(
            t,
            profile,
            &[
                "--access",
                "graph-read,imap",
                "--scope",
                "rbac",
                "--mailbox",
                "alice@contoso.example",
                "--mailbox",
                "bob@contoso.example",
                "--json",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

fn remove(home: &Home, profile: &str, extra: &[&str], crash: Option<&str>) -> Output {
    let mut c = home.cmd();
    c.args(["remove", profile, "--from-tenant"]).args(extra);
    if let Some(point) = crash {
        c.env("M365MW_CRASH_AFTER", point);
    }
    c.stdin(std::process::Stdio::null()).output().unwrap()
}

/// The app the setup made, by its name.
fn app(t: &Tenant, profile: &str) -> Value {
    t.apps_named(&format!("m365-mail-wizard {profile}"))[0].clone()
}

/// How many of the setup's objects the tenant holds, list by list.
fn objects_of(t: &Tenant, client_id: &str, sp: &str, group: &str) -> Vec<(&'static str, usize)> {
    let o = t.objects();
    let n = |list: &str, f: &dyn Fn(&Value) -> bool| {
        o[list]
            .as_array()
            .map(|a| a.iter().filter(|x| f(x)).count())
            .unwrap_or(0)
    };
    vec![
        ("apps", n("apps", &|a| a["client_id"] == client_id)),
        (
            "exchange_service_principals",
            n("exchange_service_principals", &|x| x["app_id"] == client_id),
        ),
        (
            "management_scopes",
            n("management_scopes", &|x| {
                x["name"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("m365-mail-wizard")
            }),
        ),
        (
            "role_assignments",
            n("role_assignments", &|x| x["app"] == sp),
        ),
        (
            "access_policies",
            n("access_policies", &|x| x["app_id"] == client_id),
        ),
        (
            "mailbox_permissions",
            n("mailbox_permissions", &|x| x["principal"] == sp),
        ),
        ("groups", n("groups", &|x| x["name"] == group)),
        (
            "app_role_assignments",
            n("app_role_assignments", &|x| x["principal_id"] == sp),
        ),
    ]
}

fn token_status(t: &Tenant, client_id: &str, secret: &str) -> u16 {
    post_form(
        t.sb.info["token"].as_str().unwrap(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
}

/// After a removal that finished: nothing of the setup left, the client refused, the local
/// state gone, the record written without the secret.
fn assert_all_gone(home: &Home, t: &Tenant, profile: &str, ids: (&str, &str, &str), secret: &str) {
    let (client_id, sp, group) = ids;
    for (list, n) in objects_of(t, client_id, sp, group) {
        assert_eq!(n, 0, "{list}: none of the setup's objects left");
    }
    let deleted = t.objects()["deleted_apps"].clone();
    assert!(
        deleted
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["client_id"] == client_id),
        "the app soft-deleted, restorable: {deleted:#}"
    );
    assert_eq!(
        token_status(t, client_id, secret),
        400,
        "the client is refused a token"
    );
    assert!(
        secret_tool_lookup(&home.service(), profile).is_none(),
        "keyring entry gone"
    );
    assert!(
        !home
            .config()
            .join("profiles")
            .join(format!("{profile}.toml"))
            .exists()
    );
    assert!(
        !home
            .data()
            .join("setup")
            .join(format!("{profile}.json"))
            .exists()
    );
    let dir = home.data().join("offboarding");
    let records: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(records.len(), 1, "one offboarding record");
    let path = records[0].path();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(secret), "no secret in the record");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["token"]["refused"], true, "{r:#}");
    assert_eq!(r["client_id"], client_id);
    assert!(r["removed"].as_array().unwrap().len() >= 7, "{r:#}");
    let restore = r["app_restore"].as_str().unwrap();
    assert!(restore.contains("30 days"), "{r:#}");
    assert!(
        restore.contains("/directory/deletedItems/") && restore.contains("/restore"),
        "where to restore from: {r:#}"
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn remove_from_tenant_leaves_none_of_the_setups_objects_and_the_client_refused() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    setup(&home, &t, "leaver");
    let a = app(&t, "leaver");
    let (client_id, sp) = (
        a["client_id"].as_str().unwrap().to_string(),
        a["sp_id"].as_str().unwrap().to_string(),
    );
    let secret = secret_tool_lookup(&home.service(), "leaver").unwrap();
    let before = objects_of(&t, &client_id, &sp, "m365mw-leaver");
    for (list, n) in &before[..7] {
        if *list != "access_policies" {
            assert!(*n > 0, "{list}: the setup made some: {before:?}");
        }
    }
    assert_eq!(
        token_status(&t, &client_id, &secret),
        200,
        "signs in before"
    );

    // Without --yes: the plan, with PowerShell; nothing changes.
    let o = remove(&home, "leaver", &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let plan = String::from_utf8_lossy(&o.stdout);
    for cmd in [
        "Remove-ManagementRoleAssignment",
        "Remove-ManagementScope",
        "Remove-MailboxPermission",
        "Remove-ServicePrincipal",
        "Remove-DistributionGroup",
        "Remove-MgApplication",
        "30 days",
    ] {
        assert!(plan.contains(cmd), "{cmd} in the plan: {plan}");
    }
    assert_eq!(objects_of(&t, &client_id, &sp, "m365mw-leaver"), before);
    assert!(secret_tool_lookup(&home.service(), "leaver").is_some());

    let o = remove(&home, "leaver", &["--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("can no longer get a token"), "{err}");
    assert!(err.contains("restore") && err.contains("30 days"), "{err}");
    assert_all_gone(
        &home,
        &t,
        "leaver",
        (&client_id, &sp, "m365mw-leaver"),
        &secret,
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_app_shared_with_another_profile_is_refused_naming_it() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    setup(&home, &t, "first");
    let a = app(&t, "first");
    let (client_id, sp) = (
        a["client_id"].as_str().unwrap(),
        a["sp_id"].as_str().unwrap(),
    );
    // A second profile of the same app, as `add` would make it.
    let dir = home.config().join("profiles");
    let first = std::fs::read_to_string(dir.join("first.toml")).unwrap();
    assert!(first.contains("name = \"first\""), "{first}");
    let second = first.replace("name = \"first\"", "name = \"second\"");
    std::fs::write(dir.join("second.toml"), second).unwrap();
    let before = objects_of(&t, client_id, sp, "m365mw-first");

    let o = remove(&home, "first", &["--yes"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("also used by profile second"), "{err}");
    assert_eq!(
        objects_of(&t, client_id, sp, "m365mw-first"),
        before,
        "nothing removed"
    );
    assert!(
        dir.join("first.toml").exists() && secret_tool_lookup(&home.service(), "first").is_some()
    );
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_removal_cut_short_resumes_with_the_next_run() {
    if !secret_service() {
        return;
    }
    let mut t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    setup(&home, &t, "halfway");
    let a = app(&t, "halfway");
    let (client_id, sp) = (
        a["client_id"].as_str().unwrap().to_string(),
        a["sp_id"].as_str().unwrap().to_string(),
    );
    let secret = secret_tool_lookup(&home.service(), "halfway").unwrap();
    // Killed after the third removal: the rest stays, the profile too.
    let o = remove(&home, "halfway", &["--yes"], Some("remove:2"));
    assert_eq!(o.status.code(), Some(137), "{}", text(&o));
    let left = objects_of(&t, &client_id, &sp, "m365mw-halfway");
    assert!(left.iter().any(|(_, n)| *n > 0), "{left:?}");
    assert!(home.config().join("profiles").join("halfway.toml").exists());
    // Exchange then answers 503 for a while: the run stops, unavailable, and changes nothing more.
    // The same port: the profile keeps the endpoints it was set up with.
    let token = t.sb.info["token"].as_str().unwrap().to_string();
    let port = token
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    t.restart(&[
        "--auto-approve",
        "--port",
        &port,
        "--faults",
        "exchange:503:20",
    ]);
    let o = remove(&home, "halfway", &["--yes"], None);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("Run the same command again"),
        "{}",
        text(&o)
    );
    t.restart(&["--auto-approve", "--port", &port]);
    let o = remove(&home, "halfway", &["--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already gone"),
        "{}",
        text(&o)
    );
    assert_all_gone(
        &home,
        &t,
        "halfway",
        (&client_id, &sp, "m365mw-halfway"),
        &secret,
    );
}

#[test]
fn remove_without_from_tenant_or_of_an_unknown_profile_is_refused() {
    let home = Home::new();
    let o = home.run(&["remove", "nobody"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--from-tenant") && text(&o).contains("forget nobody"),
        "{}",
        text(&o)
    );
    let o = home.run(&["remove", "nobody", "--from-tenant", "--yes"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nobody"), "{}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_delegated_users_full_access_on_a_shared_mailbox_goes_with_the_app() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = home
        .setup_cmd(
            &t,
            "desk",
            &[
                "--access",
                "delegated-imap-smtp",
                "--delegated-user",
                "alice@contoso.example",
                "--shared-mailbox",
                "erin@contoso.example",
                "--json",
            ],
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let alice = t.objects()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["mail"] == "alice@contoso.example")
        .unwrap()["id"]
        .clone();
    let granted = |t: &Tenant| {
        t.objects()["mailbox_permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["mailbox"] == "erin@contoso.example" && p["principal"] == alice)
            .count()
    };
    assert_eq!(granted(&t), 1, "the setup gave alice@ FullAccess on erin@");

    let o = remove(&home, "desk", &[], None);
    let plan = String::from_utf8_lossy(&o.stdout);
    assert!(
        plan.contains("Remove-MailboxPermission -Identity 'erin@contoso.example' -User 'alice@contoso.example'"),
        "{plan}"
    );
    assert_eq!(granted(&t), 1, "nothing changes without --yes");
    let o = remove(&home, "desk", &["--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(granted(&t), 0, "alice@'s FullAccess on erin@ is gone");
}
