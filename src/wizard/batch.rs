//! The audit's marked apps migrated one after the other (`M` on the audit screen): each goes
//! through the dashboard's migration — its plan shown, `y` carries it out, any other key skips
//! it, esc skips the rest — and a summary names what became of each.

use super::upkeep::upkeep_sign_in;
use super::{Effect, State, Upkeep};
use crate::model::{ClientId, Diagnosis, Profile, ProfileName};

/// An app to migrate: a profile's, or one with no profile here (its secret asked on its turn).
#[derive(Debug, Clone)]
pub enum Queued {
    Profile(Box<Profile>),
    NoProfile { app: String, client_id: ClientId },
}

impl Queued {
    fn name(&self) -> String {
        match self {
            Queued::Profile(p) => p.name.to_string(),
            Queued::NoProfile { app, .. } => app.clone(),
        }
    }
}

/// The migrations still to come, and what became of those done.
#[derive(Debug, Default)]
pub struct Batch {
    pub queue: Vec<Queued>,
    pub results: Vec<String>,
    pub total: usize,
    /// The app with no profile whose secret is held for the migration under way.
    pub held: Option<ProfileName>,
}

/// Starts the migrations of `profiles`, in this order.
pub(super) fn start(s: &mut State, profiles: Vec<Queued>) -> Vec<Effect> {
    s.home.batch = Some(Batch {
        total: profiles.len(),
        queue: profiles,
        results: Vec::new(),
        held: None,
    });
    next(s)
}

/// Whether a migration of the batch is the upkeep under way.
pub(super) fn active(s: &State) -> bool {
    s.home.batch.is_some() && matches!(s.sign_in.upkeep, Upkeep::Migrate { .. })
}

/// What became of the batch's current migration.
pub(super) fn record(s: &mut State, name: &str, how: String) {
    if let Some(b) = s.home.batch.as_mut() {
        b.results.push(format!("{name}: {how}"));
    }
}

/// A migration's outcome in a few words.
pub(super) fn outcome(result: &Result<String, Diagnosis>) -> String {
    match result {
        Ok(note) if note.starts_with("Waiting") => {
            "waiting for Exchange (m on the dashboard goes on)".into()
        }
        Ok(_) => "migrated".into(),
        Err(d) => format!("stopped: {}", d.summary),
    }
}

/// Esc on a plan: the rest of the batch is skipped too.
pub(super) fn skip_rest(s: &mut State) {
    if let Some(b) = s.home.batch.as_mut() {
        for p in b.queue.drain(..) {
            b.results.push(format!("{}: skipped", p.name()));
        }
    }
}

/// The batch given up (esc on its sign-in, or the wizard left): the secret held for the app
/// under way is dropped with it.
pub(super) fn abandon(s: &mut State) -> Vec<Effect> {
    let held = s.home.batch.take().and_then(|b| b.held);
    held.map(Effect::DropHeldSecret).into_iter().collect()
}

/// The next migration's plan, or — the queue done — the summary; a secret held for the app
/// before is dropped first, whatever became of its migration.
pub(super) fn next(s: &mut State) -> Vec<Effect> {
    let Some(b) = s.home.batch.as_mut() else {
        return Vec::new();
    };
    let mut fx: Vec<Effect> = b
        .held
        .take()
        .map(Effect::DropHeldSecret)
        .into_iter()
        .collect();
    if b.queue.is_empty() {
        let b = s.home.batch.take().unwrap_or_default();
        s.notice = Some(format!(
            "Migrations from the audit: {}.",
            b.results.join("; ")
        ));
        return fx;
    }
    fx.extend(match b.queue.remove(0) {
        Queued::Profile(p) => upkeep_sign_in(s, *p, Upkeep::Migrate { go: false }),
        Queued::NoProfile { app, client_id } => super::unsaved::ask(s, app, client_id),
    });
    fx
}

/// The line above a batch's plan: which of how many.
pub(super) fn place(s: &State) -> Option<String> {
    let b = s.home.batch.as_ref()?;
    Some(format!(
        "Migration {} of {} from the audit:",
        b.total - b.queue.len(),
        b.total
    ))
}
