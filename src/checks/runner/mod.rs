//! Runs the planned checks: one token per resource (Graph, Exchange), fetched together, then
//! every mailbox check concurrently. IMAP, POP3 and SMTP refusals are diagnosed once the same
//! protocol has been tried on every mailbox, since the pattern tells the causes apart.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::mail_diagnosis::{self, MailContext, Peers, Refusal, classify};
use super::wire::{ProbeError, Target, Timeouts, tls_config};
use super::{CheckEvent, CheckKind, CheckSpec, ews, imap, pop, smtp};
use crate::catalog::{EXCHANGE, GRAPH, catalog};
use crate::cloud::diagnose::{self, Context, Stage, missing_roles, not_denied};
use crate::cloud::identity::{AccessToken, assertion_credentials, client_credentials};
use crate::cloud::{CloudError, NetKind, NetworkError, graph};
use crate::model::{AccessChoice, ClientId, Endpoints, Mailbox, Secret, TenantId};

/// How many mailbox checks may be in flight at once: enough for twelve mailboxes with four
/// protocols each in one wave, few enough to stay under Exchange Online's connection limits
/// (they count per mailbox, and one mailbox gets at most one connection per protocol here).
const CONCURRENCY: usize = 48;

pub struct RunInput {
    pub http: reqwest::Client,
    pub endpoints: Endpoints,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub client_id: ClientId,
    /// The client secret, or with `certificate` the certificate's private key (PEM).
    pub secret: Secret,
    /// The certificate's `x5t#S256` when the app proves itself with a certificate.
    pub certificate: Option<String>,
    pub access: Vec<AccessChoice>,
    /// SMTP submits a test message only when the user opted in.
    pub send_test: bool,
    pub timeouts: Timeouts,
    /// Application permissions the scope leaves out of Entra (RBAC for Applications): their
    /// absence from a token is right, their presence bypasses the scope.
    pub omitted: Vec<String>,
}

struct Shared {
    input: RunInput,
    graph: Option<AccessToken>,
    exchange: Option<AccessToken>,
    tls: Result<Arc<ClientConfig>, String>,
    /// Mailboxes that passed, per IMAP, POP3 and SMTP.
    passes: HashMap<CheckKind, AtomicUsize>,
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

/// What a mailbox task hands back: a final event, or an IMAP/POP/SMTP refusal whose
/// diagnosis waits for the other mailboxes.
enum Outcome {
    Done(CheckEvent),
    Refused {
        kind: CheckKind,
        mailbox: Mailbox,
        error: ProbeError,
        elapsed: Duration,
    },
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
    let graph_idx = specs.iter().position(|s| s.kind == CheckKind::Token);
    let exchange_idx = specs
        .iter()
        .position(|s| s.kind == CheckKind::ExchangeToken);
    for i in graph_idx.iter().chain(exchange_idx.iter()) {
        send(*i, CheckEvent::Started);
    }
    let started = Instant::now();
    let fetch = |wanted: bool, scope: String| {
        let input = &input;
        async move {
            if !wanted {
                return None;
            }
            let t = match &input.certificate {
                Some(thumbprint) => {
                    assertion_credentials(
                        &input.http,
                        &input.endpoints,
                        &input.tenant_id,
                        &input.client_id,
                        &input.secret,
                        thumbprint,
                        &scope,
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
                        &scope,
                    )
                    .await
                }
            };
            Some((t, started.elapsed()))
        }
    };
    let (graph_token, exchange_token) = tokio::join!(
        fetch(graph_idx.is_some(), input.endpoints.graph_scope()),
        fetch(exchange_idx.is_some(), input.endpoints.exchange_scope()),
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
                send(i, token_verdict(&input, resource, &t, elapsed));
                tokens[slot] = Some(t);
            }
            Err(e) => send(
                i,
                CheckEvent::Failed {
                    diagnosis: diagnose::diagnose(
                        &e,
                        &context(&input, &input.client_id.to_string(), Stage::Token, None),
                    ),
                    elapsed,
                    unavailable: e.is_unavailable(),
                },
            ),
        }
    }
    let [graph, exchange] = tokens;
    let tls = tls_config(input.endpoints.mail_ca.as_deref());
    let shared = Arc::new(Shared {
        input,
        graph,
        exchange,
        tls,
        passes: [CheckKind::Imap, CheckKind::Pop, CheckKind::Smtp]
            .into_iter()
            .map(|k| (k, AtomicUsize::new(0)))
            .collect(),
    });
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let mut set = JoinSet::new();
    // What each row probes with: a refusal of the must-be-denied mailbox shows the scope only
    // if the same probe reached a mailbox it should.
    let probes: Vec<CheckKind> = specs.iter().map(|s| s.via.unwrap_or(s.kind)).collect();
    let denied: Vec<bool> = specs.iter().map(|s| s.kind == CheckKind::Denied).collect();
    for (i, spec) in specs.into_iter().enumerate() {
        if matches!(spec.kind, CheckKind::Token | CheckKind::ExchangeToken) || spec.skip.is_some() {
            continue;
        }
        let probe = spec.via.unwrap_or(spec.kind);
        let (token, name) = if probe.needs_exchange_token() {
            (shared.exchange.is_some(), "Exchange")
        } else {
            (shared.graph.is_some(), "Graph")
        };
        if !token {
            send(
                i,
                CheckEvent::Skipped {
                    reason: format!("not run: no {name} token"),
                },
            );
            continue;
        }
        let shared = shared.clone();
        let gate = gate.clone();
        let tx = tx.clone();
        set.spawn(async move {
            let _permit = gate.acquire().await;
            let _ = tx.send((i, CheckEvent::Started));
            (i, mailbox_check(&shared, &spec).await)
        });
    }
    let mut refused = Vec::new();
    let mut denied_as_intended = Vec::new();
    let mut reached: Vec<CheckKind> = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, Outcome::Done(ev @ CheckEvent::Passed { .. }))) if denied[i] => {
                denied_as_intended.push((i, ev));
            }
            Ok((i, Outcome::Done(ev))) => {
                if matches!(ev, CheckEvent::Passed { .. }) {
                    reached.push(probes[i]);
                }
                send(i, ev);
            }
            Ok((i, r)) => refused.push((i, r)),
            Err(e) => tracing::error!(error = %e, "a check task ended abnormally"),
        }
    }
    for (i, ev) in diagnose_refusals(&shared, refused) {
        send(i, ev);
    }
    for (i, ev) in denied_as_intended {
        if reached.contains(&probes[i]) {
            send(i, ev);
        } else {
            send(
                i,
                CheckEvent::Skipped {
                    reason: "refused, but no intended mailbox was reachable this way either: that says nothing about the scope yet; fix the failing checks, then check again".into(),
                },
            );
        }
    }
}

/// Counts, per protocol, how the mailboxes fared, then diagnoses each held-back refusal.
fn diagnose_refusals(shared: &Shared, refused: Vec<(usize, Outcome)>) -> Vec<(usize, CheckEvent)> {
    let mut alike: HashMap<(CheckKind, Refusal), usize> = HashMap::new();
    for (_, o) in &refused {
        if let Outcome::Refused { kind, error, .. } = o {
            *alike.entry((*kind, classify(error))).or_default() += 1;
        }
    }
    let exchange = shared.exchange.as_ref();
    let roles: &[String] = exchange.map(|t| t.claims.roles.as_slice()).unwrap_or(&[]);
    let oid = exchange.map(|t| t.claims.oid.as_str()).unwrap_or("");
    let client_id = shared.input.client_id.to_string();
    refused
        .into_iter()
        .filter_map(|(i, o)| match o {
            Outcome::Refused {
                kind,
                mailbox,
                error,
                elapsed,
            } => {
                let peers = Peers {
                    passed: shared_passes(shared, kind),
                    failed_alike: alike[&(kind, classify(&error))] - 1,
                };
                let ctx = MailContext {
                    kind,
                    mailbox: mailbox.as_str(),
                    client_id: &client_id,
                    sp_object_id: oid,
                    roles,
                    peers,
                };
                Some((
                    i,
                    CheckEvent::Failed {
                        diagnosis: mail_diagnosis::diagnose_probe(&error, &ctx),
                        elapsed,
                        unavailable: false,
                    },
                ))
            }
            Outcome::Done(_) => None,
        })
        .collect()
}

fn shared_passes(shared: &Shared, kind: CheckKind) -> usize {
    shared
        .passes
        .get(&kind)
        .map(|n| n.load(Ordering::Relaxed))
        .unwrap_or(0)
}

fn token_verdict(
    input: &RunInput,
    resource: &str,
    token: &AccessToken,
    elapsed: Duration,
) -> CheckEvent {
    let roles = &token.claims.roles;
    let bypassing: Vec<&String> = roles.iter().filter(|r| input.omitted.contains(r)).collect();
    if !bypassing.is_empty() {
        let names: Vec<&str> = bypassing.iter().map(|r| r.as_str()).collect();
        return CheckEvent::Failed {
            diagnosis: crate::cloud::Diagnosis {
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
            },
            elapsed,
            unavailable: false,
        };
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
            } else {
                format!("roles: {}", roles.join(", "))
            },
            elapsed,
        }
    } else {
        CheckEvent::Failed {
            diagnosis: missing_roles(roles, &missing, &catalog().resource(resource).name),
            elapsed,
            unavailable: false,
        }
    }
}

fn mail_target(shared: &Shared, endpoint: &str) -> Result<Target, ProbeError> {
    let tls = shared.tls.clone().map_err(|detail| {
        ProbeError::Net(NetworkError {
            kind: NetKind::Tls,
            host: endpoint.to_string(),
            detail,
        })
    })?;
    Target::new(endpoint, tls, shared.input.timeouts)
}

/// Runs one IMAP, POP3 or SMTP probe within the overall time limit; the detail on success.
async fn mail_probe(
    shared: &Shared,
    kind: CheckKind,
    mailbox: &Mailbox,
) -> Result<String, ProbeError> {
    let token = shared
        .exchange
        .as_ref()
        .expect("mail probes run only with an Exchange token")
        .expose();
    let e = &shared.input.endpoints;
    let limit = shared.input.timeouts.total;
    let work = async {
        match kind {
            CheckKind::Imap => {
                let c =
                    imap::probe(&mail_target(shared, &e.imap)?, mailbox.as_str(), token).await?;
                Ok(format!(
                    "inbox: {} messages, {} unseen (read-only)",
                    c.messages, c.unseen
                ))
            }
            CheckKind::Pop => {
                let c = pop::probe(&mail_target(shared, &e.pop)?, mailbox.as_str(), token).await?;
                Ok(format!("{} messages ({} bytes)", c.messages, c.octets))
            }
            _ => {
                let out = smtp::probe(
                    &mail_target(shared, &e.smtp)?,
                    mailbox.as_str(),
                    token,
                    shared.input.send_test,
                )
                .await?;
                Ok(match out {
                    smtp::SmtpOutcome::Sent => "signed in; test message sent to itself".into(),
                    smtp::SmtpOutcome::Authenticated => {
                        "signed in (no message sent: sending is opt-in)".into()
                    }
                })
            }
        }
    };
    match tokio::time::timeout(limit, work).await {
        Ok(r) => r,
        Err(_) => Err(ProbeError::Garbled {
            step: "session",
            line: format!("the dialogue did not finish within {} s", limit.as_secs()),
        }),
    }
}

async fn mailbox_check(shared: &Shared, spec: &CheckSpec) -> Outcome {
    let input = &shared.input;
    let mailbox = spec
        .mailbox
        .as_ref()
        .expect("mailbox checks name a mailbox");
    let started = Instant::now();
    let client_id = input.client_id.to_string();
    let failed = |e: CloudError, stage: Stage| {
        Outcome::Done(CheckEvent::Failed {
            diagnosis: diagnose::diagnose(
                &e,
                &context(input, &client_id, stage, Some(mailbox.as_str())),
            ),
            elapsed: started.elapsed(),
            unavailable: e.is_unavailable(),
        })
    };
    let passed = |detail: String| {
        Outcome::Done(CheckEvent::Passed {
            detail,
            elapsed: started.elapsed(),
        })
    };
    let graph_token = || {
        shared
            .graph
            .as_ref()
            .expect("Graph checks run with a Graph token")
    };
    let exchange_token = || {
        shared
            .exchange
            .as_ref()
            .expect("EWS checks run with an Exchange token")
    };
    match spec.kind {
        CheckKind::GraphRead => {
            match graph::inbox(&input.http, &input.endpoints, graph_token(), mailbox).await {
                Ok(c) => passed(format!("inbox: {} messages, {} unread", c.total, c.unread)),
                Err(e) => failed(e, Stage::MailboxRead),
            }
        }
        CheckKind::GraphSend => {
            match graph::send_test(&input.http, &input.endpoints, graph_token(), mailbox).await {
                Ok(()) => passed("test message sent to itself".into()),
                Err(e) => failed(e, Stage::MailboxSend),
            }
        }
        CheckKind::Ews => {
            match ews::inbox(&input.http, &input.endpoints, exchange_token(), mailbox).await {
                Ok((total, unread)) => passed(format!("inbox: {total} messages, {unread} unread")),
                Err(e) => {
                    let roles = &exchange_token().claims.roles;
                    let ctx = MailContext {
                        kind: CheckKind::Ews,
                        mailbox: mailbox.as_str(),
                        client_id: &client_id,
                        sp_object_id: &exchange_token().claims.oid,
                        roles,
                        peers: Peers::default(),
                    };
                    match mail_diagnosis::diagnose_ews(&e, &ctx) {
                        Some(diagnosis) => Outcome::Done(CheckEvent::Failed {
                            diagnosis,
                            elapsed: started.elapsed(),
                            unavailable: e.is_unavailable(),
                        }),
                        None => failed(e, Stage::MailboxRead),
                    }
                }
            }
        }
        CheckKind::Imap | CheckKind::Pop | CheckKind::Smtp => {
            match mail_probe(shared, spec.kind, mailbox).await {
                Ok(detail) => {
                    if let Some(n) = shared.passes.get(&spec.kind) {
                        n.fetch_add(1, Ordering::Relaxed);
                    }
                    passed(detail)
                }
                Err(error @ ProbeError::Refused { .. }) => Outcome::Refused {
                    kind: spec.kind,
                    mailbox: mailbox.clone(),
                    error,
                    elapsed: started.elapsed(),
                },
                Err(error) => {
                    let ctx = MailContext {
                        kind: spec.kind,
                        mailbox: mailbox.as_str(),
                        client_id: &client_id,
                        sp_object_id: "",
                        roles: &[],
                        peers: Peers::default(),
                    };
                    Outcome::Done(CheckEvent::Failed {
                        diagnosis: mail_diagnosis::diagnose_probe(&error, &ctx),
                        elapsed: started.elapsed(),
                        unavailable: true,
                    })
                }
            }
        }
        CheckKind::Denied => denied_check(shared, spec, mailbox, started).await,
        CheckKind::Token | CheckKind::ExchangeToken | CheckKind::Delegated => {
            unreachable!("token checks run first; the delegated row is always skipped")
        }
    }
}

async fn denied_check(
    shared: &Shared,
    spec: &CheckSpec,
    mailbox: &Mailbox,
    started: Instant,
) -> Outcome {
    let input = &shared.input;
    let client_id = input.client_id.to_string();
    let reached = |how: &str| {
        Outcome::Done(CheckEvent::Failed {
            diagnosis: not_denied(mailbox.as_str(), &client_id, how),
            elapsed: started.elapsed(),
            unavailable: false,
        })
    };
    let refused = |how: String| {
        Outcome::Done(CheckEvent::Passed {
            detail: format!("refused as intended ({how})"),
            elapsed: started.elapsed(),
        })
    };
    let trouble = |diagnosis, unavailable| {
        Outcome::Done(CheckEvent::Failed {
            diagnosis,
            elapsed: started.elapsed(),
            unavailable,
        })
    };
    let cloud = |e: CloudError| {
        let gone = e.is_unavailable();
        let dg = diagnose::diagnose(
            &e,
            &context(
                input,
                &client_id,
                Stage::MustBeDenied,
                Some(mailbox.as_str()),
            ),
        );
        trouble(dg, gone)
    };
    match spec.via.unwrap_or(CheckKind::GraphRead) {
        CheckKind::Ews => {
            let token = shared
                .exchange
                .as_ref()
                .expect("EWS runs with an Exchange token");
            match ews::inbox(&input.http, &input.endpoints, token, mailbox).await {
                Ok(_) => reached("EWS GetFolder of the inbox succeeded"),
                Err(CloudError::Graph(g))
                    if g.status == 401 || g.status == 403 || g.code == "ErrorAccessDenied" =>
                {
                    refused(format!("EWS: {}", g.code))
                }
                Err(e) => cloud(e),
            }
        }
        via @ (CheckKind::Imap | CheckKind::Pop) => match mail_probe(shared, via, mailbox).await {
            Ok(_) => reached(if via == CheckKind::Imap {
                "IMAP: AUTHENTICATE XOAUTH2 and EXAMINE INBOX succeeded"
            } else {
                "POP3: AUTH XOAUTH2 and STAT succeeded"
            }),
            Err(ProbeError::Refused { line, .. }) => refused(super::wire::printable(&line)),
            Err(e) => {
                let ctx = MailContext {
                    kind: via,
                    mailbox: mailbox.as_str(),
                    client_id: &client_id,
                    sp_object_id: "",
                    roles: &[],
                    peers: Peers::default(),
                };
                trouble(mail_diagnosis::diagnose_probe(&e, &ctx), true)
            }
        },
        _ => {
            let token = shared
                .graph
                .as_ref()
                .expect("Graph runs with a Graph token");
            match graph::inbox(&input.http, &input.endpoints, token, mailbox).await {
                Ok(_) => reached(&format!(
                    "GET /users/{mailbox}/mailFolders/inbox answered 200"
                )),
                Err(CloudError::Graph(g)) if g.status == 403 => refused("outside the scope".into()),
                Err(e) => cloud(e),
            }
        }
    }
}
