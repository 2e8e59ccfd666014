//! The one HTTP client configuration used for Microsoft's services.

use std::time::Duration;

use super::error::{CloudError, NetKind, NetworkError};
use crate::model::check_url;

pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub fn client() -> reqwest::Client {
    client_with(REQUEST_TIMEOUT)
}

/// The client with `timeout` for each request (connecting included): `--timeout`.
pub fn client_with(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .user_agent(concat!("m365-mail-wizard/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client builds")
}

/// Refuses plain http to anything but this machine, whatever an endpoint file says.
pub fn guard(url: &str) -> Result<(), CloudError> {
    check_url("url", url).map_err(|e| {
        CloudError::Network(NetworkError {
            kind: NetKind::Other,
            host: url.to_string(),
            detail: e.to_string(),
        })
    })
}

/// Seconds a throttled or unavailable answer asks the caller to wait, capped.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(30)))
}

/// A whole answer: status, headers and body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

/// Sends a request and reads its whole answer; with `--trace`, both go to the trace.
/// Every request to Microsoft's services goes through here.
pub async fn send(req: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    if !crate::trace::on() {
        return read(req.send().await?).await;
    }
    let (client, built) = req.build_split();
    let built = built?;
    let call = crate::trace::HttpCall::new(
        built.method().as_str(),
        built.url().as_str(),
        header_list(built.headers()),
        built
            .body()
            .and_then(|b| b.as_bytes())
            .unwrap_or_default()
            .to_vec(),
    );
    let out = match client.execute(built).await {
        Ok(resp) => read(resp).await,
        Err(e) => Err(e),
    };
    match &out {
        Ok(a) => call.answered(a.status, &header_list(&a.headers), &a.body),
        Err(e) => call.failed(&e.to_string()),
    }
    out
}

async fn read(resp: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await?.to_vec();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn header_list(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}
