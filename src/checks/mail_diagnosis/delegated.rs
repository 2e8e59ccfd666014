//! An IMAP or SMTP refusal of a mailbox user's delegated token: SMTP AUTH or IMAP off for the
//! mailbox, or the user without FullAccess on a shared mailbox. Each fix names the one
//! mailbox and the one user; none widens what the app may reach.

use super::smtp_auth::{SmtpAuthRefusal, smtp_auth_refusal};
use super::{MailContext, Peers, d, diagnose_probe};
use crate::checks::wire::ProbeError;
use crate::model::{CheckKind, Diagnosis};

/// Whose token reached which mailbox with which protocol.
pub struct UserMailContext<'a> {
    pub kind: CheckKind,
    pub mailbox: &'a str,
    pub user: &'a str,
    pub client_id: &'a str,
}

/// Why `ctx.user`'s token was refused for `ctx.mailbox`.
pub fn diagnose_user_probe(e: &ProbeError, ctx: &UserMailContext) -> Diagnosis {
    let ProbeError::Refused { line, .. } = e else {
        return diagnose_probe(
            e,
            &MailContext {
                kind: if ctx.kind == CheckKind::UserImap {
                    CheckKind::Imap
                } else {
                    CheckKind::Smtp
                },
                mailbox: ctx.mailbox,
                client_id: ctx.client_id,
                sp_object_id: "",
                roles: &[],
                peers: Peers::default(),
            },
        );
    };
    let (m, u, ev) = (ctx.mailbox, ctx.user, line.clone());
    let imap = ctx.kind == CheckKind::UserImap;
    let shared = !m.eq_ignore_ascii_case(u);
    if !imap && line.contains("5.7.139") {
        return match smtp_auth_refusal(line) {
            SmtpAuthRefusal::MailboxOff | SmtpAuthRefusal::TenantOff => d(
                format!("SMTP AUTH is off for {m}."),
                ev,
                "Exchange refuses SMTP AUTH, OAuth included, for a mailbox whose own switch is off, or whose switch is not set while the organisation's is off.".into(),
                format!(
                    "Allow it for this mailbox only: Set-CASMailbox -Identity {m} -SmtpClientAuthenticationDisabled $false (leave the organisation's switch as it is)."
                ),
            ),
            _ => d(
                format!("Exchange refused SMTP AUTH for {m}."),
                ev,
                "Exchange's 5.7.139 answer: security defaults, Conditional Access or another sign-in policy refused it.".into(),
                "Read the words after 5.7.139 in the evidence; for Conditional Access, see the user's sign-in log in Entra admin center.".into(),
            ),
        };
    }
    let protocol = if imap { "IMAP" } else { "SMTP" };
    if shared {
        return d(
            format!("{protocol} refused {u}'s token for the shared mailbox {m}."),
            ev,
            format!(
                "A user's token reaches another mailbox only where the user has FullAccess on it (the XOAUTH2 user names the shared mailbox); {u} has none on {m}, or the grant has not reached Exchange yet.{}",
                if imap {
                    ""
                } else {
                    " Sending from it also takes Send As."
                }
            ),
            format!(
                "Add-MailboxPermission -Identity {m} -User {u} -AccessRights FullAccess -InheritanceType All{}",
                if imap {
                    String::new()
                } else {
                    format!(
                        "; to send as it: Add-RecipientPermission -Identity {m} -Trustee {u} -AccessRights SendAs"
                    )
                }
            ),
        );
    }
    if imap {
        d(
            format!("IMAP refused {u}'s token for their own mailbox."),
            ev,
            "The token holds IMAP.AccessAsUser.All, so Exchange itself refused: IMAP is turned off for this mailbox (Get-CASMailbox shows ImapEnabled False).".into(),
            format!("Set-CASMailbox -Identity {m} -ImapEnabled $true"),
        )
    } else {
        d(
            format!("SMTP refused {u}'s token for their own mailbox."),
            ev,
            "The token holds SMTP.Send, so Exchange itself refused: SMTP AUTH may be off for this mailbox, or a sign-in policy refused it.".into(),
            format!("Set-CASMailbox -Identity {m} -SmtpClientAuthenticationDisabled $false"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(line: &str) -> ProbeError {
        ProbeError::Refused {
            step: "authenticate",
            line: line.into(),
        }
    }

    fn ctx(kind: CheckKind, mailbox: &'static str) -> UserMailContext<'static> {
        UserMailContext {
            kind,
            mailbox,
            user: "alice@contoso.example",
            client_id: "c",
        }
    }

    #[test]
    fn each_refusal_names_its_own_fix_for_one_mailbox() {
        let shared = diagnose_user_probe(
            &refused("A1 NO AUTHENTICATE failed."),
            &ctx(CheckKind::UserImap, "helpdesk@contoso.example"),
        );
        assert!(shared.fix.starts_with(
            "Add-MailboxPermission -Identity helpdesk@contoso.example -User alice@contoso.example -AccessRights FullAccess"
        ));
        let smtp_off = diagnose_user_probe(
            &refused(
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
            ),
            &ctx(CheckKind::UserSmtp, "alice@contoso.example"),
        );
        assert!(smtp_off.fix.contains(
            "Set-CASMailbox -Identity alice@contoso.example -SmtpClientAuthenticationDisabled $false"
        ));
        let imap_off = diagnose_user_probe(
            &refused("A1 NO AUTHENTICATE failed."),
            &ctx(CheckKind::UserImap, "alice@contoso.example"),
        );
        assert_eq!(
            imap_off.fix,
            "Set-CASMailbox -Identity alice@contoso.example -ImapEnabled $true"
        );
        for dg in [shared, smtp_off, imap_off] {
            assert!(
                !dg.fix.contains("Set-TransportConfig")
                    && !dg.fix.contains("Application permissions")
            );
        }
    }
}
