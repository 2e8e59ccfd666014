//! The permission catalog of REFERENCE.md section 1, kept as data in `assets/catalog.json`.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::AccessChoice;

#[derive(Debug, Deserialize)]
pub struct Catalog {
    pub resources: Vec<Resource>,
    pub access: Vec<AccessRequirement>,
}

#[derive(Debug, Deserialize)]
pub struct Resource {
    pub key: String,
    pub name: String,
    pub app_id: String,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Deserialize)]
pub struct Permission {
    pub name: String,
    /// Application role id (app-only), if the permission exists as one.
    pub role: Option<String>,
    /// Delegated scope id, if the permission exists as one.
    pub scope: Option<String>,
    #[serde(default)]
    pub unconfirmed: bool,
}

#[derive(Debug, Deserialize)]
pub struct AccessRequirement {
    pub choice: AccessChoice,
    pub resource: String,
    pub roles: Vec<String>,
    /// Roles that include what `roles` grant (Mail.ReadWrite covers reading).
    pub also_satisfied_by: Vec<String>,
    /// The RBAC for Applications role that scopes this access, where one exists.
    pub rbac_role: Option<String>,
    pub explain: String,
    /// How the access is limited to some mailboxes.
    pub scope: String,
    /// Delegated permissions (by name) on `resource`, for the delegated style.
    #[serde(default)]
    pub scopes: Vec<String>,
}

pub const GRAPH: &str = "graph";
pub const EXCHANGE: &str = "exchange";

pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_json::from_str(include_str!("../assets/catalog.json"))
            .expect("assets/catalog.json is valid")
    })
}

impl Catalog {
    pub fn resource(&self, key: &str) -> &Resource {
        self.resources
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("catalog has no resource {key}"))
    }

    pub fn requirement(&self, choice: AccessChoice) -> &AccessRequirement {
        self.access
            .iter()
            .find(|a| a.choice == choice)
            .unwrap_or_else(|| panic!("catalog has no requirement for {choice}"))
    }

    /// The roles a token for `resource` must carry for these choices, in a stable order.
    pub fn roles_needed(
        &self,
        resource: &str,
        choices: &[AccessChoice],
    ) -> Vec<&AccessRequirement> {
        choices
            .iter()
            .map(|c| self.requirement(*c))
            .filter(|r| r.resource == resource)
            .collect()
    }
}

impl Resource {
    pub fn app_role_id(&self, name: &str) -> Option<&str> {
        self.permissions
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.role.as_deref())
    }
}

impl AccessRequirement {
    /// Whether a token's `roles` claim satisfies this requirement.
    pub fn met_by(&self, roles: &[String]) -> bool {
        self.roles
            .iter()
            .chain(self.also_satisfied_by.iter())
            .any(|r| roles.iter().any(|have| have == r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Guid;

    #[test]
    fn every_id_is_a_guid_and_unique_per_resource() {
        for r in &catalog().resources {
            Guid::parse("app_id", &r.app_id).unwrap();
            let mut seen = std::collections::HashSet::new();
            for p in &r.permissions {
                for id in p.role.iter().chain(p.scope.iter()) {
                    Guid::parse("id", id).unwrap();
                    assert!(seen.insert(id.clone()), "duplicate id {id} in {}", r.name);
                }
            }
        }
    }

    #[test]
    fn reference_values() {
        let g = catalog().resource(GRAPH);
        assert_eq!(g.app_id, "00000003-0000-0000-c000-000000000000");
        assert_eq!(
            g.app_role_id("Mail.Read"),
            Some("810c84a8-4a9e-49e6-bf7d-12d183f40d01")
        );
        assert_eq!(
            g.app_role_id("Mail.Send"),
            Some("b633e1c5-b582-4048-a93e-9f11b44c7e96")
        );
        assert_eq!(
            g.app_role_id("User.Read"),
            None,
            "User.Read is delegated only"
        );
        let x = catalog().resource(EXCHANGE);
        assert_eq!(x.app_id, "00000002-0000-0ff1-ce00-000000000000");
        assert_eq!(
            x.app_role_id("full_access_as_app"),
            Some("dc890d15-9560-4a4c-9b7f-a736ec74ec40")
        );
    }

    #[test]
    fn every_choice_has_a_requirement() {
        for c in AccessChoice::ALL {
            let r = catalog().requirement(c);
            for role in &r.roles {
                assert!(
                    catalog().resource(&r.resource).app_role_id(role).is_some(),
                    "{role}"
                );
            }
        }
    }

    #[test]
    fn exchange_protocols_need_exchange_roles() {
        for (c, role) in [
            (AccessChoice::Imap, "IMAP.AccessAsApp"),
            (AccessChoice::Pop, "POP.AccessAsApp"),
            (AccessChoice::Smtp, "SMTP.SendAsApp"),
            (AccessChoice::Ews, "full_access_as_app"),
        ] {
            let r = catalog().requirement(c);
            assert_eq!((r.resource.as_str(), r.roles[0].as_str()), (EXCHANGE, role));
        }
        assert!(
            catalog()
                .requirement(AccessChoice::Imap)
                .rbac_role
                .is_none()
        );
        let ews = catalog().requirement(AccessChoice::Ews);
        assert!(ews.explain.contains("April 2027") && ews.explain.contains("Graph"));
    }

    #[test]
    fn read_write_satisfies_read_but_not_send() {
        let read = catalog().requirement(AccessChoice::GraphRead);
        assert!(read.met_by(&["Mail.ReadWrite".into()]));
        assert!(!read.met_by(&["Mail.Send".into()]));
        assert!(
            !catalog()
                .requirement(AccessChoice::GraphSend)
                .met_by(&["Mail.ReadWrite".into()])
        );
    }
}
