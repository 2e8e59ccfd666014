//! What a Microsoft Graph error answer means for a mailbox read or send.

use super::{Context, Stage, d};
use crate::cloud::error::GraphError;
use crate::model::Diagnosis;

pub(super) fn graph(g: &GraphError, ctx: &Context) -> Diagnosis {
    if is_mailbox_not_enabled(g) {
        return super::credentials::mailbox_not_enabled(g.status, &g.code, &g.message, ctx);
    }
    let mailbox = ctx.mailbox.unwrap_or("the mailbox");
    let ev = format!("HTTP {} {}: {}", g.status, g.code, g.message);
    let raop = g.message.contains("RAOP") || g.message.contains("Access to OData is disabled");
    match (g.status, g.code.as_str()) {
        (403, _) if raop => d(
            format!("{mailbox} is outside the app's scope."),
            ev,
            "An Application Access Policy (or RBAC for Applications scope) in Exchange Online limits this app, and this mailbox is not in the allowed group.",
            format!(
                "If {mailbox} should be reachable, add it to the policy's mail-enabled security group: Add-DistributionGroupMember -Identity <group> -Member {mailbox}; then check with Test-ApplicationAccessPolicy -Identity {mailbox} -AppId {}. Changes can take up to an hour to apply.",
                ctx.client_id
            ),
        ),
        (403, _) => d(
            format!("The app may not access {mailbox}."),
            ev,
            match ctx.stage {
                Stage::MailboxSend => {
                    "The token has no Mail.Send role: the permission is missing or admin consent was not granted."
                }
                _ => {
                    "The token has no mail role: the application permission (Mail.Read or Mail.ReadWrite on Microsoft Graph) is missing, was added as Delegated, or admin consent was not granted."
                }
            },
            "In Entra admin center › App registrations › the app › API permissions, add the Microsoft Graph *application* permission and press \"Grant admin consent\".",
        ),
        (404, "ErrorInvalidUser")
        | (404, "Request_ResourceNotFound")
        | (404, "ResourceNotFound") => d(
            format!("{mailbox} does not exist in this tenant."),
            ev,
            "The address has a typo, belongs to another tenant, or is a user without an Exchange Online mailbox (no licence).",
            "Check the address in Exchange admin center › Recipients › Mailboxes and use the mailbox's primary SMTP address.",
        ),
        (401, _) => d(
            "Graph refused the access token.",
            ev,
            "The token was issued for another audience or cloud, or expired in transit.",
            "Check that the cloud chosen matches the tenant; the scope must be the Graph of that cloud.",
        ),
        (429, _) => d(
            "Graph is throttling this app.",
            ev,
            "Too many requests in a short time; the wizard retried and gave up.",
            "Wait a minute and run the check again.",
        ),
        (s, _) if s >= 500 => d(
            "Graph is unavailable.",
            ev,
            "A passing outage on Microsoft's side.",
            "Run the check again in a few minutes; see the Microsoft 365 service health page if it lasts.",
        ),
        _ => d(
            "Graph refused the request.",
            ev,
            format!("Graph answered {}.", g.code),
            "Read the evidence; if it persists, run the same call in Graph Explorer to compare.",
        ),
    }
}

/// Graph's answer for a mailbox it cannot serve (no Exchange Online licence, on-premises,
/// inactive or soft-deleted), by code, or named in the message of another code.
pub fn is_mailbox_not_enabled(g: &GraphError) -> bool {
    [
        "MailboxNotEnabledForRESTAPI",
        "MailboxNotSupportedForRESTAPI",
    ]
    .iter()
    .any(|c| g.code == *c || g.message.contains(c))
}
