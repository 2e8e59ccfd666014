use super::*;
use crate::model::CloudKind;

#[test]
fn the_challenge_is_the_base64url_sha256_of_the_verifier() {
    // RFC 7636 appendix B.
    assert_eq!(
        challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    let p = Pkce::new();
    assert_eq!(
        p.verifier().len(),
        43,
        "32 bytes, base64url without padding"
    );
    assert!(
        p.verifier()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert_eq!(p.challenge, challenge_of(p.verifier()));
    assert_ne!(
        Pkce::new().verifier(),
        p.verifier(),
        "a new verifier each time"
    );
    assert!(!format!("{p:?}").contains(p.verifier()), "never in Debug");
}

#[test]
fn the_authorize_url_carries_the_flow_s_parameters() {
    let e = Endpoints::named(CloudKind::Global).unwrap();
    let url = authorize_url(&Authorize {
        endpoints: &e,
        tenant: "contoso.onmicrosoft.com",
        client_id: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
        redirect_uri: &redirect_uri(53117),
        scope: "https://graph.microsoft.com/Application.Read.All offline_access",
        state: "st4te",
        challenge: "ch-all_enge",
    });
    let u = reqwest::Url::parse(&url).unwrap();
    assert_eq!(
        format!("{}{}", u.host_str().unwrap(), u.path()),
        "login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    );
    let q: std::collections::HashMap<String, String> = u.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "14d82eec-204b-4c2f-b7e8-296a70dab67e");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["redirect_uri"], "http://localhost:53117");
    assert_eq!(
        q["scope"],
        "https://graph.microsoft.com/Application.Read.All offline_access"
    );
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["code_challenge"], "ch-all_enge");
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(!url.contains("code_verifier"));
}

#[test]
fn the_redirect_gives_its_code_only_with_this_sign_in_s_state() {
    use secrecy::ExposeSecret;
    let code = parse_redirect("/?code=0.AbC-d&state=s1&session_state=x", "s1").unwrap();
    assert_eq!(code.expose_secret(), "0.AbC-d");
    assert_eq!(
        parse_redirect("/?code=0.AbC&state=other", "s1").unwrap_err(),
        RedirectError::StateMismatch
    );
    assert_eq!(
        parse_redirect("/?code=0.AbC", "s1").unwrap_err(),
        RedirectError::StateMismatch,
        "no state is not this sign-in's state"
    );
    assert_eq!(
        parse_redirect("/favicon.ico", "s1").unwrap_err(),
        RedirectError::NotTheRedirect
    );
    assert_eq!(
        parse_redirect("/", "s1").unwrap_err(),
        RedirectError::NoCode
    );
}

#[test]
fn an_error_redirect_is_the_identity_platform_s_refusal() {
    let target =
        "/?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state=s1";
    match parse_redirect(target, "s1").unwrap_err() {
        RedirectError::Refused(a) => {
            assert_eq!(a.error, "access_denied");
            assert_eq!(a.codes, [65004]);
            assert!(a.description.starts_with("AADSTS65004: User declined"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse_redirect("/?error=access_denied&state=forged", "s1").unwrap_err(),
        RedirectError::StateMismatch,
        "an error with another state is refused like a code"
    );
}

#[tokio::test]
async fn a_taken_port_gives_way_to_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let l = Loopback::bind(port).await.unwrap();
    assert_ne!(l.port(), port);
    assert_ne!(l.port(), 0);
}

#[tokio::test]
async fn the_loopback_ignores_other_requests_and_refuses_a_foreign_state() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = Loopback::bind(0).await.unwrap();
    let port = l.port();
    let browser = tokio::spawn(async move {
        let mut answers = Vec::new();
        for target in ["/favicon.ico", "/?code=c&state=forged"] {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            s.write_all(format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut text = String::new();
            s.read_to_string(&mut text).await.unwrap();
            answers.push(text.lines().next().unwrap_or_default().to_string());
        }
        answers
    });
    let e = l.wait("mine", Duration::from_secs(30)).await.unwrap_err();
    assert!(
        matches!(e, LoopbackError::Redirect(RedirectError::StateMismatch)),
        "{e:?}"
    );
    assert_eq!(
        browser.await.unwrap(),
        ["HTTP/1.1 404 Not Found", "HTTP/1.1 400 Bad Request"]
    );
}

#[tokio::test]
async fn nobody_coming_back_times_out() {
    let l = Loopback::bind(0).await.unwrap();
    let e = l.wait("s", Duration::from_millis(50)).await.unwrap_err();
    assert!(matches!(e, LoopbackError::TimedOut), "{e:?}");
}
