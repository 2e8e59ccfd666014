//! A populated tenant for audits (`sandbox serve --extra-apps N --extra-principals M`): mail
//! apps of every kind an audit tells apart, in turn, and service principals with no mail
//! access. Their grants are made as records, as an administrator's calls would leave them.

use time::{Duration, OffsetDateTime};

use super::{
    AccessPolicy, AccessRight, App, AppRoleAssignment, ExchangeServicePrincipal, MailboxPermission,
    MailboxRight, ManagementScope, OtherPrincipal, RoleAssignment, Tenant,
};
use crate::sandbox::facts::{EXCHANGE_APP_ID, GRAPH_APP_ID};

/// The kinds of mail app made, in the order app `i` takes them (`i % KINDS.len()`); each is
/// named in the app's `expect` as `audit:<kind>`.
pub const KINDS: [&str; 8] = [
    "tenant-wide",
    "mailbox-permissions",
    "rbac",
    "rbac-and-tenant-wide",
    "policy",
    "expired",
    "expiring",
    "unused",
];

/// The management scope the RBAC kinds are assigned within (the helpdesk group).
pub const AUDIT_SCOPE: &str = "Audit helpdesk scope";
const HELPDESK: &str = "helpdesk-mailboxes";
/// The mailbox the per-mailbox kind holds FullAccess on.
pub const PERMITTED_MAILBOX: &str = "alice@contoso.example";

fn id(prefix: &str, i: u32) -> String {
    format!("{prefix}-0000-4000-8000-{i:012}")
}

impl Tenant {
    /// Adds mail apps `1..=apps` and other principals `1..=principals` that are not there yet;
    /// dates count from `now`.
    pub fn add_audit_population(&mut self, apps: u32, principals: u32, now: OffsetDateTime) {
        for i in 1..=principals {
            let sp = id("a3000000", i);
            if self.other_principals.iter().any(|p| p.id == sp) {
                continue;
            }
            self.other_principals.push(OtherPrincipal {
                id: sp,
                app_id: id("a4000000", i),
                name: format!("Line-of-business service {i:04}"),
            });
        }
        if apps > 0 {
            self.audit_scope();
        }
        for i in 1..=apps {
            if self.apps.iter().any(|a| a.client_id == id("a1000000", i)) {
                continue;
            }
            self.add_audit_app(i, now);
        }
    }

    /// The management scope on the helpdesk group, made once.
    fn audit_scope(&mut self) -> String {
        if let Some(s) = self
            .management_scopes
            .iter()
            .find(|s| s.name == AUDIT_SCOPE)
        {
            return s.id.clone();
        }
        let domain = self.domains.first().cloned().unwrap_or_default();
        let dn = self
            .find_group(HELPDESK)
            .map(|g| g.dn(&domain))
            .unwrap_or_default();
        let scope = ManagementScope {
            id: "a5000000-0000-4000-8000-000000000001".into(),
            name: AUDIT_SCOPE.into(),
            filter: format!("MemberOfGroup -eq '{dn}'"),
            effective_ms: 0,
        };
        self.management_scopes.push(scope.clone());
        scope.id
    }

    fn add_audit_app(&mut self, i: u32, now: OffsetDateTime) {
        let kind = KINDS[(i as usize - 1) % KINDS.len()];
        let expires = match kind {
            "expired" => now - Duration::days(30),
            "expiring" => now + Duration::days(10),
            _ => now + Duration::days(365),
        };
        let app = App {
            key: String::new(),
            name: format!("Audit {kind} {i:04}"),
            expect: format!("audit:{kind}"),
            client_id: id("a1000000", i),
            object_id: id("a0000000", i),
            sp_id: id("a2000000", i),
            secret: format!(
                "Aud8Q~{i:06}.{}",
                &uuid::Uuid::new_v4().simple().to_string()[..24]
            ),
            secret_expires: expires,
            graph_roles: Vec::new(),
            exchange_roles: Vec::new(),
            policy: None,
            passwords: Vec::new(),
            required_resource_access: serde_json::Value::Null,
            public_client: false,
            created_ms: 0,
            sp_created_ms: 0,
            certificates: Vec::new(),
            web_redirect_uris: Vec::new(),
            public_redirect_uris: Vec::new(),
            deleted: None,
            tags: Vec::new(),
        };
        let (sp, client) = (app.sp_id.clone(), app.client_id.clone());
        let name = app.name.clone();
        self.apps.push(app);
        let graph: &[&str] = match kind {
            "tenant-wide" | "rbac-and-tenant-wide" => &["Mail.Read"],
            "policy" => &["Mail.Read", "Mail.Send"],
            "expired" => &["Mail.Read"],
            "expiring" => &["Mail.ReadBasic.All"],
            "unused" => &["MailboxSettings.Read"],
            _ => &[],
        };
        let exchange: &[&str] = match kind {
            "mailbox-permissions" => &["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"],
            _ => &[],
        };
        self.consent(&sp, GRAPH_APP_ID, graph);
        self.consent(&sp, EXCHANGE_APP_ID, exchange);
        if matches!(
            kind,
            "mailbox-permissions" | "rbac" | "rbac-and-tenant-wide"
        ) {
            self.exchange_service_principals
                .push(ExchangeServicePrincipal {
                    app_id: client.clone(),
                    object_id: sp.clone(),
                    display_name: name,
                    effective_ms: 0,
                    created_ms: 0,
                });
        }
        if kind == "mailbox-permissions" {
            self.mailbox_permissions.push(MailboxPermission {
                mailbox: PERMITTED_MAILBOX.into(),
                principal: sp.clone(),
                right: MailboxRight::FullAccess,
                effective_ms: 0,
            });
        }
        if matches!(kind, "rbac" | "rbac-and-tenant-wide") {
            let scope = self.audit_scope();
            self.role_assignments.push(RoleAssignment {
                id: id("a6000000", i),
                name: format!("Audit Mail.Read {i:04}"),
                role: "Application Mail.Read".into(),
                app: sp.clone(),
                scope: Some(scope),
                effective_ms: 0,
            });
        }
        if matches!(kind, "policy" | "expired") {
            let group = self.find_group(HELPDESK).map(|g| g.id.clone());
            if let Some(group) = group {
                self.access_policies.push(AccessPolicy {
                    id: id("a7000000", i),
                    app_id: client.clone(),
                    group,
                    access_right: AccessRight::RestrictAccess,
                    description: "Audit population".into(),
                    effective_ms: 0,
                });
            }
        }
        let last = match kind {
            "unused" => None,
            "expired" => Some(now - Duration::days(120)),
            _ => Some(now - Duration::days(2)),
        };
        if let Some(at) = last {
            self.note_sign_in(&client, at);
        }
    }

    /// Records the consent of `roles` of the resource `resource_app_id` for principal `sp`.
    fn consent(&mut self, sp: &str, resource_app_id: &str, roles: &[&str]) {
        let Some(rp) = self
            .resource_principals
            .iter()
            .find(|r| r.app_id == resource_app_id)
        else {
            return;
        };
        for name in roles {
            if let Some(def) = rp.app_roles.iter().find(|r| r.value == *name) {
                self.app_role_assignments.push(AppRoleAssignment {
                    id: format!("audit-{sp}-{}", def.id),
                    principal_id: sp.to_string(),
                    resource_id: rp.id.clone(),
                    app_role_id: def.id.clone(),
                    created: "2026-11-01T00:00:00Z".into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_made_in_turn_and_a_second_pass_adds_nothing() {
        let mut t = Tenant::seed();
        let now = OffsetDateTime::now_utc();
        t.add_audit_population(16, 5, now);
        for kind in KINDS {
            let n = t
                .apps
                .iter()
                .filter(|a| a.expect == format!("audit:{kind}"))
                .count();
            assert_eq!(n, 2, "{kind}");
        }
        assert_eq!(t.other_principals.len(), 5);
        let sizes = |t: &Tenant| {
            (
                t.apps.len(),
                t.app_role_assignments.len(),
                t.role_assignments.len(),
                t.access_policies.len(),
                t.management_scopes.len(),
                t.mailbox_permissions.len(),
            )
        };
        let once = sizes(&t);
        t.add_audit_population(16, 5, now);
        assert_eq!(sizes(&t), once);
        let unused = t.apps.iter().find(|a| a.expect == "audit:unused").unwrap();
        assert!(!t.sign_in_activity.contains_key(&unused.client_id));
    }
}
