//! The tenant's sign-in logs of one app's service principal (Graph beta `auditLogs/signIns`;
//! docs/renewal.md): when each of its credentials last signed in.

use std::collections::HashMap;

use reqwest::Url;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{GraphAdmin, List, lit};
use crate::cloud::error::CloudError;
use crate::cloud::http::guard;
use crate::model::ClientId;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignIn {
    created_date_time: String,
    #[serde(default)]
    service_principal_credential_key_id: Option<String>,
}

impl GraphAdmin<'_> {
    /// The latest sign-in of app `app_id`'s service principal with each credential (by key ID),
    /// as far as the sign-in logs keep them.
    pub async fn last_sign_ins(
        &self,
        app_id: ClientId,
    ) -> Result<HashMap<String, OffsetDateTime>, CloudError> {
        let base = format!("{}/beta", self.endpoints.graph.trim_end_matches('/'));
        let mut u = Url::parse(&format!("{base}/auditLogs/signIns")).map_err(|err| {
            CloudError::Unexpected {
                status: 0,
                detail: format!("Graph URL: {err}"),
            }
        })?;
        let filter = format!(
            "signInEventTypes/any(t: t eq 'servicePrincipal') and appId eq {}",
            lit(&app_id.to_string())
        );
        u.query_pairs_mut()
            .append_pair("$filter", &filter)
            .append_pair("$top", "1000");
        guard(u.as_str())?;
        let l: List<SignIn> = self.get(u).await?;
        let mut last: HashMap<String, OffsetDateTime> = HashMap::new();
        for s in l.value {
            let (Some(key), Ok(at)) = (
                s.service_principal_credential_key_id
                    .filter(|k| !k.is_empty()),
                OffsetDateTime::parse(&s.created_date_time, &Rfc3339),
            ) else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if last.get(&key).is_none_or(|t| *t < at) {
                last.insert(key, at);
            }
        }
        Ok(last)
    }
}
