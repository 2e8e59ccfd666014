//! The sandbox tenant reads back as a real one does: every seeded consent, access policy,
//! Exchange service principal and mailbox permission is listed by the calls that list them,
//! and what the access rules grant (the app's token, `Test-ApplicationAccessPolicy`) is what
//! those listings show.

mod common;

use std::collections::{BTreeSet, HashMap};

use base64::Engine;
use common::Served;
use common::admin_api::{AdminApi, form, http};
use serde_json::{Value, json};

const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";

fn seed() -> Value {
    serde_json::from_str(include_str!("../assets/sandbox_seed.json")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The resource's service principal id and its app roles, id → value.
fn resource(api: &AdminApi, app_id: &str) -> (String, HashMap<String, String>) {
    let sps = api.list(&format!(
        "/v1.0/servicePrincipals?$filter=appId%20eq%20'{app_id}'"
    ));
    let sp = &sps[0];
    let roles = sp["appRoles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().into(),
                r["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    (sp["id"].as_str().unwrap().into(), roles)
}

/// The `roles` claim of the app's client-credentials token for `scope`; None when refused.
fn token_roles(
    sb: &Served,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Option<BTreeSet<String>> {
    let login = sb.info["login"].as_str().unwrap();
    let tenant = sb.info["tenant_id"].as_str().unwrap();
    let (status, _, body) = http(
        "POST",
        &format!("{login}/{tenant}/oauth2/v2.0/token"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ]),
    );
    if status != 200 {
        return None;
    }
    let v: Value = serde_json::from_str(&body).unwrap();
    let payload = v["access_token"].as_str()?.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    Some(strings(&claims["roles"]).into_iter().collect())
}

#[test]
fn every_seeded_consent_is_listed_and_is_what_the_token_carries() {
    let sb = Served::start(&["--auto-approve"]);
    let api = AdminApi::sign_in(&sb);
    let resources = [
        (GRAPH, "graph_roles", "https://graph.microsoft.com/.default"),
        (
            EXCHANGE,
            "exchange_roles",
            "https://outlook.office365.com/.default",
        ),
    ];
    let resources: Vec<_> = resources
        .into_iter()
        .map(|(app_id, key, scope)| (resource(&api, app_id), key, scope))
        .collect();
    for app in seed()["apps"].as_array().unwrap() {
        let name = app["name"].as_str().unwrap();
        let sp = app["sp_id"].as_str().unwrap();
        let held = api.list(&format!("/v1.0/servicePrincipals/{sp}/appRoleAssignments"));
        for ((rp, roles), key, scope) in &resources {
            let named = |rows: &[Value]| -> BTreeSet<String> {
                rows.iter()
                    .filter(|x| x["resourceId"] == rp.as_str() && x["principalId"] == sp)
                    .map(|x| roles[x["appRoleId"].as_str().unwrap()].clone())
                    .collect()
            };
            let seeded: BTreeSet<String> = strings(&app[*key]).into_iter().collect();
            assert_eq!(named(&held), seeded, "{name}: appRoleAssignments on {key}");
            let granted = api.list(&format!("/v1.0/servicePrincipals/{rp}/appRoleAssignedTo"));
            assert_eq!(
                named(&granted),
                seeded,
                "{name}: appRoleAssignedTo on {key}"
            );
            let (client, secret) = (
                app["client_id"].as_str().unwrap(),
                app["secret"].as_str().unwrap(),
            );
            match token_roles(&sb, client, secret, scope) {
                Some(carried) => assert_eq!(carried, seeded, "{name}: the token's roles for {key}"),
                None => assert_eq!(app["key"], "expired", "{name}: no token for {scope}"),
            }
        }
    }
}

#[test]
fn every_seeded_policy_is_listed_and_decides_test_application_access_policy() {
    let sb = Served::start(&["--auto-approve"]);
    let api = AdminApi::sign_in(&sb);
    let seed = seed();
    let members: HashMap<String, Vec<String>> = seed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["name"].as_str().unwrap().into(), strings(&g["members"])))
        .collect();
    let listed = api.cmdlet("Get-ApplicationAccessPolicy", json!({}));
    for app in seed["apps"].as_array().unwrap() {
        let name = app["name"].as_str().unwrap();
        let client = app["client_id"].as_str().unwrap();
        let mine: Vec<&Value> = listed.iter().filter(|p| p["AppId"] == client).collect();
        match app.get("policy") {
            Some(p) => {
                assert_eq!(mine.len(), 1, "{name}: {listed:?}");
                assert_eq!(mine[0]["ScopeName"], p["group"], "{name}");
                assert_eq!(mine[0]["AccessRight"], p["access_right"], "{name}");
                assert_eq!(mine[0]["IsValid"], true, "{name}");
                let one = api.cmdlet(
                    "Get-ApplicationAccessPolicy",
                    json!({"Identity": mine[0]["Identity"]}),
                );
                assert_eq!(one.len(), 1, "{name}: read by its Identity");
            }
            None => assert!(mine.is_empty(), "{name}: {mine:?}"),
        }
        // What the listing says decides each mailbox, as the access rule does.
        for user in seed["users"].as_array().unwrap() {
            let mail = user["mail"].as_str().unwrap();
            let allowed = mine.is_empty()
                || mine.iter().any(|p| {
                    let member = members[p["ScopeName"].as_str().unwrap()]
                        .iter()
                        .any(|m| m == mail);
                    (p["AccessRight"] == "RestrictAccess") == member
                });
            let tested = api.cmdlet(
                "Test-ApplicationAccessPolicy",
                json!({"Identity": mail, "AppId": client}),
            );
            let expected = if allowed { "Granted" } else { "Denied" };
            assert_eq!(tested[0]["AccessCheckResult"], expected, "{name} → {mail}");
        }
    }
}

#[test]
fn every_seeded_exchange_principal_and_mailbox_permission_is_listed() {
    let sb = Served::start(&["--auto-approve"]);
    let api = AdminApi::sign_in(&sb);
    let seed = seed();
    let listed = api.cmdlet("Get-ServicePrincipal", json!({}));
    for sp in seed["exchange_service_principals"].as_array().unwrap() {
        assert!(
            listed
                .iter()
                .any(|x| x["AppId"] == sp["app_id"] && x["ObjectId"] == sp["object_id"]),
            "{sp} in {listed:?}"
        );
        let one = api.cmdlet("Get-ServicePrincipal", json!({"Identity": sp["app_id"]}));
        assert_eq!(one[0]["ObjectId"], sp["object_id"]);
    }
    let seeded = seed["mailbox_permissions"].as_array().unwrap();
    for user in seed["users"].as_array().unwrap() {
        let mail = user["mail"].as_str().unwrap();
        let rows = api.cmdlet("Get-MailboxPermission", json!({"Identity": mail}));
        let listed: BTreeSet<(String, String)> = rows
            .iter()
            .flat_map(|r| {
                strings(&r["AccessRights"])
                    .into_iter()
                    .map(|right| (r["User"].as_str().unwrap().to_string(), right))
            })
            .collect();
        let expected: BTreeSet<(String, String)> = seeded
            .iter()
            .filter(|p| p["mailbox"] == mail)
            .map(|p| {
                (
                    p["principal"].as_str().unwrap().into(),
                    p["right"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(listed, expected, "Get-MailboxPermission {mail}");
    }
}
