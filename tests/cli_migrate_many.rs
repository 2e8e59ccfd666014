//! `migrate A B C --to rbac` against `sandbox serve --extra-apps`: a tenant-wide app and a
//! policy-scoped app, named by their client IDs, migrated one after the other with one sign-in,
//! each with its own journal; an app holding only per-mailbox permissions refused with its
//! reason; a summary at the end and the worst exit code.

mod common;

use common::{Home, Tenant, text};
use serde_json::Value;

const GROUP: &str = "alice@contoso.example,bob@contoso.example";

/// The first app the sandbox generated of `kind`: its client ID, service principal and secret.
fn generated(t: &Tenant, kind: &str) -> (String, String, String) {
    let o = t.objects();
    let a = o["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["expect"] == format!("audit:{kind}"))
        .unwrap_or_else(|| panic!("no app of kind {kind}"))
        .clone();
    let s = |k: &str| a[k].as_str().unwrap().to_string();
    (s("client_id"), s("sp_id"), s("secret"))
}

fn migrate(
    home: &Home,
    t: &Tenant,
    ids: &[&str],
    secrets: &str,
    extra: &[&str],
) -> std::process::Output {
    let cf = t.sb.cloud_file();
    let mut args = vec!["migrate"];
    args.extend(ids);
    args.extend([
        "--to",
        "rbac",
        "--tenant",
        "contoso.example",
        "--cloud-file",
        &cf,
        "--mailboxes",
        GROUP,
        "--mailbox",
        GROUP,
        "--deny-mailbox",
        "ceo@contoso.example",
        "--secret-stdin",
    ]);
    args.extend(extra);
    home.run(&args, secrets)
}

/// What still gives the app mail access in the tenant: its tenant-wide Graph mail roles, its
/// access policies, its RBAC role assignments.
fn holds(t: &Tenant, client_id: &str, sp: &str) -> (usize, usize, usize) {
    let o = t.objects();
    let mail_roles: Vec<Value> = o["resource_principals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["app_roles"].as_array().unwrap().clone())
        .filter(|r| r["value"].as_str().unwrap().starts_with("Mail."))
        .map(|r| r["id"].clone())
        .collect();
    let count = |list: &str, f: &dyn Fn(&Value) -> bool| {
        o[list].as_array().unwrap().iter().filter(|x| f(x)).count()
    };
    (
        count("app_role_assignments", &|a| {
            a["principal_id"] == sp && mail_roles.contains(&a["app_role_id"])
        }),
        count("access_policies", &|p| p["app_id"] == client_id),
        count("role_assignments", &|r| r["app"] == sp),
    )
}

#[test]
fn several_apps_are_migrated_in_turn_and_one_that_cannot_be_is_refused_with_its_reason() {
    let t = Tenant::start(&["--auto-approve", "--extra-apps", "8"]);
    let home = Home::new();
    let (wide, wide_sp, wide_secret) = generated(&t, "tenant-wide");
    let (policy, policy_sp, policy_secret) = generated(&t, "policy");
    let (perms, perms_sp, perms_secret) = generated(&t, "mailbox-permissions");
    assert_eq!(holds(&t, &wide, &wide_sp), (1, 0, 0));
    assert_eq!(holds(&t, &policy, &policy_sp), (2, 1, 0));
    let secrets = format!("{wide_secret}\n{policy_secret}\n{perms_secret}\n");
    let ids = [wide.as_str(), policy.as_str(), perms.as_str()];

    // The script of each plan, nothing changed.
    let o = migrate(&home, &t, &ids, &secrets, &["--print-script"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("# ---- {wide} (")), "{}", text(&o));
    assert!(out.contains(&format!("# ---- {policy} (")), "{}", text(&o));
    assert!(out.matches("New-ManagementScope").count() >= 2, "{out}");
    assert_eq!(o.status.code(), Some(2), "the refused app: {}", text(&o));
    assert_eq!(holds(&t, &policy, &policy_sp), (2, 1, 0), "nothing changed");

    // Carried out: the two migrated, the third refused; the summary names each.
    let o = migrate(&home, &t, &ids, &secrets, &["--yes"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "the worst of 0, 0, 2: {}",
        text(&o)
    );
    let summary = &err[err.find("Summary:").expect("a summary")..];
    assert!(
        summary.contains(&format!("{wide}: migrated"))
            && summary.contains(&format!("{policy}: migrated")),
        "{summary}"
    );
    assert!(summary.contains(&format!("{perms}: refused")), "{summary}");
    assert!(
        summary.find(&wide) < summary.find(&policy),
        "in the order named"
    );
    for (id, sp) in [(&wide, &wide_sp), (&policy, &policy_sp)] {
        let (roles, policies, rbac) = holds(&t, id, sp);
        assert_eq!(
            (roles, policies),
            (0, 0),
            "{id}: tenant-wide roles and policy gone"
        );
        assert!(rbac > 0, "{id}: RBAC role assignments made");
        // Its own journal: finished, the live checks (intended mailboxes reached, ceo@
        // refused) proved.
        let path = home.data().join("migrate").join(format!("{id}.json"));
        let j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(j["finished"], true, "{j:#}");
        assert!(
            j["done"]
                .as_array()
                .unwrap()
                .contains(&Value::from("live-proof")),
            "{j:#}"
        );
    }
    assert_eq!(
        holds(&t, &perms, &perms_sp).2,
        0,
        "the refused app untouched"
    );
    assert!(
        !home
            .data()
            .join("migrate")
            .join(format!("{perms}.json"))
            .exists()
    );
}

#[test]
fn bad_input_for_several_apps_is_refused_before_any_sign_in() {
    let t = Tenant::start(&["--auto-approve", "--extra-apps", "8"]);
    let home = Home::new();
    let (wide, _, wide_secret) = generated(&t, "tenant-wide");
    let (policy, _, _) = generated(&t, "policy");
    // One secret for two client IDs.
    let o = migrate(
        &home,
        &t,
        &[&wide, &policy],
        &format!("{wide_secret}\n"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("holds 1 secrets for 2 client IDs"),
        "{}",
        text(&o)
    );
    // The same app twice.
    let o = migrate(
        &home,
        &t,
        &[&wide, &wide],
        &format!("{wide_secret}\n{wide_secret}\n"),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("named twice"), "{}", text(&o));
    // Profiles that do not exist.
    let o = home.run(&["migrate", "one", "two", "--to", "rbac"], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
