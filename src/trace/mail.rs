//! The lines of one IMAP, POP3 or SMTP dialogue, redacted for a trace. Pure: the dialogue's
//! state (a SASL exchange under way, message content being sent or received) decides what a
//! line is, so that a SASL response or a message line never reaches the trace.

use super::redact::{marker, scrub_shapes};

/// Who sent a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// The wizard (the client).
    Client,
    /// The mail server.
    Server,
}

impl Dir {
    pub fn key(self) -> &'static str {
        match self {
            Dir::Client => "client",
            Dir::Server => "server",
        }
    }
}

/// Where one dialogue stands, as far as redaction needs to know.
#[derive(Debug)]
pub struct MailRedactor {
    proto: &'static str,
    /// The server asked for a SASL response (`+ …` / `334 …`): the client's next line is one.
    sasl: bool,
    /// SMTP: the server accepted DATA; the client's lines are message content up to `.`.
    data: bool,
    /// POP3: RETR or TOP was sent; the server's lines after `+OK` are content up to `.`.
    pop_content: bool,
    /// IMAP: bytes of a `{N}` literal still to come from the server.
    literal: usize,
}

impl MailRedactor {
    pub fn new(proto: &'static str) -> MailRedactor {
        MailRedactor {
            proto,
            sasl: false,
            data: false,
            pop_content: false,
            literal: 0,
        }
    }

    pub fn proto(&self) -> &'static str {
        self.proto
    }

    /// What `line` (one line, or several joined by CR LF) becomes in the trace.
    pub fn line(&mut self, dir: Dir, line: &str) -> String {
        let parts: Vec<&str> = line.split("\r\n").collect();
        let out: Vec<String> = parts.iter().map(|l| self.one(dir, l)).collect();
        out.join("\r\n")
    }

    fn one(&mut self, dir: Dir, line: &str) -> String {
        match dir {
            Dir::Client => self.client(line),
            Dir::Server => self.server(line),
        }
    }

    fn client(&mut self, line: &str) -> String {
        if self.data {
            if line == "." {
                self.data = false;
                return line.to_string();
            }
            return marker("message");
        }
        if std::mem::take(&mut self.sasl) && !line.is_empty() && line != "*" {
            return marker("xoauth2");
        }
        let upper = line.to_ascii_uppercase();
        let words: Vec<&str> = line.split_whitespace().collect();
        // `AUTHENTICATE XOAUTH2 <blob>` (IMAP, tagged) and `AUTH XOAUTH2 <blob>` (POP3, SMTP).
        if let Some(at) = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case("XOAUTH2") || w.eq_ignore_ascii_case("PLAIN"))
            && at > 0
            && (words[at - 1].eq_ignore_ascii_case("AUTHENTICATE")
                || words[at - 1].eq_ignore_ascii_case("AUTH"))
            && words.len() > at + 1
        {
            let mut kept = words[..=at].join(" ");
            kept.push(' ');
            kept.push_str(&marker("xoauth2"));
            return kept;
        }
        if self.proto == "imap" && words.len() >= 3 && words[1].eq_ignore_ascii_case("LOGIN") {
            return format!("{} {} {}", words[0], words[1], marker("password"));
        }
        if self.proto == "pop" && upper.starts_with("PASS ") {
            return format!("PASS {}", marker("password"));
        }
        if self.proto == "pop" && (upper.starts_with("RETR ") || upper.starts_with("TOP ")) {
            self.pop_content = true;
        }
        scrub_shapes(line)
    }

    fn server(&mut self, line: &str) -> String {
        if self.literal > 0 {
            self.literal = self.literal.saturating_sub(line.len() + 2);
            return marker("message");
        }
        if self.pop_content {
            if line == "." {
                self.pop_content = false;
                return line.to_string();
            }
            if line.starts_with("-ERR") {
                self.pop_content = false;
            } else if !line.starts_with("+OK") {
                return marker("message");
            }
            return scrub_shapes(line);
        }
        let continuation = match self.proto {
            "smtp" => line.starts_with("334"),
            _ => line.starts_with('+') && !line.starts_with("+OK"),
        };
        if continuation {
            self.sasl = true;
        }
        if self.proto == "smtp" && line.starts_with("354") {
            self.data = true;
        }
        if self.proto == "imap" {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("* ") && upper.contains(" FETCH ") {
                if let Some(n) = literal_size(line) {
                    self.literal = n;
                }
                let cut = upper.find(" FETCH ").map_or(line.len(), |i| i + 7);
                return format!("{}{}", &line[..cut], marker("message"));
            }
        }
        scrub_shapes(line)
    }
}

/// N of a line ending in an IMAP literal announcement `{N}`.
fn literal_size(line: &str) -> Option<usize> {
    let open = line.rfind('{')?;
    line[open + 1..]
        .strip_suffix('}')?
        .trim_end_matches('+')
        .parse()
        .ok()
}
