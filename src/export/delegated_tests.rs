//! The delegated consumer's settings in every format, and the report's styles and limits.

use crate::export::Format;
use crate::model::Profile;

const CLIENT: &str = "a1f5c0de-0001-4000-8000-00000000c001";
const TENANT: &str = "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

/// A hybrid profile: alice@ app-only, bob@ delegated with carol@ shared, by `flow`.
fn hybrid(flow: &str) -> Profile {
    let text = format!(
        "name = \"ecs\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"{TENANT}\"\nclient_id = \"{CLIENT}\"\naccess = [\"graph-read\", \"delegated-imap-smtp\"]\nmailboxes = [\"alice@contoso.example\"]\n[delegated]\nopenid = false\nusers = [\"bob@contoso.example\"]\nshared = [\"carol@contoso.example\"]\n[delegated.sign_in]\n{flow}\n"
    );
    toml::from_str(&text).unwrap()
}

fn export(p: &Profile, format: Format) -> String {
    crate::export::tests::report(p, None, format)
}

#[test]
fn the_properties_hold_the_esm_names_with_the_scopes_as_full_uris() {
    let text = export(&hybrid("flow = \"password\""), Format::Properties);
    let esm = format!(
        "mail.store.oauth.enabled = true\nmail.transport.oauth.enabled = true\nmail.oauth.authorize.endpoint = https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize\nmail.oauth.client.id = {CLIENT}\nmail.oauth.scopes = https://outlook.office365.com/IMAP.AccessAsUser.All,https://outlook.office365.com/SMTP.Send\n"
    );
    assert!(text.ends_with(&esm), "{text}");
    assert!(text.contains("oauth2.delegated.scope=https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/SMTP.Send offline_access\n"), "{text}");
    assert!(
        text.contains("\"Allow public client flows\" is on"),
        "{text}"
    );
    assert!(
        text.contains("oauth2.delegated.shared.mailboxes=carol@contoso.example"),
        "{text}"
    );
    assert!(
        text.contains("mail.imap.host=outlook.office365.com\nmail.imap.port=993"),
        "{text}"
    );
    assert!(
        text.contains("mail.smtp.host=smtp.office365.com\nmail.smtp.port=587"),
        "{text}"
    );
    assert!(!text.contains("oauth2.delegated.devicecode.url"), "{text}");
}

#[test]
fn env_and_json_name_the_endpoints_the_flow_and_the_mailboxes() {
    let uri = "https://esm.contoso.example/oauth/callback";
    let p = hybrid(&format!(
        "flow = \"authorization-code\"\nredirect_uri = \"{uri}\""
    ));
    let env = export(&p, Format::Env);
    for line in [
        "M365_DELEGATED_SIGN_IN=authorization-code".to_string(),
        format!("M365_DELEGATED_AUTHORIZE_URL=https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize"),
        format!("M365_DELEGATED_REDIRECT_URI={uri}"),
        "M365_DELEGATED_SCOPES='https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/SMTP.Send offline_access'".into(),
        "M365_DELEGATED_USERS=bob@contoso.example".into(),
        "M365_DELEGATED_SHARED_MAILBOXES=carol@contoso.example".into(),
        "M365_MAILBOXES=alice@contoso.example".into(),
        "M365_IMAP_HOST=outlook.office365.com".into(),
        "M365_SMTP_PORT=587".into(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line}\n{env}");
    }
    let v: serde_json::Value = serde_json::from_str(&export(&p, Format::Json)).unwrap();
    let d = &v["delegated"];
    assert_eq!(d["redirect_uri"], uri);
    assert_eq!(d["devicecode_url"], serde_json::Value::Null);
    assert_eq!(d["client_id"], CLIENT);
    assert_eq!(d["smtp"]["port"], "587");
    assert_eq!(d["scopes"][2], "offline_access");
    let device = export(&hybrid("flow = \"device-code\""), Format::Env);
    assert!(device.contains(&format!(
        "M365_DELEGATED_DEVICECODE_URL=https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/devicecode"
    )));
}

#[test]
fn the_report_says_which_mailbox_uses_which_style_and_the_sending_limits() {
    let text = export(&hybrid("flow = \"device-code\""), Format::Report);
    assert!(
        text.contains("## Which mailboxes use which style"),
        "{text}"
    );
    assert!(
        text.contains("| alice@contoso.example | app-only |"),
        "{text}"
    );
    assert!(text.contains("| bob@contoso.example | delegated | bob@contoso.example signs in to the consuming application (device-code flow)"), "{text}");
    assert!(text.contains("| carol@contoso.example | delegated (shared) | reached with bob@contoso.example's sign-in through FullAccess |"), "{text}");
    assert!(
        text.contains("30 messages a minute and 10,000 recipients a day"),
        "{text}"
    );
    let app_only: Profile = toml::from_str(&format!(
        "name = \"a\"\ncloud = \"global\"\ntenant = \"contoso.example\"\ntenant_id = \"{TENANT}\"\nclient_id = \"{CLIENT}\"\naccess = [\"graph-read\"]\nmailboxes = [\"alice@contoso.example\"]\n"
    ))
    .unwrap();
    let text = export(&app_only, Format::Report);
    assert!(
        !text.contains("which style") && !text.contains("30 messages"),
        "{text}"
    );
}

#[test]
fn the_script_sets_the_app_up_for_its_sign_in_and_grants_the_shared_mailbox() {
    let uri = "https://esm.contoso.example/oauth/callback";
    let p = hybrid(&format!(
        "flow = \"authorization-code\"\nredirect_uri = \"{uri}\""
    ));
    let script = export(&p, Format::PowerShell);
    assert!(
        script.contains(&format!("if ($app.Web.RedirectUris -notcontains '{uri}')")),
        "{script}"
    );
    assert!(!script.contains("-IsFallbackPublicClient"), "{script}");
    assert!(script.contains("Add-MailboxPermission -Identity 'carol@contoso.example' -User 'bob@contoso.example' -AccessRights 'FullAccess'"), "{script}");
    assert!(script.contains("Connect-ExchangeOnline"), "{script}");
    let faults = [
        crate::plan::undefined_variables(&script),
        crate::plan::crowded_lines(&script),
    ];
    assert!(faults.iter().all(Vec::is_empty), "{faults:?}\n{script}");
    let device = export(&hybrid("flow = \"device-code\""), Format::PowerShell);
    assert!(device.contains("Update-MgApplication -ApplicationId $app.Id -IsFallbackPublicClient"));
}
