//! The progress screen: the plan's steps being carried out.

use super::SetupRow;
use crate::model::{Diagnosis, Profile, StepStatus};
use crate::wizard::{Effect, Form, Key, Screen, State, checks, scroll};

pub(in crate::wizard) fn run(s: &mut State) -> Vec<Effect> {
    let Some(order) = s.setup.order.clone() else {
        return Vec::new();
    };
    s.error = None;
    s.setup.rows = s
        .setup
        .plan
        .iter()
        .map(|p| SetupRow {
            title: p.title.clone(),
            status: StepStatus::Running,
            pending: true,
        })
        .collect();
    s.setup.running = true;
    s.setup.progress_cursor = 0;
    s.screen = Screen::Progress;
    vec![Effect::RunSetup(Box::new(order))]
}

pub(in crate::wizard) fn step(s: &mut State, i: usize, status: StepStatus) -> Vec<Effect> {
    if let Some(row) = s.setup.rows.get_mut(i) {
        row.pending = false;
        row.status = status;
        // The list follows the step under way.
        if s.setup.progress_cursor != i {
            s.setup.progress_cursor = i;
            s.pane = 0;
        }
    }
    Vec::new()
}

/// The setup ended: its profile is saved and checked, unless an Exchange administrator has
/// a script to run first.
pub(in crate::wizard) fn done(
    s: &mut State,
    result: Result<Box<Profile>, Diagnosis>,
) -> Vec<Effect> {
    s.setup.running = false;
    let profile = match result {
        Ok(profile) => profile,
        Err(d) => {
            s.error = Some(format!(
                "{} {} Press r to resume: what exists is found and kept.",
                d.summary, d.fix
            ));
            return Vec::new();
        }
    };
    let script_only = s
        .setup
        .order
        .as_ref()
        .and_then(|o| o.answers.scope.as_ref())
        .is_some_and(|sc| sc.script_only);
    s.notice = Some(if script_only {
        format!(
            "Profile {} saved; the secret is in the keyring. The Exchange Online part is in the script named above: run it in PowerShell as an Exchange administrator (it is safe to run twice), then re-check the profile from the home screen.",
            profile.name
        )
    } else {
        format!(
            "App registered and consented; the secret is in the keyring. Profile {} saved.",
            profile.name
        )
    });
    s.checks.profile = Some(*profile);
    s.checks.secret = None;
    s.form = Form::fresh(s.sandbox.as_ref());
    let mut fx = vec![Effect::ClearDraft];
    // Nothing to check before an Exchange administrator has run the script.
    if !script_only {
        fx.extend(checks::start(s));
    }
    fx
}

pub(in crate::wizard) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let page = s.viewport.list_rows;
    if scroll::move_by(&mut s.setup.progress_cursor, s.setup.rows.len(), k, page) {
        return Vec::new();
    }
    match k {
        Key::Char('r') if !s.setup.running && s.error.is_some() => run(s),
        Key::Esc if !s.setup.running => {
            s.error = None;
            s.screen = Screen::Home;
            vec![Effect::LoadProfiles]
        }
        _ => Vec::new(),
    }
}
