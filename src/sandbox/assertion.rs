//! Client assertions at the token endpoint (certificate credentials): which registered
//! certificate the header names, the signature with the padding its `alg` says, and the claims.

use axum::http::StatusCode;
use time::OffsetDateTime;

use super::responses::{Refused, aad_error};
use super::{certificate, jwt};

/// A certificate's thumbprint of one kind, from its DER.
type Digest = fn(&[u8]) -> String;

/// Which registered certificate an assertion's header names, and how its signature must be
/// padded. Entra ID takes the two forms Microsoft documents: PS256 naming the certificate by
/// `x5t#S256` (the current page, and MSAL) and RS256 by the SHA-1 `x5t` (the older page).
/// Any other pairing — RS256 with `x5t#S256` among them — finds no key.
fn named_key<'a>(
    app: &'a super::tenant::App,
    header: &serde_json::Value,
) -> Result<(&'a super::tenant::KeyCredential, jwt::Padding), String> {
    let text = |k: &str| header[k].as_str().unwrap_or_default().to_string();
    let (thumb, padding, of): (String, jwt::Padding, Digest) = match text("alg").as_str() {
        "PS256" => (text("x5t#S256"), jwt::Padding::Pss, certificate::thumbprint),
        "RS256" => (
            text("x5t"),
            jwt::Padding::Pkcs1,
            certificate::sha1_thumbprint,
        ),
        _ => (String::new(), jwt::Padding::Pkcs1, certificate::thumbprint),
    };
    app.certificates
        .iter()
        .find(|c| {
            !thumb.is_empty()
                && certificate::from_base64(&c.key).is_some_and(|der| of(&der) == thumb)
        })
        .map(|c| (c, padding))
        .ok_or(thumb)
}

/// The key ID of the registered certificate an (accepted) assertion names.
pub(super) fn assertion_key_id(app: &super::tenant::App, assertion: &str) -> Option<String> {
    let header = jwt::header(assertion)?;
    named_key(app, &header).ok().map(|(c, _)| c.key_id.clone())
}

/// Verifies a client assertion: a certificate registered on the app signed it (named and padded
/// as [`named_key`] accepts), it names the app and this token endpoint, and it is within its
/// valid time (five minutes' leeway).
pub(super) fn check_assertion<'t>(
    t: &'t super::tenant::Tenant,
    client_id: &str,
    assertion: &str,
    audiences: &[&str],
    now: OffsetDateTime,
) -> Result<&'t super::tenant::App, Refused> {
    let invalid = |code: u32, text: &str| {
        Err(aad_error(StatusCode::UNAUTHORIZED, "invalid_client", code, text).into())
    };
    let Some(app) = t.app_by_client_id(client_id) else {
        return Err(aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        )
        .into());
    };
    let header = jwt::header(assertion).unwrap_or_default();
    let (cert, padding) = match named_key(app, &header) {
        Ok(found) => found,
        Err(thumb) => {
            return invalid(
                700027,
                &format!(
                    "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumb}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{}'.] (alg '{}')",
                    app.client_id,
                    header["alg"].as_str().unwrap_or_default()
                ),
            );
        }
    };
    let Some(claims) = certificate::from_base64(&cert.key)
        .and_then(|der| certificate::rsa_key(&der))
        .and_then(|key| jwt::verify_padded(assertion, &key, padding))
    else {
        return invalid(700027, "Client assertion contains an invalid signature.");
    };
    let text = |k: &str| claims[k].as_str().unwrap_or_default().to_string();
    if text("iss") != client_id || text("sub") != client_id {
        return invalid(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        );
    }
    if !audiences.contains(&text("aud").as_str()) {
        return invalid(
            700023,
            "Client assertion audience claim does not match Realm issuer.",
        );
    }
    let at = now.unix_timestamp();
    let (nbf, exp) = (
        claims["nbf"].as_i64().unwrap_or(0),
        claims["exp"].as_i64().unwrap_or(0),
    );
    if at + 300 < nbf || at - 300 > exp {
        return invalid(
            700024,
            &format!(
                "Client assertion is not within its valid time range. Current time: {at}, assertion valid from {nbf}, expiry time of assertion {exp}."
            ),
        );
    }
    Ok(app)
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::sha2::{Digest, Sha256};
    use serde_json::{Value, json};

    use super::*;
    use crate::sandbox::tenant::{KeyCredential, Tenant};

    const CLIENT: &str = "a1f5c0de-0001-4000-8000-00000000c001";
    const AUD: &str = "http://127.0.0.1:1/t/oauth2/v2.0/token";

    /// The seed with a certificate registered on the scoped app.
    fn with_certificate(cert: &crate::credential::NewCertificate) -> Tenant {
        let mut t = Tenant::seed();
        let app = t.apps.iter_mut().find(|a| a.client_id == CLIENT).unwrap();
        app.certificates.push(KeyCredential {
            key_id: "k".into(),
            display_name: "test".into(),
            thumbprint: cert.thumbprint.clone(),
            key: STANDARD.encode(&cert.der),
        });
        t
    }

    /// The AADSTS code of a refusal.
    async fn code(r: Result<&crate::sandbox::tenant::App, Refused>) -> u64 {
        let answer = r.expect_err("refused").into_response();
        let body = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&body).unwrap()["error_codes"][0]
            .as_u64()
            .unwrap()
    }

    /// An assertion with any header, signed with either padding.
    fn signed(pem: &str, header: Value, padding: jwt::Padding) -> String {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).unwrap();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let claims =
            json!({"aud": AUD, "iss": CLIENT, "sub": CLIENT, "nbf": now, "exp": now + 600});
        let input = [&header, &claims]
            .map(|p| URL_SAFE_NO_PAD.encode(p.to_string()))
            .join(".");
        let digest = Sha256::digest(input.as_bytes());
        let sig = match padding {
            jwt::Padding::Pkcs1 => key.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest),
            jwt::Padding::Pss => key.sign_with_rng(
                &mut rand::thread_rng(),
                rsa::Pss::new_with_salt::<Sha256>(32),
                &digest,
            ),
        }
        .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    #[tokio::test]
    async fn assertions_are_checked_for_key_names_and_time() {
        let cert = crate::credential::generate("test", 6).unwrap();
        let t = with_certificate(&cert);
        let now = OffsetDateTime::now_utc();
        let make = |at: i64| {
            crate::credential::assertion(
                cert.private_key.expose(),
                &cert.thumbprint,
                CLIENT,
                AUD,
                at,
            )
            .unwrap()
        };
        let good = make(now.unix_timestamp());
        assert!(check_assertion(&t, CLIENT, &good, &[AUD], now).is_ok());
        let stale = make(now.unix_timestamp() - 3600);
        assert_eq!(
            code(check_assertion(&t, CLIENT, &stale, &[AUD], now)).await,
            700024
        );
        assert_eq!(
            code(check_assertion(
                &t,
                CLIENT,
                &good,
                &["http://elsewhere/token"],
                now
            ))
            .await,
            700023
        );
        let other = crate::credential::generate("other", 3).unwrap();
        let forged = crate::credential::assertion(
            other.private_key.expose(),
            &cert.thumbprint,
            CLIENT,
            AUD,
            now.unix_timestamp(),
        )
        .unwrap();
        assert_eq!(
            code(check_assertion(&t, CLIENT, &forged, &[AUD], now)).await,
            700027
        );
    }

    #[tokio::test]
    async fn only_the_two_documented_header_forms_find_the_key() {
        use jwt::Padding::{Pkcs1, Pss};
        let cert = crate::credential::generate("forms", 6).unwrap();
        let t = with_certificate(&cert);
        let now = OffsetDateTime::now_utc();
        let (s256, sha1) = (
            cert.thumbprint.as_str(),
            certificate::sha1_thumbprint(&cert.der),
        );
        // (alg, the header naming the certificate, its value, padding, accepted)
        let cases = [
            ("PS256", "x5t#S256", s256, Pss, true),
            ("RS256", "x5t", sha1.as_str(), Pkcs1, true),
            // The 2025 report's mix: RS256 naming the certificate by its SHA-256 thumbprint.
            ("RS256", "x5t#S256", s256, Pkcs1, false),
            // A SHA-256 digest in the SHA-1 header.
            ("RS256", "x5t", s256, Pkcs1, false),
            ("PS256", "x5t", sha1.as_str(), Pss, false),
            ("PS256", "x5t#S256", sha1.as_str(), Pss, false),
            ("HS256", "x5t#S256", s256, Pss, false),
            // The right header, the other padding.
            ("PS256", "x5t#S256", s256, Pkcs1, false),
            ("RS256", "x5t", sha1.as_str(), Pss, false),
        ];
        for (alg, name, value, padding, accepted) in cases {
            let mut header = json!({"alg": alg, "typ": "JWT"});
            header[name] = json!(value);
            let jwt = signed(cert.private_key.expose(), header, padding);
            let outcome = check_assertion(&t, CLIENT, &jwt, &[AUD], now);
            let case = format!("{alg} {name} {padding:?}");
            if accepted {
                assert!(outcome.is_ok(), "{case}");
            } else {
                assert_eq!(code(outcome).await, 700027, "{case}");
            }
        }
    }
}
