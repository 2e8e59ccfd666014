//! What an IMAP, POP3, SMTP or EWS failure means, from the server's answer, the roles in the
//! Exchange token, and how the same protocol fared on the other mailboxes. Pure.

mod delegated;
mod ews;
mod ews_cause;
mod fixes;
mod probe;
mod refusal;
mod smtp_auth;

pub use delegated::{UserMailContext, diagnose_user_probe};
pub use ews::{diagnose_ews, diagnose_ews_with};
pub use ews_cause::{Basis, EwsCause, EwsFacts, ews_cause};
pub use probe::diagnose_probe;
pub use refusal::{Refusal, classify};
pub use smtp_auth::{SmtpAuthRefusal, not_proven as smtp_not_proven, smtp_auth_refusal};

use crate::model::{CheckKind, Diagnosis};

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
        CheckKind::Imap => Some("IMAP.AccessAsUser.All"),
        CheckKind::Pop => Some("POP.AccessAsUser.All"),
        CheckKind::Smtp => Some("SMTP.Send"),
        _ => None,
    }
    .map(|name| {
        format!(
            " Microsoft Graph's {name} is a delegated permission and does nothing for an app-only token — a common mix-up."
        )
    })
    .unwrap_or_default();
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

#[cfg(test)]
mod tests;
