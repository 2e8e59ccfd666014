//! The guided path: each plan step an administrator does in the portal. What the step asks to
//! paste back is checked, then the step is read back — the secret by the app's sign-in, the
//! consents and the Exchange Online steps by reading them — before it counts as done; a step
//! nothing can read is marked not verified, never ✔.

use super::{GuideVerdict, GuidedCheck};
use crate::model::{AdminPurpose, ClientId, Secret, StepStatus, TenantId, parse_expiry};
use crate::plan::{self, StepKind};
use crate::wizard::{Effect, Key, Screen, SecretBox, State, Step, answers, editing};

/// Why a step is not verified when no administrator is signed in.
pub const NO_ADMIN: &str = "no administrator is signed in, so nothing could read it; the live checks at the end tell whether it works";
/// The app's registration without an administrator: its secret's sign-in proves it next.
const PROVED_BY_THE_SECRET: &str = "no administrator is signed in: the secret's sign-in proves it";

pub(in crate::wizard) fn start(s: &mut State) -> Vec<Effect> {
    s.error = None;
    s.sign_in.code = None;
    s.setup.verified.clear();
    s.setup.known = plan::KnownIds::default();
    refresh_plan(s);
    if let Some(first) = s.setup.guided_steps().first() {
        s.setup.guide = *first;
        s.form.guide_field = 0;
        s.screen = Screen::Guide;
    }
    Vec::new()
}

/// Whether an administrator signed in, so that the steps can be read as them.
fn as_admin(s: &State) -> bool {
    s.sign_in.signed_in.is_some() && s.sign_in.purpose.covers(AdminPurpose::Setup)
}

impl State {
    /// Guided setup: whether the step shown can be read back at all (else it is marked not
    /// verified).
    pub fn guide_can_verify(&self) -> bool {
        let kind = self.setup.plan.get(self.setup.guide).map(|p| p.kind);
        as_admin(self)
            || !matches!(
                kind,
                Some(
                    StepKind::CreateApp
                        | StepKind::DelegatedConsent
                        | StepKind::Exchange
                        | StepKind::ExchangeTest
                )
            )
    }
}

/// The plan again, with the app's ids known so far in its commands.
fn refresh_plan(s: &mut State) {
    if let Some(o) = &s.setup.order {
        s.setup.plan = plan::plan_with(&o.answers, &s.setup.known);
    }
}

/// Checks what the step asked to paste back; the message names what is wrong.
fn check_pasted(s: &mut State) -> Result<(), String> {
    match s.setup.plan.get(s.setup.guide).map(|p| p.kind) {
        Some(StepKind::CreateApp) => {
            let tenant = s.form.tenant_id;
            let c = ClientId::parse(s.form.client_id.text()).map_err(|e| {
                s.form.guide_field = 0;
                format!("Application (client) ID: {e}")
            })?;
            if tenant.map(|t| t.0) == Some(c.0) {
                s.form.guide_field = 0;
                return Err("That is the Directory (tenant) ID. The Application (client) ID is the line above it on the Overview page.".into());
            }
            let t = TenantId::parse(s.form.guide_tenant.text()).map_err(|e| {
                s.form.guide_field = 1;
                format!("Directory (tenant) ID: {e}")
            })?;
            if Some(t) != tenant {
                s.form.guide_field = 1;
                return Err(format!(
                    "{t} is another tenant: this setup is for {}. In the portal, switch directory (top right).",
                    tenant.map(|t| t.to_string()).unwrap_or_default()
                ));
            }
            let id = c.to_string();
            if s.setup.known.client_id.as_ref() != Some(&id) {
                // Another app: nothing read back so far holds for it.
                s.setup.verified.clear();
                s.setup.known = plan::KnownIds {
                    client_id: Some(id),
                    sp_object_id: None,
                };
                refresh_plan(s);
            }
            Ok(())
        }
        Some(StepKind::AddSecret) => {
            let (secret, warnings) = Secret::from_pasted(s.form.secret.text());
            let blocking = warnings.iter().find(|w| w.blocks()).map(|w| w.message());
            if let Some(m) = blocking.or_else(|| secret.portal_shape_problem()) {
                s.form.guide_field = 0;
                s.form.secret.clear();
                return Err(m.into());
            }
            s.form.secret.clear();
            s.form.secret.insert(secret.expose());
            parse_expiry(s.form.guide_expires.text(), s.today).map_err(|e| {
                s.form.guide_field = 1;
                format!("Expires: {e}")
            })?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// What the wizard says while a step is read back.
fn reading(kind: StepKind) -> &'static str {
    match kind {
        StepKind::CreateApp => "Looking the app up in the tenant…",
        StepKind::AddSecret => "Signing in as the app with the pasted secret…",
        StepKind::Consent | StepKind::DelegatedConsent => "Reading the app's permissions…",
        _ => "Reading it back from Exchange Online…",
    }
}

/// Reads the step shown back: at once "not verified" when nothing can read it, else the effect.
fn read_back(s: &mut State) -> Vec<Effect> {
    let i = s.setup.guide;
    let Some(step) = s.setup.plan.get(i).cloned() else {
        return Vec::new();
    };
    if !s.guide_can_verify() {
        let why = if step.kind == StepKind::CreateApp {
            PROVED_BY_THE_SECRET
        } else {
            NO_ADMIN
        };
        return settle(s, i, StepStatus::Unverified(why.into()));
    }
    let (Some(order), Ok(client_id)) = (
        s.setup.order.clone(),
        ClientId::parse(s.form.client_id.text()),
    ) else {
        return settle(s, i, StepStatus::Unverified("the app is not known".into()));
    };
    let secret = match s.form.secret.text().trim() {
        "" => None,
        t => Some(SecretBox(Secret::new(t))),
    };
    s.busy = Some(reading(step.kind).into());
    vec![Effect::VerifyGuided(Box::new(GuidedCheck {
        step: i,
        plan_step: step,
        order,
        client_id,
        sp_object_id: s.setup.known.sp_object_id.clone(),
        secret,
        as_admin: as_admin(s),
    }))]
}

/// Step `i` was read back (or could not be): recorded, and the next step shown.
fn settle(s: &mut State, i: usize, status: StepStatus) -> Vec<Effect> {
    let kind = s.setup.plan.get(i).map(|p| p.kind);
    if kind == Some(StepKind::AddSecret) && matches!(status, StepStatus::Done(_)) {
        // The sign-in proved that the client ID names an app of this tenant.
        let app = s
            .setup
            .plan
            .iter()
            .position(|p| p.kind == StepKind::CreateApp);
        if let Some(a) = app
            && matches!(s.setup.verified.get(&a), Some(StepStatus::Unverified(_)))
        {
            let proof = "the app signed in with the pasted secret".to_string();
            s.setup.verified.insert(a, StepStatus::Done(proof));
        }
    }
    s.setup.verified.insert(i, status);
    next(s)
}

/// The next portal step, or, after the last, the profile saved.
fn next(s: &mut State) -> Vec<Effect> {
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    match steps.get(at + 1) {
        Some(next) => {
            s.setup.guide = *next;
            s.form.guide_field = 0;
            Vec::new()
        }
        None => {
            s.form.access = s
                .setup
                .order
                .as_ref()
                .map(|o| o.answers.access.clone())
                .unwrap_or_default();
            answers::save(s)
        }
    }
}

/// The titles of the guided steps nothing could read back.
pub fn not_verified(s: &State) -> Vec<String> {
    s.setup
        .verified
        .iter()
        .filter(|(_, st)| matches!(st, StepStatus::Unverified(_)))
        .filter_map(|(i, _)| s.setup.plan.get(*i).map(|p| p.title.clone()))
        .collect()
}

/// What reading step `i` back found.
pub(in crate::wizard) fn checked(s: &mut State, i: usize, v: GuideVerdict) -> Vec<Effect> {
    s.busy = None;
    if let Some(sp) = v.sp_object_id
        && s.setup.known.sp_object_id.as_ref() != Some(&sp)
    {
        s.setup.known.sp_object_id = Some(sp);
        refresh_plan(s);
    }
    if i != s.setup.guide || s.screen != Screen::Guide {
        return Vec::new();
    }
    match v.status {
        StepStatus::Failed(d) => {
            s.error = Some(format!("{} {} Fix: {}", d.summary, d.cause, d.fix));
            match s.setup.plan.get(i).map(|p| p.kind) {
                Some(StepKind::AddSecret) => {
                    s.form.secret.clear();
                    s.form.guide_field = 0;
                }
                Some(StepKind::CreateApp) => s.form.guide_field = 0,
                _ => {}
            }
            Vec::new()
        }
        StepStatus::Running | StepStatus::Waiting(_) => Vec::new(),
        status => settle(s, i, status),
    }
}

pub(in crate::wizard) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    let kind = s.setup.plan.get(s.setup.guide).map(|p| p.kind);
    match k {
        Key::Esc => {
            s.error = None;
            match at.checked_sub(1) {
                Some(prev) => s.setup.guide = steps[prev],
                None => s.screen = Screen::Form(Step::Name),
            }
            Vec::new()
        }
        Key::Enter => {
            s.error = None;
            if let Err(m) = check_pasted(s) {
                s.error = Some(m);
                return Vec::new();
            }
            read_back(s)
        }
        Key::Tab | Key::BackTab | Key::Up | Key::Down
            if matches!(kind, Some(StepKind::CreateApp | StepKind::AddSecret)) =>
        {
            s.form.guide_field = 1 - s.form.guide_field;
            Vec::new()
        }
        Key::FillSandboxSecret if s.sandbox.is_some() && kind == Some(StepKind::AddSecret) => {
            vec![Effect::FillSandboxSecret {
                client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
            }]
        }
        _ => {
            editing::edit(s, k);
            Vec::new()
        }
    }
}
