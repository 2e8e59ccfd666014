//! SMTP submission: a plain session until STARTTLS, then XOAUTH2 sign-in and the mail
//! transaction, delivered into the tenant's inboxes, with Exchange Online's answers.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::{IDLE, Lines, client_response, greet, pause, sign_in};
use crate::sandbox::Shared;
use crate::sandbox::faults::FaultKind;
use crate::sandbox::tenant::MailProtocol;

const HOST: &str = "sandbox.outlook.example";
const CLOSING: &str = "221 2.0.0 Service closing transmission channel";
const OK: &str = "250 2.0.0 OK";
const NOT_AUTHENTICATED: &str = "530 5.7.57 Client not authenticated to send mail. [sandbox]";
const UNKNOWN_MECHANISM: &str = "504 5.7.4 Unrecognized authentication type";

/// EHLO's answer: STARTTLS offered before the upgrade, AUTH after it.
fn ehlo(extension: &str) -> String {
    format!(
        "250-{HOST} Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-{extension}\r\n250 SMTPUTF8"
    )
}

/// The command word of a line, upper case.
fn verb(line: &str) -> String {
    line.split(' ').next().unwrap_or("").to_ascii_uppercase()
}

/// The session before STARTTLS: nothing but the upgrade is allowed.
pub(super) async fn session(
    s: &Shared,
    tls: TlsAcceptor,
    tcp: TcpStream,
    fault: Option<FaultKind>,
) {
    let mut lines = Lines::new(tcp, IDLE);
    let greeting = format!("220 {HOST} Microsoft ESMTP MAIL Service ready [sandbox]");
    if !greet(&mut lines, fault, &greeting).await {
        return;
    }
    while let Some(line) = lines.next().await {
        pause(s).await;
        let reply = match verb(&line).as_str() {
            "EHLO" => ehlo("STARTTLS"),
            "STARTTLS" => {
                if !lines.send("220 2.0.0 SMTP server ready").await {
                    return;
                }
                let Some(tcp) = lines.into_stream() else {
                    return;
                };
                let Ok(Ok(stream)) = tokio::time::timeout(IDLE, tls.accept(tcp)).await else {
                    return;
                };
                secure_session(s, Lines::new(stream, IDLE)).await;
                return;
            }
            "AUTH" => UNKNOWN_MECHANISM.to_string(),
            "MAIL" => NOT_AUTHENTICATED.to_string(),
            "QUIT" => {
                lines.send(CLOSING).await;
                return;
            }
            "NOOP" | "RSET" => OK.to_string(),
            _ => "500 5.3.3 Unrecognized command".to_string(),
        };
        if !lines.send(&reply).await {
            return;
        }
    }
}

/// The session after STARTTLS: sign-in, then `MAIL FROM` (as the signed-in mailbox only),
/// `RCPT TO` and `DATA`.
async fn secure_session<S: AsyncRead + AsyncWrite + Unpin>(s: &Shared, mut lines: Lines<S>) {
    let mut mailbox: Option<String> = None;
    let mut from: Option<String> = None;
    let mut rcpts: Vec<String> = Vec::new();
    while let Some(line) = lines.next().await {
        pause(s).await;
        let reply = match verb(&line).as_str() {
            "EHLO" => ehlo("AUTH LOGIN XOAUTH2"),
            "AUTH" if mailbox.is_none() => {
                let mut words = line.split(' ').skip(1);
                let mech = words.next().unwrap_or("");
                let ir = words.next().unwrap_or("");
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    UNKNOWN_MECHANISM.to_string()
                } else {
                    let Some(ir) = client_response(&mut lines, ir, "334 ").await else {
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
                None => NOT_AUTHENTICATED.to_string(),
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
                if !lines
                    .send("354 Start mail input; end with <CRLF>.<CRLF>")
                    .await
                {
                    return;
                }
                let Some(subject) = message_subject(&mut lines).await else {
                    return;
                };
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
                lines.send(CLOSING).await;
                return;
            }
            "NOOP" | "RSET" => OK.to_string(),
            _ => "503 5.5.1 Bad sequence of commands".to_string(),
        };
        if !lines.send(&reply).await {
            return;
        }
    }
}

/// Reads the message up to its lone `.`; the first `Subject:` header's text.
async fn message_subject<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut Lines<S>,
) -> Option<String> {
    let mut subject = String::new();
    loop {
        let l = lines.next().await?;
        if l == "." {
            return Some(subject);
        }
        if subject.is_empty()
            && let Some(sub) = l.strip_prefix("Subject: ")
        {
            subject = sub.to_string();
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
    fn addresses() {
        assert_eq!(
            angle_address("MAIL FROM:<Alice@Contoso.example> SIZE=10"),
            "alice@contoso.example"
        );
        assert_eq!(angle_address("MAIL FROM:"), "");
    }
}
