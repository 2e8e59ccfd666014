//! Why EWS refused a mailbox (docs/ews.md): its own switches, the licence, the token's role, or
//! the app's scope. Microsoft documents the words of none but the scope's `ErrorAccessDenied`
//! and the licence's HTTP 403, so the words are matched where they say it, and otherwise the
//! switches the setup read tell the cause, said to be inferred. Pure.

use crate::model::{EwsBlock, EwsReading};

/// What the check knows besides EWS's answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct EwsFacts<'a> {
    /// What the setup read of EWS's switches, if it read them.
    pub reading: Option<&'a EwsReading>,
    /// An RBAC for Applications role grants EWS instead of `full_access_as_app` in the token.
    pub role_by_scope: bool,
}

/// The cause of an EWS refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EwsCause {
    /// The token carries no `full_access_as_app` and no RBAC role stands in for it.
    MissingRole,
    /// One of EWS's switches.
    Switch(EwsBlock),
    /// The mailbox's licence (Kiosk, F1, F3) has no right to EWS.
    Licence,
    /// The application access policy or RBAC scope leaves the mailbox out: `ErrorAccessDenied`.
    Scope,
    /// HTTP 403 with no words that tell the causes apart.
    Unexplained,
    Other,
}

/// How sure the reading of a refusal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// EWS's answer says it.
    Answer,
    /// Told by the switches the setup read, the answer not saying.
    Inferred,
}

/// The cause of `status` / `code` / `message` for `mailbox`, and what it rests on.
pub fn ews_cause(
    status: u16,
    code: &str,
    message: &str,
    mailbox: &str,
    has_role: bool,
    facts: EwsFacts,
) -> (EwsCause, Basis) {
    let m = message.to_ascii_lowercase();
    let answer = |c| (c, Basis::Answer);
    if code == "ErrorInvalidLicense" || m.contains("license is invalid") {
        return answer(EwsCause::Licence);
    }
    if m.contains("allow list") || m.contains("ewsallowedappids") {
        return answer(EwsCause::Switch(EwsBlock::NotAllowListed));
    }
    if m.contains("ews is disabled for this organization") {
        return answer(EwsCause::Switch(EwsBlock::Organisation));
    }
    if m.contains("ews is disabled for this mailbox") || m.contains("ews is disabled for this user")
    {
        return answer(EwsCause::Switch(EwsBlock::Mailbox));
    }
    let refusal = status == 401 || status == 403 || code == "ErrorAccessDenied";
    if !refusal {
        return answer(EwsCause::Other);
    }
    if !has_role && !facts.role_by_scope {
        return answer(EwsCause::MissingRole);
    }
    if let Some(block) = facts.reading.and_then(|r| r.block_for(mailbox)) {
        return (EwsCause::Switch(block), Basis::Inferred);
    }
    if code == "ErrorAccessDenied" {
        answer(EwsCause::Scope)
    } else if status == 403 {
        answer(EwsCause::Unexplained)
    } else {
        answer(EwsCause::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "ceo@contoso.example";

    fn reading(org: Option<bool>, listed: bool, mailbox: Option<bool>) -> EwsReading {
        let mut r = EwsReading {
            org_enabled: org,
            on_allow_list: listed,
            ..EwsReading::default()
        };
        r.mailboxes.insert(M.into(), mailbox);
        r
    }

    #[test]
    fn the_words_tell_the_cause_first() {
        let f = EwsFacts::default();
        let cases = [
            (
                403,
                "ErrorInvalidLicense",
                "The license is invalid for this mailbox.",
                EwsCause::Licence,
            ),
            (
                403,
                "403 Forbidden",
                "2000015;reason=\"The application is not in the organization's EWS allow list (EwsAllowedAppIDs).\"",
                EwsCause::Switch(EwsBlock::NotAllowListed),
            ),
            (
                403,
                "403 Forbidden",
                "reason=\"EWS is disabled for this organization (EwsEnabled is False).\"",
                EwsCause::Switch(EwsBlock::Organisation),
            ),
            (
                403,
                "403 Forbidden",
                "reason=\"EWS is disabled for this mailbox (EwsEnabled is False).\"",
                EwsCause::Switch(EwsBlock::Mailbox),
            ),
            (
                200,
                "ErrorAccessDenied",
                "Access is denied. Check credentials and try again.",
                EwsCause::Scope,
            ),
            (
                403,
                "403 Forbidden",
                "EWS refused the access token",
                EwsCause::Unexplained,
            ),
            (
                200,
                "ErrorNonExistentMailbox",
                "no mailbox",
                EwsCause::Other,
            ),
        ];
        for (status, code, message, cause) in cases {
            assert_eq!(
                ews_cause(status, code, message, M, true, f),
                (cause, Basis::Answer),
                "{code}: {message}"
            );
        }
        assert_eq!(
            ews_cause(200, "ErrorAccessDenied", "Access is denied.", M, false, f).0,
            EwsCause::MissingRole
        );
        let rbac = EwsFacts {
            role_by_scope: true,
            ..f
        };
        assert_eq!(
            ews_cause(
                200,
                "ErrorAccessDenied",
                "Access is denied.",
                M,
                false,
                rbac
            )
            .0,
            EwsCause::Scope,
            "an RBAC role stands in for the token's"
        );
    }

    #[test]
    fn without_words_the_switches_read_tell_the_cause_as_an_inference() {
        let cases = [
            (
                reading(Some(false), false, None),
                Some(EwsBlock::Organisation),
            ),
            (
                reading(Some(true), false, None),
                Some(EwsBlock::NotAllowListed),
            ),
            (reading(None, false, Some(false)), Some(EwsBlock::Mailbox)),
            (reading(Some(true), true, Some(true)), None),
        ];
        for (r, block) in cases {
            let facts = EwsFacts {
                reading: Some(&r),
                role_by_scope: false,
            };
            let got = ews_cause(
                200,
                "ErrorAccessDenied",
                "Access is denied.",
                M,
                true,
                facts,
            );
            let want = match block {
                Some(b) => (EwsCause::Switch(b), Basis::Inferred),
                None => (EwsCause::Scope, Basis::Answer),
            };
            assert_eq!(got, want, "{r:?}");
        }
    }
}
