//! The token rows: one client-credentials token per resource, both fetched at once, and what
//! the roles in each say about the access and the scope.

use std::time::{Duration, Instant};

use super::{RunInput, failed};
use crate::catalog::{EXCHANGE, GRAPH, catalog};
use crate::cloud::CloudError;
use crate::cloud::diagnose::{Stage, missing_roles};
use crate::cloud::identity::{AccessToken, assertion_credentials, client_credentials};
use crate::model::Diagnosis;
use crate::model::{CheckEvent, CheckKind, CheckSpec};

/// Fetches the Graph and the Exchange token the specs ask for and reports their rows; hands
/// back the tokens that were issued, Graph first.
pub(super) async fn fetch(
    input: &RunInput,
    specs: &[CheckSpec],
    send: impl Fn(usize, CheckEvent),
) -> [Option<AccessToken>; 2] {
    let graph_idx = specs.iter().position(|s| s.kind == CheckKind::Token);
    let exchange_idx = specs
        .iter()
        .position(|s| s.kind == CheckKind::ExchangeToken);
    for i in graph_idx.iter().chain(exchange_idx.iter()) {
        send(*i, CheckEvent::Started);
    }
    let started = Instant::now();
    let timed = |wanted: bool, scope: String| async move {
        if !wanted {
            return None;
        }
        let t = request(input, &scope).await;
        Some((t, started.elapsed()))
    };
    let (graph_token, exchange_token) = tokio::join!(
        timed(graph_idx.is_some(), input.endpoints.graph_scope()),
        timed(exchange_idx.is_some(), input.endpoints.exchange_scope()),
    );
    let mut tokens: [Option<AccessToken>; 2] = [None, None];
    for (slot, (idx, result, resource)) in [
        (graph_idx, graph_token, GRAPH),
        (exchange_idx, exchange_token, EXCHANGE),
    ]
    .into_iter()
    .enumerate()
    {
        let (Some(i), Some((result, elapsed))) = (idx, result) else {
            continue;
        };
        match result {
            Ok(t) => {
                send(i, verdict(input, resource, &t, elapsed));
                tokens[slot] = Some(t);
            }
            Err(e) => send(
                i,
                failed(
                    input.diagnose(&e, Stage::Token, None),
                    elapsed,
                    e.is_unavailable(),
                ),
            ),
        }
    }
    tokens
}

/// One token for `scope`, proven with the secret or the certificate.
async fn request(input: &RunInput, scope: &str) -> Result<AccessToken, CloudError> {
    match &input.certificate {
        Some(thumbprint) => {
            assertion_credentials(
                &input.http,
                &input.endpoints,
                &input.tenant_id,
                &input.client_id,
                &input.secret,
                thumbprint,
                scope,
            )
            .await
        }
        None => {
            client_credentials(
                &input.http,
                &input.endpoints,
                &input.tenant_id,
                &input.client_id,
                &input.secret,
                scope,
            )
            .await
        }
    }
}

/// A token passes when it carries every role the access needs and none the scope leaves out.
fn verdict(input: &RunInput, resource: &str, token: &AccessToken, elapsed: Duration) -> CheckEvent {
    let roles = &token.claims.roles;
    let bypassing: Vec<&str> = roles
        .iter()
        .filter(|r| input.omitted.contains(r))
        .map(String::as_str)
        .collect();
    if !bypassing.is_empty() {
        return failed(bypasses_scope(&bypassing, roles), elapsed, false);
    }
    let missing: Vec<String> = catalog()
        .roles_needed(resource, &input.access)
        .into_iter()
        .filter(|req| !req.roles.iter().all(|r| input.omitted.contains(r)))
        .filter(|req| !req.met_by(roles))
        .flat_map(|req| req.roles.iter().cloned())
        .collect();
    if missing.is_empty() {
        CheckEvent::Passed {
            detail: if roles.is_empty() && !input.omitted.is_empty() {
                "no tenant-wide roles: mailbox access comes from RBAC for Applications".into()
            } else if roles.is_empty() {
                "no application roles, and this access asks for none".into()
            } else {
                format!("roles: {}", roles.join(", "))
            },
            elapsed,
        }
    } else {
        failed(
            missing_roles(roles, &missing, &catalog().resource(resource).name),
            elapsed,
            false,
        )
    }
}

fn bypasses_scope(names: &[&str], roles: &[String]) -> Diagnosis {
    Diagnosis {
        summary: format!(
            "The app also holds {} tenant-wide, which bypasses the mailbox scope.",
            names.join(", ")
        ),
        evidence: format!("token roles: {}", roles.join(", ")),
        cause: "RBAC for Applications adds to what Entra ID grants: with the application permission consented in Entra ID, the app reaches every mailbox whatever the scope says.".into(),
        fix: format!(
            "In the app's API permissions, remove {} (or revoke its admin consent) — the scope grants what the app needs.",
            names.join(", ")
        ),
    }
}
