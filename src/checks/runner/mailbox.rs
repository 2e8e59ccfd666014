//! One mailbox's row: the Graph, EWS, IMAP, POP3 or SMTP probe it names, and what its answer
//! means.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{Outcome, Shared, denied, failed};
use crate::checks::mail_diagnosis::{self, Peers};
use rustls::ClientConfig;

use crate::checks::wire::{ProbeError, Target, Timeouts};
use crate::checks::{ews, imap, pop, smtp};
use crate::cloud::diagnose::Stage;
use crate::cloud::{CloudError, NetKind, NetworkError, graph};
use crate::model::{CheckEvent, CheckKind, CheckSpec};
use crate::model::{Endpoints, Mailbox};

pub(super) async fn check(shared: &Shared, spec: &CheckSpec) -> Outcome {
    let input = &shared.input;
    let mailbox = spec
        .mailbox
        .as_ref()
        .expect("mailbox checks name a mailbox");
    let started = Instant::now();
    let cloud_failed = |e: CloudError, stage: Stage| {
        let diagnosis = input.diagnose(&e, stage, Some(mailbox.as_str()));
        Outcome::Done(failed(diagnosis, started.elapsed(), e.is_unavailable()))
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
                Err(e) => cloud_failed(e, Stage::MailboxRead),
            }
        }
        CheckKind::GraphSend => {
            match graph::send_test(&input.http, &input.endpoints, graph_token(), mailbox).await {
                Ok(()) => passed("test message sent to itself".into()),
                Err(e) => cloud_failed(e, Stage::MailboxSend),
            }
        }
        CheckKind::Ews => {
            match ews::inbox(&input.http, &input.endpoints, exchange_token(), mailbox).await {
                Ok((total, unread)) => passed(format!("inbox: {total} messages, {unread} unread")),
                Err(e) => {
                    let ctx =
                        shared.mail_context(CheckKind::Ews, mailbox.as_str(), Peers::default());
                    match mail_diagnosis::diagnose_ews_with(&e, &ctx, shared.ews_facts()) {
                        Some(diagnosis) => {
                            Outcome::Done(failed(diagnosis, started.elapsed(), e.is_unavailable()))
                        }
                        None => cloud_failed(e, Stage::MailboxRead),
                    }
                }
            }
        }
        CheckKind::Imap | CheckKind::Pop | CheckKind::Smtp => {
            match probe(shared, spec.kind, mailbox).await {
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
                    let ctx = shared.mail_context(spec.kind, mailbox.as_str(), Peers::default());
                    let diagnosis = mail_diagnosis::diagnose_probe(&error, &ctx);
                    Outcome::Done(failed(diagnosis, started.elapsed(), true))
                }
            }
        }
        CheckKind::Denied => denied::check(shared, spec, mailbox, started).await,
        CheckKind::Token | CheckKind::ExchangeToken | CheckKind::Delegated => {
            unreachable!("token checks run first; the delegated row is always skipped")
        }
        CheckKind::UserToken
        | CheckKind::UserImap
        | CheckKind::UserSmtp
        | CheckKind::UserRefresh => {
            unreachable!(
                "a mailbox user's rows run with the user's sign-in, in app::delegated_checks"
            )
        }
    }
}

/// Runs one IMAP, POP3 or SMTP probe within the overall time limit; the detail on success.
pub(super) async fn probe(
    shared: &Shared,
    kind: CheckKind,
    mailbox: &Mailbox,
) -> Result<String, ProbeError> {
    probe_sending(shared, kind, mailbox, shared.input.send_test).await
}

/// [`probe`], with SMTP sending a test message only when `send_test`.
pub(super) async fn probe_sending(
    shared: &Shared,
    kind: CheckKind,
    mailbox: &Mailbox,
    send_test: bool,
) -> Result<String, ProbeError> {
    let token = shared
        .exchange
        .as_ref()
        .expect("mail probes run only with an Exchange token")
        .expose();
    let reach = Reach {
        tls: &shared.tls,
        endpoints: &shared.input.endpoints,
        timeouts: shared.input.timeouts,
    };
    reach.probe(kind, mailbox, token, send_test).await
}

/// How the mail servers are reached: their endpoints, the TLS settings and the time limits.
pub(crate) struct Reach<'a> {
    pub tls: &'a Result<Arc<ClientConfig>, String>,
    pub endpoints: &'a Endpoints,
    pub timeouts: Timeouts,
}

impl Reach<'_> {
    /// One IMAP, POP3 or SMTP dialogue with `token` for `mailbox` within the overall time
    /// limit (once more after a dropped connection); the detail on success.
    pub(crate) async fn probe(
        &self,
        kind: CheckKind,
        mailbox: &Mailbox,
        token: &str,
        send_test: bool,
    ) -> Result<String, ProbeError> {
        let e = self.endpoints;
        let limit = self.timeouts.total;
        let endpoint = match kind {
            CheckKind::Imap => &e.imap,
            CheckKind::Pop => &e.pop,
            _ => &e.smtp,
        };
        let work = || async {
            match kind {
                CheckKind::Imap => {
                    let c = imap::probe(&self.target(&e.imap)?, mailbox.as_str(), token).await?;
                    Ok(format!(
                        "inbox: {} messages, {} unseen (read-only)",
                        c.messages, c.unseen
                    ))
                }
                CheckKind::Pop => {
                    let c = pop::probe(&self.target(&e.pop)?, mailbox.as_str(), token).await?;
                    Ok(format!("{} messages ({} bytes)", c.messages, c.octets))
                }
                _ => {
                    let out =
                        smtp::probe(&self.target(&e.smtp)?, mailbox.as_str(), token, send_test)
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
        let timed = |r: Result<Result<String, ProbeError>, _>| match r {
            Ok(r) => r,
            // A server that keeps the dialogue going without finishing it has not answered in time.
            Err(_) => Err(ProbeError::Net(NetworkError {
                kind: NetKind::Timeout,
                host: endpoint.to_string(),
                detail: format!("the dialogue did not finish within {} s", limit.as_secs()),
            })),
        };
        let first = timed(tokio::time::timeout(limit, work()).await);
        match first {
            // One dropped connection is a passing fault: the probe runs once more.
            Err(ProbeError::Closed { .. }) => timed(tokio::time::timeout(limit, work()).await),
            other => other,
        }
    }

    fn target(&self, endpoint: &str) -> Result<Target, ProbeError> {
        let tls = self.tls.clone().map_err(|detail| {
            ProbeError::Net(NetworkError {
                kind: NetKind::Tls,
                host: endpoint.to_string(),
                detail,
            })
        })?;
        Target::new(endpoint, tls, self.timeouts)
    }
}
