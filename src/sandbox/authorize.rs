//! The administrator's browser sign-in: the authorize endpoint (approved at once as the
//! sandbox's auto-approve user, or on a small page) redirecting to a loopback address, and the
//! authorization-code grant with PKCE verification (docs/browser-sign-in.md).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use rsa::sha2::{Digest, Sha256};

use super::Shared;
use super::responses::{Refused, aad_error, missing_parameter};
use super::tenant::Tenant;

/// How long an authorization code may wait to be redeemed in the sandbox.
const CODE_LIFETIME: Duration = Duration::from_secs(600);

struct Code {
    client_id: String,
    redirect_uri: String,
    scope: String,
    challenge: Option<(String, String)>,
    user: String,
    expires: Instant,
    /// Redirected to one of the app's `web` URIs: a confidential client, which must send its
    /// secret with the code.
    confidential: bool,
}

/// The codes issued and not yet redeemed, and those redeemed (a second redemption is refused
/// as such).
#[derive(Default)]
pub struct Codes {
    live: HashMap<String, Code>,
    redeemed: HashSet<String>,
}

/// Whether `uri` is a loopback redirect the identity platform accepts for a public client
/// registered with `http://localhost`: http, localhost or 127.0.0.1, any port, no other path.
fn loopback_redirect(uri: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(uri) else {
        return false;
    };
    u.scheme() == "http"
        && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
        && u.path() == "/"
        && u.query().is_none()
        && u.fragment().is_none()
}

/// Whether `requested` is one of `registered`: exactly, or for a registered `http://localhost`
/// (or `127.0.0.1`) redirect, the same host and path on any port, as the identity platform
/// matches loopback redirects (reply-url: "the port component is ignored").
fn registered(registered: &[String], requested: &str) -> bool {
    let loopback = |uri: &str| {
        let u = reqwest::Url::parse(uri).ok()?;
        let host = u
            .host_str()
            .filter(|h| matches!(*h, "localhost" | "127.0.0.1"))?;
        (u.scheme() == "http").then(|| (host.to_string(), u.path().to_string()))
    };
    let wanted = loopback(requested);
    registered
        .iter()
        .any(|r| r == requested || (wanted.is_some() && loopback(r) == wanted))
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><title>Sandbox sign-in</title><h1>Sandbox sign-in</h1><p>{text}</p>"
        )),
    )
        .into_response()
}

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// `redirect_uri` with `pairs` in its query.
fn back_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = reqwest::Url::parse(redirect_uri).expect("checked as a loopback URL");
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    found(url.as_str())
}

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize(
    State(s): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let t = s.tenant.lock().await;
    if !t.answers_to(&tenant) {
        return super::identity::unknown_tenant(&tenant);
    }
    let Some(client_id) = q.get("client_id").filter(|c| !c.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    };
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    // An app of the tenant redirects only to the URIs registered for it (a loopback one on any
    // port); the admin tools to a loopback address.
    let app = t.app_by_client_id(client_id);
    let confidential = app.is_some_and(|a| registered(&a.web_redirect_uris, &redirect_uri));
    let allowed = match app {
        Some(a) => confidential || registered(&a.public_redirect_uris, &redirect_uri),
        None => loopback_redirect(&redirect_uri),
    };
    if !allowed {
        let accepted = match app {
            Some(_) => "",
            None => {
                " The sandbox accepts http://localhost[:port] and http://127.0.0.1[:port] only."
            }
        };
        return page(
            StatusCode::BAD_REQUEST,
            &format!(
                "AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'.{accepted}"
            ),
        );
    }
    let state = q.get("state").cloned();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if let Some(st) = &state {
            pairs.push(("state", st.clone()));
        }
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        back_to(&redirect_uri, &borrowed)
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return with_state(vec![
            ("error", "unsupported_response_type".into()),
            (
                "error_description",
                "The sandbox's authorize endpoint supports response_type=code only.".into(),
            ),
        ]);
    }
    let challenge = q.get("code_challenge").filter(|c| !c.is_empty()).map(|c| {
        let method = q.get("code_challenge_method").cloned();
        (c.clone(), method.unwrap_or_else(|| "plain".into()))
    });
    // As with device codes: a tenant app's users are approved as the auto-approve mailbox
    // user, when one is named.
    let approver = match app {
        Some(_) => s.auto_approve_user.as_ref().or(s.auto_approve.as_ref()),
        None => s.auto_approve.as_ref(),
    };
    let user = match q.get("sandbox_user").or(approver) {
        Some(u) => u.clone(),
        None => return approval_page(&t, &q),
    };
    let Some(user) = t.user(&user).map(|u| u.mail.clone()) else {
        return page(
            StatusCode::BAD_REQUEST,
            &format!("No user {user} in the sandbox."),
        );
    };
    let code = super::device::random_code(
        80,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    );
    s.authorize
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .live
        .insert(
            code.clone(),
            Code {
                client_id: client_id.clone(),
                redirect_uri: redirect_uri.clone(),
                scope: q.get("scope").cloned().unwrap_or_default(),
                challenge,
                user,
                expires: Instant::now() + CODE_LIFETIME,
                confidential,
            },
        );
    with_state(vec![("code", code)])
}

/// Without an auto-approve user: pick the user to sign in as (the same request again, with
/// `sandbox_user`).
fn approval_page(t: &Tenant, q: &HashMap<String, String>) -> Response {
    let esc = |v: &str| {
        v.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    let hidden: String = q
        .iter()
        .filter(|(k, _)| k.as_str() != "sandbox_user")
        .map(|(k, v)| {
            format!(
                "<input type=hidden name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let users: String = t
        .users
        .iter()
        .map(|u| format!("<option value=\"{m}\">{m}</option>", m = esc(&u.mail)))
        .collect();
    Html(format!(
        "<!doctype html><title>Sandbox sign-in</title><h1>{} — sandbox sign-in</h1>\
         <form method=get>{hidden}<p>Sign in as <select name=sandbox_user>{users}</select></p>\
         <p><button>Sign in</button></p></form>",
        esc(&t.display_name)
    ))
    .into_response()
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `grant_type=authorization_code`: the code redeemed once, with the PKCE verifier.
pub fn code_grant(s: &Shared, t: &Tenant, form: &HashMap<String, String>) -> Response {
    let Some(code) = form.get("code").filter(|c| !c.is_empty()) else {
        return missing_parameter("code");
    };
    let mut codes = s.authorize.lock().unwrap_or_else(|e| e.into_inner());
    if codes.redeemed.contains(code) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        );
    }
    let Some(c) = codes.live.remove(code) else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed.",
        );
    };
    codes.redeemed.insert(code.clone());
    drop(codes);
    let malformed = |why: &str| {
        aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70000,
            &format!("Provided grant is invalid or malformed: {why}."),
        )
    };
    if Instant::now() >= c.expires {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        );
    }
    if form.get("client_id") != Some(&c.client_id) {
        return malformed("the code was issued to another client");
    }
    if form.get("redirect_uri") != Some(&c.redirect_uri) {
        return malformed("the redirect_uri differs from the authorization request's");
    }
    if let Some(app) = t.app_by_client_id(&c.client_id) {
        // A web app proves itself with its secret (PKCE optional); a public client with PKCE.
        let public = !c.confidential;
        if let Err(refused) = super::user_tokens::client_allowed(t, app, form, public) {
            return refused.into_response();
        }
        if (public || c.challenge.is_some())
            && let Err(refused) = pkce(&c, form)
        {
            return refused.into_response();
        }
        return super::user_tokens::issue_for_app(s, t, app, &c.user, &c.scope);
    }
    if let Err(refused) = pkce(&c, form) {
        return refused.into_response();
    }
    super::device::issue(s, t, &c.user, &c.client_id, &c.scope)
}

/// The PKCE verifier matches the authorization request's challenge.
fn pkce(c: &Code, form: &HashMap<String, String>) -> Result<(), Refused> {
    let Some((challenge, method)) = &c.challenge else {
        return Err(Refused::from(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50147,
            "MissingCodeChallenge: the authorization request carried no code_challenge.",
        )));
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let derived = if method.eq_ignore_ascii_case("S256") {
        s256(&verifier)
    } else {
        verifier.clone()
    };
    if verifier.is_empty() || &derived != challenge {
        return Err(Refused::from(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_are_accepted_whatever_the_port() {
        for ok in [
            "http://localhost",
            "http://localhost:53117",
            "http://127.0.0.1:8400/",
        ] {
            assert!(loopback_redirect(ok), "{ok}");
        }
        for no in [
            "https://localhost:1234",
            "http://[::1]:1234",
            "http://evil.example:1234",
            "http://localhost.evil.example",
            "http://localhost:1234/other",
            "urn:ietf:wg:oauth:2.0:oob",
            "",
        ] {
            assert!(!loopback_redirect(no), "{no}");
        }
    }

    #[test]
    fn s256_is_rfc_7636_s() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
