//! The audit screen's reading of the tenant: with the administrator signed in read-only, and
//! Exchange Online's view where the administrator may have it, through the audit use case.

use tokio::sync::mpsc;

use super::AdminSlot;
use super::admin::{endpoints_for, exchange_admin, kept_for, not_signed_in};
use crate::app::Env;
use crate::app::audit::{self, Progress, Target};
use crate::model::{AdminPurpose, Profile};
use crate::wizard::Msg;

pub(super) async fn run(env: &Env, slot: &AdminSlot, p: Profile, tx: &mpsc::UnboundedSender<Msg>) {
    let guard = slot.session.lock().await;
    let Some(session) = kept_for(guard.as_ref(), AdminPurpose::Audit) else {
        let _ = tx.send(Msg::Audited(Err(not_signed_in())));
        return;
    };
    let endpoints = endpoints_for(env, p.cloud);
    let _ = tx.send(Msg::AuditProgress(
        "signing in to Exchange Online (view only)…".into(),
    ));
    let exchange = exchange_admin(env, &endpoints, p.tenant_id, session, tx)
        .await
        .map_err(|d| format!("{} {}", d.summary, d.evidence));
    let target = Target {
        endpoints: &endpoints,
        tenant_id: p.tenant_id,
        tenant: &p.tenant,
    };
    let progress: &(dyn Fn(Progress) + Sync) = &|pr: Progress| {
        let _ = tx.send(Msg::AuditProgress(progress_text(&pr)));
    };
    let read = audit::run(
        env,
        &target,
        session,
        exchange.as_ref().map_err(|why: &String| why.clone()),
        progress,
    )
    .await;
    let _ = tx.send(Msg::Audited(read.map(Box::new).map_err(|e| e.diagnosis)));
}

fn progress_text(p: &Progress) -> String {
    match p {
        Progress::Reading(what) => format!("reading {what}…"),
        Progress::Counted { what, done, total } => format!("reading {what}: {done}/{total}…"),
    }
}
