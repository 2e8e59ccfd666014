//! The Exchange Online side of a migration: each step looks before it makes or removes, so a
//! migration cut short resumes (or is undone) without duplicates; a look that finds nothing to
//! remove counts as removed.

use serde_json::{Value, json};

use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::plan::migration::{HeldPolicy, Plan, Step};

/// Whether Exchange answered that the object does not exist.
fn not_found(e: &CloudError) -> bool {
    matches!(e, CloudError::Graph(g) if g.status == 404 || g.code.ends_with("NotFoundException") || g.message.contains("NotFoundException") || g.message.contains("couldn't be found"))
}

/// A look: its rows, or none when the object is not there.
pub(super) async fn look(
    x: &Cmdlets<'_>,
    cmdlet: &str,
    params: Value,
) -> Result<Vec<Value>, CloudError> {
    match x.invoke(cmdlet, params).await {
        Ok(found) => Ok(found.rows),
        Err(e) if not_found(&e) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

pub(super) fn text<'v>(row: &'v Value, field: &str) -> &'v str {
    row[field].as_str().unwrap_or_default()
}

/// A removal that found the object gone meanwhile: done all the same.
async fn remove(x: &Cmdlets<'_>, cmdlet: &str, params: Value) -> Result<(), CloudError> {
    match x.invoke(cmdlet, params).await {
        Ok(_) => Ok(()),
        Err(e) if not_found(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The app's role assignments of `role` within the plan's scope.
async fn assignments_in_scope(
    x: &Cmdlets<'_>,
    plan: &Plan,
    role: &str,
) -> Result<Vec<String>, CloudError> {
    let rows = look(
        x,
        "Get-ManagementRoleAssignment",
        json!({"RoleAssignee": plan.sp_id, "Role": role}),
    )
    .await?;
    Ok(rows
        .iter()
        .filter(|r| text(r, "CustomResourceScope").eq_ignore_ascii_case(&plan.scope_name))
        .map(|r| text(r, "Name").to_string())
        .collect())
}

fn ours<'r>(rows: &'r [Value], plan: &Plan, p: &HeldPolicy) -> Option<&'r Value> {
    rows.iter().find(|r| {
        text(r, "AppId").eq_ignore_ascii_case(&plan.client_id)
            && (text(r, "ScopeIdentity").eq_ignore_ascii_case(&p.group)
                || text(r, "ScopeName").eq_ignore_ascii_case(&p.group))
            && text(r, "AccessRight").eq_ignore_ascii_case(&p.access_right)
    })
}

/// Carries out an Exchange step; whether it made its object (rather than finding it).
pub(super) async fn forward(x: &Cmdlets<'_>, plan: &Plan, step: &Step) -> Result<bool, CloudError> {
    match step {
        Step::ExchangePrincipal => {
            let id = json!({"Identity": plan.client_id});
            if !look(x, "Get-ServicePrincipal", id).await?.is_empty() {
                return Ok(false);
            }
            let params = json!({"AppId": plan.client_id, "ObjectId": plan.sp_id, "DisplayName": plan.app_name});
            x.invoke("New-ServicePrincipal", params).await?;
        }
        Step::Group { name, members } => {
            let id = json!({"Identity": name});
            if !look(x, "Get-DistributionGroup", id).await?.is_empty() {
                return Ok(false);
            }
            let params =
                json!({"Name": name, "Alias": name, "Type": "Security", "Members": members});
            x.invoke("New-DistributionGroup", params).await?;
        }
        Step::Scope { name, group } => {
            let id = json!({"Identity": name});
            if !look(x, "Get-ManagementScope", id).await?.is_empty() {
                return Ok(false);
            }
            let g = x
                .invoke("Get-DistributionGroup", json!({"Identity": group}))
                .await?;
            let dn = g
                .rows
                .first()
                .map(|r| text(r, "DistinguishedName").to_string())
                .unwrap_or_default();
            let filter = format!("MemberOfGroup -eq '{dn}'");
            let params = json!({"Name": name, "RecipientRestrictionFilter": filter});
            x.invoke("New-ManagementScope", params).await?;
        }
        Step::Role { role } => {
            if !assignments_in_scope(x, plan, role).await?.is_empty() {
                return Ok(false);
            }
            let params =
                json!({"App": plan.sp_id, "Role": role, "CustomResourceScope": plan.scope_name});
            x.invoke("New-ManagementRoleAssignment", params).await?;
        }
        Step::Policy(p) => {
            let rows = look(x, "Get-ApplicationAccessPolicy", json!({})).await?;
            let Some(found) = ours(&rows, plan, p) else {
                return Ok(false);
            };
            let params = json!({"Identity": text(found, "Identity"), "Confirm": false});
            remove(x, "Remove-ApplicationAccessPolicy", params).await?;
        }
        Step::ServiceTest | Step::LiveProof | Step::EntraRole(_) => return Ok(false),
    }
    Ok(true)
}

/// Puts back what an Exchange step changed; a step that found its object made leaves it.
pub(super) async fn undo(
    x: &Cmdlets<'_>,
    plan: &Plan,
    step: &Step,
    made: bool,
) -> Result<(), CloudError> {
    match step {
        Step::Policy(p) => {
            let rows = look(x, "Get-ApplicationAccessPolicy", json!({})).await?;
            if ours(&rows, plan, p).is_none() {
                let params = json!({"AppId": plan.client_id, "PolicyScopeGroupId": p.group, "AccessRight": p.access_right, "Description": p.description});
                x.invoke("New-ApplicationAccessPolicy", params).await?;
            }
        }
        _ if !made => {}
        Step::Role { role } => {
            for name in assignments_in_scope(x, plan, role).await? {
                let params = json!({"Identity": name, "Confirm": false});
                remove(x, "Remove-ManagementRoleAssignment", params).await?;
            }
        }
        Step::Scope { name, .. } => {
            let params = json!({"Identity": name, "Confirm": false});
            remove(x, "Remove-ManagementScope", params).await?;
        }
        Step::Group { name, .. } => {
            let params = json!({"Identity": name, "BypassSecurityGroupManagerCheck": true, "Confirm": false});
            remove(x, "Remove-DistributionGroup", params).await?;
        }
        Step::ExchangePrincipal => {
            let params = json!({"Identity": plan.client_id, "Confirm": false});
            remove(x, "Remove-ServicePrincipal", params).await?;
        }
        Step::ServiceTest | Step::LiveProof | Step::EntraRole(_) => {}
    }
    Ok(())
}
