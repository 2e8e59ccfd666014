//! The Graph application calls check the token's delegated permissions as Microsoft documents:
//! reading an app registration takes `Application.Read.All` (or `Application.ReadWrite.All`),
//! changing it `Application.ReadWrite.All`.

use serde_json::{Value, json};

use crate::sandbox::{Sandbox, SandboxOptions};

/// An administrator's Graph token from `sb` holding only `scopes`.
async fn token(http: &reqwest::Client, sb: &Sandbox, scopes: &str) -> String {
    let i = sb.info();
    let base = format!("{}/{}/oauth2/v2.0", i.login, i.tenant_id);
    let client = ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e");
    let code: Value = http
        .post(format!("{base}/devicecode"))
        .form(&[client, ("scope", scopes)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    let form = [
        client,
        ("grant_type", grant),
        ("device_code", code["device_code"].as_str().unwrap()),
    ];
    let t: Value = http
        .post(format!("{base}/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn reading_an_app_needs_a_read_permission_and_changing_it_the_write_one() {
    let sb = Sandbox::start(SandboxOptions {
        auto_approve: Some("admin".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let info = sb.info();
    let (graph, app) = (&info.graph, &info.apps[0].object_id);
    let read = token(
        &http,
        &sb,
        "https://graph.microsoft.com/Application.Read.All",
    )
    .await;
    let write = token(
        &http,
        &sb,
        "https://graph.microsoft.com/Application.ReadWrite.All",
    )
    .await;
    let other = token(&http, &sb, "https://graph.microsoft.com/User.Read").await;
    let get = |t: &str| {
        http.get(format!("{graph}/v1.0/applications/{app}"))
            .bearer_auth(t)
            .send()
    };
    let add = |t: &str| {
        http.post(format!("{graph}/v1.0/applications/{app}/addPassword"))
            .bearer_auth(t)
            .json(&json!({ "passwordCredential": { "displayName": "next" } }))
            .send()
    };
    let patch = |t: &str| {
        http.patch(format!("{graph}/v1.0/applications/{app}"))
            .bearer_auth(t)
            .json(&json!({ "keyCredentials": [] }))
            .send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(get(&read).await.unwrap()), 200);
    assert_eq!(status(get(&write).await.unwrap()), 200);
    assert_eq!(
        status(get(&other).await.unwrap()),
        403,
        "no application permission"
    );
    assert_eq!(
        status(add(&read).await.unwrap()),
        403,
        "read-only adds no secret"
    );
    assert_eq!(
        status(patch(&read).await.unwrap()),
        403,
        "read-only sets no key"
    );
    assert_eq!(status(add(&write).await.unwrap()), 200);
}
