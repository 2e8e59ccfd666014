use secrecy::{ExposeSecret, SecretString};

use super::ids::Guid;

/// A client secret. It has no `Debug` or `Display`: the only way to the text is `expose`,
/// and the memory is zeroized on drop.
#[derive(Clone)]
pub struct Secret(SecretString);

/// Something about a pasted secret that is probably a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretWarning {
    Empty,
    /// GUID-shaped: the portal's "Secret ID" column, not the "Value".
    LooksLikeSecretId,
    SurroundingWhitespace,
    /// Two lines or more: often the Secret ID and the Value copied together.
    SeveralLines,
    /// An escape, a NUL or another control character.
    ControlCharacters,
    /// Spaces or tabs inside the text.
    InnerWhitespace,
    /// Longer than any client secret (the portal's are about 40 characters).
    TooLong,
}

/// The longest text taken for a client secret.
pub const SECRET_MAX_CHARS: usize = 256;

impl SecretWarning {
    pub fn message(self) -> &'static str {
        match self {
            SecretWarning::Empty => "The secret is empty: paste the client secret's Value.",
            SecretWarning::LooksLikeSecretId => {
                "This looks like the Secret ID (a GUID), not the secret's Value. In the portal, \
                 Certificates & secrets shows both: copy the Value column (about 40 characters). \
                 If the Value is hidden, create a new secret."
            }
            SecretWarning::SurroundingWhitespace => {
                "The pasted secret had spaces or line breaks around it; they were removed."
            }
            SecretWarning::SeveralLines => {
                "The secret is more than one line: paste only the Value (about 40 characters), \
                 not the Secret ID or anything else beside it."
            }
            SecretWarning::ControlCharacters => {
                "The secret holds control characters (an escape or a NUL byte): copy the Value \
                 again with the copy button beside it in Certificates & secrets."
            }
            SecretWarning::InnerWhitespace => {
                "The secret has spaces inside: a client secret's Value has none. Copy it again \
                 with the copy button beside it in Certificates & secrets."
            }
            SecretWarning::TooLong => {
                "The secret is longer than 256 characters: a client secret's Value is about 40. \
                 Paste the Value alone."
            }
        }
    }

    /// Warnings the wizard refuses to go past.
    pub fn blocks(self) -> bool {
        !matches!(self, SecretWarning::SurroundingWhitespace)
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Why this cannot be the Value of a secret the portal just made (today's are 40
    /// characters, older ones 32 to 44), before anything is asked of the tenant.
    pub fn portal_shape_problem(&self) -> Option<&'static str> {
        let v = self.expose();
        if v.chars().count() < 32 {
            Some(
                "This is too short to be a client secret's Value: the portal's are about 40 characters. \
                 Copy the whole Value (the copy button beside it); if it is hidden now, make a new secret.",
            )
        } else if v.chars().any(char::is_whitespace) {
            Some(
                "A client secret's Value has no spaces: copy it again with the copy button beside it.",
            )
        } else {
            None
        }
    }

    /// Checks pasted text and returns the secret to use (trimmed) with what was noticed.
    pub fn from_pasted(raw: &str) -> (Secret, Vec<SecretWarning>) {
        let trimmed = raw.trim();
        let mut warnings = Vec::new();
        if trimmed.is_empty() {
            warnings.push(SecretWarning::Empty);
        } else if trimmed.contains(['\n', '\r']) {
            warnings.push(SecretWarning::SeveralLines);
        } else if trimmed.chars().any(|c| c.is_control() && c != '\t') {
            warnings.push(SecretWarning::ControlCharacters);
        } else if trimmed.chars().any(char::is_whitespace) {
            warnings.push(SecretWarning::InnerWhitespace);
        } else if trimmed.chars().count() > SECRET_MAX_CHARS {
            warnings.push(SecretWarning::TooLong);
        } else if Guid::is_guid_shaped(trimmed) {
            warnings.push(SecretWarning::LooksLikeSecretId);
        }
        if !trimmed.is_empty() && trimmed.len() != raw.len() {
            warnings.push(SecretWarning::SurroundingWhitespace);
        }
        (Secret::new(trimmed), warnings)
    }
}

/// Whether a word typed into some other field may be a client secret pasted there by mistake:
/// today's secret Values carry a `~`; older ones are long mixes of upper and lower case and
/// digits with no `@` or `.` (which addresses and domains have).
pub fn looks_like_secret(word: &str) -> bool {
    let w = word.trim();
    let long = w.chars().count() >= 30 && !w.chars().any(char::is_whitespace);
    if !long || Guid::is_guid_shaped(w) {
        return false;
    }
    let mixed = w.chars().any(|c| c.is_ascii_uppercase())
        && w.chars().any(|c| c.is_ascii_lowercase())
        && w.chars().any(|c| c.is_ascii_digit())
        && !w.contains(['@', '.']);
    w.contains('~') || mixed
}

/// What an error may repeat of a typed value: its start, or nothing at all when it looks like a
/// secret pasted into the wrong field.
pub fn echo_safe(typed: &str) -> String {
    if looks_like_secret(typed) {
        "… (not repeated: it looks like a client secret, which belongs in the secret step)".into()
    } else {
        typed.chars().take(60).collect()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_shaped_words_are_told_apart_from_other_answers() {
        assert!(looks_like_secret(
            "sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD"
        ));
        assert!(looks_like_secret("Zk3PqR7sT9uV1wX3yZ5aB7cD9eF1gH3jK"));
        assert!(
            echo_safe("sbx1Q~Scoped.Helpdesk-Sandbox_Only.0001aBcD").starts_with("… (not repeated")
        );
        assert_eq!(echo_safe("alice@"), "alice@");
        for other in [
            "contoso.onmicrosoft.com",
            "alice@contoso.example",
            "8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f",
            "helpdesk-contoso-production-2026",
            "short~",
        ] {
            assert!(!looks_like_secret(other), "{other}");
        }
    }

    #[test]
    fn text_no_client_secret_can_be_is_refused_saying_why() {
        let value = "Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789";
        let two_lines = format!("8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f\n{value}");
        let long = "a".repeat(SECRET_MAX_CHARS + 1);
        for (raw, why) in [
            (two_lines.as_str(), SecretWarning::SeveralLines),
            (
                "Xy8Q~abc\u{1b}[2Jdefghijklmnopqrstuvwxyz012",
                SecretWarning::ControlCharacters,
            ),
            (
                "Xy8Q~abc\0defghijklmnopqrstuvwxyz0123456789",
                SecretWarning::ControlCharacters,
            ),
            (
                "Xy8Q~abcdefghij klmnopqrstuvwxyz0123456789",
                SecretWarning::InnerWhitespace,
            ),
            (long.as_str(), SecretWarning::TooLong),
        ] {
            let (_, w) = Secret::from_pasted(raw);
            assert_eq!(w, [why]);
            assert!(why.blocks());
        }
        let (s, w) = Secret::from_pasted(&"b".repeat(SECRET_MAX_CHARS));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.expose().len(), SECRET_MAX_CHARS);
    }

    #[test]
    fn secret_id_is_recognised() {
        let (_, w) = Secret::from_pasted("8d5e4a8c-1f2b-4c3d-9e8f-0a1b2c3d4e5f");
        assert_eq!(w, [SecretWarning::LooksLikeSecretId]);
        assert!(w[0].blocks());
    }

    #[test]
    fn whitespace_is_trimmed_and_reported() {
        let (s, w) = Secret::from_pasted("  abc~DEF.123_xyz \n");
        assert_eq!(s.expose(), "abc~DEF.123_xyz");
        assert_eq!(w, [SecretWarning::SurroundingWhitespace]);
        assert!(!w[0].blocks());
    }

    #[test]
    fn a_value_the_portal_cannot_have_made_is_named() {
        assert!(
            Secret::new("abc")
                .portal_shape_problem()
                .unwrap()
                .contains("too short")
        );
        assert!(
            Secret::new("Xy8Q~abcdefghij klmnopqrstuvwxyz0123456789")
                .portal_shape_problem()
                .unwrap()
                .contains("no spaces")
        );
        assert_eq!(
            Secret::new("Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789").portal_shape_problem(),
            None
        );
    }

    #[test]
    fn empty_blocks() {
        let (_, w) = Secret::from_pasted("   ");
        assert_eq!(w, [SecretWarning::Empty]);
    }

    #[test]
    fn a_good_value_has_no_warning() {
        let (_, w) = Secret::from_pasted("Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789");
        assert!(w.is_empty());
    }
}
