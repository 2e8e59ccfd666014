//! The loopback listener the browser is redirected to: 127.0.0.1 only, one sign-in's answer.

use std::time::Duration;

use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{RedirectError, parse_redirect};

/// Ports tried after the first one cannot be listened on, before any free port.
const NEXT_PORTS: u16 = 3;

/// How long one connection may take to send its request line and headers.
const REQUEST_WITHIN: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub enum LoopbackError {
    /// No port could be listened on: each port tried, and why.
    Bind(Vec<(u16, std::io::Error)>),
    TimedOut,
    Redirect(RedirectError),
    Io(std::io::Error),
}

impl std::fmt::Display for LoopbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoopbackError::Bind(tried) => {
                let each: Vec<String> = tried
                    .iter()
                    .map(|(p, e)| match p {
                        0 => format!("any free port ({e})"),
                        p => format!("port {p} ({e})"),
                    })
                    .collect();
                write!(
                    f,
                    "the wizard could not listen on 127.0.0.1 for the browser's answer: tried {}",
                    each.join(", ")
                )
            }
            LoopbackError::TimedOut => f.write_str("the browser did not come back in time"),
            LoopbackError::Redirect(r) => write!(f, "the browser's answer was refused: {r:?}"),
            LoopbackError::Io(e) => write!(f, "the loopback listener failed: {e}"),
        }
    }
}

/// A listener on 127.0.0.1 waiting for the redirect.
pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    /// Listens on `first` (0: any free port); when it is taken, on the next few ports, then on
    /// any free one. Fails with every port tried and why.
    pub async fn bind(first: u16) -> Result<Loopback, LoopbackError> {
        let mut candidates: Vec<u16> = Vec::new();
        if first != 0 {
            candidates.push(first);
            candidates.extend((1..=NEXT_PORTS).filter_map(|i| first.checked_add(i)));
        }
        candidates.push(0);
        let mut tried = Vec::new();
        for port in candidates {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(listener) => {
                    let port = listener.local_addr().map_err(LoopbackError::Io)?.port();
                    if !tried.is_empty() {
                        tracing::info!(port, "loopback listening on another port");
                    }
                    return Ok(Loopback { listener, port });
                }
                Err(e) => tried.push((port, e)),
            }
        }
        Err(LoopbackError::Bind(tried))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The code of the first redirect carrying this sign-in's answer, within `within`. Other
    /// requests are answered 404 and ignored; a redirect with another `state`, or an error
    /// from the identity platform, ends the wait.
    pub async fn wait(self, state: &str, within: Duration) -> Result<SecretString, LoopbackError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let (mut stream, _) = match accepted {
                Err(_) => return Err(LoopbackError::TimedOut),
                Ok(Err(e)) => return Err(LoopbackError::Io(e)),
                Ok(Ok(s)) => s,
            };
            let Ok(Some(target)) =
                tokio::time::timeout(REQUEST_WITHIN, request_target(&mut stream)).await
            else {
                continue;
            };
            match parse_redirect(&target, state) {
                Ok(code) => {
                    reply(&mut stream, 200, PAGE_DONE).await;
                    return Ok(code);
                }
                Err(RedirectError::NotTheRedirect) => reply(&mut stream, 404, PAGE_OTHER).await,
                Err(e) => {
                    let page = match &e {
                        RedirectError::StateMismatch => PAGE_STATE,
                        _ => PAGE_REFUSED,
                    };
                    reply(&mut stream, 400, page).await;
                    return Err(LoopbackError::Redirect(e));
                }
            }
        }
    }
}

const PAGE_DONE: &str = "Signed in. You can close this tab and return to m365-mail-wizard.";
const PAGE_OTHER: &str = "Not found.";
const PAGE_STATE: &str = "This sign-in answer does not belong to the sign-in m365-mail-wizard started (its state differs). It was refused and nothing was kept.";
const PAGE_REFUSED: &str =
    "The sign-in did not succeed. m365-mail-wizard shows why; you can close this tab.";

/// The target of a GET request (`/?code=…`), once its headers have arrived; None for anything
/// else.
async fn request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut words = text.lines().next()?.split(' ');
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) => Some(target.to_string()),
        _ => None,
    }
}

async fn reply(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body =
        format!("<!doctype html><meta charset=utf-8><title>m365-mail-wizard</title><p>{text}</p>");
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
