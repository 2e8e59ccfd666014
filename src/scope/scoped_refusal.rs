//! A scoped app's refusal after the change's window: explained by its scope (RBAC for
//! Applications or an application access policy) with the profile's values, never with a
//! tenant-wide permission. Pure. Sources: docs/propagation.md.

use super::propagation::SetupFacts;
use super::roles::rbac_roles;
use crate::model::{Diagnosis, ScopeKind};

fn scope_name(s: &SetupFacts) -> String {
    format!(
        "{} mailboxes",
        s.scope.map(|r| r.app_name.as_str()).unwrap_or("")
    )
}

fn group(s: &SetupFacts) -> String {
    s.scope
        .and_then(|r| r.group.clone())
        .unwrap_or_else(|| "<the scope's group>".into())
}

pub(super) fn rbac_diagnosis(mailbox: &str, was: &Diagnosis, s: &SetupFacts) -> Diagnosis {
    let sp = s.sp_id.unwrap_or("<the service principal's object ID>");
    let scope = scope_name(s);
    let roles = rbac_roles(s.access);
    let assignments: Vec<String> = roles
        .iter()
        .map(|r| {
            format!(
                "New-ManagementRoleAssignment -App {sp} -Role '{r}' -CustomResourceScope '{scope}'"
            )
        })
        .collect();
    Diagnosis {
        summary: format!(
            "{mailbox} is not reachable through the app's RBAC for Applications scope."
        ),
        evidence: was.evidence.clone(),
        cause: format!(
            "Under RBAC for Applications the app has no tenant-wide permission, by design: Exchange Online grants {} only for the members of the group {} through the management scope '{scope}'. More than 2 hours after the last change, {mailbox} is still refused: it is not in the group, or the scope or the role assignment is missing or different.",
            roles.join(", "),
            group(s)
        ),
        fix: format!(
            "In Exchange Online PowerShell: Test-ServicePrincipalAuthorization -Identity {sp} -Resource {mailbox} (it reads past Exchange's cache; InScope must be True); Get-ManagementScope -Identity '{scope}' | Format-List RecipientFilter; Get-ManagementRoleAssignment -RoleAssignee {sp} | Format-List Role,CustomResourceScope — it must show {}; Get-DistributionGroupMember -Identity '{}'. Running the setup again restores what is missing (it resumes). A tenant-wide Entra permission is not the fix: it would open every mailbox.",
            assignments.join("; "),
            group(s)
        ),
    }
}

/// A policy-scoped app whose token lacks its mail role: the setup grants it again, with the
/// policy checked first; no portal advice that would grant it without the policy.
pub(super) fn policy_consent(was: Diagnosis, s: &SetupFacts) -> Diagnosis {
    Diagnosis {
        fix: format!(
            "Check the policy first: Get-ApplicationAccessPolicy | Where-Object AppId -eq '{}' must show it on the group {}. Then run the setup again for this profile: it resumes and grants the consent its plan lists, which the policy keeps to the group's members.",
            s.client_id,
            group(s)
        ),
        ..was
    }
}

pub(super) fn policy_diagnosis(mailbox: &str, was: &Diagnosis, s: &SetupFacts) -> Diagnosis {
    let kind = s.kind().unwrap_or(ScopeKind::RestrictPolicy);
    let (right, wanted) = if kind == ScopeKind::DenyPolicy {
        ("DenyAccess", "not be a member of")
    } else {
        ("RestrictAccess", "be a member of")
    };
    Diagnosis {
        summary: format!("{mailbox} is not reachable through the app's access policy."),
        evidence: was.evidence.clone(),
        cause: format!(
            "An application access policy ({right}) on the group {} decides which mailboxes the app reaches; more than 2 hours after the last change {mailbox} is still refused.",
            group(s)
        ),
        fix: format!(
            "In Exchange Online PowerShell: Test-ApplicationAccessPolicy -Identity {mailbox} -AppId {}; Get-ApplicationAccessPolicy | Where-Object AppId -eq '{}'; {mailbox} must {wanted} {}. Running the setup again restores what is missing (it resumes).",
            s.client_id,
            s.client_id,
            group(s)
        ),
    }
}
