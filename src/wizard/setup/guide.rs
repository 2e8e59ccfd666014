//! The guided path: each plan step an administrator does in the portal, with what to paste
//! back checked before the next.

use crate::model::{ClientId, Secret, TenantId, parse_expiry};
use crate::plan::StepKind;
use crate::wizard::{Effect, Key, Screen, State, Step, answers, editing};

pub(in crate::wizard) fn start(s: &mut State) -> Vec<Effect> {
    s.error = None;
    s.sign_in.code = None;
    if let Some(first) = s.setup.guided_steps().first() {
        s.setup.guide = *first;
        s.form.guide_field = 0;
        s.screen = Screen::Guide;
    }
    Vec::new()
}

/// Checks what the step asked to paste back; the message names what is wrong.
fn check_guided(s: &mut State) -> Result<(), String> {
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
            Ok(())
        }
        Some(StepKind::AddSecret) => {
            let (secret, warnings) = Secret::from_pasted(s.form.secret.text());
            if let Some(w) = warnings.iter().find(|w| w.blocks()) {
                s.form.guide_field = 0;
                return Err(w.message().into());
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

/// Signed in, the pasted client ID was looked up in the tenant.
pub(in crate::wizard) fn app_looked_up(s: &mut State, result: Result<(), String>) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(()) => next(s),
        Err(m) => {
            s.form.guide_field = 0;
            s.error = Some(m);
            Vec::new()
        }
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
            if let Err(m) = check_guided(s) {
                s.error = Some(m);
                return Vec::new();
            }
            if kind == Some(StepKind::CreateApp) && s.sign_in.signed_in.is_some() {
                s.busy = Some("Looking the app up in the tenant…".into());
                return vec![Effect::LookUpApp {
                    client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
                    cloud: s.form.cloud,
                }];
            }
            next(s)
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
