//! The proof at the end of a setup: the app signs in with the stored secret (or certificate)
//! and its tokens carry every role the plan granted.

use std::time::Duration;

use super::SetupError;
use super::run::Run;
use crate::catalog::{EXCHANGE, GRAPH, catalog};
use crate::cloud::CloudError;
use crate::cloud::diagnose;
use crate::cloud::identity::{assertion_credentials, client_credentials};
use crate::model::StepStatus;
use crate::model::{ClientId, Diagnosis, Secret};
use crate::plan::StepKind;

/// Signs in as the app until its token carries every role, waiting out propagation: a new
/// secret and new consent can take a while to reach the token endpoint.
pub(super) async fn verify(r: &mut Run<'_>, client_id: ClientId) -> Result<(), SetupError> {
    let i = r.index(StepKind::Verify, None);
    r.emit(i, StepStatus::Running);
    let name = r.req.name.to_string();
    let secret = r
        .env
        .with_vault(r.req.keyring, move |v| v.get(&name))
        .await
        .map_err(|err| {
            r.refuse(
                i,
                Diagnosis {
                    summary: "The secret is not in the keyring.".into(),
                    evidence: err.to_string(),
                    cause: "The keyring entry was removed while the setup ran.".into(),
                    fix: "Run the setup again: it makes a new secret.".into(),
                },
            )
        })?;
    let thumbprint = r.certificate.as_ref().map(|t| t.sha256.clone());
    let proof = match &thumbprint {
        Some(t) => Proof::Certificate(&secret, t),
        None => Proof::Secret(&secret),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let (endpoints, answers) = (&r.req.endpoints, &r.req.answers);
    let omitted = answers.omitted();
    let mut wanted: Vec<Wanted> = [
        (GRAPH, endpoints.graph_scope()),
        (EXCHANGE, endpoints.exchange_scope()),
    ]
    .into_iter()
    .map(|(resource, scope)| Wanted {
        resource,
        scope,
        need: catalog()
            .roles_needed(resource, &answers.access)
            .iter()
            .flat_map(|q| q.roles.clone())
            .filter(|n| !omitted.contains(n))
            .collect(),
    })
    .filter(|w| !w.need.is_empty())
    .collect();
    // With no application role to wait for (the delegated style), one token proves the secret.
    if wanted.is_empty() {
        wanted.push(Wanted {
            resource: GRAPH,
            scope: endpoints.graph_scope(),
            need: Vec::new(),
        });
    }
    let run: &Run = r;
    let results = futures_util::future::join_all(
        wanted
            .iter()
            .map(|w| roles_for(run, i, client_id, proof, w, deadline)),
    )
    .await;
    let mut seen = Vec::new();
    for roles in results {
        seen.extend(roles?);
    }
    r.emit(i, StepStatus::Done(format!("roles: {}", seen.join(", "))));
    Ok(())
}

/// What the app signs in with: the secret, or the certificate's private key and `x5t#S256`.
#[derive(Clone, Copy)]
enum Proof<'s> {
    Secret(&'s Secret),
    Certificate(&'s Secret, &'s str),
}

/// The roles a token for one resource must carry.
struct Wanted {
    resource: &'static str,
    /// `<resource>/.default`
    scope: String,
    need: Vec<String>,
}

/// The app's roles on one resource once they include what is wanted, retrying while a new
/// secret or consent propagates.
async fn roles_for(
    r: &Run<'_>,
    i: usize,
    client_id: ClientId,
    proof: Proof<'_>,
    wanted: &Wanted,
    deadline: tokio::time::Instant,
) -> Result<Vec<String>, SetupError> {
    let Wanted {
        resource,
        scope,
        need,
    } = wanted;
    loop {
        let (http, e, tenant) = (&r.env.http, &r.req.endpoints, &r.req.tenant_id);
        let got = match proof {
            Proof::Secret(secret) => {
                client_credentials(http, e, tenant, &client_id, secret, scope).await
            }
            Proof::Certificate(key, thumbprint) => {
                assertion_credentials(http, e, tenant, &client_id, key, thumbprint, scope).await
            }
        };
        let waiting = tokio::time::Instant::now() < deadline;
        match got {
            Ok(tok) if need.iter().all(|n| tok.claims.roles.contains(n)) => {
                return Ok(tok.claims.roles.clone());
            }
            Ok(_) if waiting => {}
            Ok(tok) => {
                let missing: Vec<String> = need
                    .iter()
                    .filter(|n| !tok.claims.roles.contains(n))
                    .cloned()
                    .collect();
                return Err(r.refuse(
                    i,
                    diagnose::missing_roles(
                        &tok.claims.roles,
                        &missing,
                        &catalog().resource(resource).name,
                    ),
                ));
            }
            // Not known yet: a new secret (7000215) or certificate (700027), app (700016) or
            // service principal (7000229).
            Err(CloudError::Aad(a))
                if waiting
                    && [7000215, 700016, 700027, 7000229]
                        .iter()
                        .any(|c| a.has_code(*c)) => {}
            Err(err) if waiting && err.is_transient() => {}
            Err(err) => return Err(r.fail(i, err)),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
