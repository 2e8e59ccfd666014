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

/// The delegated scopes a consuming application asks for when it reads who signed in (the
/// delegated style's option; ESM's guide asks for them).
pub const OPENID_SCOPES: [&str; 2] = ["openid", "User.Read"];

/// Every resource these choices need something from, in catalog order, names deduplicated;
/// application roles named in `omit` left out.
pub fn needs(access: &[AccessChoice], omit: &[String]) -> Vec<Needs> {
    needs_with(access, omit, false)
}

/// As `needs`, with `openid` and `User.Read` beside the delegated scopes when `openid`.
pub fn needs_with(access: &[AccessChoice], omit: &[String], openid: bool) -> Vec<Needs> {
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
            if openid && !scopes.is_empty() {
                scopes.extend(OPENID_SCOPES.iter().map(|s| s.to_string()));
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

/// Delegated permissions of the delegated style, with their resource; `openid` adds
/// `OPENID_SCOPES`.
pub fn delegated(
    access: &[AccessChoice],
    openid: bool,
) -> Option<(&'static Resource, Vec<String>)> {
    needs_with(access, &[], openid)
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
    required_access_of(needs(access, omit), id_of)
}

/// `requiredResourceAccess` for what `needs` lists.
pub fn required_access_of(
    needs: Vec<Needs>,
    id_of: impl Fn(&Resource, &str, bool) -> Option<String>,
) -> Value {
    let entries: Vec<Value> = needs
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

/// `requiredResourceAccess` with what `add` asks for merged into what `existing` holds: every
/// entry kept, none removed, each permission (by id and type) listed once.
pub fn merged_resource_access(existing: &Value, add: &Value) -> Value {
    let mut out: Vec<Value> = existing.as_array().cloned().unwrap_or_default();
    for entry in add.as_array().into_iter().flatten() {
        let app = entry["resourceAppId"].as_str().unwrap_or_default();
        let at = out.iter().position(|e| {
            e["resourceAppId"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(app))
        });
        let Some(at) = at else {
            out.push(entry.clone());
            continue;
        };
        let mut access = out[at]["resourceAccess"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for a in entry["resourceAccess"].as_array().into_iter().flatten() {
            let same = |x: &Value| {
                x["type"] == a["type"]
                    && x["id"].as_str().map(str::to_ascii_lowercase)
                        == a["id"].as_str().map(str::to_ascii_lowercase)
            };
            if !access.iter().any(same) {
                access.push(a.clone());
            }
        }
        out[at]["resourceAccess"] = Value::Array(access);
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_what_is_there_and_adds_the_rest_once() {
        let existing = json!([{ "resourceAppId": "00000003-0000-0000-c000-000000000000",
            "resourceAccess": [{ "id": "810C84A8-4A9E-49E6-BF7D-12D183F40D01", "type": "Role" }] },
            { "resourceAppId": "00000002-0000-0ff1-ce00-000000000000",
            "resourceAccess": [{ "id": "5e5addcd-3e8d-4e90-baf5-964efab2b20a", "type": "Role" }] }]);
        let add = json!([{ "resourceAppId": "00000003-0000-0000-c000-000000000000",
            "resourceAccess": [{ "id": "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "type": "Role" },
                { "id": "652390e4-393a-48de-9484-05f9b1212954", "type": "Scope" }] }]);
        let m = merged_resource_access(&existing, &add);
        let list = m.as_array().unwrap();
        assert_eq!(list.len(), 2, "{m}");
        let graph = list[0]["resourceAccess"].as_array().unwrap();
        assert_eq!(graph.len(), 2, "the role once, the scope added: {m}");
        assert_eq!(list[1], existing[1], "Exchange's entry kept as it was");
        assert_eq!(
            merged_resource_access(&m, &add),
            m,
            "merging again changes nothing"
        );
        assert_eq!(merged_resource_access(&Value::Null, &add), add);
    }
}
