//! What a failed EWS GetFolder means: EWS's own switches, the licence, the token's role or the
//! app's scope, each told apart (`ews_cause`).

use super::ews_cause::{Basis, EwsCause, EwsFacts, ews_cause};
use super::{MailContext, d, missing_role};
use crate::cloud::{CloudError, GraphError};
use crate::model::{Diagnosis, EWS_ENDS, EwsBlock};
use crate::scope::{EWS_READ, mailbox_ews_on};

/// A failed EWS GetFolder. Network and unexpected answers go to the general diagnosis.
pub fn diagnose_ews(err: &CloudError, ctx: &MailContext) -> Option<Diagnosis> {
    diagnose_ews_with(err, ctx, EwsFacts::default())
}

/// As [`diagnose_ews`], with what the setup read of EWS's switches.
pub fn diagnose_ews_with(
    err: &CloudError,
    ctx: &MailContext,
    facts: EwsFacts,
) -> Option<Diagnosis> {
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
    let (cause, basis) = ews_cause(*status, code, message, m, has_role, facts);
    let inferred = |text: &str| match basis {
        Basis::Answer => text.to_string(),
        Basis::Inferred => format!(
            "{text} This is inferred from what the setup read ({EWS_READ}): EWS's answer does not say why, and Microsoft does not document its words for this refusal."
        ),
    };
    let graph = format!(
        "EWS ends on {EWS_ENDS}: Microsoft Graph (graph-read, graph-send) under the same scope replaces it."
    );
    Some(match cause {
        EwsCause::MissingRole => missing_role(ctx, ev),
        EwsCause::Switch(EwsBlock::Organisation) => d(
            format!("EWS is disabled for the organisation: {m} cannot be reached through EWS."),
            ev,
            inferred("The organisation's EwsEnabled is $false, which blocks all EWS whatever the allow list and the scope say (Microsoft switches tenants off progressively since 1 October 2026)."),
            format!("The wizard does not change this tenant-wide switch. An Exchange administrator who keeps EWS would run Set-OrganizationConfig -EwsEnabled $true and list the app: Set-OrganizationConfig -EwsAllowedAppIDs \"<existing ids>,{}\" (it replaces the whole list). {graph}", ctx.client_id),
        ),
        EwsCause::Switch(EwsBlock::NotAllowListed) => d(
            format!("EWS refused the app for {m}: not on the organisation's EWS allow list."),
            ev,
            inferred(&format!(
                "The organisation's EwsEnabled is $true, so only the applications in EwsAllowedAppIDs may use EWS, and {} is not one of them{}.",
                ctx.client_id,
                if facts.reading.is_some_and(|r| r.declined) { " (adding it was declined during the setup)" } else { "" }
            )),
            format!("Add it, keeping every ID already there (the parameter replaces the whole list): $org = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy; Set-OrganizationConfig -EwsAllowedAppIDs \"$($org.EwsAllowedAppIDs),{}\" — or run the setup again without --decline-ews-allow-list. {graph}", ctx.client_id),
        ),
        EwsCause::Switch(EwsBlock::Mailbox) => d(
            format!("EWS is disabled for the mailbox {m}."),
            ev,
            inferred("The mailbox's EwsEnabled is $false: both the organisation and the mailbox must allow EWS."),
            format!("If the app should reach it through EWS, an Exchange administrator runs {} (the wizard does not change it). {graph}", mailbox_ews_on(m)),
        ),
        EwsCause::Licence => d(
            format!("EWS refused {m}: its licence does not include EWS."),
            ev,
            "Since 30 June 2026 Exchange Online refuses EWS, with HTTP 403, for mailboxes licensed only with Exchange Online Kiosk or Microsoft 365 / Office 365 F1 or F3. Microsoft documents the 403, not the exact words of the answer: this reading rests on ErrorInvalidLicense or \"license is invalid\" in it.".into(),
            format!("Give {m} a licence with EWS rights (for example Exchange Online Plan 1), or reach it through Microsoft Graph, which the licence allows. {graph}"),
        ),
        EwsCause::Scope => d(
            format!("{m} is outside the app's EWS scope."),
            ev,
            "An application access policy or RBAC for Applications scope limits this app, and this mailbox is not in it.".into(),
            format!(
                "If {m} should be reachable, add it to the policy's mail-enabled security group, then check with Test-ApplicationAccessPolicy -Identity {m} -AppId {}. Changes can take up to an hour to apply.",
                ctx.client_id
            ),
        ),
        EwsCause::Unexplained => d(
            format!("EWS refused the app for {m}, without saying why."),
            ev,
            "HTTP 403 with no EWS answer: the access policy or RBAC scope leaving the mailbox out, EWS switched off (organisation, mailbox or allow list) or, since 30 June 2026, a Kiosk/F1/F3 licence. Microsoft does not document EWS's answer to each of these precisely, and the setup's reading of the switches does not explain it.".into(),
            format!(
                "Check the scope (Test-ApplicationAccessPolicy -Identity {m} -AppId {} or Test-ServicePrincipalAuthorization), the switches ({EWS_READ}; Get-CASMailbox -Identity {m} | Format-List EwsEnabled) and the mailbox's licence. {graph}",
                ctx.client_id
            ),
        ),
        EwsCause::Other => match code.as_str() {
            _ if *status == 401 => d(
                "EWS refused the access token.".into(),
                ev,
                "The token carries full_access_as_app but EWS did not accept it: it was issued for another cloud or audience, or EWS is switched off for this tenant (Exchange Online is retiring EWS).".into(),
                format!("Check that the cloud chosen matches the tenant. {graph}"),
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
                format!("Read the evidence. {graph}"),
            ),
        },
    })
}
