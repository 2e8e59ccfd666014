//! The must-be-denied row: the mailbox outside the scope is tried with the probe the access
//! allows, and passes only when it is refused.

use std::time::Instant;

use super::mailbox::{probe, probe_sending};
use super::{Outcome, Shared, failed};
use crate::checks::ews;
use crate::checks::mail_diagnosis::{self, EwsCause, Peers, ews_cause};
use crate::checks::wire::{ProbeError, printable};
use crate::cloud::diagnose::{Stage, is_mailbox_not_enabled, not_denied};
use crate::cloud::{CloudError, graph};
use crate::model::{CheckEvent, CheckKind, CheckSpec};
use crate::model::{Diagnosis, Mailbox};

pub(super) async fn check(
    shared: &Shared,
    spec: &CheckSpec,
    mailbox: &Mailbox,
    started: Instant,
) -> Outcome {
    let input = &shared.input;
    let reached = |how: &str| {
        let diagnosis = not_denied(mailbox.as_str(), &shared.client_id, how);
        Outcome::Done(failed(diagnosis, started.elapsed(), false))
    };
    let refused = |how: String| {
        Outcome::Done(CheckEvent::Passed {
            detail: format!("refused as intended ({how})"),
            elapsed: started.elapsed(),
        })
    };
    let cloud = |e: CloudError| {
        let diagnosis = input.diagnose(&e, Stage::MustBeDenied, Some(mailbox.as_str()));
        Outcome::Done(failed(diagnosis, started.elapsed(), e.is_unavailable()))
    };
    match spec.via.unwrap_or(CheckKind::GraphRead) {
        CheckKind::Ews => {
            let token = shared
                .exchange
                .as_ref()
                .expect("EWS runs with an Exchange token");
            match ews::inbox(&input.http, &input.endpoints, token, mailbox).await {
                Ok(_) => reached("EWS GetFolder of the inbox succeeded"),
                Err(CloudError::Graph(g)) => {
                    let ctx =
                        shared.mail_context(CheckKind::Ews, mailbox.as_str(), Peers::default());
                    let has_role = ctx.roles.iter().any(|r| r == "full_access_as_app");
                    let facts = shared.ews_facts();
                    match ews_cause(
                        g.status,
                        &g.code,
                        &g.message,
                        mailbox.as_str(),
                        has_role,
                        facts,
                    )
                    .0
                    {
                        EwsCause::Scope => refused(format!("EWS: {}", g.code)),
                        _ => {
                            let e = CloudError::Graph(g);
                            let d = mail_diagnosis::diagnose_ews_with(&e, &ctx, facts)
                                .map(|d| not_by_the_scope(d, mailbox.as_str()));
                            match d {
                                Some(d) => Outcome::Done(failed(d, started.elapsed(), false)),
                                None => cloud(e),
                            }
                        }
                    }
                }
                Err(e) => cloud(e),
            }
        }
        via @ (CheckKind::Imap | CheckKind::Pop) => match probe(shared, via, mailbox).await {
            Ok(_) => reached(if via == CheckKind::Imap {
                "IMAP: AUTHENTICATE XOAUTH2 and EXAMINE INBOX succeeded"
            } else {
                "POP3: AUTH XOAUTH2 and STAT succeeded"
            }),
            Err(ProbeError::Refused { line, .. }) => refused(printable(&line)),
            Err(e) => {
                let ctx = shared.mail_context(via, mailbox.as_str(), Peers::default());
                let diagnosis = mail_diagnosis::diagnose_probe(&e, &ctx);
                Outcome::Done(failed(diagnosis, started.elapsed(), true))
            }
        },
        CheckKind::Smtp => match probe_sending(shared, CheckKind::Smtp, mailbox, false).await {
            Ok(_) => reached("SMTP: AUTH XOAUTH2 succeeded"),
            Err(ProbeError::Refused { line, .. })
                if mail_diagnosis::classify(&ProbeError::Refused {
                    step: "authenticate",
                    line: line.clone(),
                }) == mail_diagnosis::Refusal::SmtpAuthDisabled =>
            {
                let diagnosis = mail_diagnosis::smtp_not_proven(mailbox.as_str(), printable(&line));
                Outcome::Done(failed(diagnosis, started.elapsed(), false))
            }
            Err(ProbeError::Refused { line, .. }) => refused(printable(&line)),
            Err(e) => {
                let ctx = shared.mail_context(CheckKind::Smtp, mailbox.as_str(), Peers::default());
                let diagnosis = mail_diagnosis::diagnose_probe(&e, &ctx);
                Outcome::Done(failed(diagnosis, started.elapsed(), true))
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
                // Only the scope's own refusal passes: a mailbox Graph cannot serve at all
                // (no Exchange Online licence) proves nothing about the scope.
                Err(CloudError::Graph(g)) if g.status == 403 && !is_mailbox_not_enabled(&g) => {
                    refused("outside the scope".into())
                }
                Err(e) => cloud(e),
            }
        }
    }
}

/// A refusal of the out-of-scope mailbox for a reason other than the scope: not a pass, since
/// it proves nothing about the scope.
fn not_by_the_scope(d: Diagnosis, mailbox: &str) -> Diagnosis {
    Diagnosis {
        summary: format!(
            "{mailbox} was refused, but not by the app's scope: that proves nothing about the scope. {}",
            d.summary
        ),
        cause: format!(
            "The must-be-denied check passes only on the scope's own refusal (ErrorAccessDenied from the access policy or RBAC scope). {}",
            d.cause
        ),
        fix: format!(
            "{} Or name as must-be-denied a mailbox that EWS serves (--deny-mailbox) so the check can prove the scope.",
            d.fix
        ),
        evidence: d.evidence,
    }
}
