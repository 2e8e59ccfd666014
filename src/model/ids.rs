use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a GUID field was refused. Names the field so the message can say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be a GUID like 00000000-0000-0000-0000-000000000000 (got {shown})")]
pub struct IdError {
    pub field: &'static str,
    pub shown: String,
}

/// A GUID in canonical lower-case 8-4-4-4-12 form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid([u8; 16]);

impl Guid {
    /// Accepts upper or lower case, optionally wrapped in braces; nothing else.
    pub fn parse(field: &'static str, input: &str) -> Result<Guid, IdError> {
        let refuse = || IdError {
            field,
            shown: shorten(input),
        };
        let trimmed = input.trim();
        let inner = match trimmed.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}').ok_or_else(refuse)?,
            None => trimmed,
        };
        let bytes = inner.as_bytes();
        if bytes.len() != 36 {
            return Err(refuse());
        }
        let mut out = [0u8; 16];
        let mut nibbles = 0usize;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return Err(refuse());
                }
                continue;
            }
            let v = (b as char).to_digit(16).ok_or_else(refuse)? as u8;
            out[nibbles / 2] |= if nibbles.is_multiple_of(2) { v << 4 } else { v };
            nibbles += 1;
        }
        Ok(Guid(out))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Guid {
        Guid(bytes)
    }

    /// True when the text has the shape of a GUID (used to spot a Secret ID pasted as a value).
    pub fn is_guid_shaped(input: &str) -> bool {
        Guid::parse("value", input).is_ok()
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What was typed, as the error may repeat it: only when it could be an id. Anything else
/// (a pasted secret, say) is described, never echoed.
fn shorten(input: &str) -> String {
    let t = input.trim();
    let id_like = t.len() <= 40
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '-' | '{' | '}'));
    if id_like {
        format!("\"{t}\"")
    } else {
        format!("{} characters that are not a GUID", t.chars().count())
    }
}

macro_rules! guid_newtype {
    ($name:ident, $field:literal) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Guid);

        impl $name {
            pub const FIELD: &'static str = $field;
            pub fn parse(input: &str) -> Result<Self, IdError> {
                Guid::parse($field, input).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

guid_newtype!(TenantId, "Tenant ID");
guid_newtype!(ClientId, "Client ID (Application ID)");
guid_newtype!(ObjectId, "Object ID");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_upper_case_and_braces() {
        let want = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        for input in [
            want,
            "0A1B2C3D-4E5F-6789-ABCD-EF0123456789",
            "{0a1b2c3d-4e5f-6789-abcd-ef0123456789}",
            "  {0A1B2C3D-4e5f-6789-abcd-ef0123456789}\n",
        ] {
            assert_eq!(ClientId::parse(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn refuses_everything_else_naming_the_field() {
        for input in [
            "",
            "contoso.example",
            "0a1b2c3d4e5f6789abcdef0123456789",
            "0a1b2c3d-4e5f-6789-abcd-ef012345678",
            "0a1b2c3d-4e5f-6789-abcd-ef01234567890",
            "0a1b2c3d-4e5f-6789-abcd_ef0123456789",
            "0g1b2c3d-4e5f-6789-abcd-ef0123456789",
            "{0a1b2c3d-4e5f-6789-abcd-ef0123456789",
            "(0a1b2c3d-4e5f-6789-abcd-ef0123456789)",
        ] {
            let err = ClientId::parse(input).unwrap_err();
            assert_eq!(err.field, "Client ID (Application ID)");
            let msg = err.to_string();
            assert!(
                msg.starts_with("Client ID (Application ID) must be a GUID"),
                "{msg}"
            );
        }
    }

    #[test]
    fn what_is_not_id_like_is_never_repeated() {
        let err = TenantId::parse(&"x".repeat(100)).unwrap_err();
        assert_eq!(err.shown, "100 characters that are not a GUID");
        let secret = ClientId::parse("Xy8Q~abcdefghijklmnopqrstuvwxyz0123456789").unwrap_err();
        assert!(!secret.to_string().contains("Xy8Q~"), "{secret}");
        let typo = ClientId::parse("a1f5c0de-0001-4000-8000-00000000c00").unwrap_err();
        assert!(
            typo.to_string()
                .contains("a1f5c0de-0001-4000-8000-00000000c00")
        );
    }

    #[test]
    fn serde_round_trip_uses_canonical_form() {
        let id = ObjectId::parse("{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"");
        assert_eq!(serde_json::from_str::<ObjectId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ObjectId>("\"nope\"").is_err());
    }
}
