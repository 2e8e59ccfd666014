//! SMTP's place in the scope: the RBAC role instead of FullAccess and the Entra permission,
//! FullAccess kept for IMAP and POP, and SMTP AUTH allowed per mailbox only.

use super::tests::{input, kinds};
use super::*;
use crate::model::{AccessChoice, ScopeKind};
use ExKind::{
    Group, MailboxPermission, Mailboxes, ManagementScope, Member, RoleAssignment, ServicePrincipal,
    SmtpAuth,
};

#[test]
fn smtp_under_rbac_is_the_role_in_the_scope_with_no_mailbox_permission() {
    let i = input(ScopeKind::Rbac, &[AccessChoice::Smtp]);
    let s = steps(&i);
    assert_eq!(
        kinds(&s),
        [
            Mailboxes,
            Group,
            Member,
            Member,
            ServicePrincipal,
            ManagementScope,
            RoleAssignment,
            SmtpAuth,
            SmtpAuth
        ]
    );
    let role = s[6].make.as_ref().unwrap();
    assert_eq!(role.text_param("Role"), Some("Application SMTP.SendAsApp"));
    assert_eq!(
        role.text_param("CustomResourceScope"),
        Some("Helpdesk mail mailboxes")
    );
    assert_eq!(omitted(ScopeKind::Rbac, &i.access), ["SMTP.SendAsApp"]);
    assert_eq!(
        test_cmdlet(&i, "ceo@contoso.example").unwrap().name,
        "Test-ServicePrincipalAuthorization"
    );
    let text = script(&i, "contoso.example");
    assert!(!text.contains("Add-MailboxPermission"), "{text}");
    assert!(!text.contains("Set-TransportConfig"), "{text}");
    assert!(text.contains(
        "Set-CASMailbox -Identity 'bob@contoso.example' -SmtpClientAuthenticationDisabled $false"
    ));
}

#[test]
fn imap_and_pop_keep_full_access_under_rbac_and_say_why() {
    let i = input(ScopeKind::Rbac, &[AccessChoice::Imap, AccessChoice::Smtp]);
    let s = steps(&i);
    let full: Vec<&ExStep> = s.iter().filter(|x| x.kind == MailboxPermission).collect();
    assert_eq!(full.len(), 2);
    assert!(
        full[0].changes.starts_with("IMAP sign-ins"),
        "{}",
        full[0].changes
    );
    assert!(full[0].changes.contains("no role for IMAP or POP"));
    assert!(s.iter().any(|x| x.kind == RoleAssignment));
    assert_eq!(omitted(ScopeKind::Rbac, &i.access), ["SMTP.SendAsApp"]);
}

#[test]
fn other_scope_kinds_keep_smtp_on_full_access() {
    for kind in [
        ScopeKind::AllMailboxes,
        ScopeKind::RestrictPolicy,
        ScopeKind::DenyPolicy,
    ] {
        let i = input(kind, &[AccessChoice::Smtp]);
        let s = steps(&i);
        assert_eq!(
            kinds(&s),
            [
                Mailboxes,
                ServicePrincipal,
                MailboxPermission,
                MailboxPermission,
                SmtpAuth,
                SmtpAuth
            ],
            "{kind:?}"
        );
        assert!(omitted(kind, &i.access).is_empty());
    }
}

#[test]
fn the_smtp_auth_step_is_a_pending_change_per_mailbox() {
    let m = Made::from_key("exchange:smtpauth:alice@contoso.example", 10).unwrap();
    assert_eq!(m.change, Change::Exchange(SmtpAuth));
    assert_eq!(m.mailbox.as_deref(), Some("alice@contoso.example"));
    let role = Made::from_key("exchange:roleassignment:application smtp.sendasapp", 10).unwrap();
    assert_eq!(role.change, Change::Exchange(RoleAssignment));
    assert_eq!(role.mailbox, None);
}

#[test]
fn an_rbac_smtp_refusal_waits_for_the_role_then_is_told_by_the_scope() {
    use crate::model::{CheckEvent, CheckKind, CheckSpec, Diagnosis, Mailbox, ScopeRecord};
    let record = ScopeRecord {
        kind: ScopeKind::Rbac,
        group: Some("m365mw-mailer".into()),
        app_name: "Mailer".into(),
    };
    let spec = CheckSpec {
        kind: CheckKind::Smtp,
        mailbox: Some(Mailbox::parse("alice@contoso.example").unwrap()),
        skip: None,
        via: None,
        as_user: None,
    };
    let refused = || CheckEvent::Failed {
        diagnosis: Diagnosis {
            summary: "SMTP refused the sign-in: the Exchange token has no SMTP.SendAsApp.".into(),
            evidence:
                "535 5.7.3 Authentication unsuccessful [sandbox] · token roles: no roles at all"
                    .into(),
            cause: String::new(),
            fix: "… \"Grant admin consent\" …".into(),
        },
        elapsed: std::time::Duration::from_millis(5),
        unavailable: false,
    };
    let now = 1_900_000_000;
    let at = |ago: i64| {
        vec![
            Made::from_key(
                "exchange:roleassignment:application smtp.sendasapp",
                now - ago,
            )
            .unwrap(),
        ]
    };
    let facts = |made: &'static [Made]| SetupFacts {
        scope: Some(Box::leak(Box::new(record.clone()))),
        access: &[AccessChoice::Smtp],
        client_id: "11111111-1111-4111-8111-111111111111",
        sp_id: Some("22222222-2222-4222-8222-222222222222"),
        made,
        now,
    };
    let soon: &'static [Made] = Box::leak(at(60).into_boxed_slice());
    match reclassify(&spec, refused(), &facts(soon)) {
        CheckEvent::Pending { diagnosis, .. } => {
            assert!(
                diagnosis.summary.contains("role assignment"),
                "{diagnosis:?}"
            )
        }
        other => panic!("pending while the role applies: {other:?}"),
    }
    let late: &'static [Made] = Box::leak(at(3 * 3600).into_boxed_slice());
    match reclassify(&spec, refused(), &facts(late)) {
        CheckEvent::Failed { diagnosis, .. } => {
            assert!(
                diagnosis.summary.contains("RBAC for Applications scope"),
                "{diagnosis:?}"
            );
            assert!(diagnosis.fix.contains("Application SMTP.SendAsApp"));
            assert!(!diagnosis.fix.contains("Grant admin consent"));
        }
        other => panic!("{other:?}"),
    }
}
