//! Runs the planned checks: one Graph token, then every mailbox check concurrently.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::{CheckEvent, CheckKind, CheckSpec};
use crate::catalog::{GRAPH, catalog};
use crate::cloud::diagnose::{self, Context, Stage, missing_roles, not_denied};
use crate::cloud::identity::{AccessToken, client_credentials};
use crate::cloud::{CloudError, graph};
use crate::model::{AccessChoice, ClientId, Endpoints, Secret, TenantId};

/// How many mailbox checks may be in flight at once.
const CONCURRENCY: usize = 16;

pub struct RunInput {
    pub http: reqwest::Client,
    pub endpoints: Endpoints,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    pub secret: Secret,
    pub access: Vec<AccessChoice>,
}

struct Shared {
    input: RunInput,
    token: AccessToken,
}

fn unavailable(e: &CloudError) -> bool {
    matches!(e, CloudError::Network(_)) || e.is_transient()
}

fn context<'a>(
    input: &'a RunInput,
    client_id: &'a str,
    stage: Stage,
    mailbox: Option<&'a str>,
) -> Context<'a> {
    Context {
        stage,
        tenant: &input.tenant,
        client_id,
        mailbox,
        portal: &input.endpoints.portal,
    }
}

/// Sends `(index, event)` for every spec. Returns when every check is done.
pub async fn run(
    input: RunInput,
    specs: Vec<CheckSpec>,
    tx: mpsc::UnboundedSender<(usize, CheckEvent)>,
) {
    let send = |i: usize, ev: CheckEvent| {
        let _ = tx.send((i, ev));
    };
    for (i, s) in specs.iter().enumerate() {
        if let Some(reason) = &s.skip {
            send(
                i,
                CheckEvent::Skipped {
                    reason: reason.clone(),
                },
            );
        }
    }
    let token_idx = specs.iter().position(|s| s.kind == CheckKind::Token);
    if let Some(i) = token_idx {
        send(i, CheckEvent::Started);
    }
    let started = Instant::now();
    let scope = input.endpoints.graph_scope();
    let token = client_credentials(
        &input.http,
        &input.endpoints,
        &input.tenant_id,
        &input.client_id,
        &input.secret,
        &scope,
    )
    .await;
    let token = match token {
        Ok(t) => t,
        Err(e) => {
            if let Some(i) = token_idx {
                send(
                    i,
                    CheckEvent::Failed {
                        diagnosis: diagnose::diagnose(
                            &e,
                            &context(&input, &input.client_id.to_string(), Stage::Token, None),
                        ),
                        elapsed: started.elapsed(),
                        unavailable: unavailable(&e),
                    },
                );
            }
            for (i, s) in specs.iter().enumerate() {
                if s.kind != CheckKind::Token && s.skip.is_none() {
                    send(
                        i,
                        CheckEvent::Skipped {
                            reason: "not run: no token".into(),
                        },
                    );
                }
            }
            return;
        }
    };
    if let Some(i) = token_idx {
        send(i, token_verdict(&input, &token, started.elapsed()));
    }
    let shared = Arc::new(Shared { input, token });
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let mut set = JoinSet::new();
    for (i, spec) in specs.into_iter().enumerate() {
        if spec.kind == CheckKind::Token || spec.skip.is_some() {
            continue;
        }
        let shared = shared.clone();
        let gate = gate.clone();
        let tx = tx.clone();
        set.spawn(async move {
            let _permit = gate.acquire().await;
            let _ = tx.send((i, CheckEvent::Started));
            let ev = mailbox_check(&shared, &spec).await;
            let _ = tx.send((i, ev));
        });
    }
    while set.join_next().await.is_some() {}
}

fn token_verdict(input: &RunInput, token: &AccessToken, elapsed: Duration) -> CheckEvent {
    let roles = &token.claims.roles;
    let missing: Vec<String> = catalog()
        .roles_needed(GRAPH, &input.access)
        .into_iter()
        .filter(|req| !req.met_by(roles))
        .flat_map(|req| req.roles.iter().cloned())
        .collect();
    if missing.is_empty() {
        CheckEvent::Passed {
            detail: format!("roles: {}", roles.join(", ")),
            elapsed,
        }
    } else {
        CheckEvent::Failed {
            diagnosis: missing_roles(roles, &missing, &catalog().resource(GRAPH).name),
            elapsed,
            unavailable: false,
        }
    }
}

async fn mailbox_check(shared: &Shared, spec: &CheckSpec) -> CheckEvent {
    let input = &shared.input;
    let mailbox = spec
        .mailbox
        .as_ref()
        .expect("mailbox checks name a mailbox");
    let started = Instant::now();
    let client_id = input.client_id.to_string();
    let failed = |e: CloudError, stage: Stage| CheckEvent::Failed {
        diagnosis: diagnose::diagnose(
            &e,
            &context(input, &client_id, stage, Some(mailbox.as_str())),
        ),
        elapsed: started.elapsed(),
        unavailable: unavailable(&e),
    };
    match spec.kind {
        CheckKind::GraphRead => {
            match graph::inbox(&input.http, &input.endpoints, &shared.token, mailbox).await {
                Ok(c) => CheckEvent::Passed {
                    detail: format!("inbox: {} messages, {} unread", c.total, c.unread),
                    elapsed: started.elapsed(),
                },
                Err(e) => failed(e, Stage::MailboxRead),
            }
        }
        CheckKind::GraphSend => {
            match graph::send_test(&input.http, &input.endpoints, &shared.token, mailbox).await {
                Ok(()) => CheckEvent::Passed {
                    detail: "test message sent to itself".into(),
                    elapsed: started.elapsed(),
                },
                Err(e) => failed(e, Stage::MailboxSend),
            }
        }
        CheckKind::Denied => {
            match graph::inbox(&input.http, &input.endpoints, &shared.token, mailbox).await {
                Ok(_) => CheckEvent::Failed {
                    diagnosis: not_denied(mailbox.as_str(), &client_id),
                    elapsed: started.elapsed(),
                    unavailable: false,
                },
                Err(CloudError::Graph(g)) if g.status == 403 => CheckEvent::Passed {
                    detail: "refused as intended (outside the scope)".into(),
                    elapsed: started.elapsed(),
                },
                Err(e) => failed(e, Stage::MustBeDenied),
            }
        }
        CheckKind::Token => unreachable!("the token check runs first"),
    }
}
