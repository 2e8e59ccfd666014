//! The guided path's proof that what the admin did in the portal works: the app signs in with
//! the pasted secret, its tokens carry the roles the chosen access needs, and each step is read
//! back before it counts as done (`verify`, Exchange Online's in `exchange`).

mod exchange;
mod verify;

use std::time::Duration;

pub use verify::{PastedApp, ReadBack, Readers, StepToRead, read_back};

use super::Env;
use crate::catalog::{self, catalog};
use crate::cloud::CloudError;
use crate::cloud::identity::{AccessToken, client_credentials};
use crate::model::{AccessChoice, ClientId, Endpoints, Secret, TenantId};

/// How long a just-made secret may take to work: a pasted value is more often wrong than slow
/// to reach the token endpoint, so the wait is short.
pub const SECRET_PATIENCE: Duration = Duration::from_secs(8);

/// Signs in as the app with the pasted secret to Microsoft Graph (no role is needed for the
/// token), waiting out a new secret's first seconds; the token names the app's service
/// principal in `oid`.
pub async fn prove_secret(env: &Env, app: &AppSecret<'_>) -> Result<AccessToken, CloudError> {
    let scope = app.endpoints.graph_scope();
    // AADSTS7000215: invalid client secret (or one not known yet).
    super::renew::until_accepted(SECRET_PATIENCE, 7000215, || {
        client_credentials(
            &env.http,
            app.endpoints,
            app.tenant_id,
            app.client_id,
            app.secret,
            &scope,
        )
    })
    .await
}

/// The application roles in the app's token for `resource` (catalog key).
pub async fn token_roles(
    env: &Env,
    app: &AppSecret<'_>,
    resource: &str,
) -> Result<Vec<String>, CloudError> {
    let e = app.endpoints;
    let scope = if resource == catalog::EXCHANGE {
        e.exchange_scope()
    } else {
        e.graph_scope()
    };
    let t = client_credentials(
        &env.http,
        e,
        app.tenant_id,
        app.client_id,
        app.secret,
        &scope,
    )
    .await?;
    Ok(t.claims.roles)
}

/// An app as the admin pasted it: where it lives, its client ID and its secret.
pub struct AppSecret<'a> {
    pub endpoints: &'a Endpoints,
    pub tenant_id: &'a TenantId,
    pub client_id: &'a ClientId,
    pub secret: &'a Secret,
}

/// Signs in as the app to each resource the access needs (`omitted` roles left out), telling
/// `signed_in` each resource's name and the roles its token carries as soon as it has them;
/// returns the roles the access needs that no token carries. The first refused sign-in is the
/// answer.
pub async fn app_token_roles(
    env: &Env,
    app: &AppSecret<'_>,
    access: &[AccessChoice],
    omitted: &[String],
    mut signed_in: impl FnMut(&str, &[String]),
) -> Result<Vec<String>, CloudError> {
    let mut missing = Vec::new();
    let (e, tenant_id, client_id, secret) =
        (app.endpoints, app.tenant_id, app.client_id, app.secret);
    let app_only = access.iter().any(|a| a.uses_graph() || a.uses_exchange());
    for (resource, scope) in [
        (catalog::GRAPH, e.graph_scope()),
        (catalog::EXCHANGE, e.exchange_scope()),
    ] {
        let need: Vec<String> = catalog()
            .roles_needed(resource, access)
            .iter()
            .flat_map(|q| q.roles.clone())
            .filter(|n| !omitted.contains(n))
            .collect();
        // With no application role to look for (the delegated style), one Graph token still
        // proves the client ID and the secret.
        if need.is_empty() && (app_only || resource != catalog::GRAPH) {
            continue;
        }
        let t = client_credentials(&env.http, e, tenant_id, client_id, secret, &scope).await?;
        let roles = &t.claims.roles;
        signed_in(&catalog().resource(resource).name, roles);
        missing.extend(need.into_iter().filter(|n| !roles.contains(n)));
    }
    Ok(missing)
}
