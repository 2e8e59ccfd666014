//! Compact JWTs: the sandbox's access tokens, signed RS256 (PKCS#1 v1.5 with SHA-256), and the
//! client assertions it checks, RS256 or PS256 (RSASSA-PSS with SHA-256).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use rsa::sha2::{Digest, Sha256};
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use serde_json::Value;

/// `header.claims.signature`, each part base64url without padding.
pub fn sign(key: &RsaPrivateKey, header: &Value, claims: &Value) -> String {
    let signed = [header, claims]
        .map(|part| B64URL.encode(part.to_string()))
        .join(".");
    let digest = Sha256::digest(signed.as_bytes());
    let signature = key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .expect("an RSA key signs a SHA-256 digest");
    format!("{signed}.{}", B64URL.encode(signature))
}

/// The header, unverified: it names the key that should verify the token.
pub fn header(token: &str) -> Option<Value> {
    let first = token.split('.').next()?;
    decode_json(first)
}

/// How a JWT's signature is padded: by its `alg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// RS256.
    Pkcs1,
    /// PS256: MGF1 with SHA-256, the salt as long as the digest (RFC 7518 3.5).
    Pss,
}

/// The claims when `key` made an RS256 signature; none for anything else.
pub fn verify(token: &str, key: &RsaPublicKey) -> Option<Value> {
    verify_padded(token, key, Padding::Pkcs1)
}

/// The claims when `key` made the signature with `padding`; none for anything else.
pub fn verify_padded(token: &str, key: &RsaPublicKey, padding: Padding) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let signed = &token[..header.len() + 1 + claims.len()];
    let signature = B64URL.decode(signature).ok()?;
    let digest = Sha256::digest(signed.as_bytes());
    match padding {
        Padding::Pkcs1 => key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature),
        Padding::Pss => key.verify(Pss::new_with_salt::<Sha256>(32), &digest, &signature),
    }
    .ok()?;
    decode_json(claims)
}

fn decode_json(part: &str) -> Option<Value> {
    let bytes = B64URL.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> RsaPrivateKey {
        RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap()
    }

    #[test]
    fn signed_claims_come_back_and_forgeries_do_not() {
        let k = key();
        let token = sign(&k, &json!({"alg": "RS256"}), &json!({"aud": "x"}));
        let public = k.to_public_key();
        assert_eq!(verify(&token, &public).unwrap()["aud"], "x");
        assert_eq!(header(&token).unwrap()["alg"], "RS256");
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let (head, _) = signed.split_once('.').unwrap();
        let forged = format!("{head}.{}.{signature}", B64URL.encode(r#"{"aud":"y"}"#));
        assert!(verify(&forged, &public).is_none());
        assert!(verify(&format!("{token}.x"), &public).is_none());
        assert!(verify(signed, &public).is_none());
        assert!(verify(&token, &key().to_public_key()).is_none());
    }

    #[test]
    fn the_products_client_assertion_verifies_here() {
        let cert = crate::credential::generate("jwt test", 3).unwrap();
        let assertion =
            crate::credential::assertion(cert.private_key.expose(), "t", "c", "a", 0).unwrap();
        let key = super::super::certificate::rsa_key(&cert.der).unwrap();
        assert_eq!(
            verify_padded(&assertion, &key, Padding::Pss).unwrap()["iss"],
            "c"
        );
        assert!(
            verify(&assertion, &key).is_none(),
            "a PSS signature is no PKCS#1 one"
        );
        assert_eq!(header(&assertion).unwrap()["x5t#S256"], "t");
        assert_eq!(header(&assertion).unwrap()["alg"], "PS256");
    }
}
