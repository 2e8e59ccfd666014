//! SMTP submission: EHLO, STARTTLS, EHLO, AUTH XOAUTH2 (two-step); optionally a test message from the
//! mailbox to itself; QUIT.

use tokio::io::{AsyncRead, AsyncWrite};

use super::wire::{MAX_LINES, ProbeError, Target, Wire, decode_challenge, xoauth2};

/// One reply line: `250-text` (more follow) or `250 text` (last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyLine<'a> {
    pub code: u16,
    pub last: bool,
    pub text: &'a str,
}

pub fn parse_line(line: &str) -> Option<ReplyLine<'_>> {
    let b = line.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code: u16 = line[..3].parse().ok()?;
    if !(200..600).contains(&code) {
        return None;
    }
    let (last, text) = match b.get(3) {
        None => (true, ""),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        _ => return None,
    };
    Some(ReplyLine { code, last, text })
}

/// A complete reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn evidence(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{} {l}", self.code))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// EHLO keywords, upper-cased: `STARTTLS`, `AUTH LOGIN XOAUTH2`, …
    pub fn extensions(&self) -> Vec<String> {
        self.lines
            .iter()
            .skip(1)
            .map(|l| l.to_ascii_uppercase())
            .collect()
    }

    pub fn offers(&self, keyword: &str) -> bool {
        self.extensions()
            .iter()
            .any(|e| e.split_whitespace().next() == Some(keyword))
    }

    pub fn offers_auth(&self, mechanism: &str) -> bool {
        self.extensions().iter().any(|e| {
            let mut w = e.split([' ', '=']);
            w.next() == Some("AUTH") && w.any(|m| m == mechanism)
        })
    }
}

async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut Wire<S>,
    step: &'static str,
) -> Result<Reply, ProbeError> {
    let mut lines = Vec::new();
    let mut code = None;
    for _ in 0..MAX_LINES {
        let line = w.line(step).await?;
        let Some(r) = parse_line(&line) else {
            return Err(ProbeError::Garbled { step, line });
        };
        if *code.get_or_insert(r.code) != r.code {
            return Err(ProbeError::Garbled { step, line });
        }
        lines.push(r.text.to_string());
        if r.last {
            return Ok(Reply {
                code: r.code,
                lines,
            });
        }
    }
    Err(ProbeError::Garbled {
        step,
        line: format!("a reply of more than {MAX_LINES} lines"),
    })
}

async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    w: &mut Wire<S>,
    step: &'static str,
    text: &str,
    want: u16,
) -> Result<Reply, ProbeError> {
    w.send(step, text).await?;
    let r = reply(w, step).await?;
    if r.code == want {
        Ok(r)
    } else {
        Err(ProbeError::Refused {
            step,
            line: r.evidence(),
        })
    }
}

const HELO_NAME: &str = "m365-mail-wizard.invalid";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpOutcome {
    Authenticated,
    Sent,
}

/// Authenticates as `mailbox`; with `send`, also submits a short message to itself.
pub async fn probe(
    target: &Target,
    mailbox: &str,
    token: &str,
    send: bool,
) -> Result<SmtpOutcome, ProbeError> {
    let tcp = target.connect().await?;
    let mut w = Wire::new(tcp, target.timeouts.step).traced("smtp", target);
    let greeting = reply(&mut w, "greeting").await?;
    if greeting.code != 220 {
        return Err(ProbeError::Refused {
            step: "greeting",
            line: greeting.evidence(),
        });
    }
    let ehlo = command(&mut w, "ehlo", &format!("EHLO {HELO_NAME}"), 250).await?;
    if !ehlo.offers("STARTTLS") {
        return Err(ProbeError::Refused {
            step: "starttls",
            line: "the server does not offer STARTTLS; the token would go out unencrypted".into(),
        });
    }
    command(&mut w, "starttls", "STARTTLS", 220).await?;
    let tcp = w.into_inner("starttls")?;
    let tls = target.tls(tcp).await?;
    let mut w = Wire::new(tls, target.timeouts.step).traced("smtp", target);
    let ehlo = command(&mut w, "ehlo", &format!("EHLO {HELO_NAME}"), 250).await?;
    if !ehlo.offers_auth("XOAUTH2") {
        return Err(ProbeError::Refused {
            step: "authenticate",
            line: format!(
                "the server does not offer AUTH XOAUTH2 (it offers: {})",
                ehlo.extensions().join(", ")
            ),
        });
    }
    // The initial response would put the whole token on the AUTH line, which some servers
    // refuse as too long; the two-step form works everywhere.
    command(&mut w, "authenticate", "AUTH XOAUTH2", 334).await?;
    w.send("authenticate", xoauth2(mailbox, token).as_str())
        .await?;
    let mut auth = reply(&mut w, "authenticate").await?;
    let mut detail = None;
    if auth.code == 334 {
        detail = auth.lines.first().and_then(|l| decode_challenge(l));
        w.send("authenticate", "").await?;
        auth = reply(&mut w, "authenticate").await?;
    }
    if auth.code != 235 {
        let line = match detail {
            Some(d) => format!("{} (server detail: {d})", auth.evidence()),
            None => auth.evidence(),
        };
        return Err(ProbeError::Refused {
            step: "authenticate",
            line,
        });
    }
    let outcome = if send {
        command(&mut w, "mail from", &format!("MAIL FROM:<{mailbox}>"), 250).await?;
        command(&mut w, "rcpt to", &format!("RCPT TO:<{mailbox}>"), 250).await?;
        command(&mut w, "data", "DATA", 354).await?;
        command(&mut w, "data", &test_message(mailbox), 250).await?;
        SmtpOutcome::Sent
    } else {
        SmtpOutcome::Authenticated
    };
    if w.send("quit", "QUIT").await.is_ok() {
        let _ = reply(&mut w, "quit").await;
    }
    Ok(outcome)
}

/// The test message, dot-terminated; no line of it starts with a dot.
fn test_message(mailbox: &str) -> String {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    [
        format!("From: <{mailbox}>"),
        format!("To: <{mailbox}>"),
        format!("Date: {date}"),
        "Subject: m365-mail-wizard SMTP test".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        String::new(),
        "This message was sent by m365-mail-wizard to check SMTP submission for this mailbox."
            .into(),
        "It can be deleted.".into(),
        ".".into(),
    ]
    .join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines() {
        assert_eq!(
            parse_line("250-STARTTLS"),
            Some(ReplyLine {
                code: 250,
                last: false,
                text: "STARTTLS"
            })
        );
        assert_eq!(
            parse_line("535 5.7.3 Authentication unsuccessful"),
            Some(ReplyLine {
                code: 535,
                last: true,
                text: "5.7.3 Authentication unsuccessful"
            })
        );
        assert_eq!(parse_line("220").map(|r| r.last), Some(true));
        assert_eq!(parse_line("25"), None);
        assert_eq!(parse_line("999 x"), None);
        assert_eq!(parse_line("250x"), None);
        assert_eq!(parse_line("ab1 x"), None);
    }

    #[test]
    fn extensions() {
        let r = Reply {
            code: 250,
            lines: vec![
                "mx.example Hello".into(),
                "SIZE 157286400".into(),
                "AUTH LOGIN XOAUTH2".into(),
                "STARTTLS".into(),
            ],
        };
        assert!(r.offers("STARTTLS") && r.offers_auth("XOAUTH2") && !r.offers_auth("PLAIN"));
        assert!(!r.offers("SIZ"));
        let eq = Reply {
            code: 250,
            lines: vec!["x".into(), "AUTH=XOAUTH2".into()],
        };
        assert!(eq.offers_auth("XOAUTH2"));
        assert_eq!(
            r.evidence().split(" / ").next(),
            Some("250 mx.example Hello")
        );
    }

    #[test]
    fn the_test_message_ends_with_a_lone_dot() {
        let m = test_message("alice@contoso.example");
        assert!(m.ends_with("\r\n."));
        assert!(m.lines().filter(|l| l.starts_with('.')).count() == 1);
    }
}
