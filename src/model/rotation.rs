//! A renewal in two phases: the new credential is added, stored and proven while the old one
//! stays valid; the old one goes only when the administrator finishes the renewal. What the
//! profile keeps between the two, and the rule on the old credential's last use.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How recently an old credential may have signed in and still be removed without `--force`.
pub const RECENT_USE: Duration = Duration::hours(24);

/// A client secret or a certificate on the app registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    Secret,
    Certificate,
}

impl CredentialKind {
    pub fn noun(self) -> &'static str {
        match self {
            CredentialKind::Secret => "secret",
            CredentialKind::Certificate => "certificate",
        }
    }
}

/// One credential on the app, named by its key ID (`keyId` in Graph, and
/// `servicePrincipalCredentialKeyId` in the sign-in logs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRef {
    pub key_id: String,
    pub kind: CredentialKind,
}

impl KeyRef {
    /// "the old secret (key ID …)".
    pub fn named(&self, which: &str) -> String {
        format!("the {which} {} (key ID {})", self.kind.noun(), self.key_id)
    }
}

/// A renewal under way, or the last one finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// The credential the keyring now holds.
    pub new: KeyRef,
    /// The credentials it replaces, still on the app until the renewal is finished.
    pub old: Vec<KeyRef>,
    /// When the new one was added (RFC 3339, UTC).
    pub started: String,
    /// When the old ones were removed (RFC 3339, UTC); none while they await removal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
}

impl Rotation {
    pub fn awaits_removal(&self) -> bool {
        self.finished.is_none() && !self.old.is_empty()
    }
}

/// When an old credential last signed in, as far as the sign-in logs tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LastUse {
    /// The logs were read and hold a sign-in with it at this time.
    At(OffsetDateTime),
    /// The logs were read and hold none with it (within their retention).
    NotSeen,
    /// The logs could not be read: why.
    Unknown(String),
}

impl LastUse {
    /// Whether it signed in within [`RECENT_USE`] before `now`.
    pub fn recent(&self, now: OffsetDateTime) -> bool {
        matches!(self, LastUse::At(t) if now - *t < RECENT_USE)
    }

    /// How the last use reads, relative to `now`.
    pub fn describe(&self, now: OffsetDateTime) -> String {
        match self {
            LastUse::At(t) => format!("last signed in {} ago", ago(now - *t)),
            LastUse::NotSeen => "no sign-in with it in the tenant's sign-in logs".into(),
            LastUse::Unknown(why) => format!("when it was last used is unknown ({why})"),
        }
    }
}

/// "3 min", "5 h", "2 days".
pub fn ago(d: Duration) -> String {
    let m = d.whole_minutes().max(0);
    match m {
        0..=1 => "under a minute".into(),
        2..=119 => format!("{m} min"),
        120..=2879 => format!("{} h", m / 60),
        _ => format!("{} days", m / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_within_a_day_is_recent_and_reads_relative() {
        let now = OffsetDateTime::now_utc();
        let used = LastUse::At(now - Duration::hours(3));
        assert!(used.recent(now));
        assert_eq!(used.describe(now), "last signed in 3 h ago");
        assert!(!LastUse::At(now - Duration::hours(25)).recent(now));
        assert!(!LastUse::NotSeen.recent(now));
        assert!(!LastUse::Unknown("403".into()).recent(now));
    }

    #[test]
    fn only_an_unfinished_rotation_with_old_keys_awaits_removal() {
        let key = |id: &str| KeyRef {
            key_id: id.into(),
            kind: CredentialKind::Secret,
        };
        let mut r = Rotation {
            new: key("n"),
            old: vec![key("o")],
            started: "2026-12-01T00:00:00Z".into(),
            finished: None,
        };
        assert!(r.awaits_removal());
        r.finished = Some("2026-12-02T00:00:00Z".into());
        assert!(!r.awaits_removal());
    }
}
