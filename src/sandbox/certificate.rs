//! Certificates as the portal's upload and `keyCredentials` take them: the DER inside PEM or
//! base64, the RSA key the certificate carries, its thumbprints (SHA-256 for `x5t#S256`, SHA-1
//! for `x5t` and Graph's `customKeyIdentifier`) and the end of its validity. X.509 is walked
//! with a small DER reader of the sandbox's own.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, Time};

const CONTEXT_0: u8 = 0xa0;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// The DER of a PEM certificate: the base64 between the `-----` lines.
pub fn from_pem(pem: &str) -> Option<Vec<u8>> {
    let mut body = String::with_capacity(pem.len());
    for line in pem.lines().map(str::trim) {
        if !line.starts_with("-----") {
            body.push_str(line);
        }
    }
    STANDARD.decode(body).ok()
}

/// The DER of a certificate as `keyCredentials[].key` carries it.
pub fn from_base64(key: &str) -> Option<Vec<u8>> {
    STANDARD.decode(key).ok()
}

pub fn to_base64(der: &[u8]) -> String {
    STANDARD.encode(der)
}

/// base64url(SHA-256(DER)): what a client assertion names in `x5t#S256`.
pub fn thumbprint(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(der))
}

fn sha1(der: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
}

/// base64url(SHA-1(DER)): what an RS256 client assertion names in `x5t`.
pub fn sha1_thumbprint(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(sha1(der))
}

/// Upper-case hex SHA-1 of the DER: Graph's `customKeyIdentifier` when none was given.
pub fn key_identifier(der: &[u8]) -> String {
    sha1(der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The certificate's RSA public key (its subjectPublicKeyInfo, the sixth field of the
/// tbsCertificate after the optional version).
pub fn rsa_key(der: &[u8]) -> Option<RsaPublicKey> {
    let spki = tbs_fields(der)?.nth(5)?;
    RsaPublicKey::from_public_key_der(spki.encoded).ok()
}

/// `validity.notAfter` (the fourth field): a UTCTime (years 1950–2049) or a GeneralizedTime.
pub fn not_after(der: &[u8]) -> Option<OffsetDateTime> {
    let validity = tbs_fields(der)?.nth(3)?;
    let end = Elements(validity.contents).nth(1)?;
    asn1_time(end.tag, end.contents)
}

/// One DER element: its tag, its contents, and its whole encoding.
struct Element<'a> {
    tag: u8,
    contents: &'a [u8],
    encoded: &'a [u8],
}

/// The elements of some DER contents, one after another; a malformed one ends the walk.
#[derive(Clone)]
struct Elements<'a>(&'a [u8]);

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        let input = self.0;
        let [tag, length, rest @ ..] = input else {
            return None;
        };
        let (size, body) = if length & 0x80 == 0 {
            (usize::from(*length), rest)
        } else {
            let count = usize::from(length & 0x7f);
            if !(1..=4).contains(&count) || rest.len() < count {
                return None;
            }
            let (digits, body) = rest.split_at(count);
            let size = digits.iter().fold(0, |n, d| n << 8 | usize::from(*d));
            (size, body)
        };
        let contents = body.get(..size)?;
        let header = input.len() - body.len();
        self.0 = &body[size..];
        Some(Element {
            tag: *tag,
            contents,
            encoded: &input[..header + size],
        })
    }
}

/// The fields of the tbsCertificate from the serial number on.
fn tbs_fields(der: &[u8]) -> Option<Elements<'_>> {
    let certificate = Elements(der).next()?;
    let tbs = Elements(certificate.contents).next()?;
    let mut fields = Elements(tbs.contents);
    if fields.clone().next()?.tag == CONTEXT_0 {
        fields.next();
    }
    Some(fields)
}

/// `YYMMDDHHMMSSZ` (UTCTime) or `YYYYMMDDHHMMSSZ` (GeneralizedTime), as UTC.
fn asn1_time(tag: u8, text: &[u8]) -> Option<OffsetDateTime> {
    let (&b'Z', digits) = text.split_last()? else {
        return None;
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pair = |i: usize| (digits[i] - b'0') * 10 + (digits[i + 1] - b'0');
    let (year, rest) = match (tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy = i32::from(pair(0));
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, 2)
        }
        (GENERALIZED_TIME, 14) => (i32::from(pair(0)) * 100 + i32::from(pair(2)), 4),
        _ => return None,
    };
    let month = Month::try_from(pair(rest)).ok()?;
    let date = Date::from_calendar_date(year, month, pair(rest + 2)).ok()?;
    let time = Time::from_hms(pair(rest + 4), pair(rest + 6), pair(rest + 8)).ok()?;
    Some(date.with_time(time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short-form DER element (contents under 128 bytes).
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let contents = parts.concat();
        let mut out = vec![tag, contents.len() as u8];
        out.extend(contents);
        out
    }

    /// A certificate skeleton: version, serial, signature, issuer, then a validity that ends
    /// with `end`.
    fn ending(end: Vec<u8>) -> Vec<u8> {
        let validity = tlv(0x30, &[&tlv(UTC_TIME, &[b"250101000000Z"]), &end]);
        let version = tlv(CONTEXT_0, &[&tlv(0x02, &[&[2]])]);
        let fields: [&[u8]; 5] = [
            &version,
            &tlv(0x02, &[&[1]]),
            &tlv(0x30, &[]),
            &tlv(0x30, &[]),
            &validity,
        ];
        tlv(0x30, &[&tlv(0x30, &fields)])
    }

    #[test]
    fn a_generated_certificate_reads_back() {
        let c = crate::credential::generate("certificate test", 6).unwrap();
        assert!(rsa_key(&c.der).is_some());
        assert_eq!(thumbprint(&c.der), c.thumbprint);
        assert_eq!(key_identifier(&c.der), c.sha1);
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(sha1_thumbprint(&c.der))
                .unwrap()
                .len(),
            20
        );
        assert_eq!(
            not_after(&c.der).map(OffsetDateTime::unix_timestamp),
            Some(c.not_after.unix_timestamp())
        );
        let pem = crate::credential::certificate_pem(&c.der);
        assert_eq!(from_pem(&pem).unwrap(), c.der);
        assert_eq!(from_base64(&to_base64(&c.der)).unwrap(), c.der);
    }

    #[test]
    fn times_of_both_kinds_and_garbage() {
        let read = |end: Vec<u8>| {
            not_after(&ending(end)).map(|t| (t.year(), t.month() as u8, t.day(), t.hour()))
        };
        let good = [
            (
                tlv(GENERALIZED_TIME, &[b"20610731235959Z"]),
                (2061, 7, 31, 23),
            ),
            (tlv(UTC_TIME, &[b"491231120000Z"]), (2049, 12, 31, 12)),
            (tlv(UTC_TIME, &[b"500101000000Z"]), (1950, 1, 1, 0)),
        ];
        for (end, expected) in good {
            assert_eq!(read(end), Some(expected));
        }
        for bad in [
            tlv(UTC_TIME, &[b"20610731235959Z"]),
            tlv(GENERALIZED_TIME, &[b"20611331235959Z"]),
            tlv(0x04, &[b"491231120000Z"]),
            tlv(UTC_TIME, &["1é000000000Z".as_bytes()]),
            tlv(UTC_TIME, &[b"+91231120000Z"]),
            tlv(UTC_TIME, &[b"491231120000"]),
        ] {
            assert_eq!(read(bad), None);
        }
        assert!(not_after(b"\x30\x03\x02\x01\x01").is_none());
        assert!(rsa_key(b"\x30\x03\x02\x01\x01").is_none());
    }

    #[test]
    fn long_lengths_and_truncation() {
        let long = [&[0x04, 0x82, 0x01, 0x00][..], &[7; 256]].concat();
        let e = Elements(&long).next().unwrap();
        assert_eq!((e.tag, e.contents.len(), e.encoded.len()), (0x04, 256, 260));
        assert!(Elements(&long[..200]).next().is_none());
        assert!(Elements(&[0x04, 0x80]).next().is_none());
        assert!(Elements(&[0x04, 0x85, 0, 0, 0, 0, 1]).next().is_none());
    }
}
