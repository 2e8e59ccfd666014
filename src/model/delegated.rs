//! The delegated style's part of a profile: how the consuming application signs its mailbox
//! user in, and which mailboxes are reached on that user's behalf.

use serde::{Deserialize, Serialize};

use super::mailbox::Mailbox;

/// How the consuming application obtains the mailbox user's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "flow")]
pub enum ConsumerSignIn {
    /// The device-code flow: a public client, so "Allow public client flows" must be on.
    DeviceCode,
    /// The authorization-code flow with the redirect URI the consuming application listens on.
    AuthorizationCode { redirect_uri: String },
    /// The resource-owner password flow: a public client; fails for accounts with MFA.
    Password,
}

impl ConsumerSignIn {
    /// Whether the app registration needs "Allow public client flows" (`isFallbackPublicClient`).
    pub fn needs_public_client(&self) -> bool {
        !matches!(self, ConsumerSignIn::AuthorizationCode { .. })
    }

    pub fn redirect_uri(&self) -> Option<&str> {
        match self {
            ConsumerSignIn::AuthorizationCode { redirect_uri } => Some(redirect_uri),
            _ => None,
        }
    }
}

/// The delegated part of a profile; a hybrid profile also has app-only mailboxes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedPart {
    pub sign_in: ConsumerSignIn,
    /// Whether `openid` and `User.Read` are requested beside the mail scopes.
    #[serde(default)]
    pub openid: bool,
    /// The mailbox users who sign in; each reaches their own mailbox.
    pub users: Vec<Mailbox>,
    /// Shared mailboxes the users reach through their FullAccess on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared: Vec<Mailbox>,
}

impl DelegatedPart {
    /// Every mailbox reached on a user's behalf: the users' own, then the shared ones.
    pub fn mailboxes(&self) -> impl Iterator<Item = &Mailbox> {
        self.users.iter().chain(self.shared.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let part = DelegatedPart {
            sign_in: ConsumerSignIn::AuthorizationCode {
                redirect_uri: "https://esm.example/oauth/callback".into(),
            },
            openid: true,
            users: vec![Mailbox::parse("alice@contoso.example").unwrap()],
            shared: vec![Mailbox::parse("helpdesk@contoso.example").unwrap()],
        };
        let text = toml::to_string(&part).unwrap();
        assert!(text.contains("flow = \"authorization-code\""), "{text}");
        assert_eq!(toml::from_str::<DelegatedPart>(&text).unwrap(), part);
        assert_eq!(part.mailboxes().count(), 2);
        assert!(!part.sign_in.needs_public_client());
        assert!(ConsumerSignIn::DeviceCode.needs_public_client());
        assert!(ConsumerSignIn::Password.needs_public_client());
    }
}
