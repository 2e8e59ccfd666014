//! The audit screen (`a` on the home screen): after an administrator's read-only sign-in, the
//! tenant's apps with mail access, riskiest first, and the selected one's findings and grants.

use super::{Effect, Key, Screen, State, scroll};
use crate::model::Diagnosis;
use crate::model::audit::Audit;

/// What the audit screen owns.
#[derive(Debug, Default)]
pub struct AuditView {
    /// The tenant read, as its profile names it.
    pub tenant: String,
    /// While the tenant is read: how far it has got.
    pub progress: Option<String>,
    /// The audit, once read.
    pub audit: Option<Box<Audit>>,
    /// Why it did not come to an end.
    pub failed: Option<Diagnosis>,
    /// The selected row of the audit.
    pub cursor: usize,
}

impl AuditView {
    pub fn running(&self) -> bool {
        self.progress.is_some()
    }

    fn rows(&self) -> usize {
        self.audit.as_ref().map_or(0, |a| a.rows.len())
    }
}

/// Signed in for the audit of `tenant`: the screen shows its progress until it is read.
pub(super) fn started(s: &mut State, tenant: String, who: &str) {
    s.audit = AuditView {
        tenant,
        progress: Some(format!("Signed in as {who}; reading the tenant…")),
        ..AuditView::default()
    };
    s.pane = 0;
    s.screen = Screen::Audit;
}

/// Where the reading has got to.
pub(super) fn progress(s: &mut State, text: String) -> Vec<Effect> {
    if s.audit.running() {
        s.audit.progress = Some(text);
    }
    Vec::new()
}

/// The audit read, or why not.
pub(super) fn done(s: &mut State, result: Result<Box<Audit>, Diagnosis>) -> Vec<Effect> {
    s.audit.progress = None;
    // Another upkeep begun since (esc went home) keeps its sign-in.
    if s.sign_in.upkeep == super::Upkeep::Audit {
        s.sign_in.renewing = None;
        s.sign_in.upkeep = super::Upkeep::default();
    }
    s.audit.cursor = 0;
    s.pane = 0;
    match result {
        Ok(a) => s.audit.audit = Some(a),
        Err(d) => s.audit.failed = Some(d),
    }
    Vec::new()
}

pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let (len, page) = (s.audit.rows(), s.viewport.list_rows);
    if scroll::move_by(&mut s.audit.cursor, len, k, page) {
        return Vec::new();
    }
    if k == Key::Esc {
        s.screen = Screen::Home;
    }
    Vec::new()
}
