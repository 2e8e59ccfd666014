//! The administrator's browser sign-in (authorization code with PKCE on a loopback redirect)
//! through the real binary against `sandbox serve`: chosen with `--sign-in browser`, or taken
//! over when Conditional Access refuses the device code (`--block-device-code`). The test
//! plays the browser: it reads the printed URL and follows the authorize redirect to the
//! wizard's loopback with an HTTP client.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use common::{GRAPH_READ_ALICE, Home, Tenant, secret_service};

/// What the browser does with an authorize URL.
#[derive(Clone, Copy)]
enum Browser {
    /// Follows it, and the redirect to the loopback.
    Follow,
    /// Follows it with another `state` in the query.
    ForgeState,
}

/// Reads the wizard's stderr to its end, playing `browser` on every authorize URL printed;
/// stderr, and the loopback's status for each URL.
fn play(child: &mut Child, browser: Browser) -> (String, Vec<u16>) {
    let err = BufReader::new(child.stderr.take().unwrap());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let (mut all, mut statuses) = (String::new(), Vec::new());
    for line in err.lines() {
        let line = line.unwrap();
        all.push_str(&line);
        all.push('\n');
        if line.starts_with("http") && line.contains("/oauth2/v2.0/authorize?") {
            let url = match browser {
                Browser::Follow => line.clone(),
                Browser::ForgeState => {
                    let mut u = reqwest::Url::parse(&line).unwrap();
                    let pairs: Vec<(String, String)> = u
                        .query_pairs()
                        .map(|(k, v)| {
                            let v = if k == "state" { "forged".into() } else { v };
                            (k.into_owned(), v.into_owned())
                        })
                        .collect();
                    u.query_pairs_mut().clear().extend_pairs(pairs);
                    u.to_string()
                }
            };
            let answer = rt.block_on(http.get(&url).send()).unwrap();
            assert!(
                answer.url().as_str().starts_with("http://localhost:"),
                "the authorize endpoint redirects to the loopback: {}",
                answer.url()
            );
            statuses.push(answer.status().as_u16());
        }
    }
    (all, statuses)
}

/// `setup p` of Graph reads for alice@, with `extra`; stderr piped, no browser started.
fn setup(home: &Home, t: &Tenant, extra: &[&str]) -> Child {
    let mut args = GRAPH_READ_ALICE.to_vec();
    args.extend(extra);
    home.setup_cmd(t, "p", &args)
        .env("BROWSER", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn saved(home: &Home) -> bool {
    home.config().join("profiles/p.toml").exists()
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn with_the_device_code_blocked_setup_completes_through_the_browser() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve", "--block-device-code"]);
    let home = Home::new();
    let mut child = setup(&home, &t, &["--browser-wait", "60"]);
    let (err, statuses) = play(&mut child, Browser::Follow);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(
        statuses,
        [200, 200],
        "the administrator, then Exchange Online administration, in the browser: {err}"
    );
    assert_eq!(
        err.matches("enter the code").count(),
        1,
        "after the refusal, the Exchange sign-in goes to the browser at once: {err}"
    );
    assert!(
        err.contains("A Conditional Access policy blocks the device code flow for your sign-in.")
            && err.contains("AADSTS53003")
            && err.contains("Continuing with the sign-in in the browser"),
        "{err}"
    );
    assert!(!err.contains("workload identities"), "{err}");
    assert!(saved(&home), "{err}");
    assert_eq!(t.apps_named("m365-mail-wizard p").len(), 1);
}

#[ignore = "needs a peer (Secret Service, tmux or Dovecot): scripts/test runs it"]
#[test]
fn the_browser_chosen_with_sign_in_browser_serves_the_exchange_sign_in_too() {
    if !secret_service() {
        return;
    }
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let mut child = home
        .setup_cmd(
            &t,
            "p",
            &[
                "--access",
                "graph-read",
                "--mailbox",
                "alice@contoso.example",
                "--deny-mailbox",
                "ceo@contoso.example",
                "--sign-in",
                "browser",
                "--browser-wait",
                "60",
            ],
        )
        .env("BROWSER", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (err, statuses) = play(&mut child, Browser::Follow);
    let status = child.wait().unwrap();
    assert!(
        matches!(status.code(), Some(0 | 5)),
        "done, or waiting only for Exchange to apply the scope: {err}"
    );
    assert!(!err.contains("enter the code"), "no device code: {err}");
    assert_eq!(
        statuses,
        [200, 200],
        "the administrator, then Exchange Online administration: {err}"
    );
    assert!(
        err.contains("Microsoft does not document whether the Exchange Online PowerShell client"),
        "{err}"
    );
    assert!(saved(&home), "{err}");
}

#[test]
fn a_redirect_with_a_foreign_state_is_refused_and_nothing_is_stored() {
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let mut child = setup(&home, &t, &["--sign-in", "browser", "--browser-wait", "60"]);
    let (err, statuses) = play(&mut child, Browser::ForgeState);
    let status = child.wait().unwrap();
    assert_eq!(statuses, [400], "the loopback refuses it: {err}");
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("A sign-in answer that did not belong to this sign-in was refused."),
        "{err}"
    );
    assert!(!saved(&home), "{err}");
    assert!(t.apps_named("m365-mail-wizard p").is_empty());
}

#[test]
fn a_browser_that_never_comes_back_times_out_offering_the_device_code() {
    let t = Tenant::start(&["--auto-approve"]);
    let home = Home::new();
    let mut child = setup(&home, &t, &["--sign-in", "browser", "--browser-wait", "1"]);
    let err = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(
        err.contains("The browser sign-in did not come back in time.")
            && err.contains("--sign-in device-code"),
        "{err}"
    );
    assert!(!saved(&home));
}

#[test]
fn a_refused_device_code_alone_is_the_administrator_s_conditional_access_block() {
    let t = Tenant::start(&["--auto-approve", "--block-device-code"]);
    let home = Home::new();
    // --browser-wait 0: no browser sign-in follows.
    let mut child = setup(&home, &t, &["--browser-wait", "0"]);
    let err = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("A Conditional Access policy blocks the device code flow for your sign-in.")
            && err.contains("Block device code flow")
            && err.contains("--sign-in browser"),
        "{err}"
    );
    assert!(!err.contains("workload identities"), "{err}");
    assert!(!err.contains("/oauth2/v2.0/authorize"), "{err}");
    assert!(!saved(&home));
}

/// The sandbox's authorize endpoint and authorization-code grant, as a client sees them.
mod sandbox {
    use super::common::Served;
    use serde_json::Value;

    const CLIENT: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
    /// RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The authorize endpoint's answer: status and where it redirects.
    async fn authorize(sb: &Served, redirect: &str, challenge: Option<&str>) -> (u16, String) {
        let login = sb.info["login"].as_str().unwrap();
        let mut url =
            reqwest::Url::parse(&format!("{login}/contoso.example/oauth2/v2.0/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", "https://graph.microsoft.com/Application.Read.All")
            .append_pair("state", "st8");
        if let Some(c) = challenge {
            url.query_pairs_mut()
                .append_pair("code_challenge", c)
                .append_pair("code_challenge_method", "S256");
        }
        let a = client().get(url).send().await.unwrap();
        let location = a
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (a.status().as_u16(), location)
    }

    fn code_of(location: &str) -> String {
        let u = reqwest::Url::parse(location).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["state"], "st8", "{location}");
        q["code"].clone()
    }

    async fn redeem(sb: &Served, code: &str, redirect: &str, verifier: &str) -> (u16, Value) {
        let login = sb.info["login"].as_str().unwrap();
        let a = client()
            .post(format!("{login}/contoso.example/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap();
        (a.status().as_u16(), a.json().await.unwrap())
    }

    #[tokio::test]
    async fn codes_redeem_once_and_only_with_the_verifier_of_their_challenge() {
        let sb = Served::start(&["--auto-approve"]);
        let back = "http://localhost:1";
        let (status, location) = authorize(&sb, back, Some(CHALLENGE)).await;
        assert_eq!(status, 302);
        assert!(
            location.starts_with("http://localhost:1/?code="),
            "{location}"
        );
        let code = code_of(&location);
        let (status, body) =
            redeem(&sb, &code, back, "not-the-verifier-not-the-verifier-000000").await;
        assert_eq!(
            (status, body["error_codes"][0].as_u64()),
            (400, Some(501481)),
            "{body}"
        );
        let (_, body) = redeem(&sb, &code, back, VERIFIER).await;
        assert_eq!(body["error_codes"][0], 54005, "a code redeems once: {body}");

        let (_, location) = authorize(&sb, "http://127.0.0.1:9/", Some(CHALLENGE)).await;
        let (status, body) =
            redeem(&sb, &code_of(&location), "http://127.0.0.1:9/", VERIFIER).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["access_token"].is_string() && body["refresh_token"].is_string());

        let (_, location) = authorize(&sb, back, None).await;
        let (_, body) = redeem(&sb, &code_of(&location), back, VERIFIER).await;
        assert_eq!(body["error_codes"][0], 50147, "no challenge: {body}");
    }

    #[tokio::test]
    async fn only_loopback_redirects_are_followed() {
        let sb = Served::start(&["--auto-approve", "--realistic"]);
        for elsewhere in [
            "https://evil.example/",
            "http://evil.example:8080",
            "http://[::1]:8080",
        ] {
            let (status, location) = authorize(&sb, elsewhere, Some(CHALLENGE)).await;
            assert_eq!((status, location.as_str()), (400, ""), "{elsewhere}");
        }
        let (status, _) = authorize(&sb, "http://localhost:4321", Some(CHALLENGE)).await;
        assert_eq!(status, 302, "on in --realistic too");
    }
}
