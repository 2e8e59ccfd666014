//! Soft-deleted applications in the sandbox, read and restored through its Microsoft Graph as
//! an administrator does it: a deleted app and its service principal are listed under
//! `directory/deletedItems`, the app comes back without its service principal (its client is
//! refused a token), and the service principal is restored on its own, after its app.

mod common;

use common::Served;
use common::admin_api::{graph_call, sign_in};
use serde_json::{Value, json};

const GRAPH_CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

fn token_status(sb: &Served, client_id: &str, secret: &str) -> (u16, String) {
    let (status, _, body) = common::admin_api::http(
        "POST",
        sb.info["token"].as_str().unwrap(),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &common::admin_api::form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ]),
    );
    (status, body)
}

fn ids(v: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(v).unwrap();
    v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_deleted_app_is_restored_then_its_service_principal() {
    let sb = Served::start(&["--auto-approve"]);
    let (client_id, secret, object_id) = sb.app("unscoped");
    let scope = "https://graph.microsoft.com/Application.ReadWrite.All";
    let token = sign_in(&sb, GRAPH_CLIENT, scope);
    let call = |method: &str, path: &str| graph_call(&sb, &token, method, path, &json!({}));
    let sp = {
        let (status, body) = call(
            "GET",
            &format!("servicePrincipals?$filter=appId%20eq%20'{client_id}'"),
        );
        assert_eq!(status, 200, "{body}");
        ids(&body)[0].clone()
    };
    assert_eq!(token_status(&sb, &client_id, &secret).0, 200);

    let (status, body) = call("DELETE", &format!("applications/{object_id}"));
    assert_eq!(status, 204, "{body}");
    let (_, apps) = call("GET", "directory/deletedItems/microsoft.graph.application");
    assert_eq!(ids(&apps), [object_id.as_str()], "{apps}");
    let deleted: Value = serde_json::from_str(&apps).unwrap();
    assert!(deleted["value"][0]["deletedDateTime"].is_string(), "{apps}");
    let (_, sps) = call(
        "GET",
        "directory/deletedItems/microsoft.graph.servicePrincipal",
    );
    assert_eq!(ids(&sps), [sp.as_str()], "{sps}");
    assert_ne!(
        token_status(&sb, &client_id, &secret).0,
        200,
        "deleted: refused"
    );

    // The service principal first: refused, its app is still deleted.
    let (status, body) = call("POST", &format!("directory/deletedItems/{sp}/restore"));
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        "POST",
        &format!("directory/deletedItems/{object_id}/restore"),
    );
    assert_eq!(status, 200, "{body}");
    let app: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(app["appId"], client_id.as_str());
    assert!(app["deletedDateTime"].is_null(), "{body}");
    let (_, apps) = call("GET", "directory/deletedItems/microsoft.graph.application");
    assert!(ids(&apps).is_empty(), "{apps}");
    let (status, body) = token_status(&sb, &client_id, &secret);
    assert!(
        status != 200 && body.contains("AADSTS7000229"),
        "the app back without its service principal: {status} {body}"
    );

    let (status, body) = call("POST", &format!("directory/deletedItems/{sp}/restore"));
    assert_eq!(status, 200, "{body}");
    let (_, sps) = call(
        "GET",
        "directory/deletedItems/microsoft.graph.servicePrincipal",
    );
    assert!(ids(&sps).is_empty(), "{sps}");
    assert_eq!(
        token_status(&sb, &client_id, &secret).0,
        200,
        "signs in again"
    );
    let (status, _) = call("POST", &format!("directory/deletedItems/{sp}/restore"));
    assert_eq!(status, 404, "nothing left to restore");
}
