//! A run of a profile's live checks for the wizard, as a mailbox user too (`u`): the same
//! `run_checks` the command line calls, its events forwarded while the run is current.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::{AdminSlot, Env};
use crate::app::delegated_checks::UserSignIn;
use crate::app::sign_in::UserNews;
use crate::model::Profile;
use crate::vault::VaultError;
use crate::wizard::{Msg, SecretBox, UserCheck};

/// Starts run `run` of `profile`'s checks; a newer run, or a cancel, silences it.
pub(super) fn start(
    env: &Arc<Env>,
    admin: &Arc<AdminSlot>,
    run: u64,
    profile: Profile,
    secret: Option<SecretBox>,
    as_user: Option<Box<UserCheck>>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    admin.check_run.store(run, Ordering::SeqCst);
    let slot = admin.clone();
    let current = move || slot.check_run.load(Ordering::SeqCst) == run;
    let env = env.clone();
    let task = tokio::spawn(async move {
        let secret = match secret {
            Some(s) => s.0,
            None => match env.secret(&profile).await {
                Ok(s) => s,
                Err(e) => {
                    if current() {
                        let _ = tx.send(match e {
                            VaultError::NotFound(_, store) => Msg::SecretMissing(store.into()),
                            _ => Msg::CheckFailedToStart(e.to_string()),
                        });
                    }
                    return;
                }
            },
        };
        let (etx, mut erx) = mpsc::unbounded_channel();
        let forward = {
            let tx = tx.clone();
            let current = current.clone();
            tokio::spawn(async move {
                while let Some((i, ev)) = erx.recv().await {
                    if current() {
                        let _ = tx.send(Msg::CheckEvent(i, ev));
                    }
                }
            })
        };
        let sign_in = as_user.map(|c| user_sign_in(*c, tx.clone(), current.clone()));
        let mut p = profile;
        let rows = crate::app::run_checks(&env, &p, secret, sign_in.as_ref(), Some(etx)).await;
        // The password, if any, goes with the run.
        drop(sign_in);
        let _ = forward.await;
        // A run the wizard has moved on from must not overwrite a newer result.
        if current() {
            if let Err(e) = crate::app::record_check(&env, &mut p, &rows).await {
                tracing::warn!(error = %e, "check result not saved");
            }
            let _ = tx.send(Msg::ChecksDone);
        }
    });
    let old = admin
        .checks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .replace(task);
    drop(old);
}

/// The mailbox user's sign-in for the delegated rows: the device code goes to the wizard,
/// which shows it for the user.
fn user_sign_in(
    check: UserCheck,
    tx: mpsc::UnboundedSender<Msg>,
    current: impl Fn() -> bool + Send + Sync + 'static,
) -> UserSignIn {
    UserSignIn {
        as_user: Some(check.user),
        password: check.password.map(|p| p.0),
        browser: false,
        kept: Default::default(),
        show: Box::new(move |news| {
            if let UserNews::Code { code, .. } = news
                && current()
            {
                let _ = tx.send(Msg::UserCode(super::admin::code_view(code)));
            }
        }),
    }
}

/// Stops the run under way, with whatever sign-in it waits for; what it had not sent yet is
/// dropped.
pub(super) fn cancel(admin: &AdminSlot) {
    admin.check_run.store(0, Ordering::SeqCst);
    super::abort(&admin.checks);
}
