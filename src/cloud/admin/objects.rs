//! The directory objects as Graph answers with them.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::model::{ClientId, ObjectId, Secret};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: ObjectId,
    #[serde(default)]
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoleEntry {
    pub id: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: ObjectId,
    pub app_id: ClientId,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub app_roles: Vec<RoleEntry>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<RoleEntry>,
}

impl ServicePrincipal {
    pub fn role_id(&self, value: &str) -> Option<&str> {
        Self::named(&self.app_roles, value)
    }

    pub fn scope_id(&self, value: &str) -> Option<&str> {
        Self::named(&self.oauth2_permission_scopes, value)
    }

    fn named<'s>(entries: &'s [RoleEntry], value: &str) -> Option<&'s str> {
        entries
            .iter()
            .find(|r| r.value == value)
            .map(|r| r.id.as_str())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordInfo {
    pub key_id: String,
    /// The secret's first characters, as Graph shows them.
    #[serde(default)]
    pub hint: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The object id (what `addPassword` takes).
    pub id: ObjectId,
    pub app_id: ClientId,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password_credentials: Vec<PasswordInfo>,
    #[serde(default)]
    pub key_credentials: Vec<KeyInfo>,
    #[serde(default)]
    pub required_resource_access: Value,
    /// Strings that identify the app; the wizard's own says which profile made it.
    #[serde(default)]
    pub tags: Vec<String>,
    /// "Allow public client flows".
    #[serde(default)]
    pub is_fallback_public_client: Option<bool>,
    /// The Web platform's settings (`redirectUris`).
    #[serde(default)]
    pub web: Value,
}

impl Application {
    /// The Web platform's redirect URIs.
    pub fn redirect_uris(&self) -> Vec<String> {
        self.web["redirectUris"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str().map(String::from))
            .collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub usage: Option<String>,
    #[serde(default)]
    pub custom_key_identifier: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
}

impl KeyInfo {
    /// Whether this is the certificate with SHA-1 thumbprint `sha1` (its `customKeyIdentifier`,
    /// which Graph sets to that thumbprint), or one named one of `labels`.
    pub fn is_one_of(&self, sha1: Option<&str>, labels: &[&str]) -> bool {
        let by_id = sha1
            .zip(self.custom_key_identifier.as_deref())
            .is_some_and(|(sha1, id)| crate::credential::names_certificate(id, sha1));
        by_id
            || labels
                .iter()
                .any(|l| self.display_name.as_deref() == Some(*l))
    }

    /// An existing certificate as a `keyCredentials` update names it to keep it.
    pub(super) fn kept(&self) -> Value {
        json!({
            "keyId": self.key_id,
            "type": self.kind.as_deref().unwrap_or("AsymmetricX509Cert"),
            "usage": self.usage.as_deref().unwrap_or("Verify"),
            "displayName": self.display_name,
        })
    }
}

/// A secret as `addPassword` returns it: the only time its value is seen.
pub struct NewPassword {
    pub key_id: String,
    pub secret: Secret,
    pub end: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// Graph's id of the assignment (not a GUID).
    #[serde(default)]
    pub id: String,
    pub resource_id: ObjectId,
    pub app_role_id: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    #[serde(default)]
    pub id: String,
    pub resource_id: ObjectId,
    #[serde(default)]
    pub scope: String,
}
