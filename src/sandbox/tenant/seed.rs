//! The seeded tenant: the data in `assets/sandbox_seed.json`, the inbox messages it implies,
//! the resource service principals of Microsoft's facts, and generated mailboxes on request.

use std::collections::HashSet;

use super::{Message, ResourcePrincipal, RoleDef, Tenant, User};
use crate::sandbox::facts::{PermissionFacts, RESOURCES, ResourceFacts};

/// The service principal of a Microsoft resource, numbered `n` in the seed.
fn resource_principal(r: &ResourceFacts, n: u32) -> ResourcePrincipal {
    let ids = |pick: fn(&PermissionFacts) -> Option<&'static str>| {
        r.permissions()
            .filter_map(|p| {
                pick(&p).map(|id| RoleDef {
                    id: id.to_string(),
                    value: p.name.to_string(),
                })
            })
            .collect()
    };
    ResourcePrincipal {
        id: format!("f0000000-0000-4000-8000-00000000000{n}"),
        app_id: r.app_id.to_string(),
        display_name: r.display_name.to_string(),
        app_roles: ids(|p| p.role),
        scopes: ids(|p| p.scope),
    }
}

impl Tenant {
    pub fn seed() -> Tenant {
        let mut t: Tenant = serde_json::from_str(include_str!("../../../assets/sandbox_seed.json"))
            .expect("sandbox seed is valid");
        t.date_secrets_from(time::OffsetDateTime::now_utc());
        t.resource_principals = RESOURCES
            .iter()
            .zip(1..)
            .map(|(r, n)| resource_principal(r, n))
            .collect();
        t.normalise_seeded_grants();
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

    /// Gives every permission of the resources an ID other than Microsoft's published one (the
    /// catalog's), as a tenant may; consents already given follow. Running it again changes
    /// nothing.
    pub fn vary_permission_ids(&mut self) {
        const MARK: &str = "d1ff";
        let varied = |id: &str| format!("{MARK}{}", id.get(MARK.len()..).unwrap_or_default());
        let mut moved = Vec::new();
        for rp in &mut self.resource_principals {
            for r in rp.app_roles.iter_mut().chain(rp.scopes.iter_mut()) {
                if !r.id.starts_with(MARK) {
                    let new = varied(&r.id);
                    moved.push((std::mem::replace(&mut r.id, new.clone()), new));
                }
            }
        }
        for a in &mut self.app_role_assignments {
            if let Some((_, new)) = moved.iter().find(|(old, _)| *old == a.app_role_id) {
                a.app_role_id = new.clone();
            }
        }
    }

    /// Moves the seeded secrets' expiries as far from `now` as the seed has them from the day it
    /// was written: a valid secret stays valid and an expired one expired, whatever the clock.
    fn date_secrets_from(&mut self, now: time::OffsetDateTime) {
        let written = time::macros::datetime!(2026-11-01 00:00 UTC);
        for app in &mut self.apps {
            app.secret_expires = now + (app.secret_expires - written);
        }
    }

    /// Adds mailboxes `user0001@<domain>` … up to `n` of them, each with one unread message;
    /// those already there are kept.
    pub fn add_generated_mailboxes(&mut self, n: u32) {
        let domain = self.domains.first().cloned().unwrap_or_default();
        let known: HashSet<String> = self
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
                ews_enabled: None,
                smtp_client_auth_disabled: None,
                smtp_switch_pending: None,
                without_exchange_licence: false,
                kiosk_licence: false,
                smtp_sign_in_refusal: None,
                mfa: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varied_permission_ids_differ_from_the_catalog_once_and_for_all() {
        let mut t = Tenant::seed();
        t.vary_permission_ids();
        let once: Vec<String> = t
            .resource_principals
            .iter()
            .flat_map(|r| r.app_roles.iter().map(|x| x.id.clone()))
            .collect();
        t.vary_permission_ids();
        let twice: Vec<String> = t
            .resource_principals
            .iter()
            .flat_map(|r| r.app_roles.iter().map(|x| x.id.clone()))
            .collect();
        assert_eq!(once, twice);
        let graph = crate::catalog::catalog().resource(crate::catalog::GRAPH);
        let read = t
            .resource_principals
            .iter()
            .find(|r| r.app_id == graph.app_id)
            .unwrap();
        let read = read
            .app_roles
            .iter()
            .find(|r| r.value == "Mail.Read")
            .unwrap();
        assert_ne!(Some(read.id.as_str()), graph.app_role_id("Mail.Read"));
        assert_eq!(
            once.iter().collect::<std::collections::HashSet<_>>().len(),
            once.len()
        );
    }

    #[test]
    fn seeded_secrets_keep_their_state_whatever_the_date() {
        let far = time::macros::datetime!(2031-01-01 00:00 UTC);
        let mut t: Tenant =
            serde_json::from_str(include_str!("../../../assets/sandbox_seed.json")).unwrap();
        t.date_secrets_from(far);
        let valid = t.apps.iter().filter(|a| a.secret_expires > far).count();
        let expired = t.apps.iter().filter(|a| a.secret_expires < far).count();
        assert_eq!((valid, expired), (7, 1));
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
}
