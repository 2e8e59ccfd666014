//! The form screen: one question per step, in the order of the journey.

use super::{Effect, Form, Journey, Key, MailboxField, Screen, State, answers, editing, reentry};
use crate::model::{
    AccessChoice, ClientId, CloudKind, ConsumerSignIn, ScopeKind, Secret, TenantId, TenantInput,
};
use crate::plan::SECRET_MONTHS;

/// The questions of the two journeys, in the order both ask them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Tenant,
    ClientId,
    Secret,
    Access,
    Mailboxes,
    /// Setup: which mailboxes the app may reach, and how Exchange Online limits it.
    Scope,
    /// Setup, delegated style: how the consuming application signs its users in, the users
    /// and the shared mailboxes.
    Delegated,
    /// Setup: the new app's display name and its secret's lifetime.
    AppDetails,
    Name,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Tenant,
        Step::ClientId,
        Step::Secret,
        Step::Access,
        Step::Mailboxes,
        Step::Name,
    ];

    pub const SETUP: [Step; 7] = [
        Step::Tenant,
        Step::Access,
        Step::Mailboxes,
        Step::Scope,
        Step::Delegated,
        Step::AppDetails,
        Step::Name,
    ];

    pub fn of(journey: Journey) -> &'static [Step] {
        match journey {
            Journey::Check => &Step::ALL,
            Journey::Setup => &Step::SETUP,
        }
    }

    /// The steps the form asks, given the access chosen: the delegated style's own step only
    /// with that style; no mailboxes or scope for the delegated style alone (its mailboxes are
    /// its users').
    pub fn asked(form: &Form) -> Vec<Step> {
        let delegated = form.access.contains(&AccessChoice::Delegated);
        let app_only = form.access.iter().any(|a| *a != AccessChoice::Delegated);
        Step::of(form.journey)
            .iter()
            .copied()
            .filter(|s| match s {
                Step::Delegated => delegated,
                Step::Mailboxes | Step::Scope => app_only || !delegated,
                _ => true,
            })
            .collect()
    }

    pub fn next_in(self, form: &Form) -> Option<Step> {
        let steps = Step::asked(form);
        steps
            .iter()
            .position(|s| *s == self)
            .and_then(|i| steps.get(i + 1).copied())
    }

    pub fn prev_in(self, form: &Form) -> Option<Step> {
        let steps = Step::asked(form);
        steps
            .iter()
            .position(|s| *s == self)
            .and_then(|i| i.checked_sub(1))
            .map(|i| steps[i])
    }

    /// The step's name in a draft.
    pub fn key(self) -> &'static str {
        match self {
            Step::Tenant => "tenant",
            Step::ClientId => "client-id",
            Step::Secret => "secret",
            Step::Access => "access",
            Step::Mailboxes => "mailboxes",
            Step::Scope => "scope",
            Step::Delegated => "delegated",
            Step::AppDetails => "app",
            Step::Name => "name",
        }
    }

    /// The step of `journey` a draft names, if that journey asks it.
    pub fn from_key(key: &str, journey: Journey) -> Option<Step> {
        Step::of(journey).iter().copied().find(|s| s.key() == key)
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Tenant => "Tenant",
            Step::ClientId => "Application",
            Step::Secret => "Secret",
            Step::Access => "Access",
            Step::Mailboxes => "Mailboxes",
            Step::Scope => "Scope",
            Step::Delegated => "Delegated",
            Step::AppDetails => "App & secret",
            Step::Name => "Profile name",
        }
    }
}

impl State {
    /// Steps already answered (for the ✔ marks on the left).
    pub fn step_done(&self, step: Step) -> bool {
        match self.screen {
            Screen::Form(current) => step < current,
            _ => false,
        }
    }
}

pub(super) fn key(s: &mut State, step: Step, k: Key) -> Vec<Effect> {
    if s.reentry.is_some() && matches!(k, Key::Esc | Key::Enter) {
        return reentry::key(s, k);
    }
    if k == Key::Esc {
        s.error = None;
        s.notice = None;
        s.screen = step
            .prev_in(&s.form)
            .map(Screen::Form)
            .unwrap_or(Screen::Home);
        return Vec::new();
    }
    if k == Key::Enter {
        s.error = None;
        s.notice = None;
        return submit(s, step);
    }
    match (step, k) {
        (Step::Tenant, Key::Up | Key::Down) if s.sandbox.is_none() => {
            let named = CloudKind::NAMED;
            let i = named.iter().position(|c| *c == s.form.cloud).unwrap_or(0);
            let n = named.len();
            let j = if k == Key::Down {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            s.form.cloud = named[j];
            s.form.tenant_id = None;
        }
        (Step::Secret, Key::FillSandboxSecret) if s.sandbox.is_some() => {
            return vec![Effect::FillSandboxSecret {
                client_id: s.form.client_id.text().trim().to_ascii_lowercase(),
            }];
        }
        (Step::Access, Key::Up) => s.form.access_cursor = s.form.access_cursor.saturating_sub(1),
        (Step::Access, Key::Down) => {
            s.form.access_cursor = (s.form.access_cursor + 1).min(s.form.access_rows() - 1);
        }
        (Step::Access, Key::Char(' ') | Key::Char('x')) => toggle_access(&mut s.form),
        (Step::Mailboxes, Key::Tab | Key::BackTab | Key::Up | Key::Down) => {
            s.form.mailbox_field = match s.form.mailbox_field {
                MailboxField::Reach => MailboxField::Deny,
                MailboxField::Deny => MailboxField::Reach,
            };
        }
        (Step::Scope, Key::Tab | Key::BackTab) => s.form.scope_field = 1 - s.form.scope_field,
        (Step::Scope, Key::Up) if s.form.scope_field == 0 => {
            s.form.scope_kind = s.form.scope_kind.saturating_sub(1);
        }
        (Step::Scope, Key::Down) if s.form.scope_field == 0 => {
            s.form.scope_kind = (s.form.scope_kind + 1).min(ScopeKind::ALL.len() - 1);
        }
        (Step::Scope, Key::Char('p')) if s.form.scope_field == 0 => {
            s.form.exchange_script = !s.form.exchange_script;
        }
        (Step::Scope, _) if s.form.scope_field == 0 => {}
        (Step::Delegated, Key::Tab | Key::Down) => {
            s.form.delegated_field = s.form.next_delegated_field(1)
        }
        (Step::Delegated, Key::BackTab | Key::Up) => {
            s.form.delegated_field = s.form.next_delegated_field(-1);
        }
        (Step::Delegated, Key::Left | Key::Right) if s.form.delegated_field == 0 => {
            let n = ConsumerSignIn::KEYS.len();
            s.form.sign_in = if k == Key::Right {
                (s.form.sign_in + 1) % n
            } else {
                (s.form.sign_in + n - 1) % n
            };
        }
        (Step::Delegated, Key::Char('o')) if s.form.delegated_field == 0 => {
            s.form.openid = !s.form.openid;
        }
        (Step::Delegated, Key::Char('p')) if s.form.delegated_field == 0 => {
            s.form.exchange_script = !s.form.exchange_script;
        }
        (Step::Delegated, _) if s.form.delegated_field == 0 => {}
        (Step::AppDetails, Key::Tab | Key::BackTab | Key::Up | Key::Down) => {
            s.form.app_field = 1 - s.form.app_field;
        }
        (Step::AppDetails, Key::Left | Key::Right) if s.form.app_field == 1 => {
            let n = SECRET_MONTHS.len();
            s.form.months = if k == Key::Right {
                (s.form.months + 1).min(n - 1)
            } else {
                s.form.months.saturating_sub(1)
            };
        }
        (Step::Access, _) => {}
        _ => {
            editing::edit(s, k);
        }
    }
    Vec::new()
}

fn toggle_access(f: &mut Form) {
    match f.choices().get(f.access_cursor) {
        Some(a) => {
            if let Some(i) = f.access.iter().position(|x| x == a) {
                f.access.remove(i);
            } else {
                f.access.push(*a);
                f.access.sort();
            }
        }
        None => f.send_test = !f.send_test,
    }
}

fn advance(s: &mut State, step: Step) -> Vec<Effect> {
    s.screen = Screen::Form(step.next_in(&s.form).unwrap_or(step));
    Vec::new()
}

fn submit(s: &mut State, step: Step) -> Vec<Effect> {
    match step {
        Step::Tenant => match TenantInput::parse(s.form.tenant.text()) {
            Err(e) => {
                s.error = Some(e.to_string());
                Vec::new()
            }
            Ok(_) if s.form.tenant_id.is_some() => advance(s, step),
            Ok(t) => {
                s.busy = Some(format!("Looking up tenant {t}…"));
                vec![Effect::ResolveTenant {
                    cloud: s.form.cloud,
                    tenant: t.to_string(),
                }]
            }
        },
        Step::ClientId => match ClientId::parse(s.form.client_id.text()) {
            Err(e) => {
                s.error = Some(e.to_string());
                Vec::new()
            }
            Ok(c) if Some(c.0) == s.form.tenant_id.map(|t| t.0) => {
                s.error = Some(
                    "That is the tenant ID. The client ID is the app's \"Application (client) ID\" on its Overview page."
                        .into(),
                );
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::Secret => {
            let Some(secret) = answers::pasted_secret(s) else {
                return Vec::new();
            };
            s.form.secret.clear();
            s.form.secret.insert(secret.expose());
            advance(s, step)
        }
        Step::Access => {
            if s.form.access.is_empty() {
                s.error = Some("Choose at least one: move with ↑↓ and press space.".into());
                Vec::new()
            } else {
                advance(s, step)
            }
        }
        Step::Mailboxes => match answers::validate_mailboxes(&s.form) {
            Err(e) => {
                s.error = Some(e);
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::Scope => match answers::scope_spec(&s.form) {
            Err(e) => {
                s.error = Some(e);
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::Delegated => match answers::delegated_answers(&s.form) {
            Err(e) => {
                s.error = Some(e);
                Vec::new()
            }
            Ok(_) => advance(s, step),
        },
        Step::AppDetails => {
            if s.form.app_name.text().chars().count() > 120 {
                s.error = Some("Keep the app's name to 120 characters.".into());
                Vec::new()
            } else if std::mem::take(&mut s.setup.renaming) {
                answers::run_renamed(s)
            } else {
                advance(s, step)
            }
        }
        Step::Name if s.form.journey == Journey::Setup => answers::setup_order(s),
        Step::Name => answers::save(s),
    }
}

/// Discovery answered: the tenant's id, and the cloud it lives in.
pub(super) fn tenant_resolved(
    s: &mut State,
    result: Result<(TenantId, CloudKind), String>,
) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok((id, lives_in)) => {
            s.form.tenant_id = Some(id);
            s.notice = Some(format!("Tenant ID: {id}"));
            if lives_in != s.form.cloud && s.sandbox.is_none() {
                s.notice = Some(format!(
                    "Tenant ID: {id}. It lives in the {} cloud: switched to it.",
                    lives_in.label()
                ));
                s.form.cloud = lives_in;
            }
            let next = Step::Tenant.next_in(&s.form).unwrap_or(Step::Tenant);
            s.screen = Screen::Form(next);
        }
        Err(m) => s.error = Some(m),
    }
    Vec::new()
}

pub(super) fn sandbox_secret(s: &mut State, result: Result<Secret, String>) -> Vec<Effect> {
    match result {
        Ok(secret) => {
            s.form.secret.clear();
            s.form.secret.insert(secret.expose());
            s.error = None;
            s.notice = Some("The sandbox app's secret was filled in.".into());
        }
        Err(m) => s.error = Some(m),
    }
    Vec::new()
}
