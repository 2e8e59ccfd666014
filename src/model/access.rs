use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What the consuming application does with mail. Only choices whose checks exist are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessChoice {
    GraphRead,
    GraphReadWrite,
    GraphSend,
    Imap,
    Pop,
    Smtp,
    Ews,
    /// IMAP and SMTP in a mailbox user's name: the user signs in once in the consuming tool.
    #[serde(rename = "delegated-imap-smtp")]
    Delegated,
}

impl AccessChoice {
    pub const ALL: [AccessChoice; 8] = [
        AccessChoice::GraphRead,
        AccessChoice::GraphReadWrite,
        AccessChoice::GraphSend,
        AccessChoice::Imap,
        AccessChoice::Pop,
        AccessChoice::Smtp,
        AccessChoice::Ews,
        AccessChoice::Delegated,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AccessChoice::GraphRead => "graph-read",
            AccessChoice::GraphReadWrite => "graph-read-write",
            AccessChoice::GraphSend => "graph-send",
            AccessChoice::Imap => "imap",
            AccessChoice::Pop => "pop",
            AccessChoice::Smtp => "smtp",
            AccessChoice::Ews => "ews",
            AccessChoice::Delegated => "delegated-imap-smtp",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccessChoice::GraphRead => "Microsoft Graph — read mail",
            AccessChoice::GraphReadWrite => "Microsoft Graph — read and write mail",
            AccessChoice::GraphSend => "Microsoft Graph — send mail",
            AccessChoice::Imap => "IMAP — read mail",
            AccessChoice::Pop => "POP3 — read mail",
            AccessChoice::Smtp => "SMTP — send mail",
            AccessChoice::Ews => "EWS (legacy — being retired in Exchange Online)",
            AccessChoice::Delegated => "Delegated IMAP + SMTP (a user signs in once)",
        }
    }

    /// App-only mail through Microsoft Graph (a Graph-audience token).
    pub fn uses_graph(self) -> bool {
        matches!(
            self,
            AccessChoice::GraphRead | AccessChoice::GraphReadWrite | AccessChoice::GraphSend
        )
    }

    /// App-only mail through Exchange Online's own protocols (an Exchange-audience token).
    pub fn uses_exchange(self) -> bool {
        matches!(
            self,
            AccessChoice::Imap | AccessChoice::Pop | AccessChoice::Smtp | AccessChoice::Ews
        )
    }
}

impl fmt::Display for AccessChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for AccessChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        AccessChoice::ALL
            .into_iter()
            .find(|a| a.key() == t)
            .ok_or_else(|| {
                let known: Vec<&str> = AccessChoice::ALL.iter().map(|a| a.key()).collect();
                format!(
                    "unknown access \"{}\": use one or more of {}",
                    s.trim(),
                    known.join(", ")
                )
            })
    }
}

/// Parses `graph-read,graph-send`; rejects an empty list.
pub fn parse_access_list(s: &str) -> Result<Vec<AccessChoice>, String> {
    let mut out: Vec<AccessChoice> = Vec::new();
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let a: AccessChoice = part.parse()?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(
            "no access given: use one or more of graph-read, graph-read-write, graph-send, imap, pop, smtp, ews, delegated-imap-smtp".into(),
        );
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists() {
        assert_eq!(
            parse_access_list("graph-send, GRAPH-READ,graph-read").unwrap(),
            [AccessChoice::GraphRead, AccessChoice::GraphSend]
        );
        let e = parse_access_list("graph-read,imap4").unwrap_err();
        assert!(e.contains("imap4") && e.contains("graph-read-write"), "{e}");
        assert_eq!(
            parse_access_list("ews,smtp,pop,imap").unwrap(),
            [
                AccessChoice::Imap,
                AccessChoice::Pop,
                AccessChoice::Smtp,
                AccessChoice::Ews
            ]
        );
        assert!(!AccessChoice::Imap.uses_graph() && AccessChoice::GraphSend.uses_graph());
        assert!(parse_access_list(" , ").is_err());
    }
}
