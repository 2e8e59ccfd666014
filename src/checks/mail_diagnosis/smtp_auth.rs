//! Exchange's `5.7.139` refusals of an SMTP AUTH sign-in, each with its own cause and a fix
//! that does not widen the app's access. The texts are known from field reports only, not
//! from a Microsoft page (docs/december-2026.md 3.2, docs/smtp.md): they are matched on their
//! distinctive words, and anything else with 5.7.139 gets a fallback that says so.

use super::{MailContext, d};
use crate::model::Diagnosis;
use crate::scope::smtp_auth_commands;

/// What a 5.7.139 answer says refused the sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpAuthRefusal {
    /// "SmtpClientAuthentication is disabled for the Tenant".
    TenantOff,
    /// "SmtpClientAuthentication is disabled for the Mailbox".
    MailboxOff,
    /// "user is locked by your organization's security defaults policy".
    SecurityDefaults,
    /// "the request did not meet the criteria to be authenticated successfully".
    ConditionalAccess,
    /// "basic authentication is disabled".
    BasicAuth,
    /// 5.7.139 with other words.
    Unknown,
}

pub fn smtp_auth_refusal(line: &str) -> SmtpAuthRefusal {
    let l = line.to_ascii_lowercase();
    if l.contains("disabled for the tenant") {
        SmtpAuthRefusal::TenantOff
    } else if l.contains("disabled for the mailbox") {
        SmtpAuthRefusal::MailboxOff
    } else if l.contains("security defaults") {
        SmtpAuthRefusal::SecurityDefaults
    } else if l.contains("did not meet the criteria") {
        SmtpAuthRefusal::ConditionalAccess
    } else if l.contains("basic authentication is disabled") {
        SmtpAuthRefusal::BasicAuth
    } else {
        SmtpAuthRefusal::Unknown
    }
}

const SOURCE: &str = "(Microsoft documents no list of these texts; their meaning comes from field reports, docs/smtp.md.)";

/// The diagnosis of a 5.7.139 refusal for `ctx`'s mailbox; `ev` is the server's line.
pub(super) fn diagnose(ctx: &MailContext, ev: String) -> Diagnosis {
    let m = ctx.mailbox;
    let words = format!("Exchange's words: \"{ev}\".");
    let allow = format!(
        "Allow SMTP AUTH for this mailbox only: Set-CASMailbox -Identity {m} -SmtpClientAuthenticationDisabled $false (an unfinished setup of the profile does it when resumed; once the setup has run it, the switch is not set again). Leave the organisation's switch as it is: allowing it there opens SMTP AUTH for every mailbox."
    );
    match smtp_auth_refusal(&ev) {
        SmtpAuthRefusal::TenantOff => d(
            format!("SMTP AUTH is off for the organisation, and {m} does not allow it itself."),
            ev.clone(),
            format!(
                "{words} The organisation's switch (Get-TransportConfig: SmtpClientAuthenticationDisabled True, the default for organisations created after January 2020) applies to every mailbox whose own switch is not set ($null), as {m}'s is not. {SOURCE}"
            ),
            allow,
        ),
        SmtpAuthRefusal::MailboxOff => d(
            format!("SMTP AUTH is off for {m} itself."),
            ev.clone(),
            format!(
                "{words} {m}'s own switch (Get-CASMailbox: SmtpClientAuthenticationDisabled True) is off, and it wins over the organisation's. {SOURCE}"
            ),
            allow,
        ),
        SmtpAuthRefusal::SecurityDefaults => d(
            format!("Security defaults refused the SMTP sign-in for {m}."),
            ev.clone(),
            format!(
                "{words} The tenant has security defaults on; Microsoft says SMTP AUTH needs security defaults off, so allowing the SMTP AUTH switches does not help. {SOURCE}"
            ),
            "Two ways that keep the app's access as narrow as it is: send through Microsoft Graph instead (Mail.Send, kept to the same mailboxes by the same scope — under RBAC for Applications the role Application Mail.Send in the same management scope; set up with --access graph-send), or, as the organisation's own decision, replace security defaults with Conditional Access policies (Entra admin center › Overview › Properties › Manage security defaults), after which SMTP AUTH can be allowed per mailbox.".into(),
        ),
        SmtpAuthRefusal::ConditionalAccess => d(
            format!("A Conditional Access policy refused the SMTP sign-in for {m}."),
            ev.clone(),
            format!(
                "{words} The SMTP AUTH switches are not the cause: a Conditional Access policy refused the app's sign-in. {SOURCE}"
            ),
            format!(
                "Look at the sign-in logs (Entra admin center › Monitoring › Sign-in logs › Service principal sign-ins, application {}): the failed entry names the policy under \"Conditional Access\". Whether that policy should let this app in is the organisation's decision; allowing SMTP AUTH changes nothing here.",
                ctx.client_id
            ),
        ),
        SmtpAuthRefusal::BasicAuth => d(
            "Exchange refused basic authentication for SMTP AUTH.".into(),
            ev.clone(),
            format!(
                "{words} The client signed in with a user name and password (AUTH LOGIN or PLAIN), not with OAuth. Basic authentication for SMTP AUTH is off by default for existing tenants from the end of December 2026. {SOURCE}"
            ),
            "Move the application to OAuth: AUTH XOAUTH2 with a client-credentials token for https://outlook.office365.com/.default, which is what this profile provides.".into(),
        ),
        SmtpAuthRefusal::Unknown => d(
            format!("Exchange refused SMTP AUTH for {m} (5.7.139); the exact reason is not known."),
            ev.clone(),
            format!(
                "{words} 5.7.139 is Exchange's refusal of an SMTP AUTH sign-in, but these words match none of the known variants (SMTP AUTH off for the organisation or the mailbox, security defaults, Conditional Access, basic authentication). {SOURCE}"
            ),
            format!(
                "Check in this order: {}; the app's failed sign-ins in the Entra sign-in logs (a Conditional Access policy); whether security defaults are on. Where SMTP AUTH is off, allow it for {m} only (Set-CASMailbox -Identity {m} -SmtpClientAuthenticationDisabled $false).",
                smtp_auth_commands(m)
            ),
        ),
    }
}

/// The must-be-denied mailbox refused with 5.7.139: refused, but not by the scope.
pub fn not_proven(mailbox: &str, ev: String) -> Diagnosis {
    d(
        format!("{mailbox} was refused, but not by the scope: the check proves nothing yet."),
        ev,
        format!(
            "Exchange refused SMTP AUTH for {mailbox} before it looked at the app's rights (5.7.139: SMTP AUTH off, security defaults or Conditional Access). Whether the scope keeps {mailbox} out is therefore not shown. {SOURCE}"
        ),
        format!(
            "Nothing to allow for {mailbox}: it must stay out of reach. To prove the scope, pick an out-of-scope mailbox that allows SMTP AUTH (--deny-mailbox), or check it through Graph or IMAP where the app has them. {}",
            smtp_auth_commands(mailbox)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::mail_diagnosis::{Peers, Refusal, classify, diagnose_probe};
    use crate::checks::wire::ProbeError;
    use crate::model::CheckKind;

    const TENANT: &str = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0601CA0012.namprd06.prod.outlook.com]";
    const MAILBOX: &str = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.";
    const DEFAULTS: &str = "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.";
    const CA: &str = "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.";
    const BASIC: &str =
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.";
    const OTHER: &str = "535 5.7.139 Authentication unsuccessful, something new.";

    fn diagnosed(line: &str) -> Diagnosis {
        let roles: Vec<String> = Vec::new();
        let ctx = MailContext {
            kind: CheckKind::Smtp,
            mailbox: "bob@contoso.example",
            client_id: "a1f5c0de-0006-4000-8000-00000000c006",
            sp_object_id: "e0000000-0006-4000-8000-00000000b006",
            roles: &roles,
            peers: Peers::default(),
        };
        let err = ProbeError::Refused {
            step: "authenticate",
            line: line.into(),
        };
        assert_eq!(classify(&err), Refusal::SmtpAuthDisabled, "{line}");
        diagnose_probe(&err, &ctx)
    }

    #[test]
    fn each_variant_is_told_apart() {
        for (line, want) in [
            (TENANT, SmtpAuthRefusal::TenantOff),
            (MAILBOX, SmtpAuthRefusal::MailboxOff),
            (DEFAULTS, SmtpAuthRefusal::SecurityDefaults),
            (CA, SmtpAuthRefusal::ConditionalAccess),
            (BASIC, SmtpAuthRefusal::BasicAuth),
            (OTHER, SmtpAuthRefusal::Unknown),
        ] {
            assert_eq!(smtp_auth_refusal(line), want, "{line}");
        }
    }

    #[test]
    fn each_variant_names_its_own_cause_and_none_opens_the_organisation() {
        let per_mailbox =
            "Set-CASMailbox -Identity bob@contoso.example -SmtpClientAuthenticationDisabled $false";
        for line in [TENANT, MAILBOX, DEFAULTS, CA, BASIC, OTHER] {
            let dg = diagnosed(line);
            let all = format!("{} {} {}", dg.summary, dg.cause, dg.fix);
            assert!(!all.contains("Set-TransportConfig"), "{all}");
            assert!(dg.cause.contains("Exchange's words"), "{dg:?}");
            assert!(dg.cause.contains("field reports"), "{dg:?}");
            assert!(!all.contains("Add-MailboxPermission"), "{all}");
        }
        let tenant = diagnosed(TENANT);
        assert!(
            tenant.summary.contains("off for the organisation"),
            "{tenant:?}"
        );
        assert!(tenant.fix.contains(per_mailbox));
        let mailbox = diagnosed(MAILBOX);
        assert!(
            mailbox
                .summary
                .contains("off for bob@contoso.example itself")
        );
        assert!(mailbox.fix.contains(per_mailbox));
        let defaults = diagnosed(DEFAULTS);
        assert!(
            defaults.summary.contains("Security defaults"),
            "{defaults:?}"
        );
        assert!(
            defaults.fix.contains("Microsoft Graph") && defaults.fix.contains("Conditional Access")
        );
        assert!(!defaults.fix.contains("Set-CASMailbox"));
        let ca = diagnosed(CA);
        assert!(ca.summary.contains("Conditional Access policy"), "{ca:?}");
        assert!(ca.fix.contains("sign-in logs") && ca.fix.contains("a1f5c0de-0006"));
        assert!(
            !ca.fix.contains("Set-CASMailbox"),
            "not \"enable SMTP AUTH\": {ca:?}"
        );
        let basic = diagnosed(BASIC);
        assert!(basic.fix.contains("XOAUTH2") && basic.cause.contains("December 2026"));
        let other = diagnosed(OTHER);
        assert!(other.summary.contains("not known"), "{other:?}");
    }
}
