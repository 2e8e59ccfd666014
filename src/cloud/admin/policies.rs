//! The app management policies that may forbid an app's client secrets (docs/december-2026.md
//! 5.1): the tenant's default and the policies applied to the app itself. Reading them needs
//! `Policy.Read.All` (Microsoft's "Get tenantAppManagementPolicy"), which a sign-in may lack.

use serde_json::Value;

use super::GraphAdmin;
use crate::cloud::CloudError;
use crate::model::ObjectId;

/// The restriction types that forbid adding a secret (`passwordCredentialConfiguration`).
const FORBIDDING: [&str; 2] = ["passwordAddition", "customPasswordAddition"];

/// Which policies forbid secrets, as far as they could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyNames {
    /// Each policy that forbids secrets, in words ("the tenant's default app management policy
    /// (…)", "the app management policy \"…\" (id …) applied to the app").
    pub named: Vec<String>,
    /// Why a policy could not be read, one line each.
    pub unread: Vec<String>,
}

impl PolicyNames {
    /// One sentence naming the policy, or saying it could not be named and why.
    pub fn sentence(&self) -> String {
        match (self.named.is_empty(), self.unread.is_empty()) {
            (false, _) => format!("Client secrets are forbidden by {}.", self.named.join(" and ")),
            (true, false) => format!(
                "The policy could not be named: {}.",
                self.unread.join("; ")
            ),
            (true, true) => "The policy could not be named: neither the tenant's default app management policy nor a policy applied to the app restricts secrets as read now (it may have changed since).".into(),
        }
    }
}

/// Whether a policy's restrictions forbid adding a client secret: a `passwordAddition` (or
/// `customPasswordAddition`) restriction whose state is not `disabled`. The tenant default
/// counts only when `isEnabled`.
pub fn forbidding_secrets(policy: &Value, restrictions: &str) -> bool {
    let enabled = policy["isEnabled"].as_bool().unwrap_or(true);
    enabled
        && policy[restrictions]["passwordCredentials"]
            .as_array()
            .is_some_and(|list| {
                list.iter().any(|r| {
                    FORBIDDING.contains(&r["restrictionType"].as_str().unwrap_or_default())
                        && r["state"].as_str() != Some("disabled")
                })
            })
}

fn id_and_name(p: &Value) -> (String, String) {
    let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    (text("id"), text("displayName"))
}

/// Why a read was refused, in a few words.
fn unread(what: &str, err: &CloudError) -> String {
    match err {
        CloudError::Graph(g) if g.status == 403 || g.status == 401 => format!(
            "reading {what} was refused (HTTP {} {}; it needs Policy.Read.All, held by Global Reader and higher roles)",
            g.status, g.code
        ),
        other => format!("reading {what} failed ({other})"),
    }
}

impl GraphAdmin<'_> {
    async fn read(&self, path: &str) -> Result<Value, CloudError> {
        self.get(self.url(path, None)?).await
    }

    /// The policies that forbid secrets for app `app` (its object id).
    pub async fn secret_policies(&self, app: ObjectId) -> PolicyNames {
        let mut names = PolicyNames::default();
        match self.read("policies/defaultAppManagementPolicy").await {
            Ok(p) if forbidding_secrets(&p, "applicationRestrictions") => {
                let (id, name) = id_and_name(&p);
                names.named.push(format!(
                    "the tenant's default app management policy (\"{name}\", id {id}; Entra admin center › Enterprise apps › App management policies)"
                ));
            }
            Ok(_) => {}
            Err(err) => names
                .unread
                .push(unread("the tenant's default app management policy", &err)),
        }
        let path = format!("applications/{app}/appManagementPolicies");
        match self.read(&path).await {
            Ok(list) => {
                for p in list["value"].as_array().into_iter().flatten() {
                    if forbidding_secrets(p, "restrictions") {
                        let (id, name) = id_and_name(p);
                        names.named.push(format!(
                            "the app management policy \"{name}\" (id {id}) applied to the app"
                        ));
                    }
                }
            }
            Err(err) => names
                .unread
                .push(unread("the policies applied to the app", &err)),
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn default(enabled: bool, state: &str) -> Value {
        json!({
            "id": "00000000-0000-0000-0000-000000000000",
            "displayName": "Default app management tenant policy",
            "isEnabled": enabled,
            "applicationRestrictions": { "passwordCredentials": [
                { "restrictionType": "passwordAddition", "state": state }
            ]},
        })
    }

    #[test]
    fn a_policy_forbids_secrets_only_when_enabled_with_a_password_addition_restriction() {
        assert!(forbidding_secrets(
            &default(true, "enabled"),
            "applicationRestrictions"
        ));
        assert!(!forbidding_secrets(
            &default(false, "enabled"),
            "applicationRestrictions"
        ));
        assert!(!forbidding_secrets(
            &default(true, "disabled"),
            "applicationRestrictions"
        ));
        let lifetime = json!({ "isEnabled": true, "applicationRestrictions": { "passwordCredentials": [
            { "restrictionType": "passwordLifetime", "maxLifetime": "P90D" }
        ]}});
        assert!(!forbidding_secrets(&lifetime, "applicationRestrictions"));
        let per_app = json!({ "displayName": "No secrets", "restrictions": { "passwordCredentials": [
            { "restrictionType": "customPasswordAddition", "state": "enabled" }
        ]}});
        assert!(forbidding_secrets(&per_app, "restrictions"));
    }

    #[test]
    fn the_sentence_names_the_policy_or_says_why_it_could_not() {
        let named = PolicyNames {
            named: vec![
                "the app management policy \"No secrets\" (id p1) applied to the app".into(),
            ],
            unread: vec!["reading x was refused".into()],
        };
        assert!(named.sentence().starts_with(
            "Client secrets are forbidden by the app management policy \"No secrets\""
        ));
        let unread = PolicyNames {
            named: vec![],
            unread: vec!["reading the tenant's default app management policy was refused (HTTP 403 Authorization_RequestDenied; it needs Policy.Read.All, held by Global Reader and higher roles)".into()],
        };
        assert!(
            unread
                .sentence()
                .starts_with("The policy could not be named: reading the tenant's default")
        );
        assert!(
            PolicyNames::default()
                .sentence()
                .contains("could not be named")
        );
    }
}
