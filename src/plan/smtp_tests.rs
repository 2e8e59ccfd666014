//! An SMTP plan under RBAC for Applications: no Entra SMTP.SendAsApp consent (listed as left
//! out), the role in the scope, and SMTP AUTH allowed per mailbox with its PowerShell.

use super::tests::answers;
use super::*;
use crate::model::{AccessChoice, ScopeKind};

#[test]
fn rbac_smtp_leaves_the_entra_permission_out_and_allows_smtp_auth_per_mailbox() {
    let mut a = answers(&[AccessChoice::Smtp, AccessChoice::Imap]);
    a.scope = Some(ScopeSpec {
        kind: ScopeKind::Rbac,
        group: Some(scope::GroupRef::parse("Mailer scope").unwrap()),
        mailboxes: vec!["alice@contoso.example".into()],
        deny_mailbox: Some("ceo@contoso.example".into()),
        script_only: false,
        decline_ews_allow_list: false,
    });
    assert_eq!(a.omitted(), ["SMTP.SendAsApp"]);
    let p = plan(&a);
    let consents: Vec<&str> = p
        .iter()
        .filter_map(|s| (s.kind == StepKind::Consent).then_some(s.permission.as_deref()?))
        .collect();
    assert_eq!(consents, ["IMAP.AccessAsApp"], "IMAP keeps its consent");
    let all = p
        .iter()
        .map(|s| s.powershell.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("-Role 'Application SMTP.SendAsApp' -CustomResourceScope"));
    assert!(all.contains(
        "Set-CASMailbox -Identity 'alice@contoso.example' -SmtpClientAuthenticationDisabled $false"
    ));
    assert!(!all.contains("Set-TransportConfig"));
    let full = p
        .iter()
        .find(|s| s.title.contains("FullAccess"))
        .expect("IMAP keeps FullAccess");
    assert!(
        full.changes.contains("no role for IMAP or POP"),
        "{}",
        full.changes
    );
    let smtp = p
        .iter()
        .find(|s| s.title.starts_with("Allow SMTP AUTH"))
        .unwrap();
    assert!(
        smtp.portal.iter().any(|l| l.contains("Set-CASMailbox")),
        "the guided route shows it"
    );
}
