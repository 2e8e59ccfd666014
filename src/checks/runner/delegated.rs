//! A mailbox user's IMAP and SMTP rows, once the user has signed in: `AUTHENTICATE XOAUTH2`
//! and `AUTH XOAUTH2` with the user's token for the user's own mailbox and each shared one,
//! all at once. Nothing is sent: SMTP signs in only.

use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Semaphore;

use super::failed;
use super::mailbox::Reach;
use crate::checks::mail_diagnosis::{UserMailContext, diagnose_user_probe};
use crate::checks::wire::{Timeouts, tls_config};
use crate::cloud::identity::AccessToken;
use crate::model::{CheckEvent, CheckKind, CheckSpec, Endpoints};

/// Where and how the user's rows run.
pub struct UserMail<'a> {
    pub endpoints: &'a Endpoints,
    pub timeouts: Timeouts,
    pub client_id: &'a str,
    /// The process's connection budget: each dialogue holds a permit.
    pub connections: &'a Semaphore,
}

/// Runs the IMAP and SMTP rows among `rows` (index and spec) with the user's `token`; each
/// row's events go to `send` as they come.
pub async fn user_mail(
    run: &UserMail<'_>,
    rows: &[(usize, &CheckSpec)],
    token: &AccessToken,
    send: impl Fn(usize, CheckEvent),
) {
    let tls = tls_config(run.endpoints.mail_ca.as_deref());
    let reach = Reach {
        tls: &tls,
        endpoints: run.endpoints,
        timeouts: run.timeouts,
    };
    let mut pending = FuturesUnordered::new();
    for (i, spec) in rows {
        let kind = match spec.kind {
            CheckKind::UserImap => CheckKind::Imap,
            CheckKind::UserSmtp => CheckKind::Smtp,
            _ => continue,
        };
        send(*i, CheckEvent::Started);
        let reach = &reach;
        pending.push(async move {
            let _permit = run.connections.acquire().await;
            let started = Instant::now();
            let mailbox = spec.mailbox.as_ref().expect("a mail row names its mailbox");
            let ev = match reach.probe(kind, mailbox, token.expose(), false).await {
                Ok(detail) => CheckEvent::Passed {
                    detail: format!("as {}: {detail}", token.claims.upn),
                    elapsed: started.elapsed(),
                },
                Err(e) => {
                    let ctx = UserMailContext {
                        kind: spec.kind,
                        mailbox: mailbox.as_str(),
                        user: spec.as_user.as_ref().map_or("", |u| u.as_str()),
                        client_id: run.client_id,
                    };
                    failed(
                        diagnose_user_probe(&e, &ctx),
                        started.elapsed(),
                        e.is_unavailable(),
                    )
                }
            };
            (*i, ev)
        });
    }
    while let Some((i, ev)) = pending.next().await {
        send(i, ev);
    }
}
