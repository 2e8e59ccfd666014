//! IMAP (implicit TLS), POP3 (implicit TLS) and SMTP submission (STARTTLS) on loopback, with
//! SASL XOAUTH2 and Exchange Online's answers. They enforce access rule 3.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::Shared;
use super::faults::{Area, FaultKind, HANG};
use super::graph::verify_token;
use super::tenant::{MailProtocol, MailRefusal};
use crate::checks::wire::Wire;

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
}

async fn sign_in(s: &Shared, b64: &str, protocol: MailProtocol) -> Option<SignIn> {
    let (user, token) = parse_xoauth2(b64)?;
    let mut t = s.tenant.lock().await;
    let caller = verify_token(s, &token, &s.exchange_resource, &t.tenant_id).ok()?;
    let refusal = t
        .exchange_mail_access(
            &caller.appid,
            &caller.oid,
            &caller.roles,
            protocol,
            &user,
            super::now_ms(),
        )
        .err();
    let mailbox = t.user_mut(&user).map(|u| u.mail.clone()).unwrap_or(user);
    Some(SignIn { mailbox, refusal })
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
        smtp(&s, tls, tcp, fault).await;
        return;
    }
    let Ok(Ok(stream)) = tokio::time::timeout(IDLE, tls.accept(tcp)).await else {
        return;
    };
    let mut w = Wire::new(stream, IDLE);
    match protocol {
        MailProtocol::Imap => imap(&s, &mut w, fault).await,
        _ => pop(&s, &mut w, fault).await,
    }
}

/// Misbehaves as the fault says, after the greeting. True when the connection is spent.
async fn misbehave<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut Wire<S>,
    fault: Option<FaultKind>,
) -> bool {
    match fault {
        None => false,
        Some(FaultKind::Hang) => {
            tokio::time::sleep(HANG).await;
            true
        }
        Some(FaultKind::Endless) => {
            let chunk = vec![b'x'; 4096];
            let stream = w.get_mut();
            for _ in 0..1024 {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
            }
            true
        }
        Some(FaultKind::Garbage) => {
            let _ = w
                .send("greeting", "\u{1}\u{7f}HTTP/1.1 400 Bad Request")
                .await;
            true
        }
        Some(FaultKind::Close | FaultKind::Status(_)) => {
            let _ = w.line("command").await;
            true
        }
    }
}

/// Sends the greeting (or garbage instead), then any fault. True when the session goes on.
async fn greet<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut Wire<S>,
    fault: Option<FaultKind>,
    greeting: &str,
) -> bool {
    if fault == Some(FaultKind::Garbage) {
        misbehave(w, fault).await;
        return false;
    }
    w.send("greeting", greeting).await.is_ok() && !misbehave(w, fault).await
}

/// The SASL client response: the initial response if given, else prompt for it.
async fn client_response<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut Wire<S>,
    initial: &str,
    prompt: &str,
) -> Option<String> {
    if !initial.is_empty() {
        return Some(initial.to_string());
    }
    w.send("authenticate", prompt).await.ok()?;
    w.line("authenticate").await.ok()
}

async fn imap<S: AsyncRead + AsyncWrite + Unpin>(
    s: &Shared,
    w: &mut Wire<S>,
    fault: Option<FaultKind>,
) {
    let greeting = "* OK The Microsoft Exchange IMAP4 service is ready. [sandbox]";
    if !greet(w, fault, greeting).await {
        return;
    }
    let mut signed_in: Option<SignIn> = None;
    let mut selected = false;
    while let Ok(line) = w.line("command").await {
        let (tag, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let (cmd, args) = rest.split_once(' ').unwrap_or((rest, ""));
        pause(s).await;
        let reply = match cmd.to_ascii_uppercase().as_str() {
            "CAPABILITY" => format!(
                "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n{tag} OK CAPABILITY completed."
            ),
            "NOOP" => format!("{tag} OK NOOP completed."),
            "LOGOUT" => {
                let _ = w
                    .send("logout", &format!("* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n{tag} OK LOGOUT completed."))
                    .await;
                return;
            }
            "AUTHENTICATE" if signed_in.is_none() => {
                let (mech, ir) = args.split_once(' ').unwrap_or((args, ""));
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    format!("{tag} NO AUTHENTICATE failed.")
                } else {
                    let Some(ir) = client_response(w, ir, "+ ").await else {
                        return;
                    };
                    match sign_in(s, &ir, MailProtocol::Imap).await {
                        Some(si) if si.refusal.is_none_or(MailRefusal::after_sign_in) => {
                            signed_in = Some(si);
                            format!("{tag} OK AUTHENTICATE completed.")
                        }
                        _ => format!("{tag} NO AUTHENTICATE failed."),
                    }
                }
            }
            "EXAMINE" | "SELECT" | "STATUS" | "SEARCH" | "FETCH" => match &signed_in {
                None => format!("{tag} BAD Command received in Invalid state."),
                Some(si) if si.refusal.is_some() => {
                    format!("{tag} BAD User is authenticated but not connected.")
                }
                Some(si) => {
                    imap_mailbox_command(s, &si.mailbox, tag, cmd, args, &mut selected).await
                }
            },
            _ => format!("{tag} BAD Command Error. 10"),
        };
        if w.send("reply", &reply).await.is_err() {
            return;
        }
    }
}

async fn imap_mailbox_command(
    s: &Shared,
    mailbox: &str,
    tag: &str,
    cmd: &str,
    args: &str,
    selected: &mut bool,
) -> String {
    let t = s.tenant.lock().await;
    let Some(u) = t.user(mailbox) else {
        return format!("{tag} BAD User is authenticated but not connected.");
    };
    let total = u.messages.len();
    let unseen: Vec<String> = u
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.is_read)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    let cmd = cmd.to_ascii_uppercase();
    if (cmd == "EXAMINE" || cmd == "SELECT") && !args.trim().eq_ignore_ascii_case("INBOX") {
        return format!("{tag} NO The requested item could not be found.");
    }
    match cmd.as_str() {
        "EXAMINE" | "SELECT" => {
            *selected = true;
            let first = unseen
                .first()
                .map(|n| format!("* OK [UNSEEN {n}] Is the first unseen message\r\n"))
                .unwrap_or_default();
            let mode = if cmd == "EXAMINE" {
                "READ-ONLY"
            } else {
                "READ-WRITE"
            };
            format!(
                "* {total} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n{first}* OK [UIDVALIDITY 14] UIDVALIDITY value\r\n{tag} OK [{mode}] {cmd} completed."
            )
        }
        "SEARCH" if *selected => format!(
            "* SEARCH{}{}\r\n{tag} OK SEARCH completed.",
            if unseen.is_empty() { "" } else { " " },
            unseen.join(" ")
        ),
        _ => format!("{tag} BAD Command received in Invalid state."),
    }
}

const POP_REFUSED: &str = "-ERR Authentication failure: unknown user name or bad password.";

async fn pop<S: AsyncRead + AsyncWrite + Unpin>(
    s: &Shared,
    w: &mut Wire<S>,
    fault: Option<FaultKind>,
) {
    if fault == Some(FaultKind::Garbage) {
        misbehave(w, fault).await;
        return;
    }
    if w.send(
        "greeting",
        "+OK The Microsoft Exchange POP3 service is ready. [sandbox]",
    )
    .await
    .is_err()
        || misbehave(w, fault).await
    {
        return;
    }
    let mut mailbox: Option<String> = None;
    while let Ok(line) = w.line("command").await {
        let (cmd, args) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        pause(s).await;
        let reply = match cmd.to_ascii_uppercase().as_str() {
            "CAPA" => "+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN XOAUTH2\r\nUSER\r\n.".to_string(),
            "QUIT" => {
                let _ = w
                    .send(
                        "quit",
                        "+OK Microsoft Exchange Server POP3 server signing off.",
                    )
                    .await;
                return;
            }
            "AUTH" if mailbox.is_none() => {
                let (mech, ir) = args.split_once(' ').unwrap_or((args, ""));
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    "-ERR Unrecognized authentication type.".to_string()
                } else {
                    let Some(ir) = client_response(w, ir, "+ ").await else {
                        return;
                    };
                    match sign_in(s, &ir, MailProtocol::Pop).await {
                        Some(si) if si.refusal.is_none() => {
                            mailbox = Some(si.mailbox);
                            "+OK User successfully authenticated.".to_string()
                        }
                        _ => POP_REFUSED.to_string(),
                    }
                }
            }
            "STAT" => match &mailbox {
                None => "-ERR Command is not valid in this state.".to_string(),
                Some(m) => {
                    let t = s.tenant.lock().await;
                    let n = t.user(m).map(|u| u.messages.len()).unwrap_or(0);
                    format!("+OK {n} {}", n * 2048)
                }
            },
            "NOOP" => "+OK".to_string(),
            _ => "-ERR Protocol error. 14".to_string(),
        };
        if w.send("reply", &reply).await.is_err() {
            return;
        }
    }
}

const SMTP_HOST: &str = "sandbox.outlook.example";

async fn smtp(s: &Shared, tls: TlsAcceptor, tcp: TcpStream, fault: Option<FaultKind>) {
    let mut w = Wire::new(tcp, IDLE);
    if fault == Some(FaultKind::Garbage) {
        misbehave(&mut w, fault).await;
        return;
    }
    if w.send(
        "greeting",
        &format!("220 {SMTP_HOST} Microsoft ESMTP MAIL Service ready [sandbox]"),
    )
    .await
    .is_err()
        || misbehave(&mut w, fault).await
    {
        return;
    }
    loop {
        let Ok(line) = w.line("command").await else {
            return;
        };
        let cmd = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        pause(s).await;
        let reply = match cmd.as_str() {
            "EHLO" => format!(
                "250-{SMTP_HOST} Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 SMTPUTF8"
            ),
            "STARTTLS" => {
                if w.send("starttls", "220 2.0.0 SMTP server ready")
                    .await
                    .is_err()
                {
                    return;
                }
                let Ok(tcp) = w.into_inner("starttls") else {
                    return;
                };
                let Ok(Ok(stream)) = tokio::time::timeout(IDLE, tls.accept(tcp)).await else {
                    return;
                };
                smtp_secure(s, Wire::new(stream, IDLE)).await;
                return;
            }
            "AUTH" => "504 5.7.4 Unrecognized authentication type".to_string(),
            "MAIL" => "530 5.7.57 Client not authenticated to send mail. [sandbox]".to_string(),
            "QUIT" => {
                let _ = w
                    .send("quit", "221 2.0.0 Service closing transmission channel")
                    .await;
                return;
            }
            "NOOP" | "RSET" => "250 2.0.0 OK".to_string(),
            _ => "500 5.3.3 Unrecognized command".to_string(),
        };
        if w.send("reply", &reply).await.is_err() {
            return;
        }
    }
}

async fn smtp_secure<S: AsyncRead + AsyncWrite + Unpin>(s: &Shared, mut w: Wire<S>) {
    let mut mailbox: Option<String> = None;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    while let Ok(line) = w.line("command").await {
        let upper = line.to_ascii_uppercase();
        let cmd = upper.split(' ').next().unwrap_or("").to_string();
        pause(s).await;
        let reply = match cmd.as_str() {
            "EHLO" => format!(
                "250-{SMTP_HOST} Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n250 SMTPUTF8"
            ),
            "AUTH" if mailbox.is_none() => {
                let mut words = line.split(' ').skip(1);
                let mech = words.next().unwrap_or("");
                let ir = words.next().unwrap_or("");
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    "504 5.7.4 Unrecognized authentication type".to_string()
                } else {
                    let Some(ir) = client_response(&mut w, ir, "334 ").await else {
                        return;
                    };
                    match sign_in(s, &ir, MailProtocol::Smtp).await {
                        Some(si) if si.refusal.is_none() => {
                            mailbox = Some(si.mailbox);
                            "235 2.7.0 Authentication successful".to_string()
                        }
                        _ => "535 5.7.3 Authentication unsuccessful [sandbox]".to_string(),
                    }
                }
            }
            "MAIL" => match &mailbox {
                None => "530 5.7.57 Client not authenticated to send mail. [sandbox]".to_string(),
                Some(m) => {
                    let addr = angle_address(&line);
                    if addr.eq_ignore_ascii_case(m) {
                        from = Some(addr);
                        "250 2.1.0 Sender OK".to_string()
                    } else {
                        format!(
                            "550 5.7.60 SMTP; Client does not have permissions to send as this sender [sandbox: signed in as {m}]"
                        )
                    }
                }
            },
            "RCPT" if from.is_some() => {
                rcpts.push(angle_address(&line));
                "250 2.1.5 Recipient OK".to_string()
            }
            "DATA" if !rcpts.is_empty() => {
                if w.send("data", "354 Start mail input; end with <CRLF>.<CRLF>")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut subject = String::new();
                loop {
                    let Ok(l) = w.line("data").await else { return };
                    if l == "." {
                        break;
                    }
                    if subject.is_empty()
                        && let Some(sub) = l.strip_prefix("Subject: ")
                    {
                        subject = sub.to_string();
                    }
                }
                let sender = from.take().unwrap_or_default();
                let mut t = s.tenant.lock().await;
                for r in rcpts.drain(..) {
                    t.deliver(&r, &sender, &subject);
                }
                drop(t);
                s.persist().await;
                "250 2.0.0 OK [sandbox] Queued mail for delivery".to_string()
            }
            "QUIT" => {
                let _ = w
                    .send("quit", "221 2.0.0 Service closing transmission channel")
                    .await;
                return;
            }
            "NOOP" | "RSET" => "250 2.0.0 OK".to_string(),
            _ => "503 5.5.1 Bad sequence of commands".to_string(),
        };
        if w.send("reply", &reply).await.is_err() {
            return;
        }
    }
}

fn angle_address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, r)| r.split_once('>'))
        .map(|(a, _)| a.trim().to_ascii_lowercase())
        .unwrap_or_default()
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

    #[test]
    fn addresses() {
        assert_eq!(
            angle_address("MAIL FROM:<Alice@Contoso.example> SIZE=10"),
            "alice@contoso.example"
        );
        assert_eq!(angle_address("MAIL FROM:"), "");
    }
}
