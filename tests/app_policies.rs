//! The app management policy that forbids secrets, read through the wizard's Graph client
//! against the sandbox (`forbid_secrets`): named when the sign-in holds `Policy.Read.All`, said
//! to be unnamed (and why) when it does not; a certificate is still accepted.

use m365_mail_wizard::cloud::CloudError;
use m365_mail_wizard::cloud::admin::GraphAdmin;
use m365_mail_wizard::cloud::identity::AccessToken;
use m365_mail_wizard::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

const GRAPH_CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// A device-code sign-in the sandbox approves at once, for these Graph permissions.
async fn signed_in(sb: &Sandbox, permissions: &[&str]) -> AccessToken {
    let info = sb.info();
    let http = reqwest::Client::new();
    let scope: Vec<String> = permissions
        .iter()
        .map(|p| format!("https://graph.microsoft.com/{p}"))
        .collect();
    let scope = scope.join(" ");
    let base = format!("{}/{}/oauth2/v2.0", info.login, info.tenant_id);
    let post = |endpoint: &str, form: Vec<(&str, String)>| {
        let req = http.post(format!("{base}/{endpoint}")).form(&form);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let code = post(
        "devicecode",
        vec![("client_id", GRAPH_CLIENT.into()), ("scope", scope)],
    )
    .await;
    let token = post(
        "token",
        vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:device_code".into(),
            ),
            ("client_id", GRAPH_CLIENT.into()),
            ("device_code", code["device_code"].as_str().unwrap().into()),
        ],
    )
    .await;
    AccessToken::from_raw(token["access_token"].as_str().unwrap().into(), 3599).unwrap()
}

#[tokio::test]
async fn the_policy_forbidding_secrets_is_named_when_it_can_be_read() {
    let sb = Sandbox::start(SandboxOptions {
        auto_approve: Some("admin".into()),
        forbid_secrets: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let endpoints = sb.info().endpoints();
    let writer = signed_in(&sb, &["Application.ReadWrite.All"]).await;
    let graph = GraphAdmin::new(&http, &endpoints, &writer);
    let app = graph
        .create_application(
            &json!({ "displayName": "policy test", "signInAudience": "AzureADMyOrg" }),
        )
        .await
        .unwrap();
    let end = time::OffsetDateTime::now_utc() + time::Duration::days(90);
    match graph.add_password(app.id, "refused", end).await {
        Err(CloudError::Graph(g)) => {
            assert_eq!(
                (g.status, g.code.as_str()),
                (400, "CredentialTypeNotAllowedAsPerAppPolicy")
            );
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a secret was added"),
    }
    // The setup's permissions do not include Policy.Read.All: the policy goes unnamed.
    let unnamed = graph.secret_policies(app.id).await;
    assert!(unnamed.named.is_empty(), "{unnamed:?}");
    assert!(
        unnamed.sentence().starts_with("The policy could not be named: reading the tenant's default app management policy was refused (HTTP 403"),
        "{}",
        unnamed.sentence()
    );
    // With Policy.Read.All it is named.
    let reader = signed_in(&sb, &["Application.Read.All", "Policy.Read.All"]).await;
    let named = GraphAdmin::new(&http, &endpoints, &reader)
        .secret_policies(app.id)
        .await;
    assert_eq!(named.unread, Vec::<String>::new());
    assert_eq!(
        named.sentence(),
        "Client secrets are forbidden by the tenant's default app management policy (\"Default app management tenant policy\", id 00000000-0000-0000-0000-000000000000; Entra admin center › Enterprise apps › App management policies)."
    );
    // Certificates still work.
    let cert = m365_mail_wizard::credential::generate("policy test", 3).unwrap();
    graph
        .add_certificate(&app, &cert.der, "allowed")
        .await
        .unwrap();
    let app = graph.find_application(app.app_id).await.unwrap().unwrap();
    assert_eq!(app.key_credentials.len(), 1);
    sb.stop().await;
}
