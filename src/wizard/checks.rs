//! The live checks screen and the summary after it; a scoped profile's failing checks run
//! again while Exchange Online may still be applying the changes.

use super::as_user::{self, AsUserForm, UserRun};
use super::{Effect, Key, Screen, SecretBox, State, scroll};
use crate::model::{CheckEvent, CheckRow, Profile, Secret, Status, check_plan};

/// What the checks screen owns.
#[derive(Default)]
pub struct Checks {
    /// The profile being checked (just saved, or picked on the home screen).
    pub profile: Option<Profile>,
    /// Secret of the profile just saved, kept for re-runs in this session only.
    pub secret: Option<Secret>,
    pub rows: Vec<CheckRow>,
    pub running: bool,
    pub cursor: usize,
    /// A scoped profile's checks failed: they run again when the countdown ends, as Exchange
    /// Online may not have applied the changes yet.
    pub waiting: Option<Waiting>,
    /// Which run of the checks is current: results of an earlier run are dropped.
    pub run: u64,
    /// The steps of the guided setup just saved that nothing could read back (their titles):
    /// these checks are their only proof.
    pub unverified: Vec<String>,
    /// `u`: the form of the check as a mailbox user.
    pub as_user: AsUserForm,
    /// The current run signs a mailbox user in for the delegated rows.
    pub user_run: Option<UserRun>,
}

/// Ticks a second (the event loop ticks every 100 ms).
pub const TICKS_PER_SECOND: u32 = 10;
/// How long the wizard keeps retrying a scoped setup's failing checks.
pub const WAIT_AT_MOST_SECS: u32 = 2 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub ticks_left: u32,
    /// The pause before this retry, in seconds (doubles each time, up to five minutes).
    pub pause_secs: u32,
    /// Seconds waited so far.
    pub waited_secs: u32,
}

impl Waiting {
    pub fn seconds_left(&self) -> u32 {
        self.ticks_left.div_ceil(TICKS_PER_SECOND)
    }
}

/// A tick: the spinners turn, and a wait for the next retry counts down.
pub(super) fn tick(s: &mut State) -> Vec<Effect> {
    s.frame = s.frame.wrapping_add(1);
    match s.checks.waiting.as_mut() {
        // The retry is under way; its end decides whether to wait again.
        Some(_) if s.checks.running => Vec::new(),
        Some(w) if w.ticks_left > 1 => {
            w.ticks_left -= 1;
            Vec::new()
        }
        Some(_) => start(s),
        None => Vec::new(),
    }
}

pub(super) fn start(s: &mut State) -> Vec<Effect> {
    let Some(p) = s.checks.profile.clone() else {
        return Vec::new();
    };
    // While a missing secret is being pasted again, nothing else may take the screen.
    if s.reentry.is_some() {
        return Vec::new();
    }
    let rows = check_plan(&p);
    run(s, p, rows, None)
}

/// Starts a run of `specs` for `p`, with `as_user` signing in for the delegated rows.
pub(super) fn run(
    s: &mut State,
    p: Profile,
    specs: Vec<crate::model::CheckSpec>,
    as_user: Option<as_user::UserCheck>,
) -> Vec<Effect> {
    s.checks.rows = specs.into_iter().map(CheckRow::new).collect();
    s.checks.user_run = as_user.as_ref().map(|c| UserRun {
        user: c.user.clone(),
        password_flow: c.password.is_some(),
        code: None,
    });
    s.checks.cursor = 0;
    s.pane = 0;
    s.checks.running = true;
    s.error = None;
    s.screen = Screen::Checks;
    s.checks.run += 1;
    vec![Effect::RunChecks {
        run: s.checks.run,
        profile: Box::new(p),
        secret: s.checks.secret.clone().map(SecretBox),
        as_user: as_user.map(Box::new),
    }]
}

/// After a scoped profile's checks: failures may be changes Exchange Online has not applied
/// yet, so the checks run again after a pause that doubles each time, for up to two hours.
fn next_wait(s: &State) -> Option<Waiting> {
    let p = s.checks.profile.as_ref()?;
    p.scope.as_ref()?;
    // A user's sign-in is not repeated unasked (its password is gone).
    if s.checks.user_run.is_some() {
        return None;
    }
    let waiting =
        |r: &&crate::model::CheckRow| matches!(r.status, Status::Failed | Status::Pending);
    if s.screen != Screen::Checks || !s.checks.rows.iter().any(|r| waiting(&r)) {
        return None;
    }
    // A refused sign-in (a wrong or expired secret) is nothing Exchange Online will apply.
    if s.checks.rows.iter().any(|r| r.sign_in_refused()) {
        return None;
    }
    let (pause, waited) = match s.checks.waiting {
        Some(w) => ((w.pause_secs * 2).min(300), w.waited_secs + w.pause_secs),
        None => (10, 0),
    };
    (waited < WAIT_AT_MOST_SECS).then_some(Waiting {
        ticks_left: pause * TICKS_PER_SECOND,
        pause_secs: pause,
        waited_secs: waited,
    })
}

pub(super) fn event(s: &mut State, i: usize, ev: CheckEvent) -> Vec<Effect> {
    // A cancelled run's last events may still be on their way.
    if !s.checks.running {
        return Vec::new();
    }
    as_user::event(s, i, &ev);
    if let Some(row) = s.checks.rows.get_mut(i) {
        row.apply(ev);
    }
    Vec::new()
}

pub(super) fn done(s: &mut State) -> Vec<Effect> {
    s.checks.running = false;
    if let Some(run) = s.checks.user_run.as_mut() {
        run.code = None;
    }
    s.checks.waiting = next_wait(s);
    vec![Effect::LoadProfiles]
}

pub(super) fn failed_to_start(s: &mut State, m: String) -> Vec<Effect> {
    // No retry after a start that failed: it would fail again at once.
    s.checks.waiting = None;
    s.checks.running = false;
    s.error = Some(match &s.checks.profile {
        Some(p) if s.screen != Screen::Checks => format!("{}: {m}", p.name),
        _ => m,
    });
    Vec::new()
}

pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let page = s.viewport.list_rows;
    if scroll::move_by(&mut s.checks.cursor, s.checks.rows.len(), k, page) {
        return Vec::new();
    }
    match k {
        Key::Char('r') if !s.checks.running => {
            s.checks.waiting = None;
            return start(s);
        }
        Key::Enter if !s.checks.running => {
            s.checks.waiting = None;
            s.screen = Screen::Summary;
        }
        Key::Char('u') if !s.checks.running => {
            if let Some(p) = s.checks.profile.clone().filter(as_user::can_check_as_user) {
                s.checks.waiting = None;
                return as_user::open(s, p, false);
            }
        }
        Key::Char('a') if s.sandbox.is_some() => {
            if let Some(run) = &s.checks.user_run
                && let Some(code) = &run.code
            {
                return vec![Effect::SandboxApproveAs {
                    code: code.user_code.clone(),
                    user: run.user.to_string(),
                }];
            }
        }
        Key::Esc if s.checks.running && s.checks.user_run.is_some() => {
            return as_user::cancel(s);
        }
        Key::Esc => {
            s.checks.waiting = None;
            s.screen = Screen::Home;
            return vec![Effect::LoadProfiles];
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn summary_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Esc => s.screen = Screen::Checks,
        Key::Enter => {
            s.screen = Screen::Home;
            return vec![Effect::LoadProfiles];
        }
        _ => {}
    }
    Vec::new()
}
