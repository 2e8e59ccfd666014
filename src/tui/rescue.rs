//! What a panic must not lose: the draft of the journey under way, kept as the wizard goes and
//! written by the panic hook once the terminal is given back.

use std::sync::Mutex;

use crate::model::Draft;
use crate::store::ProfileStore;

static KEPT: Mutex<Option<(ProfileStore, Draft)>> = Mutex::new(None);

/// The draft the wizard's state stands for now (none: nothing worth keeping).
pub fn keep(store: ProfileStore, draft: Option<Draft>) {
    if let Ok(mut kept) = KEPT.lock() {
        *kept = draft.map(|d| (store, d));
    }
}

/// Writes the kept draft; called from the panic hook, so it never waits for the lock.
pub fn save() {
    if let Ok(kept) = KEPT.try_lock()
        && let Some((store, draft)) = kept.as_ref()
    {
        let _ = store.save_draft(draft);
    }
}
