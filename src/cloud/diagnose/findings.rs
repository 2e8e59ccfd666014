//! Findings that are not an error answer: a token without the roles it needs, a mailbox that
//! should be out of reach, a tenant in another cloud.

use super::d;
use crate::model::Diagnosis;

/// The token was issued but lacks roles the access choice needs.
pub fn missing_roles(have: &[String], missing: &[String], resource_name: &str) -> Diagnosis {
    let have_text = if have.is_empty() {
        "the token carries no roles at all".to_string()
    } else {
        format!("the token carries roles: {}", have.join(", "))
    };
    d(
        format!("Missing application permission: {}.", missing.join(", ")),
        format!("Token issued; {have_text}."),
        if have.is_empty() {
            format!(
                "Admin consent was never granted, or the permissions were added as Delegated instead of Application, or on another API than {resource_name}."
            )
        } else {
            format!(
                "The permission was not added (as an Application permission on {resource_name}) or not consented."
            )
        },
        format!(
            "In Entra admin center › App registrations › the app › API permissions: Add a permission › {resource_name} › Application permissions › {}; then \"Grant admin consent\". Consent can take a few minutes to show in new tokens.",
            missing.join(", ")
        ),
    )
}

/// The mailbox that must be out of reach was reachable.
/// `evidence`: what reached the mailbox, e.g. the Graph call and its status.
pub fn not_denied(mailbox: &str, client_id: &str, evidence: &str) -> Diagnosis {
    d(
        format!("{mailbox} is reachable, but it should be out of the app's reach."),
        format!("{evidence}."),
        "The application permission reaches every mailbox in the tenant: no Application Access Policy or RBAC for Applications scope restricts it (or a change has not applied yet — it can take an hour).",
        format!(
            "Restrict the app to a mail-enabled security group: New-ApplicationAccessPolicy -AppId {client_id} -PolicyScopeGroupId <group> -AccessRight RestrictAccess -Description \"m365-mail-wizard scope\" (legacy), or use RBAC for Applications (New-ManagementScope + New-ManagementRoleAssignment) and remove the tenant-wide Graph permission."
        ),
    )
}

/// Discovery says the tenant lives in another cloud than the one chosen.
pub fn wrong_cloud(found: &str, chosen: &str) -> Diagnosis {
    d(
        "The tenant lives in another national cloud.",
        format!("Discovery says cloud_instance_name = {found}; the cloud chosen expects {chosen}."),
        "Tokens and endpoints are not interchangeable between clouds.",
        "Go back and choose the cloud the tenant lives in (GCC High and DoD use microsoftonline.us, China uses chinacloudapi.cn).",
    )
}
