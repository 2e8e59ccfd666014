//! Posting a JSON message to an incoming webhook (`check --notify URL`). The URL itself is a
//! credential for Teams and Slack: only its scheme and host are ever shown.

use std::time::Duration;

use super::http;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("{0}")]
    Refused(String),
    #[error("the webhook at {host} answered HTTP {status}")]
    Status { host: String, status: u16 },
    #[error("the webhook at {host} did not answer within {secs}s")]
    Timeout { host: String, secs: u64 },
    #[error("the webhook at {host} could not be reached: {detail}")]
    Network { host: String, detail: String },
}

/// The URL as it may be shown: scheme and host (and port), never its path or query.
pub fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}", u.scheme()),
            (Some(h), None) => format!("{}://{h}", u.scheme()),
            _ => "the webhook".into(),
        },
        Err(_) => "the webhook".into(),
    }
}

/// POSTs `body` to `url` with `timeout` for the whole request; any 2xx answer is success.
pub async fn post(
    url: &str,
    body: &serde_json::Value,
    timeout: Duration,
) -> Result<u16, WebhookError> {
    http::guard(url).map_err(|e| WebhookError::Refused(e.to_string()))?;
    let host = shown(url);
    // The path and query are the webhook's credential: never in a trace either.
    if let Some(rest) = url
        .find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
    {
        crate::trace::keep_out("webhook", rest);
    }
    let client = http::client_with(timeout);
    match http::send(client.post(url).json(body)).await {
        Ok(a) if (200..300).contains(&a.status) => Ok(a.status),
        Ok(a) => Err(WebhookError::Status {
            host,
            status: a.status,
        }),
        Err(e) if e.is_timeout() => Err(WebhookError::Timeout {
            host,
            secs: timeout.as_secs(),
        }),
        Err(e) => Err(WebhookError::Network {
            host,
            detail: e.without_url().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scheme_and_host_of_a_webhook_are_shown() {
        assert_eq!(
            shown("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com"
        );
        assert_eq!(
            shown("http://127.0.0.1:8080/hook?sig=abc"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(shown("not a url"), "the webhook");
    }
}
