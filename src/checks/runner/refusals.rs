//! The held-back IMAP, POP3 and SMTP refusals, diagnosed once every mailbox has been tried: how
//! many others passed or failed the same way tells the causes apart.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use super::{Outcome, Shared, failed};
use crate::checks::mail_diagnosis::{self, Peers, Refusal, classify};
use crate::model::{CheckEvent, CheckKind};

/// Counts, per protocol, how the mailboxes fared, then diagnoses each held-back refusal.
pub(super) fn diagnose(
    shared: &Shared,
    refused: Vec<(usize, Outcome)>,
) -> Vec<(usize, CheckEvent)> {
    let mut alike: HashMap<(CheckKind, Refusal), usize> = HashMap::new();
    for (_, o) in &refused {
        if let Outcome::Refused { kind, error, .. } = o {
            *alike.entry((*kind, classify(error))).or_default() += 1;
        }
    }
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
                    passed: passes(shared, kind),
                    failed_alike: alike[&(kind, classify(&error))] - 1,
                };
                let ctx = shared.mail_context(kind, mailbox.as_str(), peers);
                let diagnosis = mail_diagnosis::diagnose_probe(&error, &ctx);
                Some((i, failed(diagnosis, elapsed, false)))
            }
            Outcome::Done(_) => None,
        })
        .collect()
}

fn passes(shared: &Shared, kind: CheckKind) -> usize {
    shared
        .passes
        .get(&kind)
        .map(|n| n.load(Ordering::Relaxed))
        .unwrap_or(0)
}
