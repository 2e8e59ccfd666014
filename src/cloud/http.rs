//! The one HTTP client configuration used for Microsoft's services.

use std::time::Duration;

use super::error::{CloudError, NetKind, NetworkError};
use crate::model::check_url;

pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(REQUEST_TIMEOUT)
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
