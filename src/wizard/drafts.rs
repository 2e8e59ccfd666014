//! The draft: what the wizard keeps of unfinished work when it is left (ctrl-c, q, or a signal),
//! and resuming it into the same journey and step. Never the secret.

use super::setup::guide;
use super::{Effect, Form, Home, Input, Journey, Screen, State, Step, answers};
use crate::model::{CloudKind, Draft};
use crate::plan::StepKind;

/// The draft of the work under way, or none where there is nothing to keep (the home
/// screen, the checks, an upkeep sign-in, the re-entry of a missing secret).
pub(super) fn of(s: &State) -> Option<Draft> {
    if s.reentry.is_some() {
        return None;
    }
    let setup = s.setup.order.is_some();
    let at = match s.screen {
        Screen::Form(step) if s.form.touched() => step.key(),
        Screen::SignIn if s.sign_in.renewing.is_none() && setup => "sign-in",
        Screen::Plan if setup => "plan",
        Screen::Progress if setup => "progress",
        Screen::Guide if setup => "guide",
        _ => return None,
    };
    let mut d = s.form.draft();
    d.at = at.into();
    if s.screen == Screen::Guide {
        d.journey = "guided".into();
        d.guide_step = s.setup.guide;
    }
    Some(d)
}

/// Where a draft stands, in words for the home screen.
fn describe(d: &Draft) -> String {
    let journey = match d.journey.as_str() {
        "setup" => "new setup",
        "guided" => "setup by hand in the portal",
        _ => "check of an existing app",
    };
    let at = match d.at.as_str() {
        "sign-in" => "the administrator's sign-in",
        "plan" => "the plan",
        "progress" => "the run of the plan",
        "guide" => "a portal step",
        key => {
            let journey = if d.journey == "check" || d.journey.is_empty() {
                Journey::Check
            } else {
                Journey::Setup
            };
            Step::from_key(key, journey).unwrap_or(Step::Tenant).title()
        }
    };
    match d.name.trim() {
        "" => format!("Draft: {journey}, left at {at}"),
        name => format!("Draft: {journey} \"{name}\", left at {at}"),
    }
}

/// The draft found at start back where it was left, in the same journey. A setup left at the
/// sign-in, the plan or its run signs in again and shows the plan, which carries on from what
/// the setup's journal records.
pub(super) fn resume(s: &mut State) -> Vec<Effect> {
    let Some(d) = s.home.draft.take() else {
        return Vec::new();
    };
    let unfinished = s.home.unfinished.take();
    s.home.on_draft = false;
    s.form = Form::from_draft(&d);
    if let Some(sb) = &s.sandbox {
        s.form.cloud = CloudKind::Custom;
        if s.form.tenant.text().is_empty() {
            s.form.tenant = Input::new(&sb.tenant_domain);
        }
    }
    s.error = None;
    let journey = s.form.journey;
    match d.at.as_str() {
        "guide" if d.journey == "guided" => guided(s, d.guide_step),
        "sign-in" | "plan" | "progress" if journey == Journey::Setup => {
            s.notice = Some(match unfinished {
                Some(_) => "Setup resumed: sign in again; the plan then carries on where it stopped — what exists is found and kept, nothing is made twice.".into(),
                None => "Draft restored: sign in again, and the plan follows.".into(),
            });
            answers::setup_order(s)
        }
        at => {
            s.notice = Some(match journey {
                Journey::Check => {
                    "Draft restored. The secret is never kept in a draft: paste it again.".into()
                }
                Journey::Setup => "Draft restored: nothing was changed in the tenant yet.".into(),
            });
            s.screen = Screen::Form(Step::from_key(at, journey).unwrap_or(Step::Tenant));
            Vec::new()
        }
    }
}

/// The guided path back at the portal step it was left at; a step after the secret's goes
/// back to the secret's, since the secret was not kept.
fn guided(s: &mut State, at: usize) -> Vec<Effect> {
    if let Err(fx) = answers::build_order(s) {
        return fx;
    }
    guide::start(s);
    let steps = s.setup.guided_steps();
    let secret_step = steps
        .iter()
        .copied()
        .find(|i| s.setup.plan[*i].kind == StepKind::AddSecret);
    let mut at = steps
        .iter()
        .copied()
        .find(|i| *i == at)
        .unwrap_or(s.setup.guide);
    s.notice = Some("Draft restored at the portal step you left.".into());
    if let Some(secret_step) = secret_step
        && at > secret_step
    {
        at = secret_step;
        s.notice = Some(
            "Draft restored. The secret is never kept in a draft: paste it again here; the steps after it follow."
                .into(),
        );
    }
    s.setup.guide = at;
    Vec::new()
}

impl Home {
    /// The home screen's line about the draft: an unfinished setup, or where it was left.
    pub fn draft_line(&self) -> Option<String> {
        let d = self.draft.as_ref()?;
        Some(match &self.unfinished {
            Some(made) => format!(
                "Setup of \"{}\" unfinished — enter resumes · made so far: {made}",
                d.name.trim()
            ),
            None => format!("{} — enter resumes", describe(d)),
        })
    }
}
