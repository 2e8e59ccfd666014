use super::tenant::is_domain;

/// A mailbox's primary SMTP address (or UPN), lower-cased.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mailbox(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a mailbox address: type it as name@domain, for example alice@contoso.com")]
pub struct MailboxError(pub String);

impl Mailbox {
    pub fn parse(input: &str) -> Result<Mailbox, MailboxError> {
        let t = input.trim();
        let refuse = || MailboxError(super::echo_safe(t));
        let (local, domain) = t.rsplit_once('@').ok_or_else(refuse)?;
        let domain = domain.to_ascii_lowercase();
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !local_ok || !is_domain(&domain) {
            return Err(refuse());
        }
        Ok(Mailbox(format!("{}@{domain}", local.to_ascii_lowercase())))
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }

    /// The local part followed by '@', the short form the progress view shows.
    pub fn short(&self) -> &str {
        self.0
            .split_once('@')
            .map(|(l, _)| &self.0[..l.len() + 1])
            .unwrap_or(&self.0)
    }

    /// Splits a list typed on one line (commas, semicolons or spaces).
    pub fn parse_list(input: &str) -> Result<Vec<Mailbox>, MailboxError> {
        let mut out: Vec<Mailbox> = Vec::new();
        for part in input
            .split([',', ';', ' ', '\n', '\t'])
            .filter(|p| !p.is_empty())
        {
            let m = Mailbox::parse(part)?;
            if !out.contains(&m) {
                out.push(m);
            }
        }
        Ok(out)
    }
}

checked_text!(Mailbox);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let m = Mailbox::parse(" Alice@Contoso.Example ").unwrap();
        assert_eq!(m.as_str(), "alice@contoso.example");
        assert_eq!(m.short(), "alice@");
        assert_eq!(m.domain(), "contoso.example");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "alice",
            "@contoso.com",
            "alice@",
            "alice@contoso",
            "a b@c.com",
            ".a@c.com",
            "a..b@c.com",
        ] {
            let e = Mailbox::parse(bad).unwrap_err();
            assert!(e.to_string().contains("name@domain"), "{bad}");
        }
    }

    #[test]
    fn list_splits_and_dedups() {
        let l = Mailbox::parse_list("a@x.com, b@x.com;a@x.com  c@x.com").unwrap();
        let s: Vec<&str> = l.iter().map(Mailbox::as_str).collect();
        assert_eq!(s, ["a@x.com", "b@x.com", "c@x.com"]);
        assert_eq!(Mailbox::parse_list("a@x.com, nope").unwrap_err().0, "nope");
    }
}
