use super::*;
use crate::cloud::error::{AadError, GraphError, NetKind, NetworkError};

fn ctx(stage: Stage) -> Context<'static> {
    Context {
        stage,
        tenant: "contoso.example",
        client_id: "a1f5c0de-0001-4000-8000-00000000c001",
        mailbox: Some("alice@contoso.example"),
        portal: "https://portal.azure.com",
    }
}

fn aad_err(code: u32) -> CloudError {
    CloudError::Aad(AadError {
        status: 400,
        error: "invalid_client".into(),
        codes: vec![code],
        description: format!("AADSTS{code}: text. Trace ID: x"),
    })
}

#[test]
fn every_reference_code_has_its_own_diagnosis() {
    let codes = [
        7000215, 7000222, 700016, 90002, 900023, 65001, 7000218, 500011, 700024, 53003,
    ];
    let mut summaries = std::collections::HashSet::new();
    for code in codes {
        let dg = diagnose(&aad_err(code), &ctx(Stage::Token));
        assert!(dg.evidence.contains(&format!("AADSTS{code}")), "{code}");
        assert!(!dg.fix.is_empty() && !dg.cause.is_empty());
        assert!(
            summaries.insert(dg.summary.clone()),
            "{code} shares a summary"
        );
    }
    let generic = diagnose(&aad_err(1234567), &ctx(Stage::Token));
    assert!(!summaries.contains(&generic.summary));
}

#[test]
fn the_classic_mix_ups_are_named() {
    assert!(
        diagnose(&aad_err(7000215), &ctx(Stage::Token))
            .cause
            .contains("Secret ID")
    );
    assert!(
        diagnose(&aad_err(700016), &ctx(Stage::Token))
            .cause
            .contains("Object ID")
    );
    assert!(
        diagnose(&aad_err(90002), &ctx(Stage::Discovery))
            .cause
            .contains("national cloud")
    );
}

#[test]
fn graph_answers() {
    let answer = |status, code: &str, message: &str, stage| {
        let err = CloudError::Graph(GraphError {
            status,
            code: code.into(),
            message: message.into(),
        });
        diagnose(&err, &ctx(stage))
    };
    let blocked = "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.";
    let raop = answer(403, "ErrorAccessDenied", blocked, Stage::MailboxRead);
    assert!(raop.summary.contains("outside the app's scope"));
    assert!(
        raop.fix
            .contains("Test-ApplicationAccessPolicy -Identity alice@contoso.example")
    );
    let denied = "Access is denied.";
    let role = answer(403, "ErrorAccessDenied", denied, Stage::MailboxRead);
    assert!(role.cause.contains("admin consent"));
    let send = answer(403, "ErrorAccessDenied", denied, Stage::MailboxSend);
    assert!(send.cause.contains("Mail.Send"));
    let invalid = "The requested user 'x' is invalid.";
    let missing = answer(404, "ErrorInvalidUser", invalid, Stage::MailboxRead);
    assert!(missing.summary.contains("does not exist"));
    assert!(
        answer(503, "x", "y", Stage::MailboxRead)
            .summary
            .contains("unavailable")
    );
}

#[test]
fn network_failures() {
    let n = |kind| {
        CloudError::Network(NetworkError {
            kind,
            host: "127.0.0.1:9".into(),
            detail: "error".into(),
        })
    };
    let summary = |kind| diagnose(&n(kind), &ctx(Stage::Token)).summary;
    assert!(summary(NetKind::Refused).starts_with("Nothing answered"));
    assert!(summary(NetKind::Timeout).contains("in time"));
    assert!(summary(NetKind::Dns).contains("resolved"));
    assert!(summary(NetKind::Tls).contains("secure connection"));
}

#[test]
fn role_and_scope_findings() {
    let none = missing_roles(&[], &["Mail.Read".into()], "Microsoft Graph");
    assert!(none.evidence.contains("no roles at all"));
    assert!(none.cause.contains("consent"));
    let some = missing_roles(
        &["Mail.Read".into()],
        &["Mail.Send".into()],
        "Microsoft Graph",
    );
    assert!(some.evidence.contains("Mail.Read"));
    assert!(some.fix.contains("Mail.Send"));
    assert!(
        not_denied("ceo@contoso.example", "id", "IMAP: EXAMINE INBOX succeeded")
            .fix
            .contains("New-ApplicationAccessPolicy -AppId id")
    );
    assert!(
        wrong_cloud("microsoftonline.us", "microsoftonline.com")
            .evidence
            .contains("microsoftonline.us")
    );
}
