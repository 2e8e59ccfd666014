//! The delegated style's Exchange Online steps: no application scope applies (the mailbox user's
//! own rights do), so the only change is the user's FullAccess on each shared mailbox the user
//! reaches on the consuming application's behalf.

use super::cmdlet::Cmdlet;
use super::steps::{ExKind, ExStep};

/// One step per shared mailbox and user: `Add-MailboxPermission -User <user> -AccessRights
/// FullAccess`, looked for first with `Get-MailboxPermission`.
pub fn delegated_steps(users: &[String], shared: &[String]) -> Vec<ExStep> {
    shared
        .iter()
        .flat_map(|s| users.iter().map(move |u| user_full_access(s, u)))
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
        assert_eq!(steps.len(), 2);
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
        assert!(
            delegated_steps(&users, &[]).is_empty(),
            "no shared mailbox, no step"
        );
    }
}
