//! The delegated style's plan: its scopes and the openid option, the consuming application's
//! sign-in (public client flows or a redirect URI), the shared mailboxes' FullAccess, and an
//! existing app completed rather than replaced.

use super::tests::answers;
use super::*;
use crate::model::Mailbox;

fn delegated(sign_in: ConsumerSignIn, openid: bool, shared: &[&str]) -> SetupAnswers {
    let mut a = answers(&[AccessChoice::Delegated]);
    a.delegated = Some(DelegatedPart {
        sign_in,
        openid,
        users: vec![Mailbox::parse("alice@contoso.example").unwrap()],
        shared: shared.iter().map(|m| Mailbox::parse(m).unwrap()).collect(),
    });
    a
}

fn ids_of(a: &SetupAnswers) -> String {
    required_access_of(a.needs(), |r, n, role| {
        let perm = r.permissions.iter().find(|x| x.name == n)?;
        if role {
            perm.role.clone()
        } else {
            perm.scope.clone()
        }
    })
    .to_string()
}

#[test]
fn the_delegated_style_asks_scopes_and_tenant_wide_consent() {
    let a = delegated(ConsumerSignIn::DeviceCode, false, &[]);
    let p = plan(&a);
    let kinds: Vec<StepKind> = p.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&StepKind::DelegatedConsent) && !kinds.contains(&StepKind::Consent));
    let ex: Vec<&PlanStep> = p.iter().filter(|s| s.kind == StepKind::Exchange).collect();
    assert_eq!(
        ex.iter()
            .map(|s| s.permission.as_deref().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["smtpauth:alice@contoso.example"],
        "no Exchange app-only scoping; SMTP AUTH for the user's mailbox where it is off"
    );
    assert_eq!(
        ex[0].powershell,
        "Set-CASMailbox -Identity 'alice@contoso.example' -SmtpClientAuthenticationDisabled $false"
    );
    let dc = p
        .iter()
        .find(|s| s.kind == StepKind::DelegatedConsent)
        .unwrap();
    assert!(dc.powershell.contains("-ConsentType AllPrincipals"));
    assert!(
        dc.powershell
            .contains("'IMAP.AccessAsUser.All SMTP.Send offline_access'"),
        "{}",
        dc.powershell
    );
    assert!(
        dc.changes.contains("openid and User.Read are left out"),
        "{}",
        dc.changes
    );
    assert!(p[1].powershell.contains("-IsFallbackPublicClient"));
    assert!(!p[1].powershell.contains("RedirectUris"));
    assert!(
        p[1].changes
            .contains("public client flows allowed, as the device-code flow")
    );
    assert!(
        p[1].portal
            .iter()
            .any(|l| l.contains("Allow public client flows"))
    );
    let rra = ids_of(&a);
    assert!(
        rra.contains("652390e4-393a-48de-9484-05f9b1212954") && rra.contains("\"type\":\"Scope\""),
        "{rra}"
    );
    assert!(
        !rra.contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        "no User.Read: {rra}"
    );
}

#[test]
fn openid_adds_user_read_and_the_plan_says_why() {
    let a = delegated(ConsumerSignIn::Password, true, &[]);
    let p = plan(&a);
    let dc = p
        .iter()
        .find(|s| s.kind == StepKind::DelegatedConsent)
        .unwrap();
    assert!(
        dc.title.ends_with("offline_access, openid, User.Read"),
        "{}",
        dc.title
    );
    assert!(dc.changes.contains("read who signed in"), "{}", dc.changes);
    assert!(ids_of(&a).contains("e1fe6dd8-ba31-4d61-89e7-88639da4683d"));
    assert!(
        p[1].changes
            .contains("the resource-owner password flow signs in without a secret")
    );
}

#[test]
fn the_authorization_code_flow_gets_its_redirect_uri_and_no_public_client() {
    let uri = "https://esm.example/oauth/callback";
    let a = delegated(
        ConsumerSignIn::AuthorizationCode {
            redirect_uri: uri.into(),
        },
        false,
        &[],
    );
    let p = plan(&a);
    assert!(!a.public_client());
    assert!(!p[1].powershell.contains("-IsFallbackPublicClient"));
    assert!(
        p[1].powershell
            .ends_with(&format!("-Web @{{RedirectUris = '{uri}'}}")),
        "{}",
        p[1].powershell
    );
    assert!(p[1].graph.contains(&format!("redirectUris: [\"{uri}\"]")));
    assert!(
        p[1].portal
            .iter()
            .any(|l| l.contains(uri) && l.contains("Web"))
    );
    assert!(p[1].changes.contains("public client flows stay off"));
}

#[test]
fn a_shared_mailbox_gets_the_users_full_access_as_an_exchange_step() {
    let a = delegated(
        ConsumerSignIn::DeviceCode,
        false,
        &["carol@contoso.example"],
    );
    let p = plan(&a);
    let ex: Vec<&PlanStep> = p.iter().filter(|s| s.kind == StepKind::Exchange).collect();
    assert_eq!(
        ex.len(),
        3,
        "the FullAccess, then SMTP AUTH for alice and carol"
    );
    assert_eq!(
        ex[2].permission.as_deref(),
        Some("smtpauth:carol@contoso.example")
    );
    assert_eq!(
        ex[0].powershell,
        "Add-MailboxPermission -Identity 'carol@contoso.example' -User 'alice@contoso.example' -AccessRights 'FullAccess'"
    );
    assert_eq!(
        ex[0].permission.as_deref(),
        Some("userfullaccess:carol@contoso.example:alice@contoso.example")
    );
    assert!(ex[0].portal[0].contains("Exchange Online PowerShell"));
    assert!(crate::plan::undefined_variables(&ex[0].powershell).is_empty());
}

#[test]
fn a_hybrid_app_asks_roles_and_scopes_and_an_existing_one_keeps_its_permissions() {
    let mut a = delegated(ConsumerSignIn::DeviceCode, false, &[]);
    a.access = vec![AccessChoice::GraphRead, AccessChoice::Delegated];
    a.reuse_app = true;
    let p = plan(&a);
    let kinds: Vec<StepKind> = p.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&StepKind::Consent) && kinds.contains(&StepKind::DelegatedConsent));
    let rra = ids_of(&a);
    assert!(
        rra.contains("\"type\":\"Role\"") && rra.contains("\"type\":\"Scope\""),
        "{rra}"
    );
    assert_eq!(
        rra.matches("resourceAppId").count(),
        1,
        "one Graph entry holds both: {rra}"
    );
    assert!(
        p[1].title.contains("or complete the existing app"),
        "{}",
        p[1].title
    );
    assert!(
        p[1].changes.contains("keeps the existing permissions"),
        "{}",
        p[1].changes
    );
    assert!(p[1].graph.contains("merged (nothing removed)"));
}

#[test]
fn without_the_delegated_access_its_answers_are_not_read() {
    let mut a = delegated(ConsumerSignIn::DeviceCode, true, &["carol@contoso.example"]);
    a.access = vec![AccessChoice::GraphRead];
    assert!(!a.public_client() && !a.openid() && a.delegated_steps().is_empty());
    assert!(a.delegated_scopes().is_none());
}

#[test]
fn a_hybrid_app_allows_smtp_auth_once_for_a_mailbox_both_styles_send_from() {
    let mut a = delegated(
        ConsumerSignIn::DeviceCode,
        false,
        &["carol@contoso.example"],
    );
    a.access = vec![AccessChoice::Smtp, AccessChoice::Delegated];
    a.scope = Some(ScopeSpec {
        kind: crate::model::ScopeKind::Rbac,
        group: None,
        mailboxes: vec!["carol@contoso.example".into()],
        deny_mailbox: None,
        script_only: false,
        decline_ews_allow_list: false,
    });
    let keys: Vec<String> = plan(&a)
        .iter()
        .filter_map(|s| s.permission.clone())
        .filter(|k| k.starts_with("smtpauth:"))
        .collect();
    assert_eq!(
        keys,
        [
            "smtpauth:carol@contoso.example",
            "smtpauth:alice@contoso.example"
        ],
        "the scope's step for carol, the delegated one for alice"
    );
}
