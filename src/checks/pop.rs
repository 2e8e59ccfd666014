//! POP3 over implicit TLS: AUTH XOAUTH2, STAT, QUIT.

use super::wire::{ProbeError, Target, Wire, decode_challenge, xoauth2};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    Ok(&'a str),
    Err(&'a str),
    /// `+ <base64>`: a SASL challenge.
    Continue(&'a str),
}

pub fn parse_reply(line: &str) -> Option<Reply<'_>> {
    let word_end = line.find(' ').unwrap_or(line.len());
    let (word, rest) = line.split_at(word_end);
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    match word {
        "+OK" => Some(Reply::Ok(rest)),
        "-ERR" => Some(Reply::Err(rest)),
        "+" => Some(Reply::Continue(rest)),
        _ => None,
    }
}

/// `+OK <count> <octets>` → (count, octets).
pub fn parse_stat(text: &str) -> Option<(u32, u64)> {
    let mut it = text.split_whitespace();
    let n = it.next()?.parse().ok()?;
    let size = it.next()?.parse().ok()?;
    Some((n, size))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PopCounts {
    pub messages: u32,
    pub octets: u64,
}

fn expect_ok(step: &'static str, line: String) -> Result<String, ProbeError> {
    match parse_reply(&line) {
        Some(Reply::Ok(rest)) => Ok(rest.to_string()),
        reply => {
            let refused = matches!(reply, Some(Reply::Err(_)));
            Err(ProbeError::unexpected(step, line, refused))
        }
    }
}

pub async fn probe(target: &Target, mailbox: &str, token: &str) -> Result<PopCounts, ProbeError> {
    let tcp = target.connect().await?;
    let tls = target.tls(tcp).await?;
    let mut w = Wire::new(tls, target.timeouts.step).traced("pop", target);
    let greeting = w.line("greeting").await?;
    expect_ok("greeting", greeting)?;
    w.send("authenticate", "AUTH XOAUTH2").await?;
    let line = w.line("authenticate").await?;
    let reply = parse_reply(&line);
    if !matches!(reply, Some(Reply::Continue(_))) {
        let refused = matches!(reply, Some(Reply::Err(_)));
        return Err(ProbeError::unexpected("authenticate", line, refused));
    }
    w.send("authenticate", xoauth2(mailbox, token).as_str())
        .await?;
    let mut line = w.line("authenticate").await?;
    if let Some(Reply::Continue(c)) = parse_reply(&line) {
        let detail = decode_challenge(c);
        w.send("authenticate", "").await?;
        let end = w.line("authenticate").await?;
        line = match detail {
            Some(d) => format!("{end} (server detail: {d})"),
            None => end,
        };
    }
    expect_ok("authenticate", line)?;
    w.send("stat", "STAT").await?;
    let stat = expect_ok("stat", w.line("stat").await?)?;
    let (messages, octets) = parse_stat(&stat).ok_or_else(|| ProbeError::Garbled {
        step: "stat",
        line: format!("+OK {stat}"),
    })?;
    if w.send("quit", "QUIT").await.is_ok() {
        let _ = w.line("quit").await;
    }
    Ok(PopCounts { messages, octets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(parse_reply("+OK ready"), Some(Reply::Ok("ready")));
        assert_eq!(parse_reply("+OK"), Some(Reply::Ok("")));
        assert_eq!(
            parse_reply("-ERR Authentication failure: unknown user name or bad password."),
            Some(Reply::Err(
                "Authentication failure: unknown user name or bad password."
            ))
        );
        assert_eq!(parse_reply("+ eyJ9"), Some(Reply::Continue("eyJ9")));
        assert_eq!(parse_reply("+"), Some(Reply::Continue("")));
        assert_eq!(parse_reply("OK"), None);
        assert_eq!(parse_stat("12 48213"), Some((12, 48213)));
        assert_eq!(parse_stat("12"), None);
        assert_eq!(parse_stat("-1 3"), None);
    }
}
