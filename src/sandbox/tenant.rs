//! The simulated tenant's data and the access rules of REFERENCE.md section 7. Pure.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
}

/// When a change made by a cmdlet takes effect (ms since the epoch); 0 for seeded state.
fn effective(at_ms: i64, now_ms: i64) -> bool {
    at_ms <= now_ms
}

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailboxRight {
    FullAccess,
    SendAs,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MailboxPermission {
    pub mailbox: String,
    /// Object id of the service principal granted the right.
    pub principal: String,
    pub right: MailboxRight,
    #[serde(default)]
    pub effective_ms: i64,
}

/// The Exchange protocols of access rule 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailProtocol {
    Imap,
    Pop,
    Smtp,
}

impl MailProtocol {
    fn role(self) -> &'static str {
        match self {
            MailProtocol::Imap => "IMAP.AccessAsApp",
            MailProtocol::Pop => "POP.AccessAsApp",
            MailProtocol::Smtp => "SMTP.SendAsApp",
        }
    }
}

/// Why an IMAP, POP or SMTP sign-in is refused (rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailRefusal {
    NoSuchUser,
    MissingRole,
    NoServicePrincipal,
    /// Registered with an object id that is not the token's service principal.
    WrongObjectId,
    NoPermission,
    ProtocolDisabled,
}

impl MailRefusal {
    /// Refusals Exchange reports only after a successful IMAP sign-in.
    pub fn after_sign_in(self) -> bool {
        matches!(self, MailRefusal::WrongObjectId | MailRefusal::NoPermission)
    }
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
    /// When members added by `Add-DistributionGroupMember` count (mail → ms); others always.
    #[serde(default)]
    pub joined: std::collections::BTreeMap<String, i64>,
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
    /// Certificates registered as credentials (`keyCredentials`).
    #[serde(default)]
    pub certificates: Vec<KeyCredential>,
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

/// Why a mailbox call is refused; each maps to the real service's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSuchUser,
    MissingRole,
    BlockedByPolicy,
}

/// Why the token endpoint refuses a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientRefusal {
    UnknownApp,
    MissingSecret,
    BadSecret,
    ExpiredSecret,
}

pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";

impl Tenant {
    pub fn seed() -> Tenant {
        let mut t: Tenant = serde_json::from_str(include_str!("../../assets/sandbox_seed.json"))
            .expect("sandbox seed is valid");
        t.resource_principals = crate::catalog::catalog()
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| ResourcePrincipal {
                id: format!("f0000000-0000-4000-8000-00000000000{}", i + 1),
                app_id: r.app_id.clone(),
                display_name: r.name.clone(),
                app_roles: r
                    .permissions
                    .iter()
                    .filter_map(|p| {
                        p.role.as_ref().map(|id| RoleDef {
                            id: id.clone(),
                            value: p.name.clone(),
                        })
                    })
                    .collect(),
                scopes: r
                    .permissions
                    .iter()
                    .filter_map(|p| {
                        p.scope.as_ref().map(|id| RoleDef {
                            id: id.clone(),
                            value: p.name.clone(),
                        })
                    })
                    .collect(),
            })
            .collect();
        for u in &mut t.users {
            u.messages = (0..u.inbox_total)
                .map(|i| Message {
                    id: format!("AAMk{}{:04}", &u.id[..8], i),
                    subject: format!("Sandbox message {} for {}", i + 1, u.name),
                    from: "noreply@contoso.example".into(),
                    received: format!("2026-11-{:02}T08:{:02}:00Z", 1 + (i % 25), i % 60),
                    is_read: i >= u.inbox_unread,
                })
                .collect();
        }
        t
    }

    /// Adds mailboxes `user0001@<domain>` … up to `n` of them, each with one unread message;
    /// those already there are kept.
    pub fn add_generated_mailboxes(&mut self, n: u32) {
        let domain = self.domains.first().cloned().unwrap_or_default();
        let known: std::collections::HashSet<String> = self
            .users
            .iter()
            .map(|u| u.mail.to_ascii_lowercase())
            .collect();
        for i in 1..=n {
            let mail = format!("user{i:04}@{domain}");
            if known.contains(&mail.to_ascii_lowercase()) {
                continue;
            }
            let id = format!("c0000000-0000-4000-8000-{i:012}");
            self.users.push(User {
                messages: vec![Message {
                    id: format!("AAMk{}0000", &id[..8]),
                    subject: "Sandbox message".into(),
                    from: format!("noreply@{domain}"),
                    received: "2026-11-01T08:00:00Z".into(),
                    is_read: false,
                }],
                id,
                mail,
                name: format!("User {i:04}"),
                admin: false,
                inbox_total: 1,
                inbox_unread: 1,
                imap_enabled: true,
                pop_enabled: true,
            });
        }
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

    fn group(&self, key: &str) -> Option<&Group> {
        let k = key.to_ascii_lowercase();
        self.groups
            .iter()
            .find(|g| g.id == k || g.name.to_ascii_lowercase() == k || g.mail == k)
    }

    pub fn authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<&App, ClientRefusal> {
        let app = self
            .app_by_client_id(client_id)
            .ok_or(ClientRefusal::UnknownApp)?;
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or(ClientRefusal::MissingSecret)?;
        let seeded = (!app.secret.is_empty() && secret == app.secret).then_some(app.secret_expires);
        let added = app
            .passwords
            .iter()
            .find(|p| p.secret == secret)
            .map(|p| p.end);
        let end = seeded.or(added).ok_or(ClientRefusal::BadSecret)?;
        if end <= now {
            return Err(ClientRefusal::ExpiredSecret);
        }
        Ok(app)
    }

    /// The application roles consented for `app` on the resource with `resource_app_id`.
    pub fn consented_roles(&self, app: &App, resource_app_id: &str) -> Vec<String> {
        let mut roles = match resource_app_id {
            GRAPH_APP_ID => app.graph_roles.clone(),
            EXCHANGE_APP_ID => app.exchange_roles.clone(),
            _ => Vec::new(),
        };
        if let Some(rp) = self
            .resource_principals
            .iter()
            .find(|r| r.app_id == resource_app_id)
        {
            for a in self
                .app_role_assignments
                .iter()
                .filter(|a| a.principal_id == app.sp_id && a.resource_id == rp.id)
            {
                if let Some(r) = rp.app_roles.iter().find(|r| r.id == a.app_role_id)
                    && !roles.contains(&r.value)
                {
                    roles.push(r.value.clone());
                }
            }
        }
        roles
    }

    /// Rule 2: a Graph mail or EWS call for `mailbox` by `client_id` holding `roles` (from its
    /// token) needs one of `any_of` and must pass the app's access policies, if any — or an RBAC
    /// assignment whose scope holds the mailbox, which policies do not restrict.
    pub fn graph_mail_access(
        &self,
        client_id: &str,
        roles: &[String],
        any_of: &[&str],
        mailbox: &str,
        now_ms: i64,
    ) -> Result<&User, Refusal> {
        let user = self.user(mailbox).ok_or(Refusal::NoSuchUser)?;
        let app = self.app_by_client_id(client_id);
        if app.is_some_and(|a| self.rbac_grants(a, any_of, Some(&user.mail), now_ms)) {
            return Ok(user);
        }
        if !roles.iter().any(|r| any_of.contains(&r.as_str())) {
            return Err(Refusal::MissingRole);
        }
        if self.policy_allows(client_id, &user.mail, now_ms) {
            Ok(user)
        } else {
            Err(Refusal::BlockedByPolicy)
        }
    }

    /// Whether the app's access policies, if any, let it reach `mailbox`.
    pub fn policy_allows(&self, client_id: &str, mailbox: &str, now_ms: i64) -> bool {
        let mut policies: Vec<(Option<&Group>, AccessRight)> = Vec::new();
        if let Some(p) = self
            .app_by_client_id(client_id)
            .and_then(|a| a.policy.as_ref())
        {
            policies.push((self.group(&p.group), p.access_right));
        }
        for p in self.access_policies.iter().filter(|p| {
            p.app_id.eq_ignore_ascii_case(client_id) && effective(p.effective_ms, now_ms)
        }) {
            policies.push((self.group(&p.group), p.access_right));
        }
        // Several policies for one app: access is allowed when any of them allows it.
        policies.is_empty()
            || policies.iter().any(|(g, right)| {
                let member = g.is_some_and(|g| g.has_member(mailbox, now_ms));
                match right {
                    AccessRight::RestrictAccess => member,
                    AccessRight::DenyAccess => !member,
                }
            })
    }

    /// The RBAC role that stands for an Entra permission name.
    fn rbac_role_of(permission: &str) -> String {
        if permission == "full_access_as_app" {
            "Application EWS.AccessAsApp".into()
        } else {
            format!("Application {permission}")
        }
    }

    /// An effective RBAC assignment of one of `any_of` (Entra names) to the app, covering
    /// `mailbox` (or any mailbox when none is given).
    pub fn rbac_grants(
        &self,
        app: &App,
        any_of: &[&str],
        mailbox: Option<&str>,
        now_ms: i64,
    ) -> bool {
        let wanted: Vec<String> = any_of.iter().map(|p| Self::rbac_role_of(p)).collect();
        self.exchange_sp_registered(app, now_ms)
            && self.role_assignments.iter().any(|ra| {
                ra.app.eq_ignore_ascii_case(&app.sp_id)
                    && effective(ra.effective_ms, now_ms)
                    && wanted.iter().any(|w| w.eq_ignore_ascii_case(&ra.role))
                    && match (mailbox, &ra.scope) {
                        (None, _) | (_, None) => true,
                        (Some(m), Some(scope)) => self.scope_holds(scope, m, now_ms),
                    }
            })
    }

    fn exchange_sp_registered(&self, app: &App, now_ms: i64) -> bool {
        self.exchange_service_principals.iter().any(|sp| {
            sp.object_id.eq_ignore_ascii_case(&app.sp_id) && effective(sp.effective_ms, now_ms)
        })
    }

    /// A management scope `MemberOfGroup -eq '<DN>'` holds the group's members.
    pub fn scope_holds(&self, scope_id: &str, mailbox: &str, now_ms: i64) -> bool {
        let Some(sc) = self.management_scopes.iter().find(|x| x.id == scope_id) else {
            return false;
        };
        if !effective(sc.effective_ms, now_ms) {
            return false;
        }
        self.scope_group(&sc.filter)
            .is_some_and(|g| g.has_member(mailbox, now_ms))
    }

    /// The group a `MemberOfGroup -eq '<DN>'` filter names.
    pub fn scope_group(&self, filter: &str) -> Option<&Group> {
        let dn = filter
            .trim()
            .strip_prefix("MemberOfGroup -eq ")?
            .trim_matches(|c| c == '\'' || c == '"');
        let domain = self.domains.first().map(String::as_str).unwrap_or("");
        self.groups
            .iter()
            .find(|g| g.dn(domain).eq_ignore_ascii_case(dn))
    }

    pub fn find_group(&self, key: &str) -> Option<&Group> {
        self.group(key)
    }
}

impl Tenant {
    /// Rule 3: IMAP, POP or SMTP for `mailbox` by the app `appid` whose token names service
    /// principal `oid` and carries `roles`.
    pub fn exchange_mail_access(
        &self,
        appid: &str,
        oid: &str,
        roles: &[String],
        protocol: MailProtocol,
        mailbox: &str,
        now_ms: i64,
    ) -> Result<&User, MailRefusal> {
        let user = self.user(mailbox).ok_or(MailRefusal::NoSuchUser)?;
        if !roles.iter().any(|r| r == protocol.role()) {
            return Err(MailRefusal::MissingRole);
        }
        let sp = self
            .exchange_service_principals
            .iter()
            .find(|sp| sp.app_id.eq_ignore_ascii_case(appid) && effective(sp.effective_ms, now_ms))
            .ok_or(MailRefusal::NoServicePrincipal)?;
        if !sp.object_id.eq_ignore_ascii_case(oid) {
            return Err(MailRefusal::WrongObjectId);
        }
        let enabled = match protocol {
            MailProtocol::Imap => user.imap_enabled,
            MailProtocol::Pop => user.pop_enabled,
            MailProtocol::Smtp => true,
        };
        if !enabled {
            return Err(MailRefusal::ProtocolDisabled);
        }
        let granted = self.mailbox_permissions.iter().any(|p| {
            p.mailbox == user.mail
                && p.principal.eq_ignore_ascii_case(oid)
                && effective(p.effective_ms, now_ms)
                && (p.right == MailboxRight::FullAccess
                    || (protocol == MailProtocol::Smtp && p.right == MailboxRight::SendAs))
        });
        if !granted {
            return Err(MailRefusal::NoPermission);
        }
        Ok(user)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-26 12:00 UTC)
    }

    #[test]
    fn seed_has_every_outcome() {
        let t = Tenant::seed();
        assert!(t.users.len() >= 7);
        assert!(t.users.iter().filter(|u| !u.admin).count() >= 6);
        let alice = t.user("ALICE@contoso.example").unwrap();
        assert_eq!(alice.messages.len(), 12);
        assert_eq!(alice.messages.iter().filter(|m| !m.is_read).count(), 3);
        for key in ["scoped", "no-consent", "expired", "blocked", "unscoped"] {
            assert!(t.apps.iter().any(|a| a.key == key), "{key}");
        }
    }

    #[test]
    fn client_authentication() {
        let t = Tenant::seed();
        let scoped = t.apps.iter().find(|a| a.key == "scoped").unwrap();
        let expired = t.apps.iter().find(|a| a.key == "expired").unwrap();
        assert!(
            t.authenticate_client(&scoped.client_id, Some(&scoped.secret), now())
                .is_ok()
        );
        assert_eq!(
            t.authenticate_client(&scoped.client_id, Some("wrong"), now())
                .unwrap_err(),
            ClientRefusal::BadSecret
        );
        assert_eq!(
            t.authenticate_client(&scoped.client_id, None, now())
                .unwrap_err(),
            ClientRefusal::MissingSecret
        );
        assert_eq!(
            t.authenticate_client(&scoped.object_id, Some(&scoped.secret), now())
                .unwrap_err(),
            ClientRefusal::UnknownApp
        );
        assert_eq!(
            t.authenticate_client(&expired.client_id, Some(&expired.secret), now())
                .unwrap_err(),
            ClientRefusal::ExpiredSecret
        );
    }

    #[test]
    fn policy_rules() {
        let t = Tenant::seed();
        let id = |k: &str| {
            t.apps
                .iter()
                .find(|a| a.key == k)
                .unwrap()
                .client_id
                .clone()
        };
        let read = ["Mail.Read".to_string()];
        let any = ["Mail.Read", "Mail.ReadWrite"];
        assert!(
            t.graph_mail_access(&id("scoped"), &read, &any, "alice@contoso.example", 0)
                .is_ok()
        );
        assert_eq!(
            t.graph_mail_access(&id("scoped"), &read, &any, "ceo@contoso.example", 0)
                .unwrap_err(),
            Refusal::BlockedByPolicy
        );
        assert_eq!(
            t.graph_mail_access(&id("scoped"), &[], &any, "alice@contoso.example", 0)
                .unwrap_err(),
            Refusal::MissingRole
        );
        assert_eq!(
            t.graph_mail_access(&id("blocked"), &read, &any, "alice@contoso.example", 0)
                .unwrap_err(),
            Refusal::BlockedByPolicy
        );
        assert!(
            t.graph_mail_access(&id("unscoped"), &read, &any, "ceo@contoso.example", 0)
                .is_ok()
        );
        assert_eq!(
            t.graph_mail_access(&id("unscoped"), &read, &any, "ghost@contoso.example", 0)
                .unwrap_err(),
            Refusal::NoSuchUser
        );
    }

    #[test]
    fn deny_access_policy_inverts_membership() {
        let mut t = Tenant::seed();
        let app = t.apps.iter_mut().find(|a| a.key == "unscoped").unwrap();
        app.policy = Some(Policy {
            group: "helpdesk-mailboxes".into(),
            access_right: AccessRight::DenyAccess,
        });
        let id = app.client_id.clone();
        let read = ["Mail.Read".to_string()];
        assert_eq!(
            t.graph_mail_access(&id, &read, &["Mail.Read"], "alice@contoso.example", 0)
                .unwrap_err(),
            Refusal::BlockedByPolicy
        );
        assert!(
            t.graph_mail_access(&id, &read, &["Mail.Read"], "ceo@contoso.example", 0)
                .is_ok()
        );
    }
}
