//! The IMAP4 server (implicit TLS): capabilities, XOAUTH2 sign-in, and the inbox commands a
//! probe uses, with Exchange Online's answers.

use tokio::io::{AsyncRead, AsyncWrite};

use super::{Lines, SignIn, client_response, pause, sign_in};
use crate::sandbox::Shared;
use crate::sandbox::tenant::{MailProtocol, MailRefusal};

pub(super) const GREETING: &str = "* OK The Microsoft Exchange IMAP4 service is ready. [sandbox]";

/// The commands after the greeting, until the client leaves.
pub(super) async fn session<S: AsyncRead + AsyncWrite + Unpin>(s: &Shared, lines: &mut Lines<S>) {
    let mut signed_in: Option<SignIn> = None;
    let mut selected = false;
    while let Some(line) = lines.next().await {
        let (tag, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let (cmd, args) = rest.split_once(' ').unwrap_or((rest, ""));
        pause(s).await;
        let reply = match cmd.to_ascii_uppercase().as_str() {
            "CAPABILITY" => format!(
                "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n{tag} OK CAPABILITY completed."
            ),
            "NOOP" => format!("{tag} OK NOOP completed."),
            "LOGOUT" => {
                lines
                    .send(&format!("* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n{tag} OK LOGOUT completed."))
                    .await;
                return;
            }
            "AUTHENTICATE" if signed_in.is_none() => {
                let (mech, ir) = args.split_once(' ').unwrap_or((args, ""));
                if !mech.eq_ignore_ascii_case("XOAUTH2") {
                    format!("{tag} NO AUTHENTICATE failed.")
                } else {
                    let Some(ir) = client_response(lines, ir, "+ ").await else {
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
                Some(si) => mailbox_command(s, &si.mailbox, tag, cmd, args, &mut selected).await,
            },
            _ => format!("{tag} BAD Command Error. 10"),
        };
        if !lines.send(&reply).await {
            return;
        }
    }
}

async fn mailbox_command(
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
