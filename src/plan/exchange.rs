//! The Exchange Online steps of the mailbox scope, with the app's ids still to come, and the
//! service's own test of the scope.

use super::{PlanStep, SetupAnswers, StepKind};
use crate::scope::{self, ExKind, ExStep, ScopeSpec};

pub(super) fn steps(a: &SetupAnswers, spec: &ScopeSpec) -> Vec<PlanStep> {
    let input = spec.input(
        &a.access,
        &a.app_name,
        "<client id>",
        "<service principal object id>",
    );
    let mut out: Vec<PlanStep> = scope::steps(&input).iter().map(exchange_step).collect();
    let tests: Vec<String> = scope::tested_mailboxes(&input)
        .iter()
        .filter_map(|(m, _)| scope::test_cmdlet(&input, m).map(|c| c.powershell()))
        .collect();
    if let Some(first) = tests.first() {
        let name = first.split(' ').next().unwrap_or_default().to_string();
        out.push(PlanStep {
            title: format!("Check the scope with {name} for each mailbox"),
            graph: format!("Exchange admin API: {name}"),
            powershell: tests.join("\n"),
            changes: "nothing (read only)".into(),
            portal: tests,
            ..PlanStep::of(StepKind::ExchangeTest)
        });
    }
    out
}

fn exchange_step(st: &ExStep) -> PlanStep {
    let make = st.make.as_ref().unwrap_or(&st.look);
    let graph = match st.kind {
        ExKind::ManagementScope => "POST /beta/roleManagement/exchange/customAppScopes {type: RecipientScope, RecipientFilter: MemberOfGroup}".to_string(),
        ExKind::RoleAssignment => "POST /beta/roleManagement/exchange/roleAssignments {principalId: /ServicePrincipals/<id>, roleDefinitionId, appScopeId}".to_string(),
        _ => format!("Exchange admin API: {} (then {})", st.look.name, make.name),
    };
    let powershell = make.powershell();
    PlanStep {
        title: st.title.clone(),
        graph,
        portal: vec![
            "No portal page does this: in Exchange Online PowerShell (Connect-ExchangeOnline), run"
                .into(),
            powershell.clone(),
        ],
        powershell,
        changes: st.changes.clone(),
        permission: Some(st.key()),
        ..PlanStep::of(StepKind::Exchange)
    }
}
