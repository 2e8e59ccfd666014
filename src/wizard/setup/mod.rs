//! A new setup after the answers: the plan, its run with progress, or the same steps by hand
//! in the portal.

pub(super) mod guide;
pub(super) mod plan;
pub(super) mod progress;

use std::collections::BTreeMap;

use super::SecretBox;
use crate::model::{ClientId, CloudKind, Mailbox, ProfileName, StepStatus, TenantId};
use crate::plan::{KnownIds, PlanStep, SetupAnswers, StepKind};

/// What the plan, progress and guide screens own.
#[derive(Debug, Default)]
pub struct Setup {
    pub order: Option<SetupOrder>,
    pub plan: Vec<PlanStep>,
    pub plan_cursor: usize,
    pub rows: Vec<SetupRow>,
    /// The progress screen's selected row: it follows the step under way; keys move it.
    pub progress_cursor: usize,
    pub running: bool,
    /// Guided setup: index into `plan` of the step shown.
    pub guide: usize,
    /// The run stopped at an app of the same display name (its client ID): the administrator
    /// chooses to use it or to name the new app otherwise.
    pub name_taken: Option<String>,
    /// Another name for the app is being typed after `name_taken`: enter on the app step
    /// runs the setup again.
    pub renaming: bool,
    /// Guided setup: what reading each step back found (index into `plan`): done, or not
    /// verified when nothing could read it.
    pub verified: BTreeMap<usize, StepStatus>,
    /// Guided setup: the app's ids as they become known; the plan's commands carry them.
    pub known: KnownIds,
    /// The run stopped because the tenant forbids client secrets: the policy, named in one
    /// sentence. The administrator may agree to a certificate instead.
    pub secrets_forbidden: Option<String>,
}

impl Setup {
    /// The plan steps the guided path shows: those an admin does in the portal.
    pub fn guided_steps(&self) -> Vec<usize> {
        self.plan
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(
                    p.kind,
                    StepKind::CreateApp
                        | StepKind::AddSecret
                        | StepKind::Consent
                        | StepKind::DelegatedConsent
                        | StepKind::Exchange
                        | StepKind::ExchangeTest
                ) && p.permission.as_deref() != Some("mailboxes")
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Guided setup: one step the administrator did by hand, to be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuidedCheck {
    /// Index into the plan.
    pub step: usize,
    pub plan_step: PlanStep,
    pub order: SetupOrder,
    pub client_id: ClientId,
    pub sp_object_id: Option<String>,
    /// The secret pasted at the secret step, for that step and the ones after it.
    pub secret: Option<SecretBox>,
    /// An administrator signed in: read as them (Graph, and Exchange Online after a second
    /// sign-in).
    pub as_admin: bool,
}

/// What reading a guided step back found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideVerdict {
    pub status: StepStatus,
    /// The app's service principal (Enterprise application's object id), when learned.
    pub sp_object_id: Option<String>,
}

/// A setup to carry out, as plain data: the executor adds the endpoints and the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupOrder {
    pub name: ProfileName,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub cloud: CloudKind,
    pub answers: SetupAnswers,
    pub mailboxes: Vec<Mailbox>,
    pub deny_mailbox: Option<Mailbox>,
    pub send_test: bool,
    /// Use an existing app of the same display name (`setup --reuse-app`).
    pub reuse_app: bool,
    /// A certificate instead when the tenant forbids client secrets (the administrator
    /// agreed with `c` on the progress screen).
    pub certificate_if_secrets_forbidden: bool,
}

/// One row of the setup progress view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupRow {
    pub title: String,
    pub status: StepStatus,
    pub pending: bool,
}
