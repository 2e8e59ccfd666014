//! The POP3 server (implicit TLS): capabilities, XOAUTH2 sign-in and `STAT`, with Exchange
//! Online's answers.

use tokio::io::{AsyncRead, AsyncWrite};

use super::{Lines, client_response, pause, sign_in};
use crate::sandbox::Shared;
use crate::sandbox::tenant::MailProtocol;

pub(super) const GREETING: &str = "+OK The Microsoft Exchange POP3 service is ready. [sandbox]";
const REFUSED: &str = "-ERR Authentication failure: unknown user name or bad password.";

/// The commands after the greeting, until the client leaves.
pub(super) async fn session<S: AsyncRead + AsyncWrite + Unpin>(s: &Shared, lines: &mut Lines<S>) {
    let mut mailbox: Option<String> = None;
    while let Some(line) = lines.next().await {
        let (cmd, args) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        pause(s).await;
        let reply = match cmd.to_ascii_uppercase().as_str() {
            "CAPA" => "+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN XOAUTH2\r\nUSER\r\n.".to_string(),
            "QUIT" => {
                lines
                    .send("+OK Microsoft Exchange Server POP3 server signing off.")
                    .await;
                return;
            }
            "AUTH" if mailbox.is_none() => {
                let (mech, ir) = args.split_once(' ').unwrap_or((args, ""));
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    "-ERR Unrecognized authentication type.".to_string()
                } else {
                    let Some(ir) = client_response(lines, ir, "+ ").await else {
                        return;
                    };
                    match sign_in(s, &ir, MailProtocol::Pop).await {
                        Some(si) if si.refusal.is_none() => {
                            mailbox = Some(si.mailbox);
                            "+OK User successfully authenticated.".to_string()
                        }
                        _ => REFUSED.to_string(),
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
        if !lines.send(&reply).await {
            return;
        }
    }
}
