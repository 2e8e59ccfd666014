//! The whole directory read in pages, for an audit: every service principal, every app
//! registration with its credentials, every consent given on a resource, and each app's latest
//! sign-in (Graph beta `reports/servicePrincipalSignInActivities`, docs/audit.md).

use reqwest::Url;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Application, GraphAdmin, lit};
use crate::cloud::error::CloudError;
use crate::cloud::http::guard;
use crate::model::{ClientId, ObjectId};

/// A page cap, so that a service answering with next links forever cannot keep the audit.
const MAX_PAGES: usize = 10_000;

#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next: Option<String>,
}

/// A service principal as an audit lists it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
}

/// A consent on a resource: who holds which of its roles.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub principal_id: String,
    pub app_role_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    #[serde(default)]
    last_sign_in_activity: Option<LastActivity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastActivity {
    #[serde(default)]
    last_sign_in_date_time: Option<String>,
}

impl GraphAdmin<'_> {
    /// Every member of the collection at `first`, following `@odata.nextLink` on the Graph
    /// host only (a link elsewhere would take the token with it).
    async fn all<T: for<'de> Deserialize<'de>>(&self, first: Url) -> Result<Vec<T>, CloudError> {
        let graph = Url::parse(&self.endpoints.graph).ok();
        let origin = graph.as_ref().map(|u| u.origin());
        let mut out = Vec::new();
        let mut next = Some(first);
        for _ in 0..MAX_PAGES {
            let Some(u) = next.take() else { break };
            let p: Page<T> = self.get(u).await?;
            out.extend(p.value);
            if let Some(link) = p.next {
                guard(&link)?;
                let u = Url::parse(&link).map_err(|err| CloudError::Unexpected {
                    status: 200,
                    detail: format!("next link {link}: {err}"),
                })?;
                if Some(u.origin()) != origin {
                    return Err(CloudError::Unexpected {
                        status: 200,
                        detail: format!("next link to another host: {link}"),
                    });
                }
                next = Some(u);
            }
        }
        Ok(out)
    }

    fn with_query(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, CloudError> {
        let mut u = self.url(path, None)?;
        for (k, v) in query {
            u.query_pairs_mut().append_pair(k, v);
        }
        Ok(u)
    }

    /// Every service principal of the tenant.
    pub async fn every_principal(&self) -> Result<Vec<Principal>, CloudError> {
        let q = [("$select", "id,appId,displayName"), ("$top", "999")];
        self.all(self.with_query("servicePrincipals", &q)?).await
    }

    /// Every app registration of the tenant, with its secrets' and certificates' names and ends.
    pub async fn every_application(&self) -> Result<Vec<Application>, CloudError> {
        let q = [
            (
                "$select",
                "id,appId,displayName,passwordCredentials,keyCredentials",
            ),
            ("$top", "999"),
        ];
        self.all(self.with_query("applications", &q)?).await
    }

    /// Every consent given on the resource whose service principal is `resource`.
    pub async fn consents_on(&self, resource: ObjectId) -> Result<Vec<Consent>, CloudError> {
        let path = format!("servicePrincipals/{resource}/appRoleAssignedTo");
        self.all(self.with_query(&path, &[("$top", "999")])?).await
    }

    /// The latest sign-in of app `app_id` the sign-in activity report holds; none when it holds
    /// none.
    pub async fn last_sign_in(
        &self,
        app_id: ClientId,
    ) -> Result<Option<OffsetDateTime>, CloudError> {
        let base = format!("{}/beta", self.endpoints.graph.trim_end_matches('/'));
        let mut u = Url::parse(&format!("{base}/reports/servicePrincipalSignInActivities"))
            .map_err(|err| CloudError::Unexpected {
                status: 0,
                detail: format!("Graph URL: {err}"),
            })?;
        u.query_pairs_mut()
            .append_pair("$filter", &format!("appId eq {}", lit(&app_id.to_string())));
        guard(u.as_str())?;
        let found: Vec<Activity> = self.all(u).await?;
        Ok(found
            .into_iter()
            .filter_map(|a| a.last_sign_in_activity?.last_sign_in_date_time)
            .filter_map(|t| OffsetDateTime::parse(&t, &Rfc3339).ok())
            .max())
    }
}
