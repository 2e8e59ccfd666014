//! The Exchange Online steps of the mailbox scope, with the app's ids still to come, and the
//! service's own test of the scope.

use super::{KnownIds, PlanStep, SetupAnswers, StepKind};
use crate::scope::{self, ExKind, ExStep, ScopeSpec};

/// What the guided path says before an Exchange Online step's commands.
const IN_EXCHANGE_POWERSHELL: &str =
    "No portal page does this: in Exchange Online PowerShell (Connect-ExchangeOnline), run";

/// The Exchange steps; the app's ids are the script's `$app.AppId` / `$sp.Id` until known.
pub(super) fn steps(a: &SetupAnswers, spec: &ScopeSpec, ids: &KnownIds) -> Vec<PlanStep> {
    let input = spec.input_or_variables(
        &a.access,
        &a.app_name,
        ids.client_id.as_deref(),
        ids.sp_object_id.as_deref(),
    );
    let mut out: Vec<PlanStep> = scope::steps(&input).iter().map(exchange_step).collect();
    let tests: Vec<(String, String)> = scope::tested_mailboxes(&input)
        .iter()
        .filter_map(|(m, _)| {
            let c = scope::test_cmdlet(&input, m)?;
            Some((c.name.to_string(), scope::variables(&c.powershell())))
        })
        .collect();
    if let Some((name, _)) = tests.first() {
        let powershell = tests
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        out.push(PlanStep {
            title: format!("Check the scope with {name} for each mailbox"),
            graph: format!("Exchange admin API: {name}"),
            portal: vec![IN_EXCHANGE_POWERSHELL.into(), powershell.clone()],
            powershell,
            changes: "nothing (read only)".into(),
            ..PlanStep::of(StepKind::ExchangeTest)
        });
    }
    out
}

/// The delegated style's Exchange steps: each user's FullAccess on each shared mailbox.
pub(super) fn delegated_steps(a: &SetupAnswers) -> Vec<PlanStep> {
    a.delegated_steps().iter().map(exchange_step).collect()
}

fn exchange_step(st: &ExStep) -> PlanStep {
    let make = st.make.as_ref().unwrap_or(&st.look);
    let graph = match st.kind {
        ExKind::ManagementScope => "POST /beta/roleManagement/exchange/customAppScopes {type: RecipientScope, RecipientFilter: MemberOfGroup}".to_string(),
        ExKind::RoleAssignment => "POST /beta/roleManagement/exchange/roleAssignments {principalId: /ServicePrincipals/<id>, roleDefinitionId, appScopeId}".to_string(),
        _ => format!("Exchange admin API: {} (then {})", st.look.name, make.name),
    };
    let powershell = scope::variables(&st.commands().join("\n"));
    PlanStep {
        title: st.title.clone(),
        graph,
        portal: vec![IN_EXCHANGE_POWERSHELL.into(), powershell.clone()],
        powershell,
        changes: st.changes.clone(),
        permission: Some(st.key()),
        ..PlanStep::of(StepKind::Exchange)
    }
}
