//! Upkeep of a profile's credential without downtime, in two phases: a new secret or
//! certificate is added, stored and proven to sign in while the old one stays valid; the old one
//! is removed only when the administrator finishes the renewal (`rotation.rs`), once the
//! consuming application uses the new one. If the proof fails, the old credential goes back into
//! the keyring and the new one is removed. Also: reading the credential's expiry.

use crate::app::Env;
use crate::app::setup::graph_diagnosis;
use crate::cloud::CloudError;
use crate::cloud::admin::{Application, GraphAdmin};
use crate::model::{Diagnosis, Endpoints, Profile, Secret};

mod certificate;
mod expiry;
mod rotation;
mod secret;
mod stage;
mod upload;

pub use certificate::{Certified, certificate_label, certify};
pub use expiry::{ExpiryRead, read_expiry};
pub use rotation::{Awaiting, Finished, finish};
pub use secret::{Renewed, renew};
pub(crate) use stage::{proves, until_accepted};
pub use upload::{ForUpload, adopt_uploaded, certificate_for_upload};

#[derive(Debug)]
pub struct RenewError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
}

fn refused(
    summary: impl Into<String>,
    evidence: impl Into<String>,
    cause: &str,
    fix: &str,
) -> RenewError {
    RenewError {
        diagnosis: Diagnosis {
            summary: summary.into(),
            evidence: evidence.into(),
            cause: cause.into(),
            fix: fix.into(),
        },
        unavailable: false,
    }
}

/// A directory call failed while changing the app's credentials.
fn failed(e: CloudError, p: &Profile, endpoints: &Endpoints) -> RenewError {
    let mut diagnosis = graph_diagnosis(&e, &p.tenant, &endpoints.portal);
    if matches!(&e, CloudError::Graph(g) if g.status == 403) {
        diagnosis.cause = "Adding or removing an app's credentials needs Application Administrator, Cloud Application Administrator, or ownership of the app.".into();
        diagnosis.fix = "Nothing was changed: sign in as such an administrator (or an owner of the app) and run it again.".into();
    }
    RenewError {
        unavailable: e.is_unavailable(),
        diagnosis,
    }
}

/// The profile's app registration; `failed` tells why a look-up that did not answer failed.
async fn registered_app(
    graph: &GraphAdmin<'_>,
    p: &Profile,
    failed: impl FnOnce(CloudError) -> RenewError,
) -> Result<Application, RenewError> {
    graph
        .find_application(p.client_id)
        .await
        .map_err(failed)?
        .ok_or_else(|| {
            refused(
                format!("No app with client ID {} in this tenant.", p.client_id),
                "GET /applications?$filter=appId eq … returned nothing",
                "The app was deleted, or the signed-in account belongs to another tenant.",
                "Sign in to the profile's tenant, or set the app up again.",
            )
        })
}

/// The profile's credential from the keyring; when it is missing, `what` names it and `fix`
/// says how to store it again.
async fn held(env: &Env, p: &Profile, what: &str, fix: &str) -> Result<Secret, RenewError> {
    env.secret(p).await.map_err(|err| {
        refused(
            format!("Profile {} has no {what} in the keyring.", p.name),
            err.to_string(),
            "The keyring entry was removed, or this is another machine.",
            fix,
        )
    })
}

/// The profile's current credential (from the keyring) and its app (from Graph).
async fn current(
    env: &Env,
    p: &Profile,
    graph: &GraphAdmin<'_>,
) -> Result<(Secret, Application), RenewError> {
    let old = held(
        env,
        p,
        "secret",
        "Store the current secret again (`add --force …`); or set the app up again.",
    )
    .await?;
    let app = registered_app(graph, p, |err| failed(err, p, graph.endpoints())).await?;
    Ok((old, app))
}
