//! IMAP (implicit TLS), POP3 (implicit TLS) and SMTP submission (STARTTLS) on loopback, with
//! SASL XOAUTH2 and Exchange Online's answers. They enforce access rule 3.

mod imap;
mod lines;
mod pop;
mod smtp;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::Shared;
use super::clock::now_ms;
use super::faults::{Area, FaultKind, HANG};
use super::tenant::{MailProtocol, MailRefusal, MailboxRight};
use lines::Lines;

/// How long a connection may sit idle before the server drops it.
const IDLE: Duration = Duration::from_secs(120);

/// Decodes a SASL XOAUTH2 client response into (user, token).
pub fn parse_xoauth2(b64: &str) -> Option<(String, String)> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut user = None;
    let mut token = None;
    for part in text.split('\x01').filter(|p| !p.is_empty()) {
        if let Some(u) = part.strip_prefix("user=") {
            user = Some(u.to_string());
        } else if let Some(a) = part.strip_prefix("auth=") {
            let (scheme, t) = a.split_once(' ')?;
            if !scheme.eq_ignore_ascii_case("Bearer") {
                return None;
            }
            token = Some(t.trim().to_string());
        }
    }
    Some((user?, token?))
}

/// Who signed in, and whether Exchange lets them at the mailbox.
struct SignIn {
    mailbox: String,
    refusal: Option<MailRefusal>,
    /// Whether mail may be sent from the mailbox: an app's, or a user's own; for a mailbox the
    /// user reaches by FullAccess, only with SendAs on it.
    sends_as: bool,
}

async fn sign_in(s: &Shared, b64: &str, protocol: MailProtocol) -> Option<SignIn> {
    let (user, token) = parse_xoauth2(b64)?;
    s.refresh().await;
    let mut t = s.tenant.lock().await;
    let caller = s
        .verify_token(&token, &s.exchange_resource, &t.tenant_id)
        .ok()?;
    let now = now_ms();
    let (refusal, sends_as) = match &caller.scp {
        Some(scp) => {
            let refusal = t
                .delegated_mail_access(&caller.oid, scp, protocol, &user, now)
                .err();
            let sends_as = match (t.user(&caller.oid), t.user(&user)) {
                (Some(me), Some(m)) => {
                    me.id == m.id || t.user_holds(me, m, MailboxRight::SendAs, now)
                }
                _ => false,
            };
            (refusal, sends_as)
        }
        None => {
            let refusal = t
                .exchange_mail_access(
                    &caller.appid,
                    &caller.oid,
                    &caller.roles,
                    protocol,
                    &user,
                    now,
                )
                .err();
            (refusal, true)
        }
    };
    let mailbox = t.user_mut(&user).map(|u| u.mail.clone()).unwrap_or(user);
    Some(SignIn {
        mailbox,
        refusal,
        sends_as,
    })
}

async fn pause(s: &Shared) {
    if !s.latency.is_zero() {
        tokio::time::sleep(s.latency).await;
    }
}

pub struct MailServers {
    pub imap: String,
    pub pop: String,
    pub smtp: String,
    pub tasks: JoinSet<()>,
}

pub async fn start(s: Arc<Shared>, tls: TlsAcceptor) -> std::io::Result<MailServers> {
    let mut tasks = JoinSet::new();
    let mut addrs = Vec::new();
    for protocol in [MailProtocol::Imap, MailProtocol::Pop, MailProtocol::Smtp] {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        addrs.push(listener.local_addr()?.to_string());
        let s = s.clone();
        let tls = tls.clone();
        tasks.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let s = s.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(IDLE * 5, serve(s, tls, tcp, protocol)).await;
                });
            }
        });
    }
    Ok(MailServers {
        smtp: addrs.pop().unwrap_or_default(),
        pop: addrs.pop().unwrap_or_default(),
        imap: addrs.pop().unwrap_or_default(),
        tasks,
    })
}

async fn serve(s: Arc<Shared>, tls: TlsAcceptor, tcp: TcpStream, protocol: MailProtocol) {
    let area = match protocol {
        MailProtocol::Imap => Area::Imap,
        MailProtocol::Pop => Area::Pop,
        MailProtocol::Smtp => Area::Smtp,
    };
    let fault = s.faults.take(area);
    if protocol == MailProtocol::Smtp {
        let mut lines = Lines::new(tcp, IDLE);
        if greet(&mut lines, fault, &smtp::greeting()).await {
            smtp::session(&s, tls, lines).await;
        }
        return;
    }
    let Ok(Ok(stream)) = tokio::time::timeout(IDLE, tls.accept(tcp)).await else {
        return;
    };
    let mut lines = Lines::new(stream, IDLE);
    let imap = protocol == MailProtocol::Imap;
    let greeting = if imap { imap::GREETING } else { pop::GREETING };
    if !greet(&mut lines, fault, greeting).await {
        return;
    }
    if imap {
        imap::session(&s, &mut lines).await;
    } else {
        pop::session(&s, &mut lines).await;
    }
}

/// Misbehaves as the fault says, after the greeting. True when the connection is spent.
async fn misbehave<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut Lines<S>,
    fault: Option<FaultKind>,
) -> bool {
    match fault {
        None => false,
        Some(FaultKind::Hang) => {
            tokio::time::sleep(HANG).await;
            true
        }
        Some(FaultKind::Endless) => {
            let chunk = [b'x'; 4096];
            let stream = lines.stream();
            for _ in 0..1024 {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            true
        }
        Some(FaultKind::Garbage) => {
            lines.send("\u{1}\u{7f}HTTP/1.1 400 Bad Request").await;
            true
        }
        Some(FaultKind::Close | FaultKind::Status(_) | FaultKind::Lost) => {
            lines.next().await;
            true
        }
    }
}

/// Sends the greeting (or garbage instead), then any fault. True when the session goes on.
async fn greet<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut Lines<S>,
    fault: Option<FaultKind>,
    greeting: &str,
) -> bool {
    if fault == Some(FaultKind::Garbage) {
        misbehave(lines, fault).await;
        return false;
    }
    lines.send(greeting).await && !misbehave(lines, fault).await
}

/// The SASL client response: the initial response if given, else prompt for it.
async fn client_response<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut Lines<S>,
    initial: &str,
    prompt: &str,
) -> Option<String> {
    if !initial.is_empty() {
        return Some(initial.to_string());
    }
    if !lines.send(prompt).await {
        return None;
    }
    lines.next().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoauth2_round_trip() {
        let b = crate::checks::wire::xoauth2("alice@contoso.example", "t0k.en");
        assert_eq!(
            parse_xoauth2(&b),
            Some(("alice@contoso.example".into(), "t0k.en".into()))
        );
        assert_eq!(parse_xoauth2("!!!"), None);
        use base64::Engine;
        let no_token =
            base64::engine::general_purpose::STANDARD.encode("user=a@b\x01auth=Basic x\x01\x01");
        assert_eq!(parse_xoauth2(&no_token), None);
    }
}
