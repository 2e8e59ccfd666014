//! Line-oriented mail protocol I/O: connecting (plain or TLS), bounded line reads, timeouts,
//! and the errors a probe can end in.

use std::io;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::cloud::{NetKind, NetworkError};
use crate::model::host_port;

/// Longest line accepted from a server; longer means a broken or hostile peer.
pub const MAX_LINE: usize = 16 * 1024;
/// Most lines one response may span before the server counts as runaway.
pub const MAX_LINES: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting, the TLS handshake, and each read or write.
    pub step: Duration,
    /// The whole probe, however chatty the server.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            step: Duration::from_secs(15),
            total: Duration::from_secs(40),
        }
    }
}

/// How a probe ended when it did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// The server could not be reached or the secure channel not set up.
    Net(NetworkError),
    /// The server closed the connection mid-dialogue.
    Closed { step: &'static str },
    /// The server answered something the protocol does not allow.
    Garbled { step: &'static str, line: String },
    /// The server answered with a failure: the line is the evidence.
    Refused { step: &'static str, line: String },
}

impl ProbeError {
    /// An answer at `step` other than the one expected: a refusal when it has the protocol's
    /// failure form, otherwise garbled.
    pub fn unexpected(step: &'static str, line: String, refused: bool) -> ProbeError {
        if refused {
            ProbeError::Refused { step, line }
        } else {
            ProbeError::Garbled { step, line }
        }
    }

    /// The network or the service failed, not the configuration.
    pub fn is_unavailable(&self) -> bool {
        !matches!(self, ProbeError::Refused { .. })
    }

    pub fn evidence(&self) -> String {
        match self {
            ProbeError::Net(n) => format!("{}: {}", n.host, n.detail),
            ProbeError::Closed { step } => format!("connection closed by the server during {step}"),
            ProbeError::Garbled { step, line } => {
                format!("unexpected answer during {step}: {}", printable(line))
            }
            ProbeError::Refused { line, .. } => printable(line),
        }
    }
}

/// A server line as safe, short text for the screen and the log.
pub fn printable(line: &str) -> String {
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .take(300)
        .collect();
    if line.chars().count() > 300 {
        format!("{clean}…")
    } else {
        clean
    }
}

fn net(host: &str, kind: NetKind, detail: impl Into<String>) -> ProbeError {
    ProbeError::Net(NetworkError {
        kind,
        host: host.to_string(),
        detail: detail.into(),
    })
}

fn io_kind(e: &io::Error) -> NetKind {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => NetKind::Refused,
        io::ErrorKind::TimedOut => NetKind::Timeout,
        _ => NetKind::Other,
    }
}

/// Which certificate authorities a mail connection trusts: the public roots, or only the
/// authority an endpoint set names.
pub fn tls_config(ca_pem: Option<&str>) -> Result<Arc<ClientConfig>, String> {
    static PUBLIC: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    let provider = || Arc::new(rustls::crypto::ring::default_provider());
    let Some(pem) = ca_pem else {
        return Ok(PUBLIC
            .get_or_init(|| {
                let roots = rustls::RootCertStore {
                    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                };
                Arc::new(
                    ClientConfig::builder_with_provider(provider())
                        .with_safe_default_protocol_versions()
                        .expect("ring supports the default versions")
                        .with_root_certificates(roots)
                        .with_no_client_auth(),
                )
            })
            .clone());
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| format!("mail_ca is not a PEM certificate: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("mail_ca certificate refused: {e}"))?;
    }
    if roots.is_empty() {
        return Err("mail_ca holds no certificate".into());
    }
    Ok(Arc::new(
        ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// Where to connect and how.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub tls: Arc<ClientConfig>,
    pub timeouts: Timeouts,
}

impl Target {
    pub fn new(
        endpoint: &str,
        tls: Arc<ClientConfig>,
        timeouts: Timeouts,
    ) -> Result<Target, ProbeError> {
        let (host, port) = host_port(endpoint).map_err(|m| net(endpoint, NetKind::Other, m))?;
        Ok(Target {
            host,
            port,
            tls,
            timeouts,
        })
    }

    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub async fn connect(&self) -> Result<TcpStream, ProbeError> {
        let label = self.label();
        let fut = TcpStream::connect((self.host.as_str(), self.port));
        match tokio::time::timeout(self.timeouts.step, fut).await {
            Err(_) => Err(net(
                &label,
                NetKind::Timeout,
                "no answer to the connection attempt",
            )),
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                Ok(s)
            }
            Ok(Err(e)) => {
                let text = e.to_string();
                let kind = if text.contains("failed to lookup")
                    || text.contains("Name or service not known")
                    || text.contains("nodename nor servname")
                    || e.kind() == io::ErrorKind::NotFound
                {
                    NetKind::Dns
                } else {
                    io_kind(&e)
                };
                Err(net(&label, kind, text))
            }
        }
    }

    pub async fn tls<S>(&self, stream: S) -> Result<TlsStream<S>, ProbeError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let label = self.label();
        let name = ServerName::try_from(self.host.clone())
            .map_err(|e| net(&label, NetKind::Tls, format!("not a TLS server name: {e}")))?;
        let fut = TlsConnector::from(self.tls.clone()).connect(name, stream);
        match tokio::time::timeout(self.timeouts.step, fut).await {
            Err(_) => Err(net(
                &label,
                NetKind::Timeout,
                "no answer during the TLS handshake",
            )),
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(net(&label, NetKind::Tls, tls_detail(&e))),
        }
    }
}

fn tls_detail(e: &io::Error) -> String {
    let text = e.to_string();
    if text.contains("UnknownIssuer") || text.contains("BadSignature") {
        format!("the server's certificate is not from a trusted authority ({text})")
    } else if text.contains("NotValidForName") {
        format!("the server's certificate is for another name ({text})")
    } else {
        text
    }
}

/// A connection read line by line, every step bounded in time and size.
pub struct Wire<S> {
    io: BufReader<S>,
    step: Duration,
    trace: Option<crate::trace::MailTrace>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    pub fn new(stream: S, step: Duration) -> Wire<S> {
        Wire {
            io: BufReader::new(stream),
            step,
            trace: None,
        }
    }

    /// With `--trace`, every line of this dialogue goes to the trace, redacted.
    pub fn traced(mut self, proto: &'static str, target: &Target) -> Wire<S> {
        if crate::trace::on() {
            self.trace = crate::trace::MailTrace::new(proto, &target.label());
        }
        self
    }

    pub fn get_mut(&mut self) -> &mut S {
        self.io.get_mut()
    }

    /// One line without its CR LF.
    pub async fn line(&mut self, step: &'static str) -> Result<String, ProbeError> {
        match tokio::time::timeout(self.step, read_line(&mut self.io)).await {
            Err(_) => Err(ProbeError::Garbled {
                step,
                line: format!("no complete line within {} s", self.step.as_secs()),
            }),
            Ok(Ok(Some(l))) => {
                if let Some(t) = &mut self.trace {
                    t.line(crate::trace::Dir::Server, &l);
                }
                Ok(l)
            }
            Ok(Ok(None)) => Err(ProbeError::Closed { step }),
            Ok(Err(LineError::TooLong)) => Err(ProbeError::Garbled {
                step,
                line: format!("a line longer than {MAX_LINE} bytes"),
            }),
            Ok(Err(LineError::Io)) => Err(ProbeError::Closed { step }),
        }
    }

    /// Sends one line, adding CR LF.
    pub async fn send(&mut self, step: &'static str, text: &str) -> Result<(), ProbeError> {
        if let Some(t) = &mut self.trace {
            t.line(crate::trace::Dir::Client, text);
        }
        let mut buf = Vec::with_capacity(text.len() + 2);
        buf.extend_from_slice(text.as_bytes());
        buf.extend_from_slice(b"\r\n");
        let io = self.io.get_mut();
        let fut = async {
            io.write_all(&buf).await?;
            io.flush().await
        };
        let out = match tokio::time::timeout(self.step, fut).await {
            Err(_) => Err(ProbeError::Garbled {
                step,
                line: "the server stopped reading".into(),
            }),
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(ProbeError::Closed { step }),
        };
        zeroize::Zeroize::zeroize(&mut buf);
        out
    }

    /// The stream back, for a STARTTLS upgrade. Refuses if the server sent more than asked
    /// (bytes it pushed before the handshake would be trusted as if encrypted).
    pub fn into_inner(self, step: &'static str) -> Result<S, ProbeError> {
        if !self.io.buffer().is_empty() {
            return Err(ProbeError::Garbled {
                step,
                line: "data sent before the TLS handshake".into(),
            });
        }
        Ok(self.io.into_inner())
    }
}

enum LineError {
    TooLong,
    Io,
}

async fn read_line<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
) -> Result<Option<String>, LineError> {
    let mut line: Vec<u8> = Vec::new();
    loop {
        let buf = r.fill_buf().await.map_err(|_| LineError::Io)?;
        if buf.is_empty() {
            return Ok(None);
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > MAX_LINE + 2 {
            return Err(LineError::TooLong);
        }
        line.extend_from_slice(&buf[..take]);
        r.consume(take);
        if done {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
        }
    }
}

/// The SASL XOAUTH2 initial client response, base64-encoded.
pub fn xoauth2(user: &str, token: &str) -> zeroize::Zeroizing<String> {
    use base64::Engine;
    let raw = zeroize::Zeroizing::new(format!("user={user}\x01auth=Bearer {token}\x01\x01"));
    zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()))
}

/// A server's base64 challenge (the error detail XOAUTH2 servers send), decoded for evidence.
pub fn decode_challenge(b64: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(printable(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoauth2_matches_the_reference_layout() {
        use base64::Engine;
        let b = xoauth2("alice@contoso.example", "tok");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b.as_bytes())
            .unwrap();
        assert_eq!(
            raw,
            b"user=alice@contoso.example\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn challenges_and_lines_are_made_printable() {
        assert_eq!(
            decode_challenge("eyJzdGF0dXMiOiI0MDEifQ==").as_deref(),
            Some("{\"status\":\"401\"}")
        );
        assert_eq!(decode_challenge("***"), None);
        assert_eq!(printable("a\x1b[31mb"), "a·[31mb");
        assert!(printable(&"x".repeat(1000)).ends_with('…'));
    }

    #[tokio::test]
    async fn lines_are_bounded() {
        let (mut a, b) = tokio::io::duplex(64 * 1024);
        let mut w = Wire::new(b, Duration::from_secs(2));
        a.write_all(b"* OK hello\r\npartial").await.unwrap();
        assert_eq!(w.line("greeting").await.unwrap(), "* OK hello");
        a.write_all(&vec![b'x'; MAX_LINE + 10]).await.unwrap();
        assert!(matches!(
            w.line("greeting").await,
            Err(ProbeError::Garbled { .. })
        ));
        drop(a);
        let (a, b) = tokio::io::duplex(64);
        drop(a);
        let mut w = Wire::new(b, Duration::from_secs(2));
        assert_eq!(
            w.line("greeting").await,
            Err(ProbeError::Closed { step: "greeting" })
        );
    }

    #[test]
    fn custom_authority_must_be_a_certificate() {
        assert!(
            tls_config(Some("not pem"))
                .unwrap_err()
                .contains("no certificate")
        );
        assert!(tls_config(None).is_ok());
    }
}
