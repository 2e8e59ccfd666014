//! What a refused or failed IMAP, POP3 or SMTP probe means.

use super::fixes::{cas_switch, check_sp, full_access, new_sp};
use super::refusal::{Refusal, classify};
use super::{MailContext, d, missing_role, protocol, role};
use crate::checks::wire::ProbeError;
use crate::cloud::CloudError;
use crate::model::CheckKind;
use crate::model::Diagnosis;

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
        (_, Refusal::SmtpAuthDisabled) => super::smtp_auth::diagnose(ctx, ev),
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
