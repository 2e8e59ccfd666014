use super::*;
use crate::checks::wire::ProbeError;
use crate::cloud::{CloudError, GraphError};

fn ctx<'a>(kind: CheckKind, roles: &'a [String], peers: Peers) -> MailContext<'a> {
    MailContext {
        kind,
        mailbox: "bob@contoso.example",
        client_id: "a1f5c0de-0006-4000-8000-00000000c006",
        sp_object_id: "e0000000-0006-4000-8000-00000000b006",
        roles,
        peers,
    }
}

fn peers(passed: usize, failed_alike: usize) -> Peers {
    Peers {
        passed,
        failed_alike,
    }
}

fn refused(step: &'static str, line: &str) -> ProbeError {
    ProbeError::Refused {
        step,
        line: line.into(),
    }
}

#[test]
fn every_reference_string_is_classified() {
    for (step, line, want) in [
        (
            "authenticate",
            "a2 NO AUTHENTICATE failed.",
            Refusal::AuthFailed,
        ),
        (
            "examine",
            "a3 BAD User is authenticated but not connected.",
            Refusal::NotConnected,
        ),
        (
            "authenticate",
            "-ERR Authentication failure: unknown user name or bad password.",
            Refusal::AuthFailed,
        ),
        (
            "authenticate",
            "535 5.7.3 Authentication unsuccessful",
            Refusal::AuthFailed,
        ),
        (
            "mail from",
            "530 5.7.57 Client not authenticated to send mail",
            Refusal::SendRefused,
        ),
        (
            "data",
            "430 4.2.0 STOREDRV; mailbox logon failure",
            Refusal::SendRefused,
        ),
        (
            "authenticate",
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            Refusal::SmtpAuthDisabled,
        ),
        (
            "authenticate",
            "the server does not offer XOAUTH2 (capabilities: IMAP4REV1)",
            Refusal::Unsupported,
        ),
    ] {
        assert_eq!(classify(&refused(step, line)), want, "{line}");
    }
}

#[test]
fn the_graph_instead_of_exchange_trap() {
    let no_roles: Vec<String> = vec![];
    let dg = diagnose_probe(
        &refused("authenticate", "a2 NO AUTHENTICATE failed."),
        &ctx(CheckKind::Imap, &no_roles, Peers::default()),
    );
    assert!(dg.summary.contains("no IMAP.AccessAsApp"), "{dg:?}");
    assert!(dg.cause.contains("IMAP.AccessAsUser.All"));
    assert!(dg.fix.contains("Office 365 Exchange Online"));
    assert!(dg.evidence.contains("no roles at all"));
}

#[test]
fn not_connected_depends_on_the_other_mailboxes() {
    let roles = vec!["IMAP.AccessAsApp".to_string()];
    let err = refused("examine", "a3 BAD User is authenticated but not connected.");
    let one = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, peers(1, 0)));
    assert!(one.summary.contains("no FullAccess on bob@"), "{one:?}");
    assert!(
        one.fix
            .contains("Add-MailboxPermission -Identity bob@contoso.example -User e0000000-0006")
    );
    let all = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, peers(0, 1)));
    assert!(all.summary.contains("wrong object ID"), "{all:?}");
    assert!(all.fix.contains(
        "New-ServicePrincipal -AppId a1f5c0de-0006-4000-8000-00000000c006 -ObjectId e0000000-0006"
    ));
    let alone = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, Peers::default()));
    assert!(alone.cause.contains("object ID") && alone.fix.contains("FullAccess"));
}

#[test]
fn auth_failures_with_the_role() {
    let roles = vec!["IMAP.AccessAsApp".to_string()];
    let err = refused("authenticate", "a2 NO AUTHENTICATE failed.");
    let disabled = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, peers(2, 0)));
    assert!(
        disabled.cause.contains("IMAP is switched off"),
        "{disabled:?}"
    );
    assert!(disabled.fix.contains("-ImapEnabled $true"));
    let nobody = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, peers(0, 2)));
    assert!(nobody.cause.contains("never registered"), "{nobody:?}");
    let smtp_roles = vec!["SMTP.SendAsApp".to_string()];
    let smtp = diagnose_probe(
        &refused("authenticate", "535 5.7.3 Authentication unsuccessful"),
        &ctx(CheckKind::Smtp, &smtp_roles, peers(1, 0)),
    );
    assert!(
        smtp.fix
            .contains("-SmtpClientAuthenticationDisabled $false"),
        "{smtp:?}"
    );
}

#[test]
fn faults_are_not_configuration() {
    let roles = vec![];
    let c = ctx(CheckKind::Pop, &roles, Peers::default());
    let closed = diagnose_probe(&ProbeError::Closed { step: "stat" }, &c);
    assert!(closed.summary.contains("closed the connection"));
    let garbled = diagnose_probe(
        &ProbeError::Garbled {
            step: "greeting",
            line: "HTTP/1.1 400".into(),
        },
        &c,
    );
    assert!(garbled.summary.contains("unexpected") && garbled.evidence.contains("HTTP/1.1 400"));
}

#[test]
fn ews_answers() {
    let ews = |status, code: &str, message: &str, roles: &[String]| {
        let err = CloudError::Graph(GraphError {
            status,
            code: code.into(),
            message: message.into(),
        });
        diagnose_ews(&err, &ctx(CheckKind::Ews, roles, Peers::default())).unwrap()
    };
    let roles = vec!["full_access_as_app".to_string()];
    let denied = "Access is denied. Check credentials and try again.";
    let dg = ews(200, "ErrorAccessDenied", denied, &roles);
    assert!(dg.summary.contains("outside the app's EWS scope"), "{dg:?}");
    let none: Vec<String> = vec![];
    let unauthorized = "EWS refused the access token";
    let dg = ews(401, "401 Unauthorized", unauthorized, &none);
    assert!(dg.summary.contains("no full_access_as_app"), "{dg:?}");
    let not_enough = "2000008;reason=\"The token contains not enough scope to make this call.\"";
    let dg = ews(403, "403 Forbidden", not_enough, &none);
    assert!(
        dg.summary.contains("no full_access_as_app") && dg.evidence.contains("not enough scope"),
        "{dg:?}"
    );
    let dg = ews(403, "403 Forbidden", not_enough, &roles);
    assert!(dg.cause.contains("not document"), "{dg:?}");
}
