//! `audit` end to end against `sandbox serve --extra-apps`: every kind the sandbox seeds is
//! found and classified as the sandbox's own state says, the riskiest first; the service
//! principals are read across pages; the JSON and the reports hold no secret; an administrator
//! without Exchange rights gets the Entra half and is told what is missing.

mod common;

use std::collections::{HashMap, HashSet};
use std::process::{Output, Stdio};

use common::{Home, Tenant, json, text};
use serde_json::Value;

/// More service principals than Graph's largest page (999), so that the list takes two pages.
const PRINCIPALS: &str = "1100";

fn audit(home: &Home, t: &Tenant, extra: &[&str]) -> Output {
    let cf = t.sb.cloud_file();
    home.cmd()
        .args(["audit", "--tenant", "contoso.example", "--cloud-file", &cf])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The reach the audit must give each kind the sandbox generates (`expect: audit:<kind>`) and
/// each seeded app (by key).
fn expected_reach(app: &Value) -> Option<&'static str> {
    let expect = app["expect"].as_str().unwrap_or_default();
    Some(match expect.strip_prefix("audit:") {
        Some("tenant-wide" | "rbac-and-tenant-wide" | "expiring" | "unused") => "every-mailbox",
        Some("rbac") => "scoped-by-rbac",
        Some("policy" | "expired") => "scoped-by-policy",
        Some("mailbox-permissions") => "per-mailbox",
        Some(other) => panic!("a kind the test does not know: {other}"),
        None => match app["key"].as_str()? {
            "unscoped" | "expired" => "every-mailbox",
            "scoped" | "blocked" => "scoped-by-policy",
            "fullaccess-missing" => "per-mailbox",
            _ => return None,
        },
    })
}

fn rows(report: &Value) -> &Vec<Value> {
    report["audit"]["rows"].as_array().unwrap()
}

fn row<'a>(report: &'a Value, app_id: &str) -> &'a Value {
    rows(report)
        .iter()
        .find(|r| r["app_id"] == app_id)
        .unwrap_or_else(|| panic!("no row for {app_id}"))
}

/// Every secret value the tenant holds, seeded or added.
fn secrets(t: &Tenant) -> Vec<String> {
    let o = t.objects();
    let mut out = Vec::new();
    for a in o["apps"].as_array().unwrap() {
        if let Some(s) = a["secret"].as_str().filter(|s| !s.is_empty()) {
            out.push(s.to_string());
        }
        for p in a["passwords"].as_array().into_iter().flatten() {
            out.push(p["secret"].as_str().unwrap().to_string());
        }
    }
    out
}

#[test]
fn every_seeded_kind_is_found_and_classified_as_the_tenant_holds_it() {
    let t = Tenant::start(&[
        "--auto-approve",
        "--extra-apps",
        "24",
        "--extra-principals",
        PRINCIPALS,
    ]);
    let home = Home::new();
    let o = audit(&home, &t, &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = json(&o);
    let state = t.objects();
    let apps = state["apps"].as_array().unwrap();
    let with_sp = apps.iter().filter(|a| a["sp_id"] != "").count();
    let principals = state["resource_principals"].as_array().unwrap().len()
        + with_sp
        + state["other_principals"].as_array().unwrap().len();
    assert_eq!(
        report["audit"]["principals"], principals,
        "read across pages"
    );
    assert!(principals > 999);
    let mut kinds = HashMap::new();
    for app in apps {
        let Some(reach) = expected_reach(app) else {
            continue;
        };
        let client = app["client_id"].as_str().unwrap();
        let r = row(&report, client);
        assert_eq!(r["reach"], reach, "{}", app["name"]);
        *kinds.entry(app["expect"].as_str().unwrap()).or_insert(0) += 1;
    }
    for kind in [
        "tenant-wide",
        "mailbox-permissions",
        "rbac",
        "rbac-and-tenant-wide",
        "policy",
        "expired",
        "expiring",
        "unused",
    ] {
        assert_eq!(
            kinds.get(format!("audit:{kind}").as_str()),
            Some(&3),
            "{kind}"
        );
    }
    let others: HashSet<&str> = state["other_principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        rows(&report)
            .iter()
            .all(|r| !others.contains(r["sp_id"].as_str().unwrap()))
    );
    let total: u64 = report["by_reach"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, rows(&report).len());
    assert_eq!(report["audit"]["exchange_read"], true);
    assert_eq!(report["audit"]["missing"], serde_json::json!([]));
}

#[test]
fn findings_name_each_risk_and_the_riskiest_come_first() {
    let t = Tenant::start(&["--auto-approve", "--extra-apps", "8"]);
    let home = Home::new();
    let o = audit(&home, &t, &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = json(&o);
    let risks: Vec<u64> = rows(&report)
        .iter()
        .map(|r| r["risk"].as_u64().unwrap())
        .collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");
    let by_kind = |kind: &str| {
        let app = t.objects()["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["expect"] == format!("audit:{kind}"))
            .unwrap()
            .clone();
        row(&report, app["client_id"].as_str().unwrap()).clone()
    };
    let kinds = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&by_kind("tenant-wide")), ["tenant-wide"]);
    assert_eq!(
        kinds(&by_kind("expired")),
        ["credential-expired", "unused", "policy-scoped"]
    );
    assert_eq!(
        kinds(&by_kind("expiring")),
        ["tenant-wide", "credential-expiring"]
    );
    assert_eq!(kinds(&by_kind("unused")), ["tenant-wide", "unused"]);
    assert_eq!(by_kind("unused")["last_sign_in"]["state"], "never");
    assert_eq!(by_kind("tenant-wide")["last_sign_in"]["state"], "at");
    assert!(kinds(&by_kind("rbac")).is_empty());
    let rbac = &by_kind("rbac-and-tenant-wide")["rbac"][0];
    assert_eq!(rbac["role"], "Application Mail.Read");
    assert_eq!(rbac["scope"], "Audit helpdesk scope");
    assert!(
        rbac["scope_filter"]
            .as_str()
            .unwrap()
            .starts_with("MemberOfGroup -eq 'CN=helpdesk-mailboxes,")
    );
    assert_eq!(
        by_kind("mailbox-permissions")["mailbox_permissions"],
        serde_json::json!(["alice@contoso.example"])
    );
    let expiring = by_kind("expiring")["findings"][1]["days"].as_i64().unwrap();
    assert!((8..=10).contains(&expiring), "{expiring}");
}

#[test]
fn the_reports_name_the_apps_escape_html_and_hold_no_secret() {
    let mut t = Tenant::start(&["--auto-approve", "--extra-apps", "8"]);
    t.edit(&["--auto-approve", "--extra-apps", "8"], |tenant| {
        let app = tenant["apps"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|a| a["expect"] == "audit:tenant-wide")
            .unwrap();
        app["name"] = "<b>Fax & Co</b>".into();
    });
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("audit.md");
    let html = dir.path().join("audit.html");
    let a = audit(&home, &t, &["--report", md.to_str().unwrap()]);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    let b = audit(&home, &t, &["--report", html.to_str().unwrap(), "--json"]);
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    let md_text = std::fs::read_to_string(&md).unwrap();
    let html_text = std::fs::read_to_string(&html).unwrap();
    assert!(md_text.contains("| every mailbox |"), "{md_text}");
    assert!(md_text.contains("Audit rbac 0003"));
    assert!(html_text.contains("&lt;b&gt;Fax &amp; Co&lt;/b&gt;"));
    assert!(!html_text.contains("<b>Fax"));
    assert!(text(&a).contains("<b>Fax & Co</b>"), "the table names it");
    let secrets = secrets(&t);
    assert!(secrets.len() > 8);
    for s in &secrets {
        for (what, body) in [
            ("markdown", md_text.as_str()),
            ("html", html_text.as_str()),
            ("output", &text(&a)),
            ("json", &text(&b)),
        ] {
            assert!(!body.contains(s.as_str()), "a secret in the {what}");
        }
    }
    let again = audit(&home, &t, &["--report", md.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));
}

#[test]
fn without_exchange_rights_the_entra_half_runs_and_the_rest_is_named() {
    let t = Tenant::start(&[
        "--auto-approve",
        "--extra-apps",
        "8",
        "--admin-without-exchange",
    ]);
    let home = Home::new();
    let o = audit(&home, &t, &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = json(&o);
    assert_eq!(report["audit"]["exchange_read"], false);
    let missing = report["audit"]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    let said = missing[0].as_str().unwrap();
    assert!(said.contains("Exchange Online could not be read"), "{said}");
    assert!(said.contains("View-Only Organization Management"), "{said}");
    assert!(text(&o).contains("warning: Exchange Online could not be read"));
    let state = t.objects();
    let app = |kind: &str| {
        state["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["expect"] == format!("audit:{kind}"))
            .unwrap()["client_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(row(&report, &app("tenant-wide"))["reach"], "every-mailbox");
    assert_eq!(
        row(&report, &app("unused"))["last_sign_in"]["state"],
        "never"
    );
    assert!(
        rows(&report)
            .iter()
            .all(|r| r["app_id"] != app("rbac").as_str()),
        "an RBAC-only app is only seen through Exchange"
    );
}

#[test]
fn sign_ins_that_cannot_be_read_are_unknown_not_never() {
    let t = Tenant::start(&[
        "--auto-approve",
        "--extra-apps",
        "8",
        "--without-entra-premium",
    ]);
    let home = Home::new();
    let o = audit(&home, &t, &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report = json(&o);
    assert!(
        rows(&report)
            .iter()
            .all(|r| r["last_sign_in"]["state"] == "unknown")
    );
    assert!(rows(&report).iter().all(|r| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] != "unused")
    }));
    let missing = report["audit"]["missing"][0].as_str().unwrap();
    assert!(missing.contains("P1 or P2"), "{missing}");
}

#[test]
fn bad_input_says_what_to_do() {
    let home = Home::new();
    let o = home.run(
        &["audit", "--tenant", "contoso.example", "--report", "x.txt"],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("name the file .md (Markdown) or .html (HTML)"),
        "{}",
        text(&o)
    );
    let o = home.run(&["audit"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("audit needs --tenant"), "{}", text(&o));
}
