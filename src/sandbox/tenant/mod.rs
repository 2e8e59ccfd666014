//! The simulated tenant's data and the access rules of REFERENCE.md section 7. Pure.

mod access;
mod delegated;
mod ews_switches;
mod normalise;
mod population;
mod records;
mod seed;
mod smtp_switch;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use access::{ClientRefusal, MailProtocol, MailRefusal, Refusal};
pub use delegated::USER_PASSWORD;
pub use ews_switches::{EwsRefusal, KIOSK_MAILBOX, OTHER_ALLOWED_APP_ID};
pub use normalise::SEEDED_POLICY;
pub use population::{AUDIT_SCOPE, KINDS as AUDIT_KINDS, PERMITTED_MAILBOX};
pub use records::*;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub domains: Vec<String>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub apps: Vec<App>,
    /// Service principals registered in Exchange Online (`New-ServicePrincipal`).
    #[serde(default)]
    pub exchange_service_principals: Vec<ExchangeServicePrincipal>,
    /// `Add-MailboxPermission` / `Add-RecipientPermission` grants.
    #[serde(default)]
    pub mailbox_permissions: Vec<MailboxPermission>,
    /// The service principals of Microsoft Graph and Office 365 Exchange Online.
    #[serde(default)]
    pub resource_principals: Vec<ResourcePrincipal>,
    /// Admin consent to application permissions (`appRoleAssignedTo`).
    #[serde(default)]
    pub app_role_assignments: Vec<AppRoleAssignment>,
    /// Admin consent to delegated permissions (`oauth2PermissionGrants`).
    #[serde(default)]
    pub permission_grants: Vec<PermissionGrant>,
    /// RBAC for Applications: management scopes on group membership.
    #[serde(default)]
    pub management_scopes: Vec<ManagementScope>,
    /// RBAC for Applications: a role for a service principal within a scope.
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignment>,
    /// Application access policies made with `New-ApplicationAccessPolicy`.
    #[serde(default)]
    pub access_policies: Vec<AccessPolicy>,
    /// Every Exchange change, as the cmdlet and parameters that made it (by either route).
    #[serde(default)]
    pub exchange_log: Vec<LoggedCmdlet>,
    /// Service-principal sign-ins, newest last (Graph's sign-in logs).
    #[serde(default)]
    pub sign_ins: Vec<SignInRecord>,
    /// The organisation's EWS and SMTP AUTH switches.
    #[serde(default)]
    pub switches: OrgSwitches,
    /// The sandbox knobs whose state was put into this tenant once (`smtp-auth-off`), so that a
    /// later change by the administrator is kept.
    #[serde(default)]
    pub knobs_applied: Vec<String>,
    /// Applications deleted through Graph: soft-deleted, listed under `directory/deletedItems`.
    #[serde(default)]
    pub deleted_apps: Vec<App>,
    /// Service principals of applications registered elsewhere (Microsoft's, other tenants'):
    /// listed, with no mail access.
    #[serde(default)]
    pub other_principals: Vec<OtherPrincipal>,
    /// Each application's latest sign-in (application ID → RFC 3339), as the service
    /// principal sign-in activity report keeps it beyond the sign-in logs' retention.
    #[serde(default)]
    pub sign_in_activity: std::collections::BTreeMap<String, String>,
    /// The service principals of deleted applications (`restore` brings an app back without
    /// its service principal, as Microsoft documents).
    #[serde(default)]
    pub deleted_principals: Vec<DeletedPrincipal>,
}

/// When a change made by a cmdlet takes effect (ms since the epoch); 0 for seeded state.
fn effective(at_ms: i64, now_ms: i64) -> bool {
    at_ms <= now_ms
}

impl Tenant {
    /// Notes a sign-in of application `app_id` at `at` in the sign-in activity report.
    pub fn note_sign_in(&mut self, app_id: &str, at: OffsetDateTime) {
        let text = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        self.sign_in_activity
            .insert(app_id.to_ascii_lowercase(), text);
    }

    /// A tenant path segment (GUID or domain, any case) names this tenant.
    pub fn answers_to(&self, tenant: &str) -> bool {
        let t = tenant.to_ascii_lowercase();
        t == self.tenant_id || self.domains.contains(&t)
    }

    pub fn app_by_client_id(&self, client_id: &str) -> Option<&App> {
        let c = client_id.to_ascii_lowercase();
        self.apps.iter().find(|a| a.client_id == c)
    }

    pub fn user(&self, id_or_mail: &str) -> Option<&User> {
        let k = id_or_mail.to_ascii_lowercase();
        self.users.iter().find(|u| u.id == k || u.mail == k)
    }

    pub fn user_mut(&mut self, id_or_mail: &str) -> Option<&mut User> {
        let k = id_or_mail.to_ascii_lowercase();
        self.users.iter_mut().find(|u| u.id == k || u.mail == k)
    }

    pub fn find_group(&self, key: &str) -> Option<&Group> {
        let k = key.to_ascii_lowercase();
        self.groups
            .iter()
            .find(|g| g.id == k || g.name.to_ascii_lowercase() == k || g.mail == k)
    }

    /// A message arriving in `mailbox`'s inbox, unread.
    pub fn deliver(&mut self, mailbox: &str, from: &str, subject: &str) -> bool {
        let Some(u) = self.user_mut(mailbox) else {
            return false;
        };
        let n = u.messages.len();
        u.messages.push(Message {
            id: format!("AAMk{}{:04}", &u.id[..8], n),
            subject: subject.to_string(),
            from: from.to_string(),
            received: OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            is_read: false,
        });
        true
    }
}
