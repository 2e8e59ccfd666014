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

#[test]
fn an_app_without_service_principal_is_told_to_resume_the_setup() {
    let e = CloudError::Aad(AadError {
        status: 401,
        error: "invalid_client".into(),
        codes: vec![7000229],
        description: "AADSTS7000229: The client application a1f5c0de-0001-4000-8000-00000000c001 is missing service principal in the tenant t1. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119 Trace ID: x".into(),
    });
    let dg = diagnose(&e, &ctx(Stage::Token));
    assert!(dg.summary.contains("no service principal"), "{dg:?}");
    assert!(dg.cause.contains("31 March 2026") && dg.cause.contains("contoso.example"));
    assert!(dg.fix.contains("run setup again to resume"), "{}", dg.fix);
    assert!(
        dg.fix
            .contains("{\"appId\": \"a1f5c0de-0001-4000-8000-00000000c001\"}")
    );
}

#[test]
fn an_unregistered_certificate_names_the_thumbprints() {
    let a = AadError {
        status: 401,
        error: "invalid_client".into(),
        codes: vec![700027],
        description: "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: 'ABC123', Please visit the Azure Portal] Trace ID: x".into(),
    };
    assert_eq!(thumbprint_used(&a.description), Some("ABC123"));
    let plain = diagnose(&CloudError::Aad(a.clone()), &ctx(Stage::Token));
    assert!(plain.summary.contains("not registered on the app"));
    assert!(plain.cause.contains("ABC123") && plain.fix.contains("cert PROFILE"));
    let with = key_not_registered(&a, &ctx(Stage::Token), Some("x5tS256value"));
    assert!(with.fix.contains("x5t#S256 x5tS256value"), "{}", with.fix);
    assert!(with.fix.contains("a1f5c0de-0001-4000-8000-00000000c001"));
}

#[test]
fn a_mailbox_without_exchange_online_is_its_own_cause_and_never_the_scope() {
    let g = GraphError {
        status: 404,
        code: "MailboxNotEnabledForRESTAPI".into(),
        message: "REST API is not yet supported for this mailbox.".into(),
    };
    assert!(is_mailbox_not_enabled(&g));
    let read = diagnose(&CloudError::Graph(g.clone()), &ctx(Stage::MailboxRead));
    assert!(
        read.cause.contains("no Exchange Online licence"),
        "{read:?}"
    );
    assert!(read.fix.contains("alice@contoso.example"));
    let denied = diagnose(&CloudError::Graph(g), &ctx(Stage::MustBeDenied));
    assert!(denied.summary.contains("proves nothing"), "{denied:?}");
    assert!(denied.fix.contains("--deny-mailbox") && denied.fix.contains("Do not widen"));
    let inner = GraphError {
        status: 403,
        code: "ErrorAccessDenied".into(),
        message: "MailboxNotEnabledForRESTAPI: The mailbox is either inactive, soft-deleted, or is hosted on-premise.".into(),
    };
    assert!(is_mailbox_not_enabled(&inner));
}
