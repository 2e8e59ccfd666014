//! Setup journals: what a setup has made so far, one JSON file per profile.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{StoreError, io, save_private};
use crate::model::ProfileName;

/// What a setup has made so far, recorded the moment each object exists, so that a setup
/// killed at any point resumes without duplicates. Ids only, never a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub profile: String,
    pub tenant_id: String,
    pub app_name: String,
    pub app_object_id: Option<String>,
    pub app_id: Option<String>,
    pub sp_id: Option<String>,
    /// The secret this setup added; `secret_stored` once its value is in the keyring.
    pub secret_key_id: Option<String>,
    #[serde(default)]
    pub secret_stored: bool,
    /// The app was created by this setup (not adopted with --reuse-app).
    #[serde(default)]
    pub app_created: bool,
    /// `resource:permission` consents granted.
    #[serde(default)]
    pub consented: Vec<String>,
    /// Exchange Online steps done, by key (`scope::ExStep::key`).
    #[serde(default)]
    pub exchange_done: Vec<String>,
    #[serde(default)]
    pub group_dn: Option<String>,
    /// The management scope (custom app scope) id.
    #[serde(default)]
    pub scope_id: Option<String>,
    /// The out-of-scope mailbox the setup picked, when none was named.
    #[serde(default)]
    pub deny_mailbox: Option<String>,
    #[serde(default)]
    pub finished: bool,
    /// When each change that takes a while to apply was made (RFC 3339, UTC), by key:
    /// `consent:<resource>:<permission>` and `exchange:<step key>`. Checks that fail soon after
    /// are pending, not failed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub made_at: BTreeMap<String, String>,
    /// The tenant forbids client secrets and the administrator agreed to a certificate: the
    /// setup makes no secret from here on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub certificate: bool,
    /// The certificate this setup registered on the app (public values only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<JournalCertificate>,
    /// What the setup read of EWS's switches (EWS chosen only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ews: Option<crate::model::EwsReading>,
}

/// A certificate a setup registered: its thumbprints and end date; `stored` once its private
/// key is in the keyring.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalCertificate {
    /// `x5t#S256`: base64url SHA-256 of the certificate.
    pub sha256: String,
    /// Upper-case hex SHA-1: Graph's `customKeyIdentifier`.
    pub sha1: String,
    /// YYYY-MM-DD.
    pub end: String,
    #[serde(default)]
    pub stored: bool,
}

/// Setup journals: `<data>/setup/NAME.json` (sandbox: `<data>/sandbox-setup/`).
pub struct JournalStore {
    pub(super) dir: PathBuf,
}

impl JournalStore {
    pub fn path(&self, name: &ProfileName) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub fn load(&self, name: &ProfileName) -> Result<Option<Journal>, StoreError> {
        load_json(&self.path(name))
    }

    pub fn save(&self, j: &Journal) -> Result<(), StoreError> {
        let name = ProfileName::parse(&j.profile).map_err(|e| StoreError::Corrupt {
            path: self.dir.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        let text = serde_json::to_vec_pretty(j).expect("a journal serialises");
        save_private(&self.path(&name), &text)
    }

    /// Removes the journal of `name`; whether there was one.
    pub fn remove(&self, name: &ProfileName) -> Result<bool, StoreError> {
        remove_if_there(&self.path(name))
    }
}

/// A JSON file of the data directory, or none when there is none.
pub(super) fn load_json<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
) -> Result<Option<T>, StoreError> {
    match super::read_small(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                path: path.display().to_string(),
                line: e.line(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Removes a file; whether there was one.
pub(super) fn remove_if_there(path: &std::path::Path) -> Result<bool, StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::Journal;

    #[test]
    fn a_journal_written_before_change_times_were_kept_still_loads() {
        let old = r#"{"profile":"p","tenant_id":"t","app_name":"a","app_object_id":null,
            "app_id":null,"sp_id":"s","secret_key_id":null,"exchange_done":["group"]}"#;
        let j: Journal = serde_json::from_str(old).unwrap();
        assert!(j.made_at.is_empty());
        assert_eq!(j.exchange_done, ["group"]);
        let mut j = j;
        j.made_at
            .insert("exchange:group".into(), "2026-12-02T03:00:00Z".into());
        let text = serde_json::to_string(&j).unwrap();
        let back: Journal = serde_json::from_str(&text).unwrap();
        assert_eq!(back, j);
    }
}
