//! SMTP submission: a plain dialogue until STARTTLS, then the same dialogue encrypted, where
//! XOAUTH2 sign-in and the mail transaction are allowed; mail is delivered into the tenant's
//! inboxes. The answers are Exchange Online's.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::{IDLE, Lines, client_response, pause, sign_in};
use crate::sandbox::Shared;
use crate::sandbox::tenant::{MailProtocol, MailRefusal, SmtpSignInRefusal};

const HOST: &str = "sandbox.outlook.example";
const NOT_AUTHENTICATED: &str = "530 5.7.57 Client not authenticated to send mail. [sandbox]";
const UNKNOWN_MECHANISM: &str = "504 5.7.4 Unrecognized authentication type";

pub(super) fn greeting() -> String {
    format!("220 {HOST} Microsoft ESMTP MAIL Service ready [sandbox]")
}

/// The session after the greeting: the plain dialogue, then the encrypted one if the client
/// asks for STARTTLS.
pub(super) async fn session(s: &Shared, tls: TlsAcceptor, plain: Lines<TcpStream>) {
    let Some(plain) = dialogue(s, plain, &mut Transaction::default(), false).await else {
        return;
    };
    let Some(tcp) = plain.into_stream() else {
        return;
    };
    let Ok(Ok(stream)) = tokio::time::timeout(IDLE, tls.accept(tcp)).await else {
        return;
    };
    let secure = Lines::new(stream, IDLE);
    dialogue(s, secure, &mut Transaction::default(), true).await;
}

/// Who signed in and the message under way.
#[derive(Default)]
struct Transaction {
    mailbox: Option<String>,
    /// Whether the signed-in token may send as the mailbox (a user reaching it by FullAccess
    /// needs SendAs too).
    sends_as: bool,
    from: Option<String>,
    rcpts: Vec<String>,
}

/// Answers commands until the client leaves; a plain (not `secure`) dialogue hands its
/// connection back when the client starts TLS.
async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    s: &Shared,
    mut lines: Lines<S>,
    mail: &mut Transaction,
    secure: bool,
) -> Option<Lines<S>> {
    while let Some(line) = lines.next().await {
        pause(s).await;
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => ehlo(if secure {
                "AUTH LOGIN XOAUTH2"
            } else {
                "STARTTLS"
            }),
            "STARTTLS" if !secure => {
                let ready = lines.send("220 2.0.0 SMTP server ready").await;
                return ready.then_some(lines);
            }
            "AUTH" if !secure => UNKNOWN_MECHANISM.to_string(),
            "AUTH" if mail.mailbox.is_none() => {
                let mut words = line.split(' ').skip(1);
                let mech = words.next().unwrap_or("");
                let ir = words.next().unwrap_or("");
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    UNKNOWN_MECHANISM.to_string()
                } else {
                    let ir = client_response(&mut lines, ir, "334 ").await?;
                    match sign_in(s, &ir, MailProtocol::Smtp).await {
                        Some(si) if si.refusal.is_none() => {
                            mail.mailbox = Some(si.mailbox);
                            mail.sends_as = si.sends_as;
                            "235 2.7.0 Authentication successful".to_string()
                        }
                        Some(si) => refusal_line(si.refusal),
                        None => refusal_line(None),
                    }
                }
            }
            "MAIL" => match &mail.mailbox {
                None => NOT_AUTHENTICATED.to_string(),
                Some(m) => {
                    let addr = angle_address(&line);
                    if addr.eq_ignore_ascii_case(m) && mail.sends_as {
                        mail.from = Some(addr);
                        "250 2.1.0 Sender OK".to_string()
                    } else {
                        format!(
                            "550 5.7.60 SMTP; Client does not have permissions to send as this sender [sandbox: signed in as {m}]"
                        )
                    }
                }
            },
            "RCPT" if mail.from.is_some() => {
                mail.rcpts.push(angle_address(&line));
                "250 2.1.5 Recipient OK".to_string()
            }
            "DATA" if !mail.rcpts.is_empty() => {
                if !lines
                    .send("354 Start mail input; end with <CRLF>.<CRLF>")
                    .await
                {
                    return None;
                }
                let subject = message_subject(&mut lines).await?;
                deliver(s, mail, &subject).await;
                "250 2.0.0 OK [sandbox] Queued mail for delivery".to_string()
            }
            "QUIT" => {
                lines
                    .send("221 2.0.0 Service closing transmission channel")
                    .await;
                return None;
            }
            "NOOP" | "RSET" => "250 2.0.0 OK".to_string(),
            _ if secure => "503 5.5.1 Bad sequence of commands".to_string(),
            _ => "500 5.3.3 Unrecognized command".to_string(),
        };
        if !lines.send(&reply).await {
            return None;
        }
    }
    None
}

/// Exchange's answer to a refused AUTH: 5.7.139 with its words when SMTP AUTH itself is refused
/// (field reports, docs/smtp.md), 5.7.3 for everything else.
fn refusal_line(refusal: Option<MailRefusal>) -> String {
    const VISIT: &str = "Visit https://aka.ms/smtp_auth_disabled for more information.";
    match refusal {
        Some(MailRefusal::SmtpAuthOffForTenant) => format!(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. {VISIT} [sandbox]"
        ),
        Some(MailRefusal::SmtpAuthOffForMailbox) => format!(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. {VISIT} [sandbox]"
        ),
        Some(MailRefusal::SignInRefused(SmtpSignInRefusal::SecurityDefaults)) => {
            "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator. [sandbox]".to_string()
        }
        Some(MailRefusal::SignInRefused(SmtpSignInRefusal::ConditionalAccess)) => {
            "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. [sandbox]".to_string()
        }
        _ => "535 5.7.3 Authentication unsuccessful [sandbox]".to_string(),
    }
}

/// EHLO's answer: STARTTLS offered before the upgrade, AUTH after it.
fn ehlo(extension: &str) -> String {
    format!(
        "250-{HOST} Hello [127.0.0.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-{extension}\r\n250 SMTPUTF8"
    )
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

/// Puts the message into each recipient's inbox; the sender may start the next one.
async fn deliver(s: &Shared, mail: &mut Transaction, subject: &str) {
    let sender = mail.from.take().unwrap_or_default();
    let _held = s.hold().await;
    let mut t = s.tenant.lock().await;
    for r in mail.rcpts.drain(..) {
        t.deliver(&r, &sender, subject);
    }
    drop(t);
    s.persist().await;
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
