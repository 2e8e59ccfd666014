//! The dashboard's actions in the tenant: `R` removes the app from the tenant (the offboarding
//! use case), `m` migrates it to RBAC for Applications and `U` undoes that (`migration.rs`).
//! Each reads its plan after the sign-in, and once confirmed carries it out, telling each step
//! as it settles.

use tokio::sync::mpsc;

use super::AdminSlot;
use super::admin::{endpoints_for, exchange_admin, kept_for, not_signed_in};
use super::migration;
use crate::app::Env;
use crate::app::offboard::{self, Done, Plan, RemovalKind};
use crate::model::{Diagnosis, Profile};
use crate::wizard::{Msg, Upkeep};

pub(super) async fn run(
    env: &Env,
    slot: &AdminSlot,
    p: Profile,
    what: Upkeep,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    let guard = slot.session.lock().await;
    let Some(session) = kept_for(guard.as_ref(), what.purpose()) else {
        let _ = tx.send(Msg::Renewed(Err(not_signed_in())));
        return;
    };
    let endpoints = endpoints_for(env, p.cloud);
    let e = env.endpoints(&p);
    let tell = |title: &str, how: &str| {
        let _ = tx.send(Msg::UpkeepProgress(format!("{title} — {how}")));
    };
    match what {
        Upkeep::Offboard { go } => {
            let (journal, plan) = match offboard::prepare(env, &p) {
                Ok(x) => x,
                Err(err) => return plan_failed(tx, p, what, err.diagnosis),
            };
            if !go {
                let _ = tx.send(Msg::UpkeepPlan(
                    Box::new(p.clone()),
                    what,
                    Ok(offboard_summary(&p, &plan)),
                ));
                return;
            }
            let ex = if plan.needs_exchange() {
                match exchange_admin(env, &endpoints, p.tenant_id, session, tx).await {
                    Ok(ex) => Some(ex),
                    Err(d) => return done(tx, Err(d)),
                }
            } else {
                None
            };
            let told = |r: &offboard::Removal, d: &Done| {
                let how = match d {
                    Done::Removed => "removed".to_string(),
                    Done::AlreadyGone => "already gone".to_string(),
                    Done::Kept(why) => format!("kept: {why}"),
                };
                tell(&r.title, &how);
            };
            let result = offboard::run(env, &p, &journal, &plan, session, ex.as_ref(), told).await;
            done(
                tx,
                result
                    .map(|r| {
                        let proof = match &r.token {
                            Some(Ok(_)) => "the client is refused a token",
                            _ => "the client's refusal is NOT proven: see the record",
                        };
                        format!(
                            "Removed {} from the tenant; {proof}; the profile is forgotten. The app registration is {}. Record: {}",
                            p.name,
                            r.app_restore.clone().unwrap_or_else(|| "kept".into()),
                            r.path.clone().unwrap_or_else(|| "not written".into())
                        )
                    })
                    .map_err(|e| e.diagnosis),
            );
        }
        Upkeep::Migrate { go } | Upkeep::UndoMigration { go } => {
            let ex = match exchange_admin(env, &endpoints, p.tenant_id, session, tx).await {
                Ok(ex) => ex,
                Err(d) => return plan_failed(tx, p, what, d),
            };
            let c = migration::Ctx {
                env,
                endpoints: &e,
                session,
                ex: &ex,
                tx,
            };
            if matches!(what, Upkeep::Migrate { .. }) {
                migration::migrate(&c, p, go).await;
            } else {
                migration::undo(&c, p, go).await;
            }
        }
        _ => {}
    }
}

fn plan_failed(tx: &mpsc::UnboundedSender<Msg>, p: Profile, what: Upkeep, d: Diagnosis) {
    let _ = tx.send(Msg::UpkeepPlan(Box::new(p), what, Err(d)));
}

fn done(tx: &mpsc::UnboundedSender<Msg>, result: Result<String, Diagnosis>) {
    let _ = tx.send(Msg::Renewed(result));
}

/// The removal in a few words: what goes, in order, and what is left.
fn offboard_summary(p: &Profile, plan: &Plan) -> String {
    let parts: Vec<String> = plan
        .removals
        .iter()
        .map(|r| match &r.kind {
            RemovalKind::RoleAssignment { role, .. } => format!("role assignment {role}"),
            RemovalKind::ManagementScope { .. } => "management scope".into(),
            RemovalKind::AccessPolicy => "access policy".into(),
            RemovalKind::MailboxPermission { mailbox } => format!("FullAccess on {mailbox}"),
            RemovalKind::UserFullAccess { mailbox, user } => {
                format!("{user}'s FullAccess on {mailbox}")
            }
            RemovalKind::ExchangePrincipal => "Exchange service principal".into(),
            RemovalKind::Group { identity, .. } => format!("group {identity} if unused"),
            RemovalKind::Application { .. } => "app registration (restorable for 30 days)".into(),
        })
        .collect();
    format!(
        "Remove {} from the tenant: {}; then prove the client refused and forget the profile ({} left as it is; `remove {} --from-tenant` prints the PowerShell).",
        p.name,
        parts.join(", "),
        plan.left.len(),
        p.name
    )
}
