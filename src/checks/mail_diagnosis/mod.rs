//! What an IMAP, POP3, SMTP or EWS failure means, from the server's answer, the roles in the
//! Exchange token, and how the same protocol fared on the other mailboxes. Pure.

use super::CheckKind;
use super::wire::ProbeError;
use crate::cloud::{CloudError, Diagnosis, GraphError};

/// How the other mailboxes fared with the same protocol in the same run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Peers {
    pub passed: usize,
    /// Other mailboxes that failed the same way.
    pub failed_alike: usize,
}

pub struct MailContext<'a> {
    pub kind: CheckKind,
    pub mailbox: &'a str,
    pub client_id: &'a str,
    /// The service principal's object id, from the token's `oid` claim.
    pub sp_object_id: &'a str,
    /// Roles in the Exchange token.
    pub roles: &'a [String],
    pub peers: Peers,
}

/// The shape of a refusal, for grouping failures across mailboxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The server said the token itself is invalid (signature, issuer, audience, lifetime).
    TokenRejected,
    /// The sign-in itself was refused.
    AuthFailed,
    /// IMAP: signed in, but the mailbox could not be opened.
    NotConnected,
    /// SMTP: SMTP AUTH is switched off.
    SmtpAuthDisabled,
    /// SMTP: not allowed to send (5.7.57, 430 STOREDRV).
    SendRefused,
    /// The server offers no XOAUTH2 or no STARTTLS.
    Unsupported,
    Other,
}

pub fn classify(err: &ProbeError) -> Refusal {
    let ProbeError::Refused { step, line } = err else {
        return Refusal::Other;
    };
    let l = line.to_ascii_lowercase();
    if l.contains("does not offer") {
        Refusal::Unsupported
    } else if *step == "authenticate"
        && (l.contains("\"status\":\"401\"") || l.contains("invalid_token"))
    {
        Refusal::TokenRejected
    } else if l.contains("authenticated but not connected") {
        Refusal::NotConnected
    } else if l.contains("5.7.139") || l.contains("smtpclientauthentication is disabled") {
        Refusal::SmtpAuthDisabled
    } else if l.contains("5.7.57") || l.contains("storedrv") {
        Refusal::SendRefused
    } else if *step == "authenticate" {
        Refusal::AuthFailed
    } else {
        Refusal::Other
    }
}

fn protocol(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Imap => "IMAP",
        CheckKind::Pop => "POP3",
        CheckKind::Smtp => "SMTP",
        CheckKind::Ews => "EWS",
        _ => "mail",
    }
}

fn role(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Imap => "IMAP.AccessAsApp",
        CheckKind::Pop => "POP.AccessAsApp",
        CheckKind::Smtp => "SMTP.SendAsApp",
        _ => "full_access_as_app",
    }
}

fn d(summary: String, evidence: String, cause: String, fix: String) -> Diagnosis {
    Diagnosis {
        summary,
        evidence,
        cause,
        fix,
    }
}

fn missing_role(ctx: &MailContext, evidence: String) -> Diagnosis {
    let p = protocol(ctx.kind);
    let r = role(ctx.kind);
    let have = if ctx.roles.is_empty() {
        "no roles at all".to_string()
    } else {
        format!("only {}", ctx.roles.join(", "))
    };
    let delegated = match ctx.kind {
        CheckKind::Imap => {
            " Microsoft Graph's IMAP.AccessAsUser.All is a delegated permission and does nothing for an app-only token — a common mix-up."
        }
        CheckKind::Pop => {
            " Microsoft Graph's POP.AccessAsUser.All is a delegated permission and does nothing for an app-only token — a common mix-up."
        }
        CheckKind::Smtp => {
            " Microsoft Graph's SMTP.Send is a delegated permission and does nothing for an app-only token — a common mix-up."
        }
        _ => "",
    };
    d(
        format!("{p} refused the sign-in: the Exchange token has no {r}."),
        format!("{evidence} · token roles: {have}"),
        format!(
            "{r} must be an *application* permission of Office 365 Exchange Online, with admin consent. Without it the token is still issued, but every {p} sign-in fails.{delegated}"
        ),
        format!(
            "Entra admin center › App registrations › the app › API permissions › Add a permission › APIs my organization uses › Office 365 Exchange Online › Application permissions › {r}; then \"Grant admin consent\". Consent can take a few minutes to reach the token."
        ),
    )
}

fn new_sp(ctx: &MailContext) -> String {
    format!(
        "New-ServicePrincipal -AppId {} -ObjectId {} -DisplayName <name>",
        ctx.client_id, ctx.sp_object_id
    )
}

fn check_sp(ctx: &MailContext) -> String {
    format!(
        "Get-ServicePrincipal | Where-Object AppId -eq '{}' | Format-List ObjectId — it must show {} (the Enterprise application's object ID, the token's oid), not the App registration's object ID",
        ctx.client_id, ctx.sp_object_id
    )
}

fn full_access(ctx: &MailContext) -> String {
    format!(
        "Add-MailboxPermission -Identity {} -User {} -AccessRights FullAccess",
        ctx.mailbox, ctx.sp_object_id
    )
}

fn cas_switch(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Imap => "-ImapEnabled $true",
        CheckKind::Pop => "-PopEnabled $true",
        _ => "-SmtpClientAuthenticationDisabled $false",
    }
}

/// A refused or failed IMAP, POP3 or SMTP probe.
pub fn diagnose_probe(err: &ProbeError, ctx: &MailContext) -> Diagnosis {
    let p = protocol(ctx.kind);
    let m = ctx.mailbox;
    let ev = err.evidence();
    let has_role = ctx.roles.iter().any(|r| r == role(ctx.kind));
    match (err, classify(err)) {
        (ProbeError::Net(n), _) => crate::cloud::diagnose(
            &CloudError::Network(n.clone()),
            &crate::cloud::diagnose::Context {
                stage: crate::cloud::Stage::MailboxRead,
                tenant: "",
                client_id: ctx.client_id,
                mailbox: Some(m),
                portal: "",
            },
        ),
        (ProbeError::Closed { .. }, _) => d(
            format!("The {p} server closed the connection."),
            ev,
            "The server ended the session mid-dialogue: a passing fault, a proxy or firewall cutting the connection, or a server under load.".into(),
            "Run the check again; if it repeats, check for a proxy or firewall between this machine and Exchange Online.".into(),
        ),
        (ProbeError::Garbled { .. }, _) => d(
            format!("The {p} server answered something unexpected."),
            ev,
            "The answer does not follow the protocol, or it never completed: the endpoint may be another service, or something in between rewrites the traffic.".into(),
            "Check the endpoint (host and port) and any proxy in between, then run the check again.".into(),
        ),
        (_, Refusal::Unsupported) => d(
            format!("The {p} server cannot do what the application needs."),
            ev,
            "The endpoint does not offer OAuth sign-in (XOAUTH2) over an encrypted connection — it is not Exchange Online's endpoint, or a proxy strips the capability.".into(),
            "Check the endpoint: Exchange Online uses outlook.office365.com:993 (IMAP), :995 (POP3) and smtp.office365.com:587 (SMTP) in the global cloud.".into(),
        ),
        (_, Refusal::TokenRejected) => d(
            format!("The {p} server rejected the access token itself."),
            ev,
            "The server checked the token and found it invalid: issued for another audience or cloud, expired, or not signed by a key it trusts. The mailbox permissions were never looked at.".into(),
            "Check that the cloud chosen matches the tenant and that the endpoint is Exchange Online's for that cloud; then run the check again for a fresh token.".into(),
        ),
        (_, Refusal::AuthFailed) if !has_role => missing_role(ctx, ev),
        (_, Refusal::SmtpAuthDisabled) => d(
            format!("SMTP AUTH is switched off for {m} or the tenant."),
            ev,
            "Exchange Online refuses authenticated SMTP submission unless it is allowed for the mailbox (or the whole tenant).".into(),
            format!("Set-CASMailbox -Identity {m} {}; or allow SMTP AUTH for the organisation: Set-TransportConfig -SmtpClientAuthenticationDisabled $false.", cas_switch(CheckKind::Smtp)),
        ),
        (_, Refusal::SendRefused) => d(
            format!("{m} may not send through SMTP."),
            ev,
            "Signed in, but the service principal has no right to send as this mailbox.".into(),
            format!("{}. Or, for send rights only: Add-RecipientPermission -Identity {m} -Trustee {} -AccessRights SendAs.", full_access(ctx), ctx.sp_object_id),
        ),
        (_, Refusal::NotConnected) => not_connected(ctx, ev),
        (_, Refusal::AuthFailed) => auth_failed(ctx, ev),
        (_, Refusal::Other) => d(
            format!("The {p} server refused the request."),
            ev,
            format!("The {p} server answered with a failure after signing in."),
            format!("Read the evidence; compare with {} and {}.", check_sp(ctx), full_access(ctx)),
        ),
    }
}

fn not_connected(ctx: &MailContext, ev: String) -> Diagnosis {
    let m = ctx.mailbox;
    if ctx.peers.passed > 0 {
        d(
            format!("The app has no FullAccess on {m}."),
            ev,
            "The sign-in worked and other mailboxes open, so the service principal is registered; it lacks permission on this mailbox.".into(),
            format!("{}. Permissions can take up to an hour to apply.", full_access(ctx)),
        )
    } else if ctx.peers.failed_alike > 0 {
        d(
            "The Exchange service principal was registered with the wrong object ID.".into(),
            ev,
            "Sign-in works but no mailbox opens: Exchange knows a service principal for this app, but not the one the token names. The usual cause is New-ServicePrincipal given the App registration's object ID instead of the Enterprise application's.".into(),
            format!(
                "{}. If it differs: Remove-ServicePrincipal -Identity <that id>; {}; then grant FullAccess again ({}).",
                check_sp(ctx),
                new_sp(ctx),
                full_access(ctx)
            ),
        )
    } else {
        d(
            format!("Signed in, but {m} could not be opened."),
            ev,
            "Exchange knows a service principal for this app, but it has no permission on this mailbox — or it was registered with the App registration's object ID instead of the Enterprise application's.".into(),
            format!("{}. Then: {}.", check_sp(ctx), full_access(ctx)),
        )
    }
}

fn auth_failed(ctx: &MailContext, ev: String) -> Diagnosis {
    let p = protocol(ctx.kind);
    let m = ctx.mailbox;
    let switch = cas_switch(ctx.kind);
    let per_mailbox_cause = match ctx.kind {
        CheckKind::Imap => {
            format!("IMAP is switched off for {m} (or it has no Exchange Online mailbox).")
        }
        CheckKind::Pop => format!(
            "POP3 is switched off for {m}, or the service principal has no FullAccess on it."
        ),
        _ => format!(
            "SMTP AUTH is switched off for {m}, or the service principal has no FullAccess on it."
        ),
    };
    if ctx.peers.passed > 0 {
        d(
            format!("{p} sign-in to {m} was refused."),
            ev,
            format!(
                "Other mailboxes sign in, so the token and the service principal are fine. {per_mailbox_cause}"
            ),
            format!(
                "Get-CASMailbox -Identity {m} shows the switch; Set-CASMailbox -Identity {m} {switch}. Also check FullAccess: {}.",
                full_access(ctx)
            ),
        )
    } else if ctx.peers.failed_alike > 0 {
        d(
            format!("{p} sign-in is refused for every mailbox."),
            ev,
            "The token carries the role, so Exchange does not know this app: its service principal was never registered in Exchange Online (New-ServicePrincipal), or was registered with the App registration's object ID.".into(),
            format!("{}; {}; then {}.", check_sp(ctx), new_sp(ctx), full_access(ctx)),
        )
    } else {
        d(
            format!("{p} sign-in to {m} was refused."),
            ev,
            format!(
                "The token carries the role; then one of these is missing: the app's service principal in Exchange Online (registered with the Enterprise application's object ID), FullAccess on {m}, or {p} is switched off for the mailbox."
            ),
            format!(
                "Check in this order: {}; {}; Get-CASMailbox -Identity {m} (Set-CASMailbox {switch}).",
                check_sp(ctx),
                full_access(ctx)
            ),
        )
    }
}

/// A failed EWS GetFolder. Network and unexpected answers go to the general diagnosis.
pub fn diagnose_ews(err: &CloudError, ctx: &MailContext) -> Option<Diagnosis> {
    let CloudError::Graph(GraphError {
        status,
        code,
        message,
    }) = err
    else {
        return None;
    };
    let m = ctx.mailbox;
    let ev = format!("HTTP {status} {code}: {message}");
    let has_role = ctx.roles.iter().any(|r| r == "full_access_as_app");
    Some(match code.as_str() {
        _ if (*status == 401 || *status == 403) && !has_role => missing_role(ctx, ev),
        _ if *status == 403 => d(
            format!("EWS refused the app for {m}."),
            ev,
            "The token carries full_access_as_app, so this is most likely an application access policy or RBAC scope that leaves the mailbox out (Microsoft does not document EWS's answer to that precisely).".into(),
            format!(
                "If {m} should be reachable, check the app's scope: Test-ApplicationAccessPolicy -Identity {m} -AppId {} or Test-ServicePrincipalAuthorization. Changes can take up to an hour to apply.",
                ctx.client_id
            ),
        ),
        _ if *status == 401 => d(
            "EWS refused the access token.".into(),
            ev,
            "The token carries full_access_as_app but EWS did not accept it: it was issued for another cloud or audience, or EWS is switched off for this tenant (Exchange Online is retiring EWS).".into(),
            "Check that the cloud chosen matches the tenant. EWS is legacy: plan the move to Microsoft Graph.".into(),
        ),
        "ErrorAccessDenied" if !has_role => missing_role(ctx, ev),
        "ErrorAccessDenied" => d(
            format!("{m} is outside the app's EWS scope."),
            ev,
            "An application access policy or RBAC for Applications scope limits this app, and this mailbox is not in it.".into(),
            format!(
                "If {m} should be reachable, add it to the policy's mail-enabled security group, then check with Test-ApplicationAccessPolicy -Identity {m} -AppId {}. Changes can take up to an hour to apply.",
                ctx.client_id
            ),
        ),
        "ErrorNonExistentMailbox" | "ErrorMailboxNotFound" => d(
            format!("{m} has no mailbox in this tenant."),
            ev,
            "The address has a typo, belongs to another tenant, or the user has no Exchange Online licence.".into(),
            "Use the mailbox's primary SMTP address (Exchange admin center › Recipients › Mailboxes).".into(),
        ),
        "ErrorInvalidExchangeImpersonationHeaderData" | "ErrorImpersonateUserDenied" => d(
            "EWS refused to act as the mailbox.".into(),
            ev,
            "App-only EWS calls must name the mailbox in the ExchangeImpersonation header, and the app must be allowed to impersonate it.".into(),
            "The consuming application must send ExchangeImpersonation (PrimarySmtpAddress) and X-AnchorMailbox with every call.".into(),
        ),
        _ => d(
            "EWS refused the request.".into(),
            ev,
            format!("EWS answered {code}."),
            "Read the evidence. EWS is legacy in Exchange Online: plan the move to Microsoft Graph.".into(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let one = diagnose_probe(
            &err,
            &ctx(
                CheckKind::Imap,
                &roles,
                Peers {
                    passed: 1,
                    failed_alike: 0,
                },
            ),
        );
        assert!(one.summary.contains("no FullAccess on bob@"), "{one:?}");
        assert!(
            one.fix.contains(
                "Add-MailboxPermission -Identity bob@contoso.example -User e0000000-0006"
            )
        );
        let all = diagnose_probe(
            &err,
            &ctx(
                CheckKind::Imap,
                &roles,
                Peers {
                    passed: 0,
                    failed_alike: 1,
                },
            ),
        );
        assert!(all.summary.contains("wrong object ID"), "{all:?}");
        assert!(all.fix.contains("New-ServicePrincipal -AppId a1f5c0de-0006-4000-8000-00000000c006 -ObjectId e0000000-0006"));
        let alone = diagnose_probe(&err, &ctx(CheckKind::Imap, &roles, Peers::default()));
        assert!(alone.cause.contains("object ID") && alone.fix.contains("FullAccess"));
    }

    #[test]
    fn auth_failures_with_the_role() {
        let roles = vec!["IMAP.AccessAsApp".to_string()];
        let err = refused("authenticate", "a2 NO AUTHENTICATE failed.");
        let disabled = diagnose_probe(
            &err,
            &ctx(
                CheckKind::Imap,
                &roles,
                Peers {
                    passed: 2,
                    failed_alike: 0,
                },
            ),
        );
        assert!(
            disabled.cause.contains("IMAP is switched off"),
            "{disabled:?}"
        );
        assert!(disabled.fix.contains("-ImapEnabled $true"));
        let nobody = diagnose_probe(
            &err,
            &ctx(
                CheckKind::Imap,
                &roles,
                Peers {
                    passed: 0,
                    failed_alike: 2,
                },
            ),
        );
        assert!(nobody.cause.contains("never registered"), "{nobody:?}");
        let smtp_roles = vec!["SMTP.SendAsApp".to_string()];
        let smtp = diagnose_probe(
            &refused("authenticate", "535 5.7.3 Authentication unsuccessful"),
            &ctx(
                CheckKind::Smtp,
                &smtp_roles,
                Peers {
                    passed: 1,
                    failed_alike: 0,
                },
            ),
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
        assert!(
            garbled.summary.contains("unexpected") && garbled.evidence.contains("HTTP/1.1 400")
        );
    }

    #[test]
    fn ews_answers() {
        let roles = vec!["full_access_as_app".to_string()];
        let err = CloudError::Graph(GraphError {
            status: 200,
            code: "ErrorAccessDenied".into(),
            message: "Access is denied. Check credentials and try again.".into(),
        });
        let dg = diagnose_ews(&err, &ctx(CheckKind::Ews, &roles, Peers::default())).unwrap();
        assert!(dg.summary.contains("outside the app's EWS scope"), "{dg:?}");
        let none: Vec<String> = vec![];
        let unauth = CloudError::Graph(GraphError {
            status: 401,
            code: "401 Unauthorized".into(),
            message: "EWS refused the access token".into(),
        });
        let dg = diagnose_ews(&unauth, &ctx(CheckKind::Ews, &none, Peers::default())).unwrap();
        assert!(dg.summary.contains("no full_access_as_app"), "{dg:?}");
        let forbidden = CloudError::Graph(GraphError {
            status: 403,
            code: "403 Forbidden".into(),
            message: "2000008;reason=\"The token contains not enough scope to make this call.\""
                .into(),
        });
        let dg = diagnose_ews(&forbidden, &ctx(CheckKind::Ews, &none, Peers::default())).unwrap();
        assert!(
            dg.summary.contains("no full_access_as_app")
                && dg.evidence.contains("not enough scope"),
            "{dg:?}"
        );
        let dg = diagnose_ews(&forbidden, &ctx(CheckKind::Ews, &roles, Peers::default())).unwrap();
        assert!(dg.cause.contains("not document"), "{dg:?}");
    }
}
