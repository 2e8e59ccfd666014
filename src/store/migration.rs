//! Migration journals: a migration's plan as first made, the steps done and which of them made
//! something, one JSON file per profile, so that a migration stopped anywhere resumes or is
//! undone from what it did.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{StoreError, save_private};
use crate::model::{ProfileName, ScopeRecord};
use crate::plan::migration::Plan;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationJournal {
    pub profile: String,
    pub tenant_id: String,
    pub plan: Plan,
    /// Steps carried out, by key (`Step::key`), in order.
    #[serde(default)]
    pub done: Vec<String>,
    /// Steps that made their object (rather than finding it): only these are removed by undo.
    #[serde(default)]
    pub made: Vec<String>,
    /// When each change was made (RFC 3339, UTC), by step key.
    #[serde(default)]
    pub made_at: BTreeMap<String, String>,
    /// The profile's scope and out-of-scope mailbox before the migration, put back by undo.
    #[serde(default)]
    pub scope_before: Option<ScopeRecord>,
    #[serde(default)]
    pub deny_before: Option<String>,
    #[serde(default)]
    pub finished: bool,
    /// The app was named by its client ID: no profile to save or put back.
    #[serde(default)]
    pub profile_less: bool,
}

/// `<data>/migrate/NAME.json` (sandbox: `<data>/sandbox-migrate/`).
pub struct MigrationStore {
    pub(super) dir: PathBuf,
}

impl MigrationStore {
    pub fn path(&self, name: &ProfileName) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub fn load(&self, name: &ProfileName) -> Result<Option<MigrationJournal>, StoreError> {
        super::journal::load_json(&self.path(name))
    }

    pub fn save(&self, name: &ProfileName, j: &MigrationJournal) -> Result<(), StoreError> {
        let text = serde_json::to_vec_pretty(j).expect("a journal serialises");
        save_private(&self.path(name), &text)
    }

    pub fn remove(&self, name: &ProfileName) -> Result<(), StoreError> {
        super::journal::remove_if_there(&self.path(name)).map(|_| ())
    }
}
