//! The audit screen (`a` on the home screen): after an administrator's read-only sign-in, the
//! tenant's apps with mail access, riskiest first, and the selected one's findings and grants.

use super::{Effect, Input, Key, Screen, State, editing, scroll};
use crate::model::Diagnosis;
use crate::model::audit::{Audit, AuditFile};

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
    /// `w` or `j`: the file the report or the JSON is to be written to, being typed.
    pub export: Option<AuditExport>,
}

/// The audit's report or JSON on its way to a file: what, and the file name typed.
#[derive(Debug)]
pub struct AuditExport {
    pub what: AuditFile,
    pub path: Input,
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
    if s.audit.export.is_some() {
        return file_key(s, k);
    }
    let (len, page) = (s.audit.rows(), s.viewport.list_rows);
    if scroll::move_by(&mut s.audit.cursor, len, k, page) {
        return Vec::new();
    }
    match k {
        Key::Esc => s.screen = Screen::Home,
        Key::Char('w') => ask_file(s, AuditFile::Report),
        Key::Char('j') => ask_file(s, AuditFile::Json),
        _ => {}
    }
    Vec::new()
}

/// `w` or `j` once the audit is read: the file name, offered in the exports folder.
fn ask_file(s: &mut State, what: AuditFile) {
    let Some(a) = &s.audit.audit else { return };
    let name = what.default_name(&a.tenant, a.at);
    let path = if s.exports.is_empty() {
        name
    } else {
        format!("{}/{name}", s.exports.trim_end_matches('/'))
    };
    s.error = None;
    s.notice = Some(match what {
        AuditFile::Report => {
            "The customer's report: a name ending in .md is written as Markdown, .html as HTML."
                .into()
        }
        AuditFile::Json => "The audit as `audit --json` prints it.".into(),
    });
    s.audit.export = Some(AuditExport {
        what,
        path: Input::new(&path),
    });
}

/// A key while the file name is typed: enter writes it, esc leaves it unwritten.
fn file_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Enter => {
            let (Some(e), Some(a)) = (&s.audit.export, &s.audit.audit) else {
                return Vec::new();
            };
            if e.path.text().trim().is_empty() {
                s.error = Some("Type the name of the file to write.".into());
                return Vec::new();
            }
            s.error = None;
            s.notice = None;
            s.busy = Some(format!("Writing {}…", e.path.text().trim()));
            vec![Effect::WriteAudit(
                a.clone(),
                e.what,
                e.path.text().to_string(),
            )]
        }
        Key::Esc => {
            s.audit.export = None;
            s.error = None;
            s.notice = Some("Nothing written.".into());
            Vec::new()
        }
        k => {
            if editing::edit(s, k) {
                s.error = None;
            }
            Vec::new()
        }
    }
}

/// The file written: the line naming it; or why not, the name typed kept for another try.
pub(super) fn written(s: &mut State, result: Result<String, String>) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(line) => {
            s.audit.export = None;
            s.error = None;
            s.notice = Some(line);
        }
        Err(why) => s.error = Some(why),
    }
    Vec::new()
}
