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

    /// The redirect URI, when it is one the wizard can receive a browser sign-in on:
    /// `http://localhost`, any port, no path (the identity platform ignores a localhost port).
    pub fn loopback_redirect(&self) -> Option<&str> {
        let uri = self.redirect_uri()?;
        let u = reqwest::Url::parse(uri).ok()?;
        (u.scheme() == "http"
            && u.host_str() == Some("localhost")
            && u.path() == "/"
            && u.query().is_none()
            && u.fragment().is_none())
        .then_some(uri)
    }
}

impl ConsumerSignIn {
    /// The flows as `--delegated-sign-in` names them.
    pub const KEYS: [&'static str; 3] = ["device-code", "authorization-code", "password"];

    pub fn key(&self) -> &'static str {
        match self {
            ConsumerSignIn::DeviceCode => "device-code",
            ConsumerSignIn::AuthorizationCode { .. } => "authorization-code",
            ConsumerSignIn::Password => "password",
        }
    }

    /// The flow named `key`; the authorization-code flow takes `redirect_uri`, which the others
    /// refuse (they have none).
    pub fn parse(key: &str, redirect_uri: Option<&str>) -> Result<ConsumerSignIn, String> {
        let flow = match key.trim() {
            "device-code" => ConsumerSignIn::DeviceCode,
            "password" => ConsumerSignIn::Password,
            "authorization-code" => {
                let Some(uri) = redirect_uri.filter(|u| !u.trim().is_empty()) else {
                    return Err(format!(
                        "the authorization-code flow needs the redirect URI the consuming application receives the sign-in on, e.g. {REDIRECT_EXAMPLES}"
                    ));
                };
                return Ok(ConsumerSignIn::AuthorizationCode {
                    redirect_uri: parse_redirect_uri(uri)?,
                });
            }
            other => {
                return Err(format!(
                    "\"{}\" is not a sign-in flow: use device-code, authorization-code or password",
                    super::echo_safe(other)
                ));
            }
        };
        if redirect_uri.is_some_and(|u| !u.trim().is_empty()) {
            return Err(format!(
                "a redirect URI belongs to the authorization-code flow; the {} flow has none",
                flow.key()
            ));
        }
        Ok(flow)
    }
}

/// Where consuming applications usually receive the authorization-code sign-in.
pub const REDIRECT_EXAMPLES: &str = "https://servicedesk.contoso.com/oauth/callback, or http://localhost:8400/ for a tool on this machine";

/// A redirect URI as Microsoft Entra ID accepts one: https, or plain http only to this machine
/// (localhost, 127.0.0.1); absolute, no fragment, no wildcard, at most 256 characters
/// (docs/delegated-setup.md).
pub fn parse_redirect_uri(text: &str) -> Result<String, String> {
    let t = text.trim();
    let shown = super::echo_safe(t);
    let url = reqwest::Url::parse(t).map_err(|_| {
        format!("\"{shown}\" is not an absolute URI: write it in full, e.g. {REDIRECT_EXAMPLES}")
    })?;
    let local = url.host_str().is_some_and(super::is_loopback_host);
    match url.scheme() {
        "https" if url.host_str().is_some() => {}
        "http" if local => {}
        "http" => {
            return Err(format!(
                "\"{shown}\" uses plain http: Microsoft Entra ID takes http only for localhost; use the https address of the consuming application"
            ));
        }
        _ => {
            return Err(format!(
                "\"{shown}\" is not a web address: a redirect URI starts with https:// (or http://localhost)"
            ));
        }
    }
    if url.fragment().is_some() {
        return Err(format!(
            "\"{shown}\" has a fragment (#…), which a redirect URI may not have: leave it out"
        ));
    }
    if t.contains('*') {
        return Err(format!(
            "\"{shown}\" has a wildcard: register the exact address the consuming application uses"
        ));
    }
    if t.len() > 256 {
        return Err(
            "the redirect URI is longer than 256 characters, the most Microsoft Entra ID takes"
                .into(),
        );
    }
    Ok(t.to_string())
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
    fn only_a_localhost_redirect_without_a_path_takes_the_browser_sign_in() {
        let code = |uri: &str| ConsumerSignIn::AuthorizationCode {
            redirect_uri: uri.into(),
        };
        for uri in [
            "http://localhost",
            "http://localhost:8400/",
            "http://localhost/",
        ] {
            assert_eq!(code(uri).loopback_redirect(), Some(uri));
        }
        for uri in [
            "https://esm.example/oauth/callback",
            "http://localhost:8400/callback",
            "http://127.0.0.1:8400/",
        ] {
            assert_eq!(code(uri).loopback_redirect(), None, "{uri}");
        }
        assert_eq!(ConsumerSignIn::DeviceCode.loopback_redirect(), None);
    }

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

    #[test]
    fn a_flow_is_named_and_a_redirect_uri_checked() {
        assert_eq!(
            ConsumerSignIn::parse("device-code", None),
            Ok(ConsumerSignIn::DeviceCode)
        );
        assert_eq!(
            ConsumerSignIn::parse("authorization-code", Some("http://localhost:8400/")),
            Ok(ConsumerSignIn::AuthorizationCode {
                redirect_uri: "http://localhost:8400/".into()
            })
        );
        let no_uri = ConsumerSignIn::parse("authorization-code", None).unwrap_err();
        assert!(
            no_uri.contains("needs the redirect URI") && no_uri.contains("https://"),
            "{no_uri}"
        );
        let extra = ConsumerSignIn::parse("password", Some("https://x.example/cb")).unwrap_err();
        assert!(extra.contains("the password flow has none"), "{extra}");
        assert!(
            ConsumerSignIn::parse("ropc", None)
                .unwrap_err()
                .contains("device-code, authorization-code or password")
        );
        for (uri, says) in [
            ("http://esm.example/cb", "plain http"),
            ("esm.example/cb", "not an absolute URI"),
            ("ftp://esm.example/cb", "not a web address"),
            ("https://esm.example/cb#x", "fragment"),
            ("https://*.esm.example/cb", "wildcard"),
        ] {
            let e = parse_redirect_uri(uri).unwrap_err();
            assert!(e.contains(says), "{uri}: {e}");
        }
        let long = format!("https://esm.example/{}", "a".repeat(250));
        assert!(parse_redirect_uri(&long).unwrap_err().contains("256"));
        assert_eq!(
            parse_redirect_uri(" https://esm.example/oauth/callback ").unwrap(),
            "https://esm.example/oauth/callback"
        );
        assert!(parse_redirect_uri("http://127.0.0.1:9000/cb").is_ok());
    }
}
