use serde::{Deserialize, Serialize};

use super::access::AccessChoice;
use super::cloud::{Cloud, CloudKind, Endpoints};
use super::ids::{ClientId, TenantId};
use super::mailbox::Mailbox;
use super::scope::ScopeRecord;

/// A profile name doubles as a file name and a keyring user name, so it is kept plain.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "profile name \"{0}\" is not usable: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'"
)]
pub struct ProfileNameError(pub String);

impl ProfileName {
    pub fn parse(input: &str) -> Result<ProfileName, ProfileNameError> {
        let t = input.trim();
        let ok = !t.is_empty()
            && t.len() <= 64
            && !t.starts_with('.')
            && !t.starts_with('-')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if ok {
            Ok(ProfileName(t.to_string()))
        } else {
            Err(ProfileNameError(super::echo_safe(t)))
        }
    }
}

checked_text!(ProfileName);

/// Where the profile's secret is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyringBackend {
    /// The platform's keyring (Secret Service on Linux).
    #[default]
    Os,
    /// The Linux kernel keyring: explicit opt-in, lost on reboot.
    Keyutils,
    /// Held in memory for one sandbox session only.
    SessionMemory,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckVerdict {
    Passed,
    Failed,
    Waiting,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastCheck {
    /// RFC 3339, UTC.
    pub at: String,
    pub verdict: CheckVerdict,
    pub passed: u32,
    pub failed: u32,
    /// Each check as it ended, for the handover report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<LastRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRow {
    pub id: String,
    /// passed, failed or skipped.
    pub status: String,
    #[serde(default)]
    pub elapsed_ms: Option<u64>,
    #[serde(default)]
    pub detail: String,
}

/// Everything about one app registration except its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: ProfileName,
    #[serde(default)]
    pub sandbox: bool,
    pub cloud: CloudKind,
    /// Only for a custom cloud: the endpoints as read when the profile was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// As typed: the tenant id or a verified domain.
    pub tenant: String,
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    pub access: Vec<AccessChoice>,
    pub mailboxes: Vec<Mailbox>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_mailbox: Option<Mailbox>,
    /// Opt-in: the Graph send check mails each mailbox a test message.
    #[serde(default)]
    pub send_test: bool,
    #[serde(default)]
    pub keyring: KeyringBackend,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check: Option<LastCheck>,
    /// How the setup scoped the mailboxes; none for a profile added for an existing app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeRecord>,
    /// When the client secret (or certificate) expires (YYYY-MM-DD), where known: from the
    /// setup, or as the admin read it off the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_expires: Option<String>,
    /// When the wizard last put a new credential in place of the one before (RFC 3339, UTC):
    /// a renewed or pasted secret, a new certificate. A check made earlier tested the old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_renewed: Option<String>,
    /// What proves the app: a client secret, or a certificate whose private key is what the
    /// keyring holds.
    #[serde(default, skip_serializing_if = "Credential::is_secret")]
    pub credential: Credential,
    /// The last renewal: while unfinished, the old credentials that await removal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<super::Rotation>,
    /// The delegated style's part: its sign-in and the mailboxes reached on a user's behalf.
    /// A hybrid profile has it beside app-only `mailboxes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegated: Option<super::DelegatedPart>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Credential {
    #[default]
    Secret,
    Certificate {
        #[serde(flatten)]
        thumbprint: Thumbprints,
    },
}

/// A certificate's thumbprints: base64url SHA-256 (`x5t#S256`, what a client assertion names;
/// what this reads as) and, when known, the upper-case hex SHA-1 that Graph lists as the
/// certificate's `customKeyIdentifier` (profiles made before it was kept have none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbprints {
    #[serde(rename = "thumbprint")]
    pub sha256: String,
    #[serde(
        default,
        rename = "sha1_thumbprint",
        skip_serializing_if = "Option::is_none"
    )]
    pub sha1: Option<String>,
}

impl std::ops::Deref for Thumbprints {
    type Target = str;

    fn deref(&self) -> &str {
        &self.sha256
    }
}

impl std::fmt::Display for Thumbprints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sha256)
    }
}

impl Credential {
    pub fn is_secret(&self) -> bool {
        *self == Credential::Secret
    }
}

/// A secret's expiry as pasted from the portal's "Expires" column: `YYYY-MM-DD`, or the
/// portal's `M/D/YYYY`; empty means unknown. It must lie after `today`.
pub fn parse_expiry(text: &str, today: time::Date) -> Result<Option<String>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let us = time::macros::format_description!("[month padding:none]/[day padding:none]/[year]");
    let date = time::Date::parse(t, &iso)
        .or_else(|_| time::Date::parse(t, &us))
        .map_err(|_| format!("\"{}\" is not a date: write it as 2027-05-26 (or as the portal shows it, 5/26/2027)", super::echo_safe(t)))?;
    if date <= today {
        return Err(format!(
            "{t} is not in the future: a new secret expires later than today"
        ));
    }
    Ok(Some(date.format(&iso).expect("a date formats")))
}

/// How close a secret is to its expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpiryLevel {
    Fine,
    /// Under 30 days.
    Soon,
    /// Under 7 days, or past.
    Urgent,
}

impl Profile {
    /// Days until the secret expires (negative when past) and how urgent that is; `None` when
    /// the expiry is not known.
    pub fn expiry(&self, today: time::Date) -> Option<(i64, ExpiryLevel)> {
        let iso = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(self.secret_expires.as_deref()?, &iso).ok()?;
        let days = (date - today).whole_days();
        let level = match days {
            d if d < 7 => ExpiryLevel::Urgent,
            d if d < 30 => ExpiryLevel::Soon,
            _ => ExpiryLevel::Fine,
        };
        Some((days, level))
    }

    /// What the consuming application must be configured with; the secret only by where it is.
    pub fn app_settings(
        &self,
        e: &Endpoints,
        keyring_service: &str,
    ) -> Vec<(&'static str, String)> {
        let tenant = self.tenant_id.to_string();
        let mailboxes: Vec<&str> = self.mailboxes.iter().map(|m| m.as_str()).collect();
        let uses = |c: AccessChoice| self.access.contains(&c);
        let mut out = vec![
            ("Tenant ID", tenant.clone()),
            ("Client ID", self.client_id.to_string()),
            match &self.credential {
                Credential::Secret if self.keyring == KeyringBackend::SessionMemory => (
                    "Client secret",
                    "held in memory for this session only (no keyring here): store it in a keyring to keep it".into(),
                ),
                Credential::Secret => (
                    "Client secret",
                    format!("in the keyring: {keyring_service} / {}", self.name),
                ),
                Credential::Certificate { thumbprint } => (
                    "Client certificate",
                    format!(
                        "private key in the keyring: {keyring_service} / {}; x5t#S256 {thumbprint}; sign a client assertion with it (it is not a client secret)",
                        self.name
                    ),
                ),
            },
            ("Token URL", e.token_url(&tenant)),
        ];
        if self.access.iter().any(|a| a.uses_graph()) {
            out.push(("Scope (Graph)", e.graph_scope()));
            out.push(("Graph endpoint", e.graph_v1()));
        }
        if self.access.iter().any(|a| a.uses_exchange()) {
            out.push(("Scope (Exchange)", e.exchange_scope()));
        }
        if uses(AccessChoice::Imap) {
            out.push(("IMAP", format!("{} · TLS · SASL XOAUTH2", e.imap)));
        }
        if uses(AccessChoice::Pop) {
            out.push(("POP3", format!("{} · TLS · SASL XOAUTH2", e.pop)));
        }
        if uses(AccessChoice::Smtp) {
            out.push(("SMTP", format!("{} · STARTTLS · AUTH XOAUTH2", e.smtp)));
        }
        if uses(AccessChoice::Ews) {
            out.push(("EWS (legacy)", e.ews_url()));
        }
        if uses(AccessChoice::Delegated) {
            out.push((
                "Delegated",
                format!(
                    "a mailbox user signs in once; IMAP {} and SMTP {} with XOAUTH2, scopes {}/IMAP.AccessAsUser.All {}/SMTP.Send offline_access",
                    e.imap,
                    e.smtp,
                    e.exchange_resource.trim_end_matches('/'),
                    e.exchange_resource.trim_end_matches('/')
                ),
            ));
        }
        out.push(("Mailboxes", mailboxes.join(", ")));
        out
    }

    pub fn cloud(&self) -> Cloud {
        match (&self.cloud, &self.endpoints) {
            (CloudKind::Custom, Some(e)) => Cloud::custom(e.clone()),
            (k, _) => Cloud::named(*k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_levels() {
        let today = time::macros::date!(2026 - 11 - 26);
        let mut p: Profile = toml::from_str(
            "name = \"p\"\ncloud = \"global\"\ntenant = \"t\"\ntenant_id = \"3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"\nclient_id = \"a1f5c0de-0001-4000-8000-00000000c001\"\naccess = [\"graph-read\"]\nmailboxes = [\"a@b.example\"]\n",
        )
        .unwrap();
        assert_eq!(p.expiry(today), None);
        for (date, days, level) in [
            ("2027-05-26", 181, ExpiryLevel::Fine),
            ("2026-12-20", 24, ExpiryLevel::Soon),
            ("2026-11-30", 4, ExpiryLevel::Urgent),
            ("2026-11-20", -6, ExpiryLevel::Urgent),
        ] {
            p.secret_expires = Some(date.into());
            assert_eq!(p.expiry(today), Some((days, level)), "{date}");
        }
    }

    #[test]
    fn expiry_dates() {
        let today = time::macros::date!(2026 - 11 - 26);
        assert_eq!(parse_expiry("", today), Ok(None));
        assert_eq!(
            parse_expiry("2027-05-26", today).unwrap().as_deref(),
            Some("2027-05-26")
        );
        assert_eq!(
            parse_expiry(" 5/26/2027 ", today).unwrap().as_deref(),
            Some("2027-05-26")
        );
        assert!(
            parse_expiry("2026-11-26", today)
                .unwrap_err()
                .contains("future")
        );
        assert!(
            parse_expiry("26.05.2027", today)
                .unwrap_err()
                .contains("2027-05-26")
        );
    }

    #[test]
    fn profile_names() {
        assert!(ProfileName::parse("helpdesk-01.prod_x").is_ok());
        for bad in ["", ".hidden", "-x", "a/b", "a b", "ä", &"x".repeat(65)] {
            let e = ProfileName::parse(bad).unwrap_err();
            assert!(e.to_string().contains("1 to 64 letters"), "{bad}");
        }
    }
}
