//! What a failed EWS GetFolder means.

use super::{MailContext, d, missing_role};
use crate::cloud::{CloudError, GraphError};
use crate::model::Diagnosis;

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
