//! Microsoft Graph's directory calls for a setup (REFERENCE.md section 3), made with a signed-in
//! administrator's token.

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::CloudError;
use super::graph::call;
use super::http::guard;
use super::identity::AccessToken;
use crate::model::{ClientId, Endpoints, ObjectId, Secret};

mod inventory;
mod objects;
mod policies;
mod sign_ins;

pub use inventory::{Consent, Principal};
pub use objects::{
    Application, Assignment, Grant, KeyInfo, Me, NewPassword, PasswordInfo, RoleEntry,
    ServicePrincipal,
};
pub use policies::{PolicyNames, forbidding_secrets};

/// A literal for `$filter`, quotes doubled.
pub(crate) fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(
    status: u16,
    body: &[u8],
) -> Result<T, CloudError> {
    serde_json::from_slice(body).map_err(|e| CloudError::Unexpected {
        status,
        detail: format!("Graph answer unreadable: {e}"),
    })
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
}

/// The directory as one signed-in administrator sees it: every call carries the same client,
/// endpoints and token, so a use case builds this once.
#[derive(Clone, Copy)]
pub struct GraphAdmin<'a> {
    http: &'a reqwest::Client,
    endpoints: &'a Endpoints,
    token: &'a AccessToken,
}

impl<'a> GraphAdmin<'a> {
    pub fn new(
        http: &'a reqwest::Client,
        endpoints: &'a Endpoints,
        token: &'a AccessToken,
    ) -> GraphAdmin<'a> {
        GraphAdmin {
            http,
            endpoints,
            token,
        }
    }

    pub(crate) fn endpoints(&self) -> &'a Endpoints {
        self.endpoints
    }

    fn url(&self, path: &str, filter: Option<String>) -> Result<Url, CloudError> {
        let base = self.endpoints.graph_v1();
        let mut u =
            Url::parse(&format!("{base}/{path}")).map_err(|err| CloudError::Unexpected {
                status: 0,
                detail: format!("Graph URL: {err}"),
            })?;
        if let Some(f) = filter {
            u.query_pairs_mut().append_pair("$filter", &f);
        }
        guard(u.as_str())?;
        Ok(u)
    }

    /// One call whose answer body does not matter.
    pub(crate) async fn send(
        &self,
        method: Method,
        u: Url,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), CloudError> {
        call(self.http, self.token, method, u, body).await
    }

    pub(crate) async fn get<T: for<'de> Deserialize<'de>>(&self, u: Url) -> Result<T, CloudError> {
        let (status, body) = self.send(Method::GET, u, None).await?;
        parse(status, &body)
    }

    pub(crate) async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        u: Url,
        body: &Value,
    ) -> Result<T, CloudError> {
        let (status, bytes) = self.send(Method::POST, u, Some(body)).await?;
        parse(status, &bytes)
    }

    /// `GET /{path}?$filter={field} eq '{value}'`: the collection's members.
    async fn list_where<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        field: &str,
        value: &str,
    ) -> Result<Vec<T>, CloudError> {
        let u = self.url(path, Some(format!("{field} eq {}", lit(value))))?;
        let l: List<T> = self.get(u).await?;
        Ok(l.value)
    }

    pub async fn me(&self) -> Result<Me, CloudError> {
        self.get(self.url("me", None)?).await
    }

    /// The first of a collection whose `appId` is `app_id`.
    async fn by_app_id<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        app_id: ClientId,
    ) -> Result<Option<T>, CloudError> {
        let found: Vec<T> = self.list_where(path, "appId", &app_id.to_string()).await?;
        Ok(found.into_iter().next())
    }

    pub async fn find_service_principal(
        &self,
        app_id: ClientId,
    ) -> Result<Option<ServicePrincipal>, CloudError> {
        self.by_app_id("servicePrincipals", app_id).await
    }

    /// Creates the service principal of an app. Right after the app was made the directory
    /// may not know it yet (`cloud::lag`): the caller waits that out.
    pub async fn create_service_principal(
        &self,
        app_id: ClientId,
    ) -> Result<ServicePrincipal, CloudError> {
        let body = json!({ "appId": app_id });
        self.post(self.url("servicePrincipals", None)?, &body).await
    }

    pub async fn find_application(
        &self,
        app_id: ClientId,
    ) -> Result<Option<Application>, CloudError> {
        self.by_app_id("applications", app_id).await
    }

    /// `GET /applications/{objectId}`; `None` when there is no such object.
    pub async fn application(
        &self,
        object_id: ObjectId,
    ) -> Result<Option<Application>, CloudError> {
        match self
            .get(self.url(&format!("applications/{object_id}"), None)?)
            .await
        {
            Ok(a) => Ok(Some(a)),
            Err(CloudError::Graph(g)) if g.status == 404 => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// `DELETE /applications/{objectId}`: Microsoft Entra ID keeps the app in its deleted items,
    /// restorable for 30 days (docs/offboarding.md). `false` when there was no such app.
    pub async fn delete_application(&self, object_id: ObjectId) -> Result<bool, CloudError> {
        let u = self.url(&format!("applications/{object_id}"), None)?;
        match self.send(Method::DELETE, u, None).await {
            Ok(_) => Ok(true),
            Err(CloudError::Graph(g)) if g.status == 404 => Ok(false),
            Err(err) => Err(err),
        }
    }

    pub async fn applications_named(&self, name: &str) -> Result<Vec<Application>, CloudError> {
        self.list_where("applications", "displayName", name).await
    }

    pub async fn create_application(&self, body: &Value) -> Result<Application, CloudError> {
        self.post(self.url("applications", None)?, body).await
    }

    /// `PATCH /applications/{objectId}` with the properties in `body` (a collection property
    /// given is replaced whole, as Graph does).
    pub async fn update_application(&self, app: ObjectId, body: &Value) -> Result<(), CloudError> {
        let u = self.url(&format!("applications/{app}"), None)?;
        self.send(Method::PATCH, u, Some(body)).await.map(|_| ())
    }

    pub async fn add_password(
        &self,
        app: ObjectId,
        display_name: &str,
        end: OffsetDateTime,
    ) -> Result<NewPassword, CloudError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            key_id: String,
            secret_text: String,
            #[serde(default)]
            end_date_time: String,
        }
        let body = json!({ "passwordCredential": {
            "displayName": display_name,
            "endDateTime": end.format(&Rfc3339).unwrap_or_default(),
        }});
        let u = self.url(&format!("applications/{app}/addPassword"), None)?;
        let a: Answer = self.post(u, &body).await?;
        Ok(NewPassword {
            key_id: a.key_id,
            secret: Secret::new(a.secret_text),
            end: a.end_date_time,
        })
    }

    pub async fn remove_password(&self, app: ObjectId, key_id: &str) -> Result<(), CloudError> {
        let u = self.url(&format!("applications/{app}/removePassword"), None)?;
        let body = json!({ "keyId": key_id });
        self.send(Method::POST, u, Some(&body)).await.map(|_| ())
    }

    /// Registers a certificate (DER) on the app. `keyCredentials` is replaced as a whole, so the
    /// app's existing certificates are sent back by their key ids.
    pub async fn add_certificate(
        &self,
        app: &Application,
        der: &[u8],
        display_name: &str,
    ) -> Result<(), CloudError> {
        let mut keys: Vec<Value> = app.key_credentials.iter().map(KeyInfo::kept).collect();
        keys.push(json!({
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
            "key": crate::credential::key_base64(der),
            "displayName": display_name,
        }));
        self.set_certificates(app.id, keys).await
    }

    /// Removes the certificates the wizard registered — named one of `labels`, or whose
    /// `customKeyIdentifier` is the SHA-1 thumbprint `sha1` — keeping the others.
    pub async fn remove_certificate(
        &self,
        app: &Application,
        sha1: Option<&str>,
        labels: &[&str],
    ) -> Result<(), CloudError> {
        let keys: Vec<Value> = app
            .key_credentials
            .iter()
            .filter(|k| !k.is_one_of(sha1, labels))
            .map(KeyInfo::kept)
            .collect();
        self.set_certificates(app.id, keys).await
    }

    /// Removes the certificates with these key IDs, keeping the others.
    pub async fn remove_certificate_keys(
        &self,
        app: &Application,
        key_ids: &[&str],
    ) -> Result<(), CloudError> {
        let keys: Vec<Value> = app
            .key_credentials
            .iter()
            .filter(|k| !key_ids.iter().any(|id| id.eq_ignore_ascii_case(&k.key_id)))
            .map(KeyInfo::kept)
            .collect();
        self.set_certificates(app.id, keys).await
    }

    /// `PATCH /applications/{id}` with the whole `keyCredentials` list.
    async fn set_certificates(&self, app: ObjectId, keys: Vec<Value>) -> Result<(), CloudError> {
        let u = self.url(&format!("applications/{app}"), None)?;
        let body = json!({ "keyCredentials": keys });
        self.send(Method::PATCH, u, Some(&body)).await.map(|_| ())
    }

    /// The admin consents (app role assignments) held by service principal `principal`.
    pub async fn assignments(&self, principal: ObjectId) -> Result<Vec<Assignment>, CloudError> {
        let u = self.url(
            &format!("servicePrincipals/{principal}/appRoleAssignments"),
            None,
        )?;
        let l: List<Assignment> = self.get(u).await?;
        Ok(l.value)
    }

    /// Grants `principal` the app role `role` of the resource's service principal; a consent
    /// that exists already counts as granted.
    pub async fn assign(
        &self,
        resource: ObjectId,
        principal: ObjectId,
        role: &str,
    ) -> Result<(), CloudError> {
        let u = self.url(
            &format!("servicePrincipals/{resource}/appRoleAssignedTo"),
            None,
        )?;
        let body = json!({ "principalId": principal, "resourceId": resource, "appRoleId": role });
        match self.send(Method::POST, u, Some(&body)).await {
            Ok(_) => Ok(()),
            Err(CloudError::Graph(g)) if g.message.contains("already exists") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Revokes an admin consent (`DELETE /servicePrincipals/{id}/appRoleAssignments/{id}`).
    pub async fn remove_assignment(&self, principal: ObjectId, id: &str) -> Result<(), CloudError> {
        let u = self.url(
            &format!("servicePrincipals/{principal}/appRoleAssignments/{id}"),
            None,
        )?;
        self.send(Method::DELETE, u, None).await.map(|_| ())
    }

    /// The delegated permission grants of the client's service principal.
    pub async fn grants(&self, client: ObjectId) -> Result<Vec<Grant>, CloudError> {
        self.list_where("oauth2PermissionGrants", "clientId", &client.to_string())
            .await
    }

    /// Replaces a delegated permission grant's scopes (`PATCH /oauth2PermissionGrants/{id}`).
    pub async fn update_grant(&self, id: &str, scope: &str) -> Result<(), CloudError> {
        let u = self.url(&format!("oauth2PermissionGrants/{id}"), None)?;
        let body = json!({ "scope": scope });
        self.send(Method::PATCH, u, Some(&body)).await.map(|_| ())
    }

    /// Tenant-wide consent (all principals) for `scope` on the resource.
    pub async fn grant(
        &self,
        client: ObjectId,
        resource: ObjectId,
        scope: &str,
    ) -> Result<(), CloudError> {
        let body = json!({
            "clientId": client,
            "consentType": "AllPrincipals",
            "resourceId": resource,
            "scope": scope,
        });
        let u = self.url("oauth2PermissionGrants", None)?;
        self.send(Method::POST, u, Some(&body)).await.map(|_| ())
    }
}
