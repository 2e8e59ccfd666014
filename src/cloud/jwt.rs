//! Reads an access token's claims. No signature check: the token came straight from the
//! token endpoint over TLS and is only inspected to explain what it grants.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct TokenClaims {
    #[serde(default)]
    pub aud: String,
    #[serde(default)]
    pub tid: String,
    #[serde(default)]
    pub appid: String,
    #[serde(default)]
    pub oid: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub exp: i64,
    /// A signed-in user's: delegated scopes, name, and directory role template ids.
    #[serde(default)]
    pub scp: String,
    #[serde(default)]
    pub upn: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub wids: Vec<String>,
}

pub fn decode_claims(token: &str) -> Result<TokenClaims, String> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the access token is not a JWT (expected three dot-separated parts)".into());
    };
    let raw = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| "the access token's claims are not base64url".to_string())?;
    serde_json::from_slice(&raw).map_err(|e| format!("the access token's claims are not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn reads_roles_and_tolerates_missing_ones() {
        let c = decode_claims(&jwt(
            r#"{"aud":"https://graph.microsoft.com","roles":["Mail.Read"],"tid":"t"}"#,
        ))
        .unwrap();
        assert_eq!(c.roles, ["Mail.Read"]);
        assert_eq!(c.aud, "https://graph.microsoft.com");
        let none = decode_claims(&jwt(r#"{"aud":"x"}"#)).unwrap();
        assert!(none.roles.is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in ["", "a.b", "a.b.c.d", "a.!!!.c", &jwt("not json")] {
            assert!(decode_claims(bad).is_err(), "{bad}");
        }
    }
}
