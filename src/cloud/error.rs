use std::fmt;

/// An error answer from the identity platform (REFERENCE.md section 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AadError {
    pub status: u16,
    pub error: String,
    pub codes: Vec<u32>,
    pub description: String,
}

impl AadError {
    pub fn has_code(&self, code: u32) -> bool {
        self.codes.contains(&code) || self.description.starts_with(&format!("AADSTS{code}:"))
    }

    /// The description without the trace lines, which say nothing to a person.
    pub fn short_description(&self) -> &str {
        let d = self.description.as_str();
        let cut = [" Trace ID:", "\r\n", "\n"]
            .iter()
            .filter_map(|m| d.find(m))
            .min()
            .unwrap_or(d.len());
        d[..cut].trim()
    }
}

/// An error answer from Microsoft Graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetKind {
    Refused,
    Timeout,
    Dns,
    Tls,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkError {
    pub kind: NetKind,
    pub host: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudError {
    Aad(AadError),
    Graph(GraphError),
    Network(NetworkError),
    /// A redirect to a host the request may not go to: not followed, so the token stayed here.
    Redirected {
        status: u16,
        location: String,
        /// The hosts it could have gone to, in words.
        allowed: String,
    },
    /// A status or body the client does not know what to make of.
    Unexpected {
        status: u16,
        detail: String,
    },
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloudError::Aad(a) => {
                write!(f, "{} ({}): {}", a.error, a.status, a.short_description())
            }
            CloudError::Graph(g) => write!(f, "HTTP {} {}: {}", g.status, g.code, g.message),
            CloudError::Network(n) => write!(f, "{}: {}", n.host, n.detail),
            CloudError::Redirected {
                status,
                location,
                allowed,
            } => write!(
                f,
                "HTTP {status} redirect to {location}, which is not {allowed}: not followed, the token was not sent there"
            ),
            CloudError::Unexpected { status, detail } => write!(f, "HTTP {status}: {detail}"),
        }
    }
}

impl std::error::Error for CloudError {}

/// Throttling, or a gateway that could not reach the service.
pub(crate) fn transient_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

impl CloudError {
    /// The network or the service failed, not the request: trying again later may work.
    pub fn is_unavailable(&self) -> bool {
        let server_error = |s: u16| (500..600).contains(&s);
        match self {
            CloudError::Network(_) => true,
            CloudError::Graph(g) => transient_status(g.status) || server_error(g.status),
            CloudError::Unexpected { status, .. } => {
                transient_status(*status) || server_error(*status)
            }
            _ => false,
        }
    }

    /// Throttling or a passing outage: worth another try.
    pub fn is_transient(&self) -> bool {
        match self {
            CloudError::Graph(g) => transient_status(g.status),
            CloudError::Unexpected { status, .. } => transient_status(*status),
            _ => false,
        }
    }

    pub fn from_reqwest(e: &reqwest::Error) -> CloudError {
        let host = e
            .url()
            .map(|u| match u.port() {
                Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                None => u.host_str().unwrap_or("").to_string(),
            })
            .unwrap_or_default();
        let mut chain = String::new();
        let mut src: Option<&dyn std::error::Error> = Some(e);
        while let Some(s) = src {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&s.to_string());
            src = s.source();
        }
        let lower = chain.to_ascii_lowercase();
        let kind = if e.is_timeout() || lower.contains("timed out") {
            NetKind::Timeout
        } else if lower.contains("refused") {
            NetKind::Refused
        } else if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
            NetKind::Dns
        } else if lower.contains("certificate")
            || lower.contains("tls")
            || lower.contains("handshake")
        {
            NetKind::Tls
        } else {
            NetKind::Other
        };
        CloudError::Network(NetworkError {
            kind,
            host,
            detail: chain.replace('\n', " "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_description_drops_trace() {
        let a = AadError {
            status: 401,
            error: "invalid_client".into(),
            codes: vec![7000215],
            description:
                "AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2"
                    .into(),
        };
        assert_eq!(
            a.short_description(),
            "AADSTS7000215: Invalid client secret provided."
        );
        assert!(a.has_code(7000215));
        assert!(!a.has_code(700016));
    }
}
