//! The progress screen: the plan's steps being carried out.

use super::SetupRow;
use crate::model::{Diagnosis, Profile, StepStatus};
use crate::wizard::{Effect, Form, Input, Key, Screen, State, Step, checks, drafts, scroll};

/// Runs the setup; its draft is written first, so that even a killed process leaves the
/// answers beside the journal of what the run made.
pub(in crate::wizard) fn run(s: &mut State) -> Vec<Effect> {
    let Some(order) = s.setup.order.clone() else {
        return Vec::new();
    };
    s.error = None;
    s.notice = None;
    s.setup.name_taken = None;
    s.setup.secrets_forbidden = None;
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
    let mut fx: Vec<Effect> = drafts::of(s)
        .map(|d| Effect::SaveDraft(Box::new(d)))
        .into_iter()
        .collect();
    fx.push(Effect::RunSetup(Box::new(order)));
    fx
}

/// The run stopped at an existing app of the same display name: the administrator chooses.
pub(in crate::wizard) fn name_taken(s: &mut State, client_id: String) -> Vec<Effect> {
    s.setup.running = false;
    let name = app_name(s);
    s.error = Some(format!(
        "An app named \"{name}\" already exists in the tenant (client ID {client_id}). u uses that app: its permissions, secret and scope are checked and completed. e gives the new app another name."
    ));
    s.setup.name_taken = Some(client_id);
    Vec::new()
}

/// The run stopped because the tenant forbids client secrets: the administrator may agree to
/// a certificate (`c`).
pub(in crate::wizard) fn secrets_forbidden(
    s: &mut State,
    policy: String,
    d: Diagnosis,
) -> Vec<Effect> {
    s.setup.running = false;
    s.error = Some(format!(
        "{} {policy} c gives the app a certificate instead: a key pair made here, the certificate registered on the app, its private key in the keyring; no secret is made. esc leaves it: the app and what was made are kept.",
        d.summary
    ));
    s.setup.secrets_forbidden = Some(policy);
    Vec::new()
}

/// `c` after secrets were refused: the same setup again, with a certificate.
fn certificate(s: &mut State) -> Vec<Effect> {
    if let Some(o) = s.setup.order.as_mut() {
        o.certificate_if_secrets_forbidden = true;
    }
    run(s)
}

/// The display name the setup asked for.
fn app_name(s: &State) -> String {
    s.setup
        .order
        .as_ref()
        .map(|o| o.answers.app_name.clone())
        .unwrap_or_default()
}

/// `u` after a name clash: the existing app is used, and the run goes on.
fn reuse(s: &mut State) -> Vec<Effect> {
    s.form.reuse_app = true;
    if let Some(o) = s.setup.order.as_mut() {
        o.reuse_app = true;
    }
    run(s)
}

/// `e` after a name clash: the app step, with the name to change; enter there runs again.
fn rename(s: &mut State) -> Vec<Effect> {
    let name = app_name(s);
    s.setup.name_taken = None;
    s.setup.renaming = true;
    s.form.reuse_app = false;
    s.form.app_name = Input::new(&name);
    s.form.app_field = 0;
    s.error = None;
    s.notice =
        Some("Type another name for the new app; enter runs the setup again with it.".into());
    s.screen = Screen::Form(Step::AppDetails);
    Vec::new()
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
        .is_some_and(|o| o.answers.exchange_script());
    s.notice = Some(if script_only {
        format!(
            "Profile {} saved; {} in the keyring. The Exchange Online part is in the script named above: run it in PowerShell as an Exchange administrator (it is safe to run twice), then re-check the profile from the home screen.",
            profile.name,
            kept(&profile)
        )
    } else {
        format!(
            "App registered and consented; {} in the keyring. Profile {} saved.",
            kept(&profile),
            profile.name
        )
    });
    s.checks.profile = Some(*profile);
    s.checks.secret = None;
    s.setup.order = None;
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
    if s.setup.running {
        return Vec::new();
    }
    match k {
        Key::Char('u') if s.setup.name_taken.is_some() => reuse(s),
        Key::Char('e') if s.setup.name_taken.is_some() => rename(s),
        Key::Char('c') if s.setup.secrets_forbidden.is_some() => certificate(s),
        Key::Char('r') if s.setup.name_taken.is_none() && s.error.is_some() => run(s),
        Key::Esc => {
            s.error = None;
            s.screen = Screen::Home;
            vec![Effect::LoadProfiles]
        }
        _ => Vec::new(),
    }
}

/// What the keyring holds for the profile, in words.
fn kept(p: &Profile) -> &'static str {
    match p.credential {
        crate::model::Credential::Certificate { .. } => "the certificate's private key is",
        crate::model::Credential::Secret => "the secret is",
    }
}
