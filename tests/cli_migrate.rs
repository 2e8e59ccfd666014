//! `migrate PROFILE --to rbac` end to end against `sandbox serve`: the seeded Helpdesk app,
//! scoped by an application access policy and holding tenant-wide Graph roles, moved to RBAC for
//! Applications — the policy and the tenant-wide roles gone, the intended mailboxes reached and
//! the outside one refused (live check); killed after every step, then resumed or undone; undone
//! after it finished, killed after every undo step; never an app with neither scope; pending
//! while Exchange has not applied the scope.

mod common;

use std::process::Output;

use common::{Home, Tenant, json, row, secret_service, text};
use serde_json::Value;

/// The tenant-wide roles the seeded Helpdesk app holds, by value.
const WIDE: [&str; 3] = ["Mail.Read", "Mail.Send", "full_access_as_app"];

/// A profile for the seeded Helpdesk app: Graph reads of alice@ and bob@, ceo@ refused.
fn add_helpdesk(home: &Home, t: &Tenant) {
    let (client_id, secret, _) = t.sb.app("scoped");
    let cf = t.sb.cloud_file();
    let o = home.run(
        &[
            "add",
            "helpdesk",
            "--tenant",
            "contoso.example",
            "--client-id",
            &client_id,
            "--access",
            "graph-read",
            "--mailbox",
            "alice@contoso.example,bob@contoso.example",
            "--deny-mailbox",
            "ceo@contoso.example",
            "--cloud-file",
            &cf,
            "--secret-stdin",
        ],
        &secret,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

fn migrate(home: &Home, extra: &[&str], crash: Option<String>) -> Output {
    let mut c = home.cmd();
    c.args(["migrate", "helpdesk", "--to", "rbac"]).args(extra);
    if let Some(point) = crash {
        c.env("M365MW_CRASH_AFTER", point);
    }
    c.stdin(std::process::Stdio::null()).output().unwrap()
}

/// What scopes the app in the tenant: tenant-wide Entra roles, policies, RBAC assignments.
#[derive(Debug, PartialEq, Eq)]
struct Scoping {
    wide_roles: usize,
    policies: usize,
    rbac: usize,
    scopes: usize,
}

fn scoping(t: &Tenant) -> Scoping {
    let o = t.objects();
    let app = o["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == "scoped")
        .unwrap()
        .clone();
    let (sp, client) = (app["sp_id"].clone(), app["client_id"].clone());
    let role_ids: Vec<Value> = o["resource_principals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["app_roles"].as_array().unwrap().clone())
        .filter(|r| WIDE.contains(&r["value"].as_str().unwrap()))
        .map(|r| r["id"].clone())
        .collect();
    let count = |list: &str, f: &dyn Fn(&Value) -> bool| {
        o[list].as_array().unwrap().iter().filter(|x| f(x)).count()
    };
    Scoping {
        wide_roles: count("app_role_assignments", &|a| {
            a["principal_id"] == sp && role_ids.contains(&a["app_role_id"])
        }),
        policies: count("access_policies", &|p| p["app_id"] == client),
        rbac: count("role_assignments", &|r| r["app"] == sp),
        scopes: count("management_scopes", &|s| {
            s["name"] == "Helpdesk (scoped by policy) mailboxes"
        }),
    }
}

const BEFORE: Scoping = Scoping {
    wide_roles: 3,
    policies: 1,
    rbac: 0,
    scopes: 0,
};
const AFTER: Scoping = Scoping {
    wide_roles: 0,
    policies: 0,
    rbac: 3,
    scopes: 1,
};

/// Never neither scope: a tenant-wide role is restricted by the policy, and without tenant-wide
/// roles the RBAC scope is there.
fn assert_scoped(t: &Tenant, when: &str) {
    let s = scoping(t);
    assert!(
        s.wide_roles == 0 || s.policies > 0,
        "{when}: tenant-wide roles without the policy: {s:?}"
    );
    assert!(
        s.wide_roles > 0 || (s.rbac > 0 && s.scopes > 0),
        "{when}: neither the tenant-wide roles nor the RBAC scope: {s:?}"
    );
}

/// The live checks of the migrated profile: alice@ and bob@ reached, ceo@ refused.
fn assert_checks_pass(home: &Home) {
    let o = home.run(&["check", "helpdesk", "--json"], "");
    let r = json(&o);
    assert_eq!(o.status.code(), Some(0), "{r:#}");
    for id in [
        "graph-read:alice@contoso.example",
        "graph-read:bob@contoso.example",
    ] {
        assert_eq!(row(&r, id)["status"], "passed", "{r:#}");
    }
    let denied = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_str().unwrap().starts_with("denied"))
        .unwrap_or_else(|| panic!("a denied row: {r:#}"));
    assert_eq!(denied["status"], "passed", "ceo@ refused: {r:#}");
}

fn journal_path(home: &Home) -> std::path::PathBuf {
    home.data().join("migrate").join("helpdesk.json")
}

/// Moves the times undo recorded for the policies it made again 3 hours back: Exchange has
/// applied them by then (the wizard allows 2 hours).
fn age_remade_policies(home: &Home) {
    let path = journal_path(home);
    let mut j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let past = "2000-01-01T00:00:00Z";
    let made = j["made_at"].as_object_mut().unwrap();
    let keys: Vec<String> = made
        .keys()
        .filter(|k| k.starts_with("undo:policy:"))
        .cloned()
        .collect();
    assert!(!keys.is_empty(), "a policy made again: {made:?}");
    for k in keys {
        made.insert(k, Value::from(past));
    }
    std::fs::write(&path, serde_json::to_string(&j).unwrap()).unwrap();
}

/// `--undo` to the end: once the policy is made again, the roles wait for it (exit 5) with the
/// policy back and the RBAC scope still there; the time moved on, the rest is put back.
fn undo_to_the_end(home: &Home, t: &Tenant) {
    let o = migrate(home, &["--undo"], None);
    if o.status.code() == Some(5) {
        let s = scoping(t);
        assert_eq!(
            (s.policies, s.wide_roles),
            (1, 0),
            "the policy back first, the roles after it applies: {s:?}\n{}",
            text(&o)
        );
        assert_scoped(t, "undo waiting for the policy");
        age_remade_policies(home);
        let o = migrate(home, &["--undo"], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    } else {
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert_eq!(scoping(t), BEFORE, "all put back");
    assert!(!journal_path(home).exists(), "the journal gone");
    let profile = std::fs::read_to_string(home.config().join("profiles/helpdesk.toml")).unwrap();
    assert!(!profile.contains("rbac"), "{profile}");
}

/// How many steps the plan has.
fn steps(home: &Home) -> usize {
    let o = migrate(home, &["--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    json(&o)["plan"]["steps"].as_array().unwrap().len()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn a_policy_scoped_app_moves_to_rbac_and_back() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    add_helpdesk(&home, &t);
    assert_eq!(scoping(&t), BEFORE);

    // The plan, then its script: nothing changes.
    let o = migrate(&home, &[], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let plan = String::from_utf8_lossy(&o.stdout).to_string();
    for said in [
        "Create the management scope \"Helpdesk (scoped by policy) mailboxes\" over the members of helpdesk-mailboxes@contoso.example",
        "Assign \"Application Mail.Read\"",
        "Assign \"Application EWS.AccessAsApp\"",
        "Remove the tenant-wide Entra role Mail.Send",
        "Undo:       New-MgServicePrincipalAppRoleAssignment",
        "Remove-ApplicationAccessPolicy",
        "Kept: IMAP.AccessAsApp",
    ] {
        assert!(plan.contains(said), "{said} in:\n{plan}");
    }
    let o = migrate(&home, &["--print-script"], None);
    let script = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        script.contains("Test-ServicePrincipalAuthorization -Identity 'e0000000-0001-4000-8000-00000000b001' -Resource 'ceo@contoso.example'"),
        "{script}"
    );
    assert_eq!(scoping(&t), BEFORE, "nothing changed without --yes");

    let o = migrate(&home, &["--yes"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(scoping(&t), AFTER, "{}", text(&o));
    assert_checks_pass(&home);
    let profile = std::fs::read_to_string(home.config().join("profiles/helpdesk.toml")).unwrap();
    assert!(profile.contains("kind = \"rbac\""), "{profile}");

    let o = migrate(&home, &["--yes"], None);
    assert_eq!(o.status.code(), Some(2), "migrated already: {}", text(&o));
    assert!(text(&o).contains("--undo"), "{}", text(&o));

    undo_to_the_end(&home, &t);
    let o = migrate(&home, &["--undo"], None);
    assert_eq!(o.status.code(), Some(2), "nothing to undo: {}", text(&o));
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn killed_after_any_step_the_migration_resumes_or_is_undone_and_the_app_stays_scoped() {
    if !secret_service() {
        return;
    }
    let n = {
        let t = Tenant::start(&["--auto-approve"]);
        let home = Home::new();
        add_helpdesk(&home, &t);
        steps(&home)
    };
    assert_eq!(n, 10, "scope, 3 roles, test, 3 Entra roles, proof, policy");
    for step in 0..n {
        for resume in [true, false] {
            let t = Tenant::start(&["--auto-approve"]);
            let home = Home::new();
            add_helpdesk(&home, &t);
            let o = migrate(&home, &["--yes"], Some(format!("migrate:{step}")));
            assert_eq!(
                o.status.code(),
                Some(137),
                "killed after step {step}: {}",
                text(&o)
            );
            assert_scoped(&t, &format!("killed after step {step}"));
            let o = migrate(&home, &["--yes"], None);
            assert_eq!(o.status.code(), Some(2), "under way, told so: {}", text(&o));
            assert!(text(&o).contains("--resume"), "{}", text(&o));
            if resume {
                let o = migrate(&home, &["--resume"], None);
                assert_eq!(
                    o.status.code(),
                    Some(0),
                    "resumed after {step}: {}",
                    text(&o)
                );
                assert_eq!(scoping(&t), AFTER, "resumed after step {step}");
                assert_checks_pass(&home);
            } else {
                undo_to_the_end(&home, &t);
            }
        }
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn an_undo_killed_after_any_step_goes_on_and_the_app_stays_scoped() {
    if !secret_service() {
        return;
    }
    // Undone last step first: the policy (9), the proof (8), then the roles wait for the policy.
    for step in (0..10).rev() {
        let t = Tenant::start(&["--auto-approve"]);
        let home = Home::new();
        add_helpdesk(&home, &t);
        let o = migrate(&home, &["--yes"], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = migrate(&home, &["--undo"], Some(format!("migrate-undo:{step}")));
        match o.status.code() {
            Some(137) => assert_scoped(&t, &format!("undo killed after step {step}")),
            Some(5) => {
                assert!(
                    step < 8,
                    "the policy and the proof undone first: {}",
                    text(&o)
                );
                assert_scoped(&t, "undo waiting");
                age_remade_policies(&home);
                let o = migrate(&home, &["--undo"], Some(format!("migrate-undo:{step}")));
                assert_eq!(o.status.code(), Some(137), "{}", text(&o));
                assert_scoped(&t, &format!("undo killed after step {step}"));
            }
            other => panic!("undo step {step}: {other:?} {}", text(&o)),
        }
        undo_to_the_end(&home, &t);
    }
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn while_exchange_has_not_applied_the_scope_the_migration_waits_and_resumes() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--propagation-delay", "4"]);
    let home = Home::new();
    add_helpdesk(&home, &t);
    let o = migrate(&home, &["--yes"], None);
    assert_eq!(o.status.code(), Some(5), "pending: {}", text(&o));
    assert!(text(&o).contains("--resume"), "{}", text(&o));
    let s = scoping(&t);
    assert_eq!(
        (s.wide_roles, s.policies, s.rbac),
        (0, 1, 3),
        "the roles gone, the policy kept until the proof"
    );
    let mut code = None;
    for _ in 0..30 {
        let o = migrate(&home, &["--resume"], None);
        code = o.status.code();
        if code != Some(5) {
            assert_eq!(code, Some(0), "{}", text(&o));
            break;
        }
        assert_scoped(&t, "pending");
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    assert_eq!(code, Some(0), "the scope applied within 30 tries");
    assert_eq!(scoping(&t), AFTER);
}

#[test]
fn bad_input_is_refused_before_any_sign_in() {
    let home = Home::new();
    let o = home.run(&["migrate", "nobody", "--to", "rbac"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no profile named"), "{}", text(&o));
    let o = home.run(&["migrate", "x", "--to", "policy"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = home.run(
        &[
            "migrate",
            "x",
            "--to",
            "rbac",
            "--deny-mailbox",
            "not-an-address",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--deny-mailbox"), "{}", text(&o));
    let o = home.run(&["migrate", "x", "--to", "rbac", "--resume", "--undo"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// `migrate CLIENT_ID --tenant …`: the seeded Helpdesk app with no profile, its secret piped in.
fn migrate_client(home: &Home, t: &Tenant, extra: &[&str]) -> Output {
    let (client_id, secret, _) = t.sb.app("scoped");
    let cf = t.sb.cloud_file();
    let mut args = vec![
        "migrate",
        client_id.as_str(),
        "--to",
        "rbac",
        "--tenant",
        "contoso.example",
        "--cloud-file",
        &cf,
        "--mailbox",
        "alice@contoso.example,bob@contoso.example",
        "--deny-mailbox",
        "ceo@contoso.example",
        "--secret-stdin",
    ];
    args.extend(extra);
    home.run(&args, &secret)
}

#[test]
fn an_app_without_a_profile_is_migrated_by_its_client_id_and_undone() {
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let o = migrate_client(&home, &t, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Remove the tenant-wide Entra role Mail.Read"),
        "{}",
        text(&o)
    );
    assert_eq!(scoping(&t), BEFORE, "the plan changes nothing");
    let o = migrate_client(&home, &t, &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(scoping(&t), AFTER);
    assert!(
        !home.config().join("profiles").exists()
            || std::fs::read_dir(home.config().join("profiles"))
                .unwrap()
                .next()
                .is_none(),
        "no profile saved"
    );
    let o = migrate_client(&home, &t, &["--undo"]);
    assert_eq!(o.status.code(), Some(5), "the policy first: {}", text(&o));
    let (client_id, _, _) = t.sb.app("scoped");
    let path = home
        .data()
        .join("migrate")
        .join(format!("{client_id}.json"));
    let mut j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (k, v) in j["made_at"].as_object_mut().unwrap() {
        if k.starts_with("undo:policy:") {
            *v = Value::from("2000-01-01T00:00:00Z");
        }
    }
    std::fs::write(&path, j.to_string()).unwrap();
    let o = migrate_client(&home, &t, &["--undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(scoping(&t), BEFORE);
    let o = home.run(
        &[
            "migrate",
            "not-a-guid",
            "--to",
            "rbac",
            "--tenant",
            "contoso.example",
            "--mailbox",
            "a@b.c",
            "--secret-stdin",
        ],
        "x",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("client ID"), "{}", text(&o));
}
