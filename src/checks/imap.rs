//! IMAP over implicit TLS: AUTHENTICATE XOAUTH2, EXAMINE INBOX (read-only), LOGOUT.

use super::wire::{MAX_LINES, ProbeError, Target, Wire, decode_challenge, xoauth2};

/// One server line, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// `* ...`
    Untagged(&'a str),
    /// `+ ...`: the server waits for more from the client.
    Continue(&'a str),
    /// `<tag> OK|NO|BAD text`
    Tagged {
        tag: &'a str,
        status: Status,
        text: &'a str,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
}

/// Classifies one line; `None` when it fits no IMAP response form.
pub fn parse_reply(line: &str) -> Option<Reply<'_>> {
    if let Some(rest) = line.strip_prefix("* ") {
        return Some(Reply::Untagged(rest));
    }
    if line == "*" {
        return Some(Reply::Untagged(""));
    }
    if line == "+" {
        return Some(Reply::Continue(""));
    }
    if let Some(rest) = line.strip_prefix("+ ") {
        return Some(Reply::Continue(rest));
    }
    let (tag, rest) = line.split_once(' ')?;
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
        return None;
    }
    let (word, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let status = match word.to_ascii_uppercase().as_str() {
        "OK" => Status::Ok,
        "NO" => Status::No,
        "BAD" => Status::Bad,
        _ => return None,
    };
    Some(Reply::Tagged { tag, status, text })
}

/// Capability names from `CAPABILITY ...` (untagged) or a `[CAPABILITY ...]` response code.
pub fn capabilities(untagged: &str) -> Option<Vec<String>> {
    let body = if let Some(rest) = untagged.strip_prefix("CAPABILITY ") {
        rest
    } else {
        let start = untagged.find("[CAPABILITY ")? + "[CAPABILITY ".len();
        let end = untagged[start..].find(']')? + start;
        &untagged[start..end]
    };
    Some(
        body.split_whitespace()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

/// `N EXISTS` → N.
pub fn exists(untagged: &str) -> Option<u32> {
    let (n, word) = untagged.split_once(' ')?;
    word.trim()
        .eq_ignore_ascii_case("EXISTS")
        .then(|| n.parse().ok())?
}

/// `SEARCH 1 4 9` → 3.
pub fn search_count(untagged: &str) -> Option<usize> {
    let rest = untagged
        .strip_prefix("SEARCH")
        .or_else(|| untagged.strip_prefix("search"))?;
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    let nums: Vec<&str> = rest.split_whitespace().collect();
    nums.iter()
        .all(|n| n.parse::<u32>().is_ok())
        .then_some(nums.len())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImapCounts {
    pub messages: u32,
    pub unseen: usize,
}

struct Session<S> {
    wire: Wire<S>,
    next: u32,
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> Session<S> {
    fn tag(&mut self) -> String {
        self.next += 1;
        format!("a{}", self.next)
    }

    /// Sends `<tag> <command>` and reads to its tagged answer, handing untagged lines to `seen`;
    /// anything but OK is a refusal.
    async fn command(
        &mut self,
        step: &'static str,
        command: &str,
        seen: impl FnMut(&str),
    ) -> Result<(), ProbeError> {
        let tag = self.tag();
        self.wire.send(step, &format!("{tag} {command}")).await?;
        let (status, line, _) = self.until_tagged(step, &tag, seen).await?;
        if status != Status::Ok {
            return Err(ProbeError::Refused { step, line });
        }
        Ok(())
    }

    /// Reads until the tagged answer to `tag`, handing untagged lines to `seen`. A
    /// continuation is answered with an empty line (how XOAUTH2 failures are acknowledged).
    async fn until_tagged(
        &mut self,
        step: &'static str,
        tag: &str,
        mut seen: impl FnMut(&str),
    ) -> Result<(Status, String, Option<String>), ProbeError> {
        let mut challenge = None;
        for _ in 0..MAX_LINES {
            let line = self.wire.line(step).await?;
            match parse_reply(&line) {
                Some(Reply::Untagged(u)) => seen(u),
                Some(Reply::Continue(c)) => {
                    challenge = decode_challenge(c).or(Some(c.to_string()));
                    self.wire.send(step, "").await?;
                }
                Some(Reply::Tagged { tag: t, status, .. }) if t == tag => {
                    return Ok((status, line, challenge));
                }
                Some(Reply::Tagged { .. }) => {}
                None => return Err(ProbeError::Garbled { step, line }),
            }
        }
        Err(ProbeError::Garbled {
            step,
            line: format!("more than {MAX_LINES} lines without an answer"),
        })
    }
}

/// Signs in as `mailbox` with the token and reads the inbox's counts without changing it.
pub async fn probe(target: &Target, mailbox: &str, token: &str) -> Result<ImapCounts, ProbeError> {
    let tcp = target.connect().await?;
    let tls = target.tls(tcp).await?;
    let mut s = Session {
        wire: Wire::new(tls, target.timeouts.step).traced("imap", target),
        next: 0,
    };
    let greeting = s.wire.line("greeting").await?;
    let mut caps = match parse_reply(&greeting) {
        Some(Reply::Untagged(u)) if u.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("OK")) => {
            capabilities(u)
        }
        Some(Reply::Untagged(u)) if u.to_ascii_uppercase().starts_with("BYE") => {
            return Err(ProbeError::Refused {
                step: "greeting",
                line: greeting,
            });
        }
        _ => {
            return Err(ProbeError::Garbled {
                step: "greeting",
                line: greeting,
            });
        }
    };
    if caps.is_none() {
        s.command("capability", "CAPABILITY", |u| {
            if let Some(c) = capabilities(u) {
                caps = Some(c);
            }
        })
        .await?;
    }
    let caps = caps.unwrap_or_default();
    if !caps.iter().any(|c| c == "AUTH=XOAUTH2") {
        return Err(ProbeError::Refused {
            step: "authenticate",
            line: format!(
                "the server does not offer XOAUTH2 (capabilities: {})",
                caps.join(" ")
            ),
        });
    }
    let ir = xoauth2(mailbox, token);
    let tag = s.tag();
    if caps.iter().any(|c| c == "SASL-IR") {
        s.wire
            .send(
                "authenticate",
                &format!("{tag} AUTHENTICATE XOAUTH2 {}", ir.as_str()),
            )
            .await?;
    } else {
        s.wire
            .send("authenticate", &format!("{tag} AUTHENTICATE XOAUTH2"))
            .await?;
        let line = s.wire.line("authenticate").await?;
        let reply = parse_reply(&line);
        if !matches!(reply, Some(Reply::Continue(_))) {
            let refused = matches!(reply, Some(Reply::Tagged { .. }));
            return Err(ProbeError::unexpected("authenticate", line, refused));
        }
        s.wire.send("authenticate", ir.as_str()).await?;
    }
    drop(ir);
    let (status, line, challenge) = s.until_tagged("authenticate", &tag, |_| {}).await?;
    if status != Status::Ok {
        let line = match challenge {
            Some(c) => format!("{line} (server detail: {c})"),
            None => line,
        };
        return Err(ProbeError::Refused {
            step: "authenticate",
            line,
        });
    }
    let mut messages = None;
    s.command("examine", "EXAMINE INBOX", |u| {
        if let Some(n) = exists(u) {
            messages = Some(n);
        }
    })
    .await?;
    let mut unseen = None;
    s.command("search", "SEARCH UNSEEN", |u| {
        if let Some(n) = search_count(u) {
            unseen = Some(n);
        }
    })
    .await?;
    let tag = s.tag();
    if s.wire
        .send("logout", &format!("{tag} LOGOUT"))
        .await
        .is_ok()
    {
        let _ = s.until_tagged("logout", &tag, |_| {}).await;
    }
    Ok(ImapCounts {
        messages: messages.ok_or(ProbeError::Garbled {
            step: "examine",
            line: "no EXISTS count in the answer".into(),
        })?,
        unseen: unseen.unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(
            parse_reply("* 12 EXISTS"),
            Some(Reply::Untagged("12 EXISTS"))
        );
        assert_eq!(
            parse_reply("a2 NO AUTHENTICATE failed."),
            Some(Reply::Tagged {
                tag: "a2",
                status: Status::No,
                text: "AUTHENTICATE failed."
            })
        );
        assert_eq!(
            parse_reply("a3 BAD User is authenticated but not connected."),
            Some(Reply::Tagged {
                tag: "a3",
                status: Status::Bad,
                text: "User is authenticated but not connected."
            })
        );
        assert_eq!(parse_reply("+ eyJ9"), Some(Reply::Continue("eyJ9")));
        assert_eq!(parse_reply("+"), Some(Reply::Continue("")));
        assert_eq!(parse_reply("hello world"), None);
        assert_eq!(parse_reply(""), None);
        assert_eq!(parse_reply("a1 MAYBE"), None);
    }

    #[test]
    fn capability_forms() {
        let c = capabilities("OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready").unwrap();
        assert!(c.contains(&"SASL-IR".to_string()) && c.contains(&"AUTH=XOAUTH2".to_string()));
        assert_eq!(
            capabilities("CAPABILITY IMAP4rev1 AUTH=PLAIN").unwrap(),
            ["IMAP4REV1", "AUTH=PLAIN"]
        );
        assert_eq!(capabilities("OK ready"), None);
        assert_eq!(capabilities("OK [CAPABILITY unterminated"), None);
    }

    #[test]
    fn counts() {
        assert_eq!(exists("12 EXISTS"), Some(12));
        assert_eq!(exists("3 RECENT"), None);
        assert_eq!(exists("x EXISTS"), None);
        assert_eq!(search_count("SEARCH 1 4 9"), Some(3));
        assert_eq!(search_count("SEARCH"), Some(0));
        assert_eq!(search_count("SEARCHES"), None);
        assert_eq!(search_count("SEARCH 1 x"), None);
    }
}
