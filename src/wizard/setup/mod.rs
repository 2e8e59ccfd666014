//! A new setup after the answers: the plan, its run with progress, or the same steps by hand
//! in the portal.

pub(super) mod guide;
pub(super) mod plan;
pub(super) mod progress;

use crate::model::{CloudKind, Mailbox, ProfileName, StepStatus, TenantId};
use crate::plan::{PlanStep, SetupAnswers, StepKind};

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
}

/// One row of the setup progress view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupRow {
    pub title: String,
    pub status: StepStatus,
    pub pending: bool,
}
