//! SMTP AUTH for the mailboxes an SMTP app sends from: read the organisation's switch
//! (`Get-TransportConfig`) and each mailbox's (`Get-CASMailbox`), and where it is off, allow it
//! for that mailbox only — never for the whole organisation (docs/smtp.md).

use super::cmdlet::{Cmdlet, quote};
use super::steps::{ExKind, ExStep};

/// Whether SMTP AUTH is off for a mailbox: its own switch (`$true` off, `$false` on), or, when
/// it is `$null`, the organisation's (`Set-CASMailbox` / `Set-TransportConfig`
/// `-SmtpClientAuthenticationDisabled`).
pub fn smtp_auth_off(tenant_disabled: bool, mailbox_disabled: Option<bool>) -> bool {
    mailbox_disabled.unwrap_or(tenant_disabled)
}

/// The step that allows SMTP AUTH for mailbox `m` where it is off.
pub(super) fn allow(m: &str) -> ExStep {
    ExStep::new(
        ExKind::SmtpAuth,
        format!("Allow SMTP AUTH for {m} where it is off"),
        format!(
            "reads the organisation's switch (Get-TransportConfig) and {m}'s (Get-CASMailbox); where SMTP AUTH is off for {m}, it is allowed for {m} only (Set-CASMailbox -SmtpClientAuthenticationDisabled $false), never for the whole organisation"
        ),
        Cmdlet::new("Get-CASMailbox").text("Identity", m),
    )
    .found_when(
        "$found.SmtpClientAuthenticationDisabled -eq $false -or ($null -eq $found.SmtpClientAuthenticationDisabled -and -not (Get-TransportConfig).SmtpClientAuthenticationDisabled)".into(),
    )
    .made_by(
        Cmdlet::new("Set-CASMailbox")
            .text("Identity", m)
            .boolean("SmtpClientAuthenticationDisabled", false),
    )
    .about(m)
}

/// The commands that show the switches, for the guided route's read-back and the fixes.
pub fn smtp_auth_commands(m: &str) -> String {
    format!(
        "Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled; Get-CASMailbox -Identity {} | Format-List SmtpClientAuthenticationDisabled",
        quote(m)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_switch_wins_over_the_organisation() {
        assert!(smtp_auth_off(true, None), "organisation off, mailbox $null");
        assert!(!smtp_auth_off(true, Some(false)), "allowed for the mailbox");
        assert!(smtp_auth_off(false, Some(true)), "off for the mailbox");
        assert!(!smtp_auth_off(false, None));
    }

    #[test]
    fn the_step_sets_the_mailbox_switch_only() {
        let st = allow("alice@contoso.example");
        let ps = st.commands().join("\n");
        assert_eq!(
            ps,
            "Set-CASMailbox -Identity 'alice@contoso.example' -SmtpClientAuthenticationDisabled $false"
        );
        assert!(!ps.contains("TransportConfig"));
        assert_eq!(st.key(), "smtpauth:alice@contoso.example");
    }
}
