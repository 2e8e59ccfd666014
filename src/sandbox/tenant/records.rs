//! The records a tenant holds: users, groups, applications and what Exchange and Entra ID keep
//! about them. Field order is the state file's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::effective;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManagementScope {
    pub id: String,
    pub name: String,
    /// The filter as given, e.g. `MemberOfGroup -eq '<DN>'`.
    pub filter: String,
    #[serde(default)]
    pub effective_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: String,
    pub name: String,
    /// e.g. `Application Mail.Read`.
    pub role: String,
    /// The service principal's object id.
    pub app: String,
    /// The management scope's id; none means the whole organisation.
    pub scope: Option<String>,
    #[serde(default)]
    pub effective_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessPolicy {
    pub id: String,
    pub app_id: String,
    /// The group's id.
    pub group: String,
    pub access_right: AccessRight,
    pub description: String,
    #[serde(default)]
    pub effective_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedCmdlet {
    pub cmdlet: String,
    pub parameters: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResourcePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub app_roles: Vec<RoleDef>,
    pub scopes: Vec<RoleDef>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleDef {
    pub id: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AppRoleAssignment {
    pub id: String,
    /// The client's service principal.
    pub principal_id: String,
    /// The resource's service principal.
    pub resource_id: String,
    pub app_role_id: String,
    pub created: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PermissionGrant {
    pub id: String,
    pub client_id: String,
    pub resource_id: String,
    pub scope: String,
    /// The user a `Principal` grant is for; none for `AllPrincipals` (every user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Password {
    pub key_id: String,
    pub display_name: String,
    pub hint: String,
    pub secret: String,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExchangeServicePrincipal {
    pub app_id: String,
    /// The object id it was registered with: right when it is the app's service principal.
    pub object_id: String,
    pub display_name: String,
    #[serde(default)]
    pub effective_ms: i64,
    /// When it was registered (ms since the epoch): replication lag counts from here.
    #[serde(default)]
    pub created_ms: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailboxRight {
    FullAccess,
    SendAs,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MailboxPermission {
    pub mailbox: String,
    /// Object id of the service principal granted the right, or of the user (the delegated
    /// style: a user's FullAccess on a shared mailbox).
    pub principal: String,
    pub right: MailboxRight,
    #[serde(default)]
    pub effective_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub mail: String,
    pub name: String,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub inbox_total: u32,
    #[serde(default)]
    pub inbox_unread: u32,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default = "yes")]
    pub imap_enabled: bool,
    #[serde(default = "yes")]
    pub pop_enabled: bool,
    /// `Set-CASMailbox -EwsEnabled`: none is `$null`, the default.
    #[serde(default)]
    pub ews_enabled: Option<bool>,
    /// `Set-CASMailbox -SmtpClientAuthenticationDisabled`: none (`$null`, the default) follows
    /// the organisation's switch.
    #[serde(default)]
    pub smtp_client_auth_disabled: Option<bool>,
    /// A change of `smtp_client_auth_disabled` the SMTP server does not see yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_switch_pending: Option<PendingSmtpSwitch>,
    /// No Exchange Online licence: Graph's mail calls answer 404 `MailboxNotEnabledForRESTAPI`.
    #[serde(default)]
    pub without_exchange_licence: bool,
    /// Licensed with Exchange Online Kiosk (or F1/F3): EWS refuses the mailbox. Realistic only.
    #[serde(default)]
    pub kiosk_licence: bool,
    /// A sign-in refusal the tenant's identity policies give this mailbox's SMTP AUTH, whatever
    /// the switches: marked by the seed in realistic mode.
    #[serde(default)]
    pub smtp_sign_in_refusal: Option<SmtpSignInRefusal>,
    /// Multifactor authentication required at every sign-in: the password flow is refused.
    #[serde(default)]
    pub mfa: bool,
}

/// A `Set-CASMailbox -SmtpClientAuthenticationDisabled` not applied yet: until `effective_ms`
/// the mailbox's SMTP AUTH follows `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSmtpSwitch {
    pub before: Option<bool>,
    pub effective_ms: i64,
}

/// Why SMTP AUTH is refused for a marked mailbox, with Exchange's `5.7.139` words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpSignInRefusal {
    /// The tenant's security defaults.
    SecurityDefaults,
    /// A Conditional Access policy.
    ConditionalAccess,
}

/// The organisation-wide switches of EWS and SMTP AUTH (`Set-OrganizationConfig`,
/// `Set-TransportConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSwitches {
    /// `-EwsEnabled`: none is `$null`, the default.
    #[serde(default)]
    pub ews_enabled: Option<bool>,
    /// `-EwsAllowedAppIDs`: the application IDs allowed EWS while `ews_enabled` is true; none
    /// when never set.
    #[serde(default)]
    pub ews_allowed_app_ids: Option<Vec<String>>,
    /// `Set-TransportConfig -SmtpClientAuthenticationDisabled`.
    #[serde(default)]
    pub smtp_client_auth_disabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub subject: String,
    pub from: String,
    pub received: String,
    pub is_read: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub mail: String,
    pub members: Vec<String>,
    /// The mail addresses of the group's owners (`ManagedBy`): only they change its members
    /// without `-BypassSecurityGroupManagerCheck`.
    #[serde(default)]
    pub managed_by: Vec<String>,
    /// When members added by `Add-DistributionGroupMember` count (mail → ms); others always.
    #[serde(default)]
    pub joined: std::collections::BTreeMap<String, i64>,
    /// When it was made (ms since the epoch); 0 for seeded groups.
    #[serde(default)]
    pub created_ms: i64,
}

impl App {
    /// The key ID under which a seeded app's secret is listed.
    pub fn seed_key_id(&self) -> String {
        format!(
            "5eed0000-0000-4000-8000-{}",
            &self.object_id[self.object_id.len().saturating_sub(12)..]
        )
    }

    /// The key ID of the client secret `secret`, when it is one of this app's.
    pub fn secret_key_id(&self, secret: &str) -> Option<String> {
        if !self.secret.is_empty() && secret == self.secret {
            return Some(self.seed_key_id());
        }
        self.passwords
            .iter()
            .find(|p| p.secret == secret)
            .map(|p| p.key_id.clone())
    }
}

impl Group {
    pub fn dn(&self, tenant_domain: &str) -> String {
        format!(
            "CN={},OU={tenant_domain},OU=Microsoft Exchange Hosted Organizations,DC=EURPR01A001,DC=prod,DC=outlook,DC=com",
            self.name
        )
    }

    pub fn has_member(&self, mail: &str, now_ms: i64) -> bool {
        self.members.iter().any(|m| m == mail)
            && self
                .joined
                .get(mail)
                .is_none_or(|at| effective(*at, now_ms))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct App {
    pub key: String,
    pub name: String,
    pub expect: String,
    pub client_id: String,
    pub object_id: String,
    pub sp_id: String,
    pub secret: String,
    #[serde(with = "time::serde::rfc3339")]
    pub secret_expires: OffsetDateTime,
    pub graph_roles: Vec<String>,
    /// Application roles consented on Office 365 Exchange Online.
    #[serde(default)]
    pub exchange_roles: Vec<String>,
    #[serde(default)]
    pub policy: Option<Policy>,
    /// Secrets added through `addPassword` (the seeded `secret` stays valid too).
    #[serde(default)]
    pub passwords: Vec<Password>,
    #[serde(default)]
    pub required_resource_access: serde_json::Value,
    #[serde(default)]
    pub public_client: bool,
    /// When the app was created (ms since the epoch); 0 for seeded apps.
    #[serde(default)]
    pub created_ms: i64,
    /// When its service principal was created (ms since the epoch); 0 for seeded apps.
    #[serde(default)]
    pub sp_created_ms: i64,
    /// Certificates registered as credentials (`keyCredentials`).
    #[serde(default)]
    pub certificates: Vec<KeyCredential>,
    /// `tags` as the app was created with.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `web.redirectUris`: where a confidential client's authorization codes may go.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web_redirect_uris: Vec<String>,
    /// `publicClient.redirectUris`: where a public client's authorization codes may go.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_redirect_uris: Vec<String>,
    /// When the app was deleted (RFC 3339), while it waits in the deleted items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
}

/// The service principal of an application registered elsewhere.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OtherPrincipal {
    pub id: String,
    pub app_id: String,
    pub name: String,
}

/// A service principal deleted with its app: restored on its own, as in Entra ID.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeletedPrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub deleted: String,
}

/// A service principal's sign-in (a client-credentials token issued), as Entra ID logs it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignInRecord {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub app_id: String,
    pub app_name: String,
    pub sp_id: String,
    /// The key ID of the secret or certificate it signed in with.
    pub key_id: String,
    /// `clientSecret` or `clientAssertion` (Graph's `clientCredentialType`).
    pub credential_type: String,
    /// The resource the token is for (its application ID URI).
    pub resource: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyCredential {
    pub key_id: String,
    pub display_name: String,
    /// base64url SHA-256 of the certificate.
    pub thumbprint: String,
    /// The certificate, base64 DER.
    pub key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessRight {
    RestrictAccess,
    DenyAccess,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Policy {
    /// Group name, mail or id.
    pub group: String,
    pub access_right: AccessRight,
}
