//! The PowerShell of each migration step and of its undo: Exchange Online PowerShell for the
//! Exchange objects, Microsoft Graph PowerShell for the Entra roles.

use super::{Plan, Step};
use crate::scope::quote;

/// What an administrator runs for the step, one command a line.
pub fn powershell(plan: &Plan, step: &Step) -> Vec<String> {
    let sp = quote(&plan.sp_id);
    match step {
        Step::ExchangePrincipal => vec![format!(
            "New-ServicePrincipal -AppId {} -ObjectId {sp} -DisplayName {}",
            quote(&plan.client_id),
            quote(&plan.app_name)
        )],
        Step::Group { name, members } => vec![format!(
            "New-DistributionGroup -Name {} -Alias {} -Type Security -Members {}",
            quote(name),
            quote(name),
            members.iter().map(|m| quote(m)).collect::<Vec<_>>().join(",")
        )],
        Step::Scope { name, group } => vec![
            format!("$group = Get-DistributionGroup -Identity {}", quote(group)),
            format!(
                "New-ManagementScope -Name {} -RecipientRestrictionFilter \"MemberOfGroup -eq '$($group.DistinguishedName)'\"",
                quote(name)
            ),
        ],
        Step::Role { role } => vec![format!(
            "New-ManagementRoleAssignment -App {sp} -Role {} -CustomResourceScope {}",
            quote(role),
            quote(&plan.scope_name)
        )],
        Step::ServiceTest => plan
            .mailboxes
            .iter()
            .chain([&plan.deny_mailbox])
            .map(|m| {
                format!(
                    "Test-ServicePrincipalAuthorization -Identity {sp} -Resource {}",
                    quote(m)
                )
            })
            .collect(),
        Step::EntraRole(r) => vec![format!(
            "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {sp} -AppRoleAssignmentId {}",
            quote(&r.assignment_id)
        )],
        Step::LiveProof => vec![
            "# the live checks: m365-mail-wizard check PROFILE (the intended mailboxes reached, the outside one refused)".into(),
        ],
        Step::Policy(p) => vec![format!(
            "Remove-ApplicationAccessPolicy -Identity {} -Confirm:$false",
            quote(&p.identity)
        )],
    }
}

/// What puts the step's change back, one command a line; none for a step that changes nothing.
pub fn undo_powershell(plan: &Plan, step: &Step) -> Vec<String> {
    let sp = quote(&plan.sp_id);
    match step {
        Step::ExchangePrincipal => vec![format!(
            "Remove-ServicePrincipal -Identity {} -Confirm:$false",
            quote(&plan.client_id)
        )],
        Step::Group { name, .. } => vec![format!(
            "Remove-DistributionGroup -Identity {} -BypassSecurityGroupManagerCheck -Confirm:$false",
            quote(name)
        )],
        Step::Scope { name, .. } => vec![format!(
            "Remove-ManagementScope -Identity {} -Confirm:$false",
            quote(name)
        )],
        Step::Role { role } => vec![format!(
            "Get-ManagementRoleAssignment -RoleAssignee {sp} -Role {} | Where-Object CustomResourceScope -eq {} | Remove-ManagementRoleAssignment -Confirm:$false",
            quote(role),
            quote(&plan.scope_name)
        )],
        Step::ServiceTest | Step::LiveProof => Vec::new(),
        Step::EntraRole(r) => vec![format!(
            "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {sp} -PrincipalId {sp} -ResourceId {} -AppRoleId {}",
            quote(&r.resource_sp),
            quote(&r.role_id)
        )],
        Step::Policy(p) => vec![format!(
            "New-ApplicationAccessPolicy -AppId {} -PolicyScopeGroupId {} -AccessRight {} -Description {}",
            quote(&plan.client_id),
            quote(&p.group),
            quote(&p.access_right),
            quote(&p.description)
        )],
    }
}

/// The whole migration as one script: every step in order, each undo in a comment beside it.
pub fn script(plan: &Plan) -> String {
    let mut out = vec![
        format!("# Move \"{}\" to RBAC for Applications.", plan.app_name),
        "# Connect-ExchangeOnline; Connect-MgGraph -Scopes 'Application.Read.All','AppRoleAssignment.ReadWrite.All'".into(),
    ];
    for (i, step) in plan.steps.iter().enumerate() {
        out.push(format!("# {}. {}", i + 1, plan.title(step)));
        out.extend(powershell(plan, step));
        for undo in undo_powershell(plan, step) {
            out.push(format!("#   undo: {undo}"));
        }
    }
    out.join("\n") + "\n"
}
