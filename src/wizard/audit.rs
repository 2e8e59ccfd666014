//! The audit screen (`a` on the home screen): after an administrator's read-only sign-in, the
//! tenant's apps with mail access, riskiest first, and the selected one's findings and grants.

use std::collections::BTreeSet;

use super::batch::Queued;
use super::{Effect, Input, Key, Screen, State, editing, scroll};
use crate::model::audit::{Audit, AuditFile, AuditRow, Reach};
use crate::model::{ClientId, Diagnosis, Profile, TenantId};

/// What the audit screen owns.
#[derive(Debug, Default)]
pub struct AuditView {
    /// The tenant read, as its profile names it.
    pub tenant: String,
    pub tenant_id: Option<TenantId>,
    /// The rows marked (space) to be migrated to RBAC for Applications.
    pub marked: BTreeSet<usize>,
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
    /// The profile the audit was read for: the tenant and cloud of an app with no profile.
    pub base: Option<Profile>,
    /// A marked app with no profile, on its turn: its secret and mailboxes being typed.
    pub unsaved: Option<super::unsaved::UnsavedForm>,
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
pub(super) fn started(s: &mut State, base: &Profile, who: &str) {
    s.audit = AuditView {
        tenant: base.tenant.clone(),
        tenant_id: Some(base.tenant_id),
        base: Some(base.clone()),
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
    if s.audit.unsaved.is_some() {
        return super::unsaved::key(s, k);
    }
    let (len, page) = (s.audit.rows(), s.viewport.list_rows);
    if scroll::move_by(&mut s.audit.cursor, len, k, page) {
        return Vec::new();
    }
    match k {
        Key::Esc => s.screen = Screen::Home,
        Key::Char('w') => ask_file(s, AuditFile::Report),
        Key::Char('j') => ask_file(s, AuditFile::Json),
        Key::Char(' ') => mark(s),
        Key::Char('M') => return migrate_marked(s),
        _ => {}
    }
    Vec::new()
}

/// Why an app of the audit cannot be migrated to RBAC for Applications, if it cannot.
fn unmovable(r: &AuditRow) -> Option<&'static str> {
    let f = &r.facts;
    Some(match r.reach {
        Reach::ScopedByRbac => "is scoped by RBAC for Applications already: nothing to migrate",
        Reach::PerMailbox => {
            "holds per-mailbox permissions only: nothing tenant-wide to move (RBAC for Applications has no IMAP or POP role)"
        }
        Reach::NoMailbox => "reaches no mailbox: nothing to migrate",
        Reach::EveryMailbox | Reach::ScopedByPolicy
            if f.graph_roles.is_empty()
                && !f.exchange_roles.iter().any(|x| x == "full_access_as_app") =>
        {
            "holds only IMAP, POP or SMTP roles, which RBAC for Applications does not scope"
        }
        _ => return None,
    })
}

/// The wizard's profile of the row's app, in the audited tenant.
fn profile_of(s: &State, r: &AuditRow) -> Option<Profile> {
    s.home
        .profiles
        .iter()
        .map(|row| &row.profile)
        .find(|p| {
            p.client_id
                .to_string()
                .eq_ignore_ascii_case(&r.facts.app_id)
                && Some(p.tenant_id) == s.audit.tenant_id
        })
        .cloned()
}

/// Space: the selected app marked for migration (or unmarked); one that cannot be migrated is
/// refused with the reason.
fn mark(s: &mut State) {
    let Some(r) = s
        .audit
        .audit
        .as_ref()
        .and_then(|a| a.rows.get(s.audit.cursor))
    else {
        return;
    };
    let name = crate::model::printable(&r.facts.name);
    if let Some(why) = unmovable(r) {
        s.error = Some(format!("{name} {why}."));
        return;
    }
    let profile_less = profile_of(s, r).is_none();
    if profile_less && ClientId::parse(&r.facts.app_id).is_err() {
        s.error = Some(format!(
            "{name} has no profile here and its app ID ({}) is no GUID: it cannot be migrated from here.",
            crate::model::printable(&r.facts.app_id)
        ));
        return;
    }
    let at = s.audit.cursor;
    let added = s.audit.marked.insert(at);
    if !added {
        s.audit.marked.remove(&at);
    }
    s.error = None;
    let asked = if added && profile_less {
        format!(
            " {name} has no profile here: its client secret and mailboxes are asked on its turn."
        )
    } else {
        String::new()
    };
    s.notice = Some(match s.audit.marked.len() {
        0 => "No app marked.".to_string(),
        n => format!(
            "{n} marked: M migrates them to RBAC for Applications, one after the other.{asked}"
        ),
    });
}

/// `M`: the marked apps' migrations, in the audit's order, from the dashboard.
fn migrate_marked(s: &mut State) -> Vec<Effect> {
    let rows = s
        .audit
        .audit
        .as_ref()
        .map(|a| a.rows.clone())
        .unwrap_or_default();
    let profiles: Vec<Queued> = std::mem::take(&mut s.audit.marked)
        .into_iter()
        .filter_map(|i| rows.get(i))
        .filter_map(|r| queued(s, r))
        .collect();
    if profiles.is_empty() {
        s.error = Some(
            "Mark the apps to migrate with space first: those scoped by a policy or reaching every mailbox.".into(),
        );
        return Vec::new();
    }
    s.screen = Screen::Home;
    super::batch::start(s, profiles)
}

/// A marked row's app: its profile here, or its client ID (its secret asked on its turn).
fn queued(s: &State, r: &AuditRow) -> Option<Queued> {
    if let Some(p) = profile_of(s, r) {
        return Some(Queued::Profile(Box::new(p)));
    }
    Some(Queued::NoProfile {
        app: crate::model::printable(&r.facts.name),
        client_id: ClientId::parse(&r.facts.app_id).ok()?,
    })
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
