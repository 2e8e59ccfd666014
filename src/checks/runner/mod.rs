//! Runs the planned checks: one token per resource (Graph, Exchange), fetched together, then
//! every mailbox check concurrently. IMAP, POP3 and SMTP refusals are diagnosed once the same
//! protocol has been tried on every mailbox, since the pattern tells the causes apart.

mod delegated;
mod denied;
mod mailbox;
mod refusals;
mod tokens;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use rustls::ClientConfig;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

pub use delegated::{UserMail, user_mail};

use super::mail_diagnosis::{MailContext, Peers};
use super::wire::{ProbeError, Timeouts, tls_config};
use crate::cloud::CloudError;
use crate::cloud::diagnose::{self, Context, Stage};
use crate::cloud::identity::AccessToken;
use crate::model::{AccessChoice, ClientId, Diagnosis, Endpoints, Mailbox, Secret, TenantId};
use crate::model::{CheckEvent, CheckKind, CheckSpec};

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
    /// The process's connection budget, shared by every profile checked at once: each token
    /// fetch and mailbox check holds a permit while its connection is open.
    pub connections: Arc<Semaphore>,
    /// Application permissions the scope leaves out of Entra (RBAC for Applications): their
    /// absence from a token is right, their presence bypasses the scope.
    pub omitted: Vec<String>,
    /// What the setup read of EWS's switches, when EWS was set up.
    pub ews: Option<crate::model::EwsReading>,
}

impl RunInput {
    /// What a Graph, EWS or token endpoint's error answer means at this stage.
    fn diagnose(&self, e: &CloudError, stage: Stage, mailbox: Option<&str>) -> Diagnosis {
        let client_id = self.client_id.to_string();
        let ctx = Context {
            stage,
            tenant: &self.tenant,
            client_id: &client_id,
            mailbox,
            portal: &self.endpoints.portal,
        };
        match (e, &self.certificate) {
            (CloudError::Aad(a), Some(t)) if a.has_code(700027) => {
                diagnose::key_not_registered(a, &ctx, Some(t))
            }
            _ => diagnose::diagnose(e, &ctx),
        }
    }
}

/// What every mailbox task reads: the input, the tokens, the mail TLS settings, and how the
/// other mailboxes fared.
struct Shared {
    input: RunInput,
    client_id: String,
    graph: Option<AccessToken>,
    exchange: Option<AccessToken>,
    tls: Result<Arc<ClientConfig>, String>,
    /// Mailboxes that passed, per IMAP, POP3 and SMTP.
    passes: HashMap<CheckKind, AtomicUsize>,
}

impl Shared {
    /// The mail diagnosis's view of one mailbox: the app, and what its Exchange token says.
    fn mail_context<'a>(
        &'a self,
        kind: CheckKind,
        mailbox: &'a str,
        peers: Peers,
    ) -> MailContext<'a> {
        let token = self.exchange.as_ref();
        MailContext {
            kind,
            mailbox,
            client_id: &self.client_id,
            sp_object_id: token.map(|t| t.claims.oid.as_str()).unwrap_or(""),
            roles: token.map(|t| t.claims.roles.as_slice()).unwrap_or(&[]),
            peers,
        }
    }
}

impl Shared {
    /// What an EWS diagnosis knows besides the answer: the switches the setup read, and
    /// whether an RBAC role stands in for the token's `full_access_as_app`.
    fn ews_facts(&self) -> super::mail_diagnosis::EwsFacts<'_> {
        super::mail_diagnosis::EwsFacts {
            reading: self.input.ews.as_ref(),
            role_by_scope: self.input.omitted.iter().any(|p| p == "full_access_as_app"),
        }
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

fn failed(diagnosis: Diagnosis, elapsed: Duration, unavailable: bool) -> CheckEvent {
    CheckEvent::Failed {
        diagnosis,
        elapsed,
        unavailable,
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
    let tokens_permit = input.connections.clone().acquire_many_owned(2).await;
    let [graph, exchange] = tokens::fetch(&input, &specs, send).await;
    drop(tokens_permit);
    let tls = tls_config(input.endpoints.mail_ca.as_deref());
    let shared = Arc::new(Shared {
        client_id: input.client_id.to_string(),
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
        if matches!(spec.kind, CheckKind::Token | CheckKind::ExchangeToken)
            || spec.kind.as_user()
            || spec.skip.is_some()
        {
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
        let connections = shared.input.connections.clone();
        let tx = tx.clone();
        set.spawn(async move {
            let _permit = gate.acquire().await;
            let _connection = connections.acquire_owned().await;
            let _ = tx.send((i, CheckEvent::Started));
            (i, mailbox::check(&shared, &spec).await)
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
    for (i, ev) in refusals::diagnose(&shared, refused) {
        send(i, ev);
    }
    for (i, ev) in denied_as_intended {
        if reached.contains(&probes[i]) {
            send(i, ev);
        } else {
            send(
                i,
                CheckEvent::Skipped {
                    reason: "refused, but no intended mailbox was reachable this way either: that says nothing about the scope yet; check again once the other checks pass (pending ones pass by themselves once the change applies)".into(),
                },
            );
        }
    }
}
