//! Certificate credentials, Microsoft's recommended alternative to client secrets: a key pair
//! and self-signed certificate, the client assertion that proves the key (PS256 — RSASSA-PSS
//! with SHA-256 — naming the certificate by `x5t#S256`, as Microsoft's current page and MSAL
//! send it; docs/certificates.md), the SHA-1 thumbprint Graph lists the certificate under
//! (`customKeyIdentifier`), and reading a certificate's public key back to verify one.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::pss::{BlindedSigningKey, Signature, VerifyingKey};
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::model::Secret;

/// How long an assertion is valid; Entra ID accepts up to ten minutes.
const ASSERTION_LIFETIME: i64 = 600;

pub struct NewCertificate {
    /// PKCS#8 PEM: what goes to the keyring, nothing else.
    pub private_key: Secret,
    pub der: Vec<u8>,
    /// base64url(SHA-256(DER)): the `x5t#S256` header value.
    pub thumbprint: String,
    /// Upper-case hex SHA-1 of the DER: what Graph lists as the `customKeyIdentifier`.
    pub sha1: String,
    pub not_after: OffsetDateTime,
}

/// The certificate as PEM (`.cer`/`.pem`), the form the portal's upload takes.
pub fn certificate_pem(der: &[u8]) -> String {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The DER inside a PEM certificate.
pub fn certificate_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).ok()
}

pub fn thumbprint(der: &[u8]) -> String {
    B64.encode(Sha256::digest(der))
}

/// The certificate's SHA-1 thumbprint in upper-case hex, as Graph sets a `keyCredential`'s
/// `customKeyIdentifier` when none is given.
pub fn sha1_thumbprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
    digest.as_ref().iter().map(|b| format!("{b:02X}")).collect()
}

/// Whether a `customKeyIdentifier` names the certificate with SHA-1 thumbprint `sha1` (hex):
/// as hex in any case, or as the base64 of the digest's bytes.
pub fn names_certificate(custom_key_identifier: &str, sha1: &str) -> bool {
    let id = custom_key_identifier.trim();
    if id.eq_ignore_ascii_case(sha1) {
        return true;
    }
    let hex: Option<Vec<u8>> = (0..sha1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(sha1.get(i..i + 2)?, 16).ok())
        .collect();
    hex.is_some_and(|bytes| bytes.len() == 20 && STANDARD.decode(id).ok() == Some(bytes))
}

/// A 2048-bit RSA key and a self-signed certificate for it, valid from now for `months`.
pub fn generate(common_name: &str, months: u32) -> Result<NewCertificate, String> {
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| e.to_string())?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let now = OffsetDateTime::now_utc();
    let not_after = crate::model::add_months(now, months);
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = not_after;
    let cert = params.self_signed(&pair).map_err(|e| e.to_string())?;
    let der = cert.der().to_vec();
    Ok(NewCertificate {
        private_key: Secret::new(pem),
        thumbprint: thumbprint(&der),
        sha1: sha1_thumbprint(&der),
        der,
        not_after,
    })
}

/// The client assertion for the token endpoint `audience`, signed with the PEM key.
pub fn assertion(
    key_pem: &str,
    thumbprint: &str,
    client_id: &str,
    audience: &str,
    now: i64,
) -> Result<String, String> {
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem)
        .map_err(|_| "the stored private key is not a PKCS#8 RSA key".to_string())?;
    let header = json!({ "alg": "PS256", "typ": "JWT", "x5t#S256": thumbprint });
    let claims = json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": now,
        "nbf": now,
        "exp": now + ASSERTION_LIFETIME,
    });
    Ok(sign_ps256(key, &header, &claims))
}

/// A compact PS256 JWT of `header` and `claims`: RSASSA-PSS with SHA-256, MGF1 with SHA-256
/// and a 32-byte salt (RFC 7518 3.5), the private-key operation blinded.
fn sign_ps256(key: RsaPrivateKey, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let sig = BlindedSigningKey::<Sha256>::new(key)
        .sign_with_rng(&mut rand::thread_rng(), input.as_bytes());
    format!("{input}.{}", B64.encode(sig.to_bytes()))
}

/// One DER element: (tag, content, rest).
fn der_element(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, x| (a << 8) | usize::from(*x));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The SubjectPublicKeyInfo of an X.509 certificate (DER), walked without an X.509 library:
/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serial, signature,
/// issuer, validity, subject, subjectPublicKeyInfo, … }, … }.
pub fn public_key(cert_der: &[u8]) -> Option<RsaPublicKey> {
    let mut rest = tbs_fields(cert_der)?;
    for _ in 0..5 {
        rest = der_element(rest)?.2;
    }
    let before = rest;
    let (_, _, after) = der_element(rest)?;
    let spki = &before[..before.len() - after.len()];
    RsaPublicKey::from_public_key_der(spki).ok()
}

/// The tbsCertificate's fields after the optional version: serial, signature, issuer,
/// validity, subject, subjectPublicKeyInfo, ….
fn tbs_fields(cert_der: &[u8]) -> Option<&[u8]> {
    let (_, cert, _) = der_element(cert_der)?;
    let (_, tbs, _) = der_element(cert)?;
    let (tag, _, after) = der_element(tbs)?;
    Some(if tag == 0xa0 { after } else { tbs })
}

/// When an X.509 certificate (DER) stops being valid: `validity.notAfter`, a UTCTime
/// (`YYMMDDHHMMSSZ`, years 1950–2049) or a GeneralizedTime (`YYYYMMDDHHMMSSZ`).
pub fn not_after(cert_der: &[u8]) -> Option<OffsetDateTime> {
    let mut rest = tbs_fields(cert_der)?;
    for _ in 0..3 {
        rest = der_element(rest)?.2;
    }
    let (_, validity, _) = der_element(rest)?;
    let (_, _, after_not_before) = der_element(validity)?;
    let (tag, text, _) = der_element(after_not_before)?;
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = match (tag, text.len()) {
        (0x17, 12) => {
            let yy: i32 = text[..2].parse().ok()?;
            format!("{}{text}", if yy < 50 { "20" } else { "19" })
        }
        (0x18, 14) => text.to_string(),
        _ => return None,
    };
    let n = |r: std::ops::Range<usize>| full.get(r)?.parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let at = time::Time::from_hms(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    Some(date.with_time(at).assume_utc())
}

/// Checks a PS256 JWT against the key; the claims when it holds.
pub fn verify(jwt: &str, key: &RsaPublicKey) -> Option<Value> {
    let (input, sig) = jwt.rsplit_once('.')?;
    let (_, claims) = input.split_once('.')?;
    let sig = Signature::try_from(B64.decode(sig).ok()?.as_slice()).ok()?;
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(input.as_bytes(), &sig)
        .ok()?;
    serde_json::from_slice(&B64.decode(claims).ok()?).ok()
}

/// The JWT header, unverified (to find which certificate it names).
pub fn header(jwt: &str) -> Option<Value> {
    let head = jwt.split('.').next()?;
    serde_json::from_slice(&B64.decode(head).ok()?).ok()
}

/// The certificate as `keyCredentials` carries it.
pub fn key_base64(der: &[u8]) -> String {
    STANDARD.encode(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_signs_assertions_its_public_key_verifies() {
        let c = generate("m365-mail-wizard test", 6).unwrap();
        let key = public_key(&c.der).expect("the SPKI is found in the certificate");
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let jwt = assertion(
            c.private_key.expose(),
            &c.thumbprint,
            "a1f5c0de-0001-4000-8000-00000000c001",
            "https://login.example/t/oauth2/v2.0/token",
            now,
        )
        .unwrap();
        let head = header(&jwt).unwrap();
        assert_eq!(head["x5t#S256"], c.thumbprint.as_str());
        assert_eq!(head["alg"], "PS256");
        assert!(
            head.get("x5t").is_none(),
            "no SHA-1 x5t beside PS256: {head}"
        );
        let claims = verify(&jwt, &key).unwrap();
        assert_eq!(claims["sub"], "a1f5c0de-0001-4000-8000-00000000c001");
        assert_eq!(claims["exp"].as_i64().unwrap() - now, ASSERTION_LIFETIME);
        let other = generate("other", 3).unwrap();
        assert!(verify(&jwt, &public_key(&other.der).unwrap()).is_none());
        assert!(public_key(b"\x30\x03\x02\x01\x01").is_none());
        assert!(c.not_after > OffsetDateTime::now_utc() + time::Duration::days(150));
        assert_eq!(
            not_after(&c.der).map(OffsetDateTime::unix_timestamp),
            Some(c.not_after.unix_timestamp()),
            "notAfter read back from the DER"
        );
        assert!(not_after(b"\x30\x03\x02\x01\x01").is_none());
    }

    #[test]
    fn the_sha1_thumbprint_is_what_graph_lists_as_custom_key_identifier() {
        // SHA-1 of "abc" (FIPS 180-1 example).
        assert_eq!(
            sha1_thumbprint(b"abc"),
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
        );
        let c = generate("thumbprints", 3).unwrap();
        assert_eq!(c.sha1, sha1_thumbprint(&c.der));
        assert_eq!(c.sha1.len(), 40);
        assert!(names_certificate(&c.sha1, &c.sha1));
        assert!(names_certificate(&c.sha1.to_ascii_lowercase(), &c.sha1));
        let bytes: Vec<u8> = (0..40)
            .step_by(2)
            .map(|i| u8::from_str_radix(&c.sha1[i..i + 2], 16).unwrap())
            .collect();
        assert!(names_certificate(&STANDARD.encode(&bytes), &c.sha1));
        assert!(
            !names_certificate(&c.thumbprint, &c.sha1),
            "the SHA-256 thumbprint is not the key identifier"
        );
        assert!(!names_certificate("", &c.sha1));
        assert!(!names_certificate(&sha1_thumbprint(b"other"), &c.sha1));
    }

    #[test]
    fn a_pkcs1_signature_is_not_a_ps256_one() {
        let c = generate("padding", 3).unwrap();
        let key = RsaPrivateKey::from_pkcs8_pem(c.private_key.expose()).unwrap();
        let input = "eyJhbGciOiJQUzI1NiJ9.e30";
        let pkcs1 = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        let sig = rsa::signature::Signer::sign(&pkcs1, input.as_bytes());
        let jwt = format!("{input}.{}", B64.encode(sig.to_bytes()));
        assert!(verify(&jwt, &public_key(&c.der).unwrap()).is_none());
    }

    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag, u8::try_from(content.len()).unwrap()];
        v.extend_from_slice(content);
        v
    }

    #[test]
    fn not_after_reads_generalized_time_and_refuses_garbage() {
        let cert = |after: Vec<u8>| {
            let validity = der(0x30, &[der(0x17, b"250101000000Z"), after].concat());
            let tbs = [
                der(0xa0, &der(0x02, &[2])),
                der(0x02, &[1]),
                der(0x30, &[]),
                der(0x30, &[]),
                validity,
            ]
            .concat();
            der(0x30, &der(0x30, &tbs))
        };
        let t = not_after(&cert(der(0x18, b"20610731235959Z"))).unwrap();
        assert_eq!(
            (t.year(), t.month() as u8, t.day(), t.hour()),
            (2061, 7, 31, 23)
        );
        let t = not_after(&cert(der(0x17, b"491231120000Z"))).unwrap();
        assert_eq!(t.year(), 2049);
        assert!(not_after(&cert(der(0x17, b"20610731235959Z"))).is_none());
        assert!(not_after(&cert(der(0x18, b"20611331235959Z"))).is_none());
        assert!(not_after(&cert(der(0x04, b"491231120000Z"))).is_none());
        assert!(not_after(&cert(der(0x17, "1é000000000Z".as_bytes()))).is_none());
        assert!(not_after(&cert(der(0x17, b"+91231120000Z"))).is_none());
    }
}
