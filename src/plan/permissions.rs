//! What the access choices need from each resource: application roles and delegated scopes,
//! by name, and as the app registration's `requiredResourceAccess`.

use serde_json::{Value, json};

use crate::catalog::{Resource, catalog};
use crate::model::AccessChoice;

/// What one resource must grant: application roles and delegated scopes, by name.
pub struct Needs {
    pub resource: &'static Resource,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
}

/// Every resource these choices need something from, in catalog order, names deduplicated;
/// application roles named in `omit` left out.
pub fn needs(access: &[AccessChoice], omit: &[String]) -> Vec<Needs> {
    let c = catalog();
    c.resources
        .iter()
        .filter_map(|r| {
            let mut roles: Vec<String> = Vec::new();
            let mut scopes: Vec<String> = Vec::new();
            for req in c.roles_needed(&r.key, access) {
                for (from, into, is_role) in [
                    (&req.roles, &mut roles, true),
                    (&req.scopes, &mut scopes, false),
                ] {
                    for n in from {
                        if !(into.contains(n) || is_role && omit.contains(n)) {
                            into.push(n.clone());
                        }
                    }
                }
            }
            (!roles.is_empty() || !scopes.is_empty()).then_some(Needs {
                resource: r,
                roles,
                scopes,
            })
        })
        .collect()
}

/// Application permissions per resource: (resource, [names]).
pub fn permissions(
    access: &[AccessChoice],
    omit: &[String],
) -> Vec<(&'static Resource, Vec<String>)> {
    needs(access, omit)
        .into_iter()
        .filter(|n| !n.roles.is_empty())
        .map(|n| (n.resource, n.roles))
        .collect()
}

/// Delegated permissions of the delegated style, with their resource.
pub fn delegated(access: &[AccessChoice]) -> Option<(&'static Resource, Vec<String>)> {
    needs(access, &[])
        .into_iter()
        .find(|n| !n.scopes.is_empty())
        .map(|n| (n.resource, n.scopes))
}

/// `requiredResourceAccess` for the choices, with ids from `id_of(resource, name, is_role)`
/// (resolved at run time, or the catalog's). No `User.Read` unless the delegated style asks for
/// it: an app-only daemon does not need it.
pub fn required_resource_access(
    access: &[AccessChoice],
    omit: &[String],
    id_of: impl Fn(&Resource, &str, bool) -> Option<String>,
) -> Value {
    let entries: Vec<Value> = needs(access, omit)
        .into_iter()
        .map(|n| {
            let roles = n
                .roles
                .iter()
                .filter_map(|x| id_of(n.resource, x, true))
                .map(|id| json!({ "id": id, "type": "Role" }));
            let scopes = n
                .scopes
                .iter()
                .filter_map(|x| id_of(n.resource, x, false))
                .map(|id| json!({ "id": id, "type": "Scope" }));
            let all: Vec<Value> = roles.chain(scopes).collect();
            json!({ "resourceAppId": n.resource.app_id, "resourceAccess": all })
        })
        .collect();
    Value::Array(entries)
}
