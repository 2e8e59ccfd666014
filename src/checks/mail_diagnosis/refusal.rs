//! The shape of a refusal, so that mailboxes refused the same way are counted together.

use crate::checks::wire::ProbeError;

/// The shape of a refusal, for grouping failures across mailboxes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The server said the token itself is invalid (signature, issuer, audience, lifetime).
    TokenRejected,
    /// The sign-in itself was refused.
    AuthFailed,
    /// IMAP: signed in, but the mailbox could not be opened.
    NotConnected,
    /// SMTP: Exchange's 5.7.139, SMTP AUTH refused (switched off, security defaults,
    /// Conditional Access, basic authentication: `SmtpAuthRefusal` tells them apart).
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
