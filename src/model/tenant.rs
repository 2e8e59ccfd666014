use std::fmt;

use super::ids::TenantId;

/// What the admin typed for the tenant: its GUID or one of its verified domains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantInput {
    Id(TenantId),
    Domain(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error(
        "Tenant is empty: type the tenant ID (a GUID) or a verified domain such as contoso.com"
    )]
    Empty,
    #[error(
        "Tenant \"{0}\" is neither a GUID nor a domain name: type the tenant ID or a verified domain such as contoso.onmicrosoft.com"
    )]
    Invalid(String),
}

impl TenantInput {
    pub fn parse(input: &str) -> Result<TenantInput, TenantError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(TenantError::Empty);
        }
        if let Ok(id) = TenantId::parse(t) {
            return Ok(TenantInput::Id(id));
        }
        let lower = t.trim_end_matches('.').to_ascii_lowercase();
        if is_domain(&lower) {
            Ok(TenantInput::Domain(lower))
        } else {
            Err(TenantError::Invalid(super::echo_safe(t)))
        }
    }

    /// The path segment used in identity URLs.
    pub fn as_path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for TenantInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantInput::Id(id) => write!(f, "{id}"),
            TenantInput::Domain(d) => f.write_str(d),
        }
    }
}

pub(crate) fn is_domain(s: &str) -> bool {
    if s.len() > 253 || !s.contains('.') {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    let tld = labels[labels.len() - 1];
    labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }) && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_or_domain() {
        assert!(matches!(
            TenantInput::parse("{72F988BF-86F1-41AF-91AB-2D7CD011DB47}"),
            Ok(TenantInput::Id(_))
        ));
        assert_eq!(
            TenantInput::parse(" Contoso.Example. ").unwrap(),
            TenantInput::Domain("contoso.example".into())
        );
        assert_eq!(
            TenantInput::parse("contoso.onmicrosoft.com")
                .unwrap()
                .to_string(),
            "contoso.onmicrosoft.com"
        );
    }

    #[test]
    fn rejects_non_domains() {
        assert_eq!(TenantInput::parse("  "), Err(TenantError::Empty));
        for bad in [
            "contoso",
            "con toso.com",
            "-a.com",
            "a..com",
            "a.c",
            "a.123",
            "user@contoso.com",
        ] {
            assert!(
                matches!(TenantInput::parse(bad), Err(TenantError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
