//! The seed names each app's consents and access policy in shorthand on the app; here they
//! become the records the APIs list and the access rules read (`app_role_assignments`,
//! `access_policies`), so a seeded grant reads back as one made through the APIs would.

use super::{AccessPolicy, App, AppRoleAssignment, Tenant};
use crate::sandbox::facts::{EXCHANGE_APP_ID, GRAPH_APP_ID};

/// `createdDateTime` of the seeded consents: the day the seed was written.
const SEEDED_AT: &str = "2026-11-01T00:00:00Z";

/// The description of a seeded application access policy.
pub const SEEDED_POLICY: &str = "Seeded with the sandbox tenant";

impl Tenant {
    /// Moves every app's shorthand grants into the records; running it again changes nothing.
    /// A role the resource does not define, or a policy on a group that does not exist, stays
    /// on the app, where the access rules still read it.
    pub fn normalise_seeded_grants(&mut self) {
        for i in 0..self.apps.len() {
            let graph = std::mem::take(&mut self.apps[i].graph_roles);
            let exchange = std::mem::take(&mut self.apps[i].exchange_roles);
            let graph = self.record_consents(i, GRAPH_APP_ID, graph);
            let exchange = self.record_consents(i, EXCHANGE_APP_ID, exchange);
            let policy = self.apps[i].policy.take();
            let policy = policy.and_then(|p| {
                let Some(group) = self.find_group(&p.group).map(|g| g.id.clone()) else {
                    return Some(p);
                };
                let app = &self.apps[i];
                self.access_policies.push(AccessPolicy {
                    id: seeded_id("5eed0001", app),
                    app_id: app.client_id.clone(),
                    group,
                    access_right: p.access_right,
                    description: SEEDED_POLICY.into(),
                    effective_ms: 0,
                });
                None
            });
            let app = &mut self.apps[i];
            app.graph_roles = graph;
            app.exchange_roles = exchange;
            app.policy = policy;
        }
    }

    /// Records `roles` of the resource `resource_app_id` as consented to app `i`; the names it
    /// could not record.
    fn record_consents(
        &mut self,
        i: usize,
        resource_app_id: &str,
        roles: Vec<String>,
    ) -> Vec<String> {
        let sp = self.apps[i].sp_id.clone();
        let Some(rp) = self
            .resource_principals
            .iter()
            .find(|r| r.app_id == resource_app_id)
        else {
            return roles;
        };
        let mut left = Vec::new();
        for name in roles {
            let Some(def) = rp.app_roles.iter().find(|r| r.value == name) else {
                left.push(name);
                continue;
            };
            if sp.is_empty() {
                left.push(name);
                continue;
            }
            let known = self
                .app_role_assignments
                .iter()
                .any(|a| a.principal_id == sp && a.resource_id == rp.id && a.app_role_id == def.id);
            if !known {
                self.app_role_assignments.push(AppRoleAssignment {
                    id: format!("seeded-{sp}-{}", def.id),
                    principal_id: sp.clone(),
                    resource_id: rp.id.clone(),
                    app_role_id: def.id.clone(),
                    created: SEEDED_AT.into(),
                });
            }
        }
        left
    }
}

/// An id of the app's seeded record of one kind (`prefix`), fixed for the app.
fn seeded_id(prefix: &str, app: &App) -> String {
    let tail = &app.object_id[app.object_id.len().saturating_sub(12)..];
    format!("{prefix}-0000-4000-8000-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::tenant::Policy;

    #[test]
    fn seeded_grants_are_records_and_a_second_pass_changes_nothing() {
        let mut t = Tenant::seed();
        assert!(t.apps.iter().all(|a| a.graph_roles.is_empty()
            && a.exchange_roles.is_empty()
            && a.policy.is_none()));
        let scoped = t.apps.iter().find(|a| a.key == "scoped").unwrap().clone();
        let policies: Vec<_> = t
            .access_policies
            .iter()
            .filter(|p| p.app_id == scoped.client_id)
            .collect();
        assert_eq!(policies.len(), 1);
        let helpdesk = t.find_group("helpdesk-mailboxes").unwrap();
        assert_eq!(policies[0].group, helpdesk.id);
        let mine = |t: &Tenant| {
            t.app_role_assignments
                .iter()
                .filter(|a| a.principal_id == scoped.sp_id)
                .count()
        };
        assert_eq!(mine(&t), 6, "Mail.Read, Mail.Send and four Exchange roles");
        let (assignments, policies) = (t.app_role_assignments.len(), t.access_policies.len());
        t.normalise_seeded_grants();
        assert_eq!(t.app_role_assignments.len(), assignments);
        assert_eq!(t.access_policies.len(), policies);
    }

    #[test]
    fn a_policy_on_a_missing_group_stays_on_the_app_and_still_blocks() {
        let mut t = Tenant::seed();
        let before = t.access_policies.len();
        let app = t.apps.iter_mut().find(|a| a.key == "unscoped").unwrap();
        app.policy = Some(Policy {
            group: "no-such-group".into(),
            access_right: super::super::AccessRight::RestrictAccess,
        });
        let id = app.client_id.clone();
        t.normalise_seeded_grants();
        assert_eq!(t.access_policies.len(), before);
        assert!(!t.policy_allows(&id, "alice@contoso.example", 0));
    }
}
