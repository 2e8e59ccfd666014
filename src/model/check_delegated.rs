//! The delegated part's rows: for each mailbox user who signs in, the sign-in, IMAP and SMTP
//! for the user's own mailbox and each shared one, and the refresh token redeemed once.

use super::check::{CheckKind, CheckSpec};
use super::mailbox::Mailbox;
use super::profile::Profile;

/// The rows for `users` (none: nobody signs in this run, and the part is one skipped row
/// saying how to prove it).
pub fn delegated_specs(p: &Profile, users: Option<&[Mailbox]>) -> Vec<CheckSpec> {
    let skipped = |why: String| {
        let mut s = CheckSpec::new(CheckKind::Delegated, None);
        s.skip = Some(why);
        vec![s]
    };
    let Some(users) = users else {
        return skipped(format!(
            "delegated IMAP and SMTP are proven as a mailbox user: run `m365-mail-wizard check {} --as-user MAILBOX` (the user signs in with a device code); the token check above proves the app and its secret",
            p.name
        ));
    };
    if users.is_empty() {
        return skipped(format!(
            "no mailbox user to sign in as: the profile names none; run `m365-mail-wizard check {} --as-user MAILBOX`",
            p.name
        ));
    }
    let shared = p
        .delegated
        .as_ref()
        .map(|d| d.shared.as_slice())
        .unwrap_or_default();
    let mut out = Vec::new();
    for user in users {
        let row = |kind: CheckKind, mailbox: &Mailbox| {
            let mut s = CheckSpec::new(kind, Some(mailbox));
            s.as_user = Some(user.clone());
            s
        };
        out.push(row(CheckKind::UserToken, user));
        for m in std::iter::once(user).chain(shared.iter().filter(|m| *m != user)) {
            out.push(row(CheckKind::UserImap, m));
            out.push(row(CheckKind::UserSmtp, m));
        }
        out.push(row(CheckKind::UserRefresh, user));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::check_plan_as;
    use crate::model::{AccessChoice, ConsumerSignIn, DelegatedPart, ProfileName};

    fn hybrid() -> Profile {
        let mut p = crate::model::check::tests::profile(
            &[AccessChoice::Imap, AccessChoice::Delegated],
            false,
            false,
        );
        p.name = ProfileName::parse("esm").unwrap();
        p.mailboxes = Mailbox::parse_list("bob@contoso.example").unwrap();
        p.delegated = Some(DelegatedPart {
            sign_in: ConsumerSignIn::DeviceCode,
            openid: false,
            users: Mailbox::parse_list("alice@contoso.example").unwrap(),
            shared: Mailbox::parse_list("helpdesk@contoso.example").unwrap(),
        });
        p
    }

    #[test]
    fn without_a_sign_in_the_part_is_one_skipped_row_saying_how() {
        let plan = check_plan_as(&hybrid(), None);
        let last = plan.last().unwrap();
        assert_eq!(last.kind, CheckKind::Delegated);
        assert!(
            last.skip
                .as_deref()
                .unwrap()
                .contains("check esm --as-user")
        );
        let nobody = check_plan_as(&hybrid(), Some(&[]));
        assert!(
            nobody
                .last()
                .unwrap()
                .skip
                .as_deref()
                .unwrap()
                .contains("names none")
        );
    }

    #[test]
    fn a_hybrid_profile_runs_both_kinds_and_each_user_reaches_the_shared_mailbox() {
        let users = Mailbox::parse_list("alice@contoso.example").unwrap();
        let ids: Vec<String> = check_plan_as(&hybrid(), Some(&users))
            .iter()
            .map(CheckSpec::id)
            .collect();
        assert_eq!(
            ids,
            [
                "token:graph",
                "token:exchange",
                "imap:bob@contoso.example",
                "token:user:alice@contoso.example",
                "delegated-imap:alice@contoso.example",
                "delegated-smtp:alice@contoso.example",
                "delegated-imap:helpdesk@contoso.example:as:alice@contoso.example",
                "delegated-smtp:helpdesk@contoso.example:as:alice@contoso.example",
                "refresh:alice@contoso.example",
            ]
        );
    }
}
