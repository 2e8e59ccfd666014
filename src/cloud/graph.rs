//! The Microsoft Graph calls the checks make.

use std::time::Duration;

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{CloudError, GraphError};
use super::http::{guard, retry_after};
use super::identity::AccessToken;
use crate::model::{Endpoints, Mailbox};

const ATTEMPTS: u32 = 3;

fn user_url(endpoints: &Endpoints, mailbox: &Mailbox, rest: &[&str]) -> Result<Url, CloudError> {
    let base = endpoints.graph_v1();
    let mut url = Url::parse(&base).map_err(|e| CloudError::Unexpected {
        status: 0,
        detail: format!("Graph URL {base}: {e}"),
    })?;
    url.path_segments_mut()
        .map_err(|_| CloudError::Unexpected {
            status: 0,
            detail: format!("Graph URL {base} cannot take a path"),
        })?
        .pop_if_empty()
        .push("users")
        .push(mailbox.as_str())
        .extend(rest);
    guard(url.as_str())?;
    Ok(url)
}

/// The `{"error": {...}}` body Graph and the Exchange admin API answer a failure with.
#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub error: ErrorInner,
}

#[derive(Deserialize)]
pub(crate) struct ErrorInner {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// The admin API names the exception in `details[0].message`; Graph's own are ignored.
    #[serde(default)]
    pub details: Value,
}

pub(crate) fn graph_error(status: u16, body: &[u8]) -> CloudError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => CloudError::Graph(GraphError {
            status,
            code: error.code,
            message: error.message,
        }),
        Err(_) => CloudError::Unexpected {
            status,
            detail: String::from_utf8_lossy(&body[..body.len().min(300)]).replace('\n', " "),
        },
    }
}

/// One Graph call, retried on throttling and outages within `Retry-After` (capped).
pub(crate) async fn call(
    http: &reqwest::Client,
    token: &AccessToken,
    method: Method,
    url: Url,
    body: Option<&Value>,
) -> Result<(u16, Vec<u8>), CloudError> {
    call_with(
        http,
        token,
        method,
        url,
        body,
        &[],
        graph_error,
        Follow::Never,
    )
    .await
}

/// Which redirects a call follows.
#[derive(Clone, Copy)]
pub(crate) enum Follow<'a> {
    /// None: a redirect is an answer like any other.
    Never,
    /// A 301/302/307/308 to these endpoints' Exchange host or a host under it, with the same
    /// method, body, headers and token; one elsewhere is refused before anything is sent there.
    ExchangeHosts(&'a Endpoints),
}

/// Redirects followed at most for one call.
const MAX_REDIRECTS: u32 = 5;

/// [`call`] with extra headers, the service's own error reader and its redirect rule.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn call_with(
    http: &reqwest::Client,
    token: &AccessToken,
    method: Method,
    mut url: Url,
    body: Option<&Value>,
    headers: &[(&str, String)],
    read_error: fn(u16, &[u8]) -> CloudError,
    follow: Follow<'_>,
) -> Result<(u16, Vec<u8>), CloudError> {
    let (mut attempt, mut hops) = (0, 0);
    let creates = may_create(&method, headers);
    loop {
        attempt += 1;
        let mut req = http
            .request(method.clone(), url.clone())
            .header(reqwest::header::AUTHORIZATION, token.bearer());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match super::http::send(req).await {
            Ok(r) => r,
            Err(e) => {
                let err = CloudError::from_reqwest(&e);
                if creates && may_retry(true, &err) && attempt < ATTEMPTS {
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                    continue;
                }
                return Err(err);
            }
        };
        let status = resp.status;
        if let Follow::ExchangeHosts(e) = follow
            && matches!(status, 301 | 302 | 307 | 308)
        {
            url = redirect_target(&url, &resp.headers, status, e, hops)?;
            hops += 1;
            attempt -= 1;
            continue;
        }
        let wait = retry_after(&resp.headers);
        let bytes = resp.body;
        if (200..300).contains(&status) {
            return Ok((status, bytes));
        }
        let err = read_error(status, &bytes);
        if may_retry(creates, &err) && attempt < ATTEMPTS {
            tokio::time::sleep(wait.unwrap_or(Duration::from_millis(500 * u64::from(attempt))))
                .await;
            continue;
        }
        return Err(err);
    }
}

/// Whether a call may make something: every POST but the Exchange admin API's reads.
fn may_create(method: &Method, headers: &[(&str, String)]) -> bool {
    *method == Method::POST
        && !headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("X-CmdletName")
                && (v.starts_with("Get-") || v.starts_with("Test-"))
        })
}

/// Whether a failed call is tried again. A read, on throttling or a passing outage. A call that
/// may make something only when the service certainly did not act on it (throttled, or the
/// connection refused before anything was sent): after a 5xx or a connection lost while waiting,
/// it may have been made, and the caller looks for it before making it again.
pub(crate) fn may_retry(creates: bool, err: &CloudError) -> bool {
    if !creates {
        return err.is_transient();
    }
    match err {
        CloudError::Graph(g) => g.status == 429,
        CloudError::Unexpected { status, .. } => *status == 429,
        CloudError::Network(n) => n.kind == super::error::NetKind::Refused,
        _ => false,
    }
}

/// Whether a failed call that may make something left it unknown whether it did: an outage
/// answered after the request was sent, or a connection lost or timed out while waiting.
pub fn outcome_unknown(err: &CloudError) -> bool {
    !may_retry(true, err)
        && match err {
            CloudError::Network(n) => n.kind != super::error::NetKind::Dns,
            e => {
                e.is_transient()
                    || matches!(e, CloudError::Graph(g) if g.status >= 500)
                    || matches!(e, CloudError::Unexpected { status, .. } if *status >= 500)
            }
        }
}

/// Where a redirect from `from` may go: its `Location`, when that is one of the endpoints'
/// Exchange hosts.
fn redirect_target(
    from: &Url,
    headers: &reqwest::header::HeaderMap,
    status: u16,
    e: &Endpoints,
    hops: u32,
) -> Result<Url, CloudError> {
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let refused = || CloudError::Redirected {
        status,
        location: location.clone(),
        allowed: e.exchange_hosts(),
    };
    let to = from.join(&location).map_err(|_| refused())?;
    if !e.is_exchange_host(&to) || guard(to.as_str()).is_err() {
        return Err(refused());
    }
    if hops >= MAX_REDIRECTS {
        return Err(CloudError::Unexpected {
            status,
            detail: format!("more than {MAX_REDIRECTS} redirects, the last to {to}"),
        });
    }
    Ok(to)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderCounts {
    pub total: u64,
    pub unread: u64,
}

/// `GET /users/{mailbox}/mailFolders/inbox`: the message and unread counts.
pub async fn inbox(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    token: &AccessToken,
    mailbox: &Mailbox,
) -> Result<FolderCounts, CloudError> {
    let url = user_url(endpoints, mailbox, &["mailFolders", "inbox"])?;
    let (status, body) = call(http, token, Method::GET, url, None).await?;
    let v: Value = serde_json::from_slice(&body).map_err(|e| CloudError::Unexpected {
        status,
        detail: format!("inbox answer unreadable: {e}"),
    })?;
    match (v["totalItemCount"].as_u64(), v["unreadItemCount"].as_u64()) {
        (Some(total), Some(unread)) => Ok(FolderCounts { total, unread }),
        _ => Err(CloudError::Unexpected {
            status,
            detail: "inbox answer has no totalItemCount / unreadItemCount".into(),
        }),
    }
}

/// `POST /users/{mailbox}/sendMail`: a short test message from the mailbox to itself.
pub async fn send_test(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    token: &AccessToken,
    mailbox: &Mailbox,
) -> Result<(), CloudError> {
    let url = user_url(endpoints, mailbox, &["sendMail"])?;
    let body = json!({
        "message": {
            "subject": "m365-mail-wizard test message",
            "body": {
                "contentType": "Text",
                "content": "This message was sent by m365-mail-wizard to prove that the application can send as this mailbox. It can be deleted."
            },
            "toRecipients": [{ "emailAddress": { "address": mailbox.as_str() } }]
        },
        "saveToSentItems": false
    });
    call(http, token, Method::POST, url, Some(&body))
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CloudKind, Endpoints};

    #[test]
    fn user_urls_escape_the_mailbox() {
        let e = Endpoints::named(CloudKind::Global).unwrap();
        let m = Mailbox::parse("a+b@contoso.com").unwrap();
        let u = user_url(&e, &m, &["mailFolders", "inbox"]).unwrap();
        assert_eq!(
            u.as_str(),
            "https://graph.microsoft.com/v1.0/users/a+b@contoso.com/mailFolders/inbox"
        );
        let mut local = e.clone();
        local.graph = "http://127.0.0.1:9/graph/".into();
        let u = user_url(&local, &m, &["sendMail"]).unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/graph/v1.0/users/a+b@contoso.com/sendMail"
        );
        local.graph = "http://graph.example.com".into();
        assert!(
            user_url(&local, &m, &["sendMail"]).is_err(),
            "plain http off-machine is refused"
        );
    }

    fn net(kind: super::super::error::NetKind) -> CloudError {
        CloudError::Network(super::super::error::NetworkError {
            kind,
            host: "graph".into(),
            detail: String::new(),
        })
    }

    #[test]
    fn a_create_is_retried_only_when_the_service_did_not_act() {
        use super::super::error::NetKind;
        let status = |s: u16| graph_error(s, b"{}");
        let post = may_create(&Method::POST, &[]);
        assert!(post);
        assert!(may_retry(post, &status(429)));
        assert!(may_retry(post, &net(NetKind::Refused)));
        for unknown in [
            status(500),
            status(502),
            status(503),
            status(504),
            net(NetKind::Timeout),
            net(NetKind::Other),
        ] {
            assert!(!may_retry(post, &unknown), "{unknown}");
            assert!(outcome_unknown(&unknown), "{unknown}");
        }
        assert!(!outcome_unknown(&status(429)));
        assert!(!outcome_unknown(&status(400)));
        assert!(!outcome_unknown(&net(NetKind::Dns)));
        assert!(!may_retry(post, &status(400)));
        // Reads keep their retries on outages.
        assert!(!may_create(&Method::GET, &[]));
        for read in [status(429), status(502), status(503), status(504)] {
            assert!(may_retry(false, &read), "{read}");
        }
        assert!(!may_retry(false, &net(NetKind::Timeout)));
        let get = [("X-CmdletName", "Get-Mailbox".to_string())];
        assert!(!may_create(&Method::POST, &get));
        let new = [("X-CmdletName", "New-ManagementScope".to_string())];
        assert!(may_create(&Method::POST, &new));
    }

    #[test]
    fn error_bodies() {
        let e = graph_error(
            403,
            br#"{"error":{"code":"ErrorAccessDenied","message":"Access to OData is disabled."}}"#,
        );
        assert!(
            matches!(e, CloudError::Graph(ref g) if g.code == "ErrorAccessDenied" && g.status == 403)
        );
        let e = graph_error(502, b"<html>bad gateway</html>");
        assert!(matches!(e, CloudError::Unexpected { status: 502, .. }));
        assert!(e.is_transient());
    }
}
