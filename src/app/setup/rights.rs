//! Whether the signed-in administrator may grant admin consent, read off the sign-in token.

use crate::cloud::device::AdminSession;
use crate::model::Diagnosis;

/// Directory roles (template ids, as in a token's `wids`) that may grant admin consent to
/// application permissions.
const CONSENT_ROLES: [(&str, &str); 2] = [
    (
        "62e90394-69f5-4237-9190-012177145e10",
        "Global Administrator",
    ),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
];

/// Whether the signed-in account can grant what the plan needs, from its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rights {
    Enough(&'static str),
    NotEnough,
    /// The token lists no directory roles; the calls themselves will tell.
    Unknown,
}

pub fn rights(session: &AdminSession) -> Rights {
    let wids = &session.token.claims.wids;
    if let Some((_, name)) = CONSENT_ROLES
        .iter()
        .find(|(id, _)| wids.iter().any(|w| w == id))
    {
        Rights::Enough(name)
    } else if wids.is_empty() {
        Rights::Unknown
    } else {
        Rights::NotEnough
    }
}

/// What a signed-in account without the rights is told, with what to hand to an admin.
pub fn not_enough_rights(who: &str) -> Diagnosis {
    Diagnosis {
        summary: format!("{who} cannot grant admin consent."),
        evidence: "the sign-in token carries no Global Administrator or Privileged Role Administrator role".into(),
        cause: "Granting application permissions needs one of those roles; the setup would stop half-done.".into(),
        fix: "Sign in as such an administrator, or hand the plan to one: `setup … --guided` walks through the portal, and `setup` without --yes prints every step with its PowerShell.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_admin_client_cannot_be_assumed_to_consent() {
        let d = not_enough_rights("alice@contoso.example");
        assert!(d.fix.contains("--guided"));
    }
}
