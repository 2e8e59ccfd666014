//! The delegated style's Exchange Online steps: no application scope applies (the mailbox user's
//! own rights do), so the changes are the user's FullAccess on each shared mailbox the user
//! reaches on the consuming application's behalf, and SMTP AUTH allowed for each mailbox that
//! signs in to SMTP with a user's token where it is off (docs/delegated-setup.md).

use super::cmdlet::Cmdlet;
use super::steps::{ExKind, ExStep};

/// One step per shared mailbox and user: `Add-MailboxPermission -User <user> -AccessRights
/// FullAccess`, looked for first with `Get-MailboxPermission`; then one per user and shared
/// mailbox allowing SMTP AUTH for that mailbox alone where it is off.
pub fn delegated_steps(users: &[String], shared: &[String]) -> Vec<ExStep> {
    shared
        .iter()
        .flat_map(|s| users.iter().map(move |u| user_full_access(s, u)))
        .chain(delegated_smtp_auth(users, shared))
        .collect()
}

/// SMTP AUTH for the mailboxes named in a delegated `AUTH XOAUTH2`: each user's own and each
/// shared mailbox (its address is the XOAUTH2 user name when sending from it). Only these
/// mailboxes, never the organisation's switch.
pub fn delegated_smtp_auth(users: &[String], shared: &[String]) -> Vec<ExStep> {
    users
        .iter()
        .chain(shared)
        .map(|m| super::smtp_auth::allow(m))
        .collect()
}

fn user_full_access(shared: &str, user: &str) -> ExStep {
    ExStep::new(
        ExKind::UserFullAccess,
        format!("Give {user} FullAccess to the shared mailbox {shared}"),
        format!(
            "{user} may open {shared} with their own delegated token (IMAP, and SMTP sending from it once the mailbox grants Send As); Outlook may show it to {user} too"
        ),
        Cmdlet::new("Get-MailboxPermission")
            .text("Identity", shared)
            .text("User", user),
    )
    .found_when("$found | Where-Object { $_.AccessRights -contains 'FullAccess' }".into())
    .made_by(
        Cmdlet::new("Add-MailboxPermission")
            .text("Identity", shared)
            .text("User", user)
            .text("AccessRights", "FullAccess"),
    )
    .about(&format!("{shared}:{user}"))
}

/// The shared mailbox and the user a `UserFullAccess` step is about.
pub fn shared_and_user(st: &ExStep) -> Option<(&str, &str)> {
    st.subject.as_deref()?.split_once(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_gets_full_access_on_each_shared_mailbox() {
        let users = [
            "alice@contoso.example".to_string(),
            "bob@contoso.example".to_string(),
        ];
        let shared = ["carol@contoso.example".to_string()];
        let steps = delegated_steps(&users, &shared);
        assert_eq!(steps.len(), 5, "two FullAccess, three SMTP AUTH");
        assert_eq!(
            steps[0].commands(),
            [
                "Add-MailboxPermission -Identity 'carol@contoso.example' -User 'alice@contoso.example' -AccessRights 'FullAccess'"
            ]
        );
        assert_eq!(
            steps[1].key(),
            "userfullaccess:carol@contoso.example:bob@contoso.example"
        );
        assert_eq!(
            shared_and_user(&steps[1]),
            Some(("carol@contoso.example", "bob@contoso.example"))
        );
        let alone = delegated_steps(&users, &[]);
        assert!(
            alone.iter().all(|st| st.kind == ExKind::SmtpAuth),
            "no shared mailbox, no FullAccess"
        );
    }

    #[test]
    fn smtp_auth_is_allowed_for_the_users_and_shared_mailboxes_only() {
        let users = ["alice@contoso.example".to_string()];
        let shared = ["carol@contoso.example".to_string()];
        let keys: Vec<String> = delegated_smtp_auth(&users, &shared)
            .iter()
            .map(|st| st.key())
            .collect();
        assert_eq!(
            keys,
            [
                "smtpauth:alice@contoso.example",
                "smtpauth:carol@contoso.example"
            ]
        );
        let ps: Vec<String> = delegated_steps(&users, &shared)
            .iter()
            .flat_map(|st| st.commands())
            .collect();
        assert!(ps.iter().all(|l| !l.contains("TransportConfig")), "{ps:?}");
        assert!(ps.contains(
            &"Set-CASMailbox -Identity 'alice@contoso.example' -SmtpClientAuthenticationDisabled $false"
                .to_string()
        ));
    }
}
