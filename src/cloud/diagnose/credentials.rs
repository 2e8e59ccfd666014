//! Token refusals about the app's own standing in the tenant: no service principal
//! (AADSTS7000229) and a client assertion signed with a key the app does not have registered
//! (AADSTS700027). Sources: docs/december-2026.md 6.1–6.3.

use super::{Context, d};
use crate::cloud::error::AadError;
use crate::model::Diagnosis;

/// The diagnosis of the codes this file knows, or `None`.
pub(super) fn aad(a: &AadError, ctx: &Context) -> Option<Diagnosis> {
    if a.has_code(7000229) {
        Some(no_service_principal(a, ctx))
    } else if a.has_code(700027) {
        Some(key_not_registered(a, ctx, None))
    } else {
        None
    }
}

fn no_service_principal(a: &AadError, ctx: &Context) -> Diagnosis {
    let app = ctx.client_id;
    d(
        "The app has no service principal (Enterprise application) in this tenant.",
        a.short_description(),
        format!(
            "Since 31 March 2026 Microsoft Entra ID refuses the sign-ins of an app without a service principal in the tenant it signs in to. App {app} has none in tenant {}: a setup stopped before making it, or it was deleted.",
            ctx.tenant
        ),
        format!(
            "If the wizard's setup made this app, run setup again to resume: it creates the service principal and keeps what exists. By hand: Graph `POST /servicePrincipals` with {{\"appId\": \"{app}\"}}, or PowerShell `New-MgServicePrincipal -AppId {app}`; then grant the app's permissions again (admin consent)."
        ),
    )
}

/// The thumbprint the refusal says the client used, when it names one.
pub fn thumbprint_used(description: &str) -> Option<&str> {
    let rest = description
        .split("Thumbprint of key used by client: '")
        .nth(1)?;
    let thumb = rest.split('\'').next()?;
    (!thumb.is_empty()).then_some(thumb)
}

/// AADSTS700027, with the profile's certificate (`x5t#S256`) when the caller knows it.
pub fn key_not_registered(a: &AadError, ctx: &Context, profile: Option<&str>) -> Diagnosis {
    let app = ctx.client_id;
    let used = match thumbprint_used(&a.description) {
        Some(t) => format!(" (thumbprint of the key used: {t})"),
        None => String::new(),
    };
    let mine = match profile {
        Some(t) => format!(
            " The profile's certificate is x5t#S256 {t}; compare it with the certificates the app lists."
        ),
        None => String::new(),
    };
    d(
        "The certificate that signed the client assertion is not registered on the app.",
        a.short_description(),
        format!(
            "Microsoft Entra ID found no certificate on app {app} for the key the assertion named{used}: the certificate was removed from the app, was never uploaded, or the signing key is another one than the app knows."
        ),
        format!(
            "Upload the certificate to the app (Entra admin center › App registrations › the app › Certificates & secrets › Certificates › Upload certificate), or let the wizard register a new one: `m365-mail-wizard cert PROFILE` (an administrator signs in) or `cert PROFILE --guided`.{mine} App: {}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Credentials/appId/{app}",
            ctx.portal.trim_end_matches('/')
        ),
    )
}

/// Graph's `MailboxNotEnabledForRESTAPI` (or `MailboxNotSupportedForRESTAPI`): the mailbox has
/// no Exchange Online licence, is on-premises, or is inactive or soft-deleted. Never the scope's
/// refusal, and never fixed by giving the app more access.
pub(super) fn mailbox_not_enabled(
    status: u16,
    code: &str,
    message: &str,
    ctx: &Context,
) -> Diagnosis {
    let mailbox = ctx.mailbox.unwrap_or("the mailbox");
    let ev = format!("HTTP {status} {code}: {message}");
    let cause = "Graph serves only Exchange Online mailboxes: this one has no Exchange Online licence, is hosted on-premises (Exchange Server), or is inactive or soft-deleted. It is not the app's permissions or scope.";
    let licence = format!(
        "Assign {mailbox} a licence that includes Exchange Online (Microsoft 365 admin center › Users › Active users › {mailbox} › Licenses and apps) and wait for its mailbox to be provisioned, or use a cloud mailbox instead."
    );
    if ctx.stage == super::Stage::MustBeDenied {
        d(
            format!(
                "The must-be-denied check proves nothing on {mailbox}: Graph cannot serve that mailbox at all."
            ),
            ev,
            cause,
            format!(
                "Name another out-of-scope mailbox that has an Exchange Online licence (--deny-mailbox) so the check tests the scope, or: {licence} Do not widen the app's access for this."
            ),
        )
    } else {
        d(
            format!("{mailbox} has no mailbox Microsoft Graph can serve."),
            ev,
            cause,
            licence,
        )
    }
}
