//! The redactor, one kind of secret at a time.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::mail::{Dir, MailRedactor};
use super::redact::{Redactor, kept_claims, marker, scrub_shapes};

fn jwt(claims: &Value) -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}.c2lnbmF0dXJlLXRoYXQtaXMtc2VjcmV0",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn json_body(r: &mut Redactor, v: &Value) -> (Value, serde_json::Map<String, Value>) {
    let b = r.body("application/json", v.to_string().as_bytes());
    (b.body["json"].clone(), b.claims)
}

#[test]
fn token_answers_lose_every_token_and_keep_what_the_access_token_granted() {
    let at = jwt(
        &json!({"aud": "https://graph.microsoft.com", "roles": ["Mail.Read"],
        "tid": "t", "upn": "admin@contoso.example", "unique_name": "x", "signin_state": ["kmsi"]}),
    );
    let mut r = Redactor::default();
    let (body, claims) = json_body(
        &mut r,
        &json!({"token_type": "Bearer", "expires_in": 3599, "access_token": at,
            "refresh_token": "0.AAAArefresh-token-value", "id_token": jwt(&json!({"sub": "s"}))}),
    );
    let text = body.to_string();
    assert!(
        !text.contains(&at) && !text.contains("refresh-token-value"),
        "{text}"
    );
    assert_eq!(body["access_token"], marker("access_token"));
    assert_eq!(body["refresh_token"], marker("refresh_token"));
    assert_eq!(body["id_token"], marker("id_token"));
    assert_eq!(body["expires_in"], 3599);
    let c = &claims["access_token"];
    assert_eq!(c["roles"], json!(["Mail.Read"]));
    assert_eq!(c["upn"], "admin@contoso.example");
    assert!(c.get("unique_name").is_none() && c.get("signin_state").is_none());
    // Met once, gone wherever it shows up later.
    assert_eq!(
        r.text(&format!("x {at} y")),
        format!("x {} y", marker("access_token"))
    );
}

#[test]
fn form_fields_that_are_secrets_are_redacted_and_the_rest_kept() {
    let mut r = Redactor::default();
    let out = r.form(
        "grant_type=client_credentials&client_id=abc&client_secret=Zx8Q%7Esecret.value-123\
         &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_assertion=eyJh.eyJi.c2ln\
         &code=auth-code-1234&device_code=DAQABdevicecode&refresh_token=0.AAArt&password=hunter22",
    );
    for kind in [
        "client_secret",
        "client_assertion",
        "code",
        "device_code",
        "refresh_token",
        "password",
    ] {
        assert!(
            out.contains(&format!("{kind}={}", marker(kind))),
            "{kind}: {out}"
        );
    }
    assert!(out.contains("client_id=abc") && out.contains("grant_type=client_credentials"));
    assert!(
        !out.contains("secret.value") && !out.contains("hunter22"),
        "{out}"
    );
    // The decoded secret is known from now on.
    assert!(
        r.text("echo Zx8Q~secret.value-123")
            .contains(&marker("client_secret"))
    );
}

#[test]
fn query_strings_are_read_like_forms() {
    let mut r = Redactor::default();
    let out = r.url("https://login.example/cb?code=abcdef123&state=s1");
    assert_eq!(
        out,
        format!("https://login.example/cb?code={}&state=s1", marker("code"))
    );
    assert_eq!(
        r.url("https://g.example/v1.0/users"),
        "https://g.example/v1.0/users"
    );
}

#[test]
fn credential_headers_keep_their_scheme_only() {
    let mut r = Redactor::default();
    assert_eq!(
        r.header("Authorization", "Bearer abc.def.ghi-token"),
        format!("Bearer {}", marker("access_token"))
    );
    assert_eq!(r.header("cookie", "session=1234567"), marker("cookie"));
    assert_eq!(r.header("Set-Cookie", "x=yyyyyyy"), marker("set-cookie"));
    assert_eq!(r.header("content-type", "text/xml"), "text/xml");
}

#[test]
fn device_codes_are_redacted_also_inside_the_message_that_repeats_them() {
    let mut r = Redactor::default();
    let (body, _) = json_body(
        &mut r,
        &json!({"device_code": "DAQABAAEAAAD--long-device-code", "user_code": "F7K2LMQP",
            "verification_uri": "https://microsoft.com/devicelogin", "interval": 5,
            "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code F7K2LMQP to authenticate."}),
    );
    let text = body.to_string();
    assert!(
        !text.contains("F7K2LMQP") && !text.contains("long-device-code"),
        "{text}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&marker("user_code"))
    );
    assert_eq!(
        body["verification_uri"],
        "https://microsoft.com/devicelogin"
    );
}

#[test]
fn secrets_and_certificate_keys_from_graph_are_redacted() {
    let mut r = Redactor::default();
    let (body, _) = json_body(
        &mut r,
        &json!({"keyId": "k1", "hint": "Zx8", "secretText": "Zx8Q~0123456789abcdefghijklmnopqrstuv",
            "keyCredentials": [{"key": "MIIC3jCCAcagAwIBAgIQ", "type": "AsymmetricX509Cert"}],
            "passwordCredentials": [{"secretText": null, "hint": "Zx8"}]}),
    );
    assert_eq!(body["secretText"], marker("secretText"));
    assert_eq!(body["keyCredentials"][0]["key"], marker("key"));
    assert_eq!(body["passwordCredentials"][0]["secretText"], Value::Null);
    assert_eq!(body["keyId"], "k1");
}

#[test]
fn message_content_in_graph_bodies_is_redacted() {
    let mut r = Redactor::default();
    let (body, _) = json_body(
        &mut r,
        &json!({"message": {"subject": "Salary review", "body": {"content": "private"},
            "toRecipients": [{"emailAddress": {"address": "alice@contoso.example"}}]}}),
    );
    assert_eq!(body["message"]["subject"], marker("message"));
    assert_eq!(body["message"]["body"], marker("message"));
    assert_eq!(
        body["message"]["toRecipients"][0]["emailAddress"]["address"],
        "alice@contoso.example"
    );
}

#[test]
fn shapes_of_secrets_are_caught_anywhere() {
    let t = jwt(&json!({"a": 1}));
    assert_eq!(
        scrub_shapes(&format!("<x>{t}</x>")),
        format!("<x>{}</x>", marker("jwt"))
    );
    let blob = STANDARD.encode("user=a@b.example\x01auth=Bearer tok\x01\x01");
    assert_eq!(
        scrub_shapes(&format!("A1 AUTHENTICATE XOAUTH2 {blob}")),
        format!("A1 AUTHENTICATE XOAUTH2 {}", marker("xoauth2"))
    );
    assert_eq!(
        scrub_shapes("error: Bearer abcdefgh12345 refused"),
        format!("error: Bearer {} refused", marker("access_token"))
    );
    assert_eq!(
        scrub_shapes("héllo eyJ not a token"),
        "héllo eyJ not a token"
    );
    assert!(kept_claims("not-a-jwt").is_none());
}

#[test]
fn imap_sasl_and_fetched_content_never_reach_the_trace() {
    let blob = STANDARD.encode("user=a@b.example\x01auth=Bearer opaque-token\x01\x01");
    let mut m = MailRedactor::new("imap");
    assert_eq!(m.line(Dir::Server, "* OK ready"), "* OK ready");
    assert_eq!(
        m.line(Dir::Client, "A1 AUTHENTICATE XOAUTH2"),
        "A1 AUTHENTICATE XOAUTH2"
    );
    assert_eq!(m.line(Dir::Server, "+ "), "+ ");
    // Not base64 of `user=`: caught because the server asked for a SASL response.
    assert_eq!(m.line(Dir::Client, "b3BhcXVl"), marker("xoauth2"));
    assert_eq!(
        m.line(Dir::Client, &format!("A2 AUTHENTICATE XOAUTH2 {blob}")),
        format!("A2 AUTHENTICATE XOAUTH2 {}", marker("xoauth2"))
    );
    assert_eq!(
        m.line(Dir::Client, "A3 LOGIN alice hunter22"),
        format!("A3 LOGIN {}", marker("password"))
    );
    assert_eq!(
        m.line(Dir::Server, "* 1 FETCH (BODY[] {12}"),
        format!("* 1 FETCH {}", marker("message"))
    );
    assert_eq!(m.line(Dir::Server, "Subject: hi"), marker("message"));
    assert_eq!(m.line(Dir::Server, "A4 OK done"), "A4 OK done");
}

#[test]
fn smtp_data_and_pop_retrieval_are_redacted_to_the_end_marker() {
    let mut s = MailRedactor::new("smtp");
    assert_eq!(s.line(Dir::Client, "AUTH XOAUTH2"), "AUTH XOAUTH2");
    assert_eq!(s.line(Dir::Server, "334 "), "334 ");
    assert_eq!(s.line(Dir::Client, "dXNlcj1h"), marker("xoauth2"));
    assert_eq!(s.line(Dir::Server, "235 2.7.0 ok"), "235 2.7.0 ok");
    s.line(Dir::Client, "DATA");
    s.line(Dir::Server, "354 go ahead");
    let sent = s.line(Dir::Client, "Subject: secret plans\r\n\r\nbody text\r\n.");
    let m = marker("message");
    assert_eq!(sent, format!("{m}\r\n{m}\r\n{m}\r\n."));
    assert_eq!(s.line(Dir::Client, "QUIT"), "QUIT");

    let mut p = MailRedactor::new("pop");
    assert_eq!(
        p.line(Dir::Client, "PASS hunter22"),
        format!("PASS {}", marker("password"))
    );
    p.line(Dir::Client, "RETR 1");
    assert_eq!(p.line(Dir::Server, "+OK 120 octets"), "+OK 120 octets");
    assert_eq!(p.line(Dir::Server, "From: boss"), marker("message"));
    assert_eq!(p.line(Dir::Server, "."), ".");
    assert_eq!(p.line(Dir::Server, "+OK bye"), "+OK bye");
}
