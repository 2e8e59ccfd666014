//! What a trace must never hold, taken out of the text it would hold. Pure: no I/O, no clock.
//!
//! Every secret is replaced by a marker `«redacted:KIND»`. Structured places are read as
//! structure (headers, form and query fields, JSON fields); everything else is scanned for the
//! shapes a secret has (a JWT, a SASL XOAUTH2 blob, a bearer token) and for every secret value
//! seen before in the same run.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The marker standing where a secret of `kind` was.
pub fn marker(kind: &str) -> String {
    format!("«redacted:{kind}»")
}

/// Form and query fields whose values are secrets (names compared ignoring case).
pub const FORM_SECRETS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "assertion",
    "code",
    "code_verifier",
    "device_code",
    "user_code",
    "refresh_token",
    "access_token",
    "id_token",
    "password",
];

/// JSON fields whose string values are secrets (names compared ignoring case).
pub const JSON_SECRETS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "device_code",
    "user_code",
    "secretText",
    "key",
    "password",
];

/// JSON fields that carry message content.
pub const JSON_MESSAGE: &[&str] = &[
    "body",
    "bodyPreview",
    "uniqueBody",
    "subject",
    "contentBytes",
];

/// Headers whose values are credentials.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Access-token claims kept beside a redacted token, so that a reader (and a replay) knows what
/// it granted. None of them is a credential.
pub const KEPT_CLAIMS: &[&str] = &[
    "aud", "iss", "tid", "appid", "azp", "oid", "roles", "scp", "upn", "name", "wids", "exp",
];

/// Secrets already met in this run; later text is scrubbed of them wherever they appear.
#[derive(Default)]
pub struct Redactor {
    known: Vec<(String, String)>,
}

/// A JSON or text body after redaction, with the kept claims of each access token it held.
pub struct RedactedBody {
    pub body: Value,
    pub claims: Map<String, Value>,
}

impl Redactor {
    /// Remembers `value` as a secret of `kind` (too short a value would match everywhere).
    pub fn learn(&mut self, kind: &str, value: &str) {
        let v = value.trim();
        if v.len() >= 6 && !v.starts_with('«') && !self.known.iter().any(|(_, k)| k == v) {
            self.known.push((kind.to_string(), v.to_string()));
            // Longest first, so that a secret containing another is replaced whole.
            self.known.sort_by_key(|k| std::cmp::Reverse(k.1.len()));
        }
    }

    /// Free text: secrets met before, JWTs, XOAUTH2 blobs and bearer tokens.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (kind, v) in &self.known {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &marker(kind));
            }
        }
        scrub_shapes(&out)
    }

    /// A URL: its query's secret fields, then as free text.
    pub fn url(&mut self, url: &str) -> String {
        match url.split_once('?') {
            Some((base, query)) => {
                let q = self.form(query);
                self.text(&format!("{base}?{q}"))
            }
            None => self.text(url),
        }
    }

    /// An `application/x-www-form-urlencoded` body or a query string.
    pub fn form(&mut self, form: &str) -> String {
        let fields: Vec<String> = form
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if is_one_of(&percent_decode(k), FORM_SECRETS) => {
                    let kind = percent_decode(k).to_ascii_lowercase();
                    self.learn(&kind, &percent_decode(v));
                    format!("{k}={}", marker(&kind))
                }
                _ => pair.to_string(),
            })
            .collect();
        self.text(&fields.join("&"))
    }

    /// One header's value.
    pub fn header(&mut self, name: &str, value: &str) -> String {
        if !is_one_of(name, SECRET_HEADERS) {
            return self.text(value);
        }
        match value.split_once(' ') {
            Some((scheme, cred)) if name.eq_ignore_ascii_case("authorization") => {
                let kind = if scheme.eq_ignore_ascii_case("bearer") {
                    "access_token"
                } else {
                    "credential"
                };
                self.learn(kind, cred);
                format!("{scheme} {}", marker(kind))
            }
            _ => {
                self.learn(&name.to_ascii_lowercase(), value);
                marker(&name.to_ascii_lowercase())
            }
        }
    }

    /// A body: JSON read as JSON, a form as a form, anything else as text.
    pub fn body(&mut self, content_type: &str, bytes: &[u8]) -> RedactedBody {
        let mut claims = Map::new();
        if bytes.is_empty() {
            return RedactedBody {
                body: Value::Null,
                claims,
            };
        }
        let text = String::from_utf8_lossy(bytes);
        if let Ok(mut v) = serde_json::from_str::<Value>(&text)
            && (v.is_object() || v.is_array())
        {
            self.json_fields(&mut v, &mut claims);
            self.json_strings(&mut v);
            return RedactedBody {
                body: serde_json::json!({ "json": v }),
                claims,
            };
        }
        let form = content_type.contains("x-www-form-urlencoded");
        let body = if form {
            self.form(&text)
        } else {
            self.text(&text)
        };
        RedactedBody {
            body: serde_json::json!({ "text": body }),
            claims,
        }
    }

    fn json_fields(&mut self, v: &mut Value, claims: &mut Map<String, Value>) {
        match v {
            Value::Object(map) => {
                for (k, field) in map.iter_mut() {
                    if is_one_of(k, JSON_MESSAGE) && !field.is_null() {
                        *field = Value::String(marker("message"));
                    } else if is_one_of(k, JSON_SECRETS) {
                        if let Value::String(s) = field
                            && !s.is_empty()
                        {
                            if k.eq_ignore_ascii_case("access_token")
                                && let Some(c) = kept_claims(s)
                            {
                                claims.insert(k.clone(), c);
                            }
                            self.learn(k, s);
                            *field = Value::String(marker(k));
                        }
                    } else {
                        self.json_fields(field, claims);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.json_fields(i, claims)),
            _ => {}
        }
    }

    fn json_strings(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Object(map) => map.values_mut().for_each(|f| self.json_strings(f)),
            Value::Array(items) => items.iter_mut().for_each(|i| self.json_strings(i)),
            _ => {}
        }
    }
}

fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name.trim()))
}

/// The claims of [`KEPT_CLAIMS`] of a JWT, or None when it is not one.
pub fn kept_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let raw = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let all: Map<String, Value> = serde_json::from_slice(&raw).ok()?;
    let kept: Map<String, Value> = all
        .into_iter()
        .filter(|(k, _)| KEPT_CLAIMS.contains(&k.as_str()))
        .collect();
    Some(Value::Object(kept))
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 2;
            }
            (c, _, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn b64std(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='
}

/// Replaces what looks like a secret whatever field it is in: a JWT (`eyJ….….…`), a SASL
/// XOAUTH2 blob (base64 of `user=…`), and the token after `Bearer `.
pub fn scrub_shapes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        let boundary = i == 0 || !b64url(b[i - 1]);
        // (where the secret starts, its length, its kind)
        let found = if boundary && b[i..].starts_with(b"eyJ") {
            jwt_len(&b[i..]).map(|n| (i, n, "jwt"))
        } else if boundary && b[i..].starts_with(b"dXNlcj") {
            Some((
                i,
                b[i..].iter().take_while(|c| b64std(**c)).count(),
                "xoauth2",
            ))
        } else if b.len() > i + 7 && b[i..i + 7].eq_ignore_ascii_case(b"bearer ") {
            let start = i + 7;
            let n = b[start..]
                .iter()
                .take_while(|c| b64url(**c) || matches!(**c, b'.' | b'~' | b'+' | b'/' | b'='))
                .count();
            (n >= 8).then_some((start, n, "access_token"))
        } else {
            None
        };
        match found {
            Some((start, n, kind)) => {
                out.push_str(&s[copied..start]);
                out.push_str(&marker(kind));
                i = start + n;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// Length of the JWT at the start of `b`: three base64url parts (the last may be empty).
fn jwt_len(b: &[u8]) -> Option<usize> {
    let first = b.iter().take_while(|c| b64url(**c)).count();
    if b.get(first) != Some(&b'.') {
        return None;
    }
    let second = b[first + 1..].iter().take_while(|c| b64url(**c)).count();
    let at = first + 1 + second;
    if second == 0 || b.get(at) != Some(&b'.') {
        return None;
    }
    let third = b[at + 1..].iter().take_while(|c| b64url(**c)).count();
    Some(at + 1 + third)
}
