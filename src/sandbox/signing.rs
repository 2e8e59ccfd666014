//! The sandbox's token signing key: RS256 JWTs, the JWKS document, and verification.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

pub struct Signer256 {
    key: RsaPrivateKey,
    public: RsaPublicKey,
    private_pem: String,
    pub kid: String,
}

impl Signer256 {
    pub fn generate() -> Signer256 {
        let private =
            RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key generation");
        Signer256::from_key(private)
    }

    pub fn from_pem(pem: &str) -> Result<Signer256, String> {
        RsaPrivateKey::from_pkcs8_pem(pem)
            .map(Signer256::from_key)
            .map_err(|e| format!("sandbox signing key: {e}"))
    }

    fn from_key(private: RsaPrivateKey) -> Signer256 {
        let public = private.to_public_key();
        let digest = Sha256::digest(public.n().to_bytes_be());
        let kid = B64.encode(&digest[..15]);
        let private_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("PKCS#8 encoding")
            .to_string();
        Signer256 {
            key: private,
            public,
            private_pem,
            kid,
        }
    }

    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    pub fn public_pem(&self) -> String {
        self.public
            .to_public_key_pem(LineEnding::LF)
            .expect("SPKI encoding")
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "x5t": self.kid,
            "n": B64.encode(self.public.n().to_bytes_be()),
            "e": B64.encode(self.public.e().to_bytes_be()),
        }]})
    }

    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "typ": "JWT", "alg": "RS256", "kid": self.kid, "x5t": self.kid });
        super::jwt::sign(&self.key, &header, claims)
    }

    /// Checks the signature and returns the claims; expiry is the caller's business.
    pub fn verify(&self, token: &str) -> Option<Value> {
        let header = super::jwt::header(token)?;
        if header.get("alg")?.as_str()? != "RS256" {
            return None;
        }
        super::jwt::verify(token, &self.public)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_tamper() {
        let s = Signer256::generate();
        let t = s.sign(&json!({"aud": "x", "roles": ["Mail.Read"]}));
        assert_eq!(s.verify(&t).unwrap()["roles"][0], "Mail.Read");
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = B64.encode(json!({"aud": "x", "roles": ["Mail.ReadWrite"]}).to_string());
        parts[1] = &forged;
        assert!(s.verify(&parts.join(".")).is_none());
        let other = Signer256::generate();
        assert!(other.verify(&t).is_none());
        let again = Signer256::from_pem(s.private_pem()).unwrap();
        assert_eq!(again.kid, s.kid);
        assert!(again.verify(&t).is_some());
        assert_eq!(s.jwks()["keys"][0]["e"], "AQAB");
        assert!(s.public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
    }
}
