//! The executor of the wizard's effects: each effect becomes a task that reports back with
//! messages. Both the terminal front end and tests drive the wizard through it.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::Env;

mod admin;
mod audit;
mod checks;
mod guided;
mod local;
mod migration;
mod tenant_actions;
use crate::model::{AdminPurpose, TenantInput};
use crate::wizard::{self, Effect, Msg, ProfileRow, SandboxApp, SandboxView, State};

/// Carries out the wizard's effects against one environment, answering on `tx`.
pub struct Executor {
    env: Arc<Env>,
    admin: Arc<AdminSlot>,
    tx: mpsc::UnboundedSender<Msg>,
}

/// The signed-in administrator and the sign-in under way: the executor's own, never the
/// wizard state's (the session holds tokens). Also which run of the checks is current, so that
/// a run the wizard has moved on from sends nothing more.
#[derive(Default)]
pub(super) struct AdminSlot {
    /// The kept sign-in and what it was for (the permissions it holds).
    session: tokio::sync::Mutex<Option<(crate::cloud::device::AdminSession, AdminPurpose)>>,
    /// The administrator's Exchange Online sign-in, kept for the guided path's read-backs.
    exchange: tokio::sync::Mutex<Option<super::setup::ExchangeAdmin>>,
    sign_in: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    check_run: std::sync::atomic::AtomicU64,
    /// The run of the checks under way, for `Effect::CancelChecks`.
    checks: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Counts the sign-ins, so that the expiry of one replaced since is not told.
    signed_in: std::sync::atomic::AtomicU64,
    /// How sign-ins sign in, once chosen on the sign-in screen (else as `env.sign_in` says).
    method: std::sync::Mutex<Option<crate::model::SignInMethod>>,
}

/// Stops the task kept in `slot`, if any.
fn abort(slot: &std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>) {
    if let Some(t) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
        t.abort();
    }
}

/// The state the wizard starts in for this environment.
pub fn initial_state(env: &Env) -> State {
    let sandbox = env.sandbox.as_ref().map(|s| SandboxView {
        tenant_domain: s.tenant_domain.clone(),
        endpoints: s.endpoints(),
        apps: s
            .apps
            .iter()
            .map(|a| SandboxApp {
                name: a.name.clone(),
                client_id: a.client_id.clone(),
            })
            .collect(),
        mailboxes: s.mailboxes.clone(),
    });
    let today = time::OffsetDateTime::now_utc().date();
    let (draft, unfinished) = local::draft(env);
    let mut state = State::new(sandbox, None, today);
    state.sign_in.method = env.sign_in.method;
    state.exports = env.dirs.data.join("exports").display().to_string();
    let (rows, broken) = load_profiles(env);
    let found = migrations(env, &rows);
    wizard::update(&mut state, Msg::Profiles(rows, broken));
    wizard::update(&mut state, Msg::Migrations(found));
    wizard::update(
        &mut state,
        Msg::DraftLoaded(draft.map(Box::new), unfinished),
    );
    state
}

/// The profiles with a migration journal, and how far each got.
fn migrations(
    env: &Env,
    rows: &[ProfileRow],
) -> Vec<(crate::model::ProfileName, wizard::Migrating)> {
    rows.iter()
        .filter_map(|r| {
            let p = &r.profile;
            let j = env.dirs.migrations(p.sandbox).load(&p.name).ok()??;
            let state = if j.finished {
                wizard::Migrating::Finished
            } else {
                wizard::Migrating::UnderWay {
                    done: j.done.len(),
                    of: j.plan.steps.len(),
                }
            };
            Some((p.name.clone(), state))
        })
        .collect()
}

fn load_profiles(env: &Env) -> (Vec<ProfileRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for r in env.profiles().list() {
        match r {
            Ok(profile) => rows.push(ProfileRow { profile }),
            Err(e) => broken.push(e.to_string()),
        }
    }
    (rows, broken)
}

impl Executor {
    pub fn new(env: Arc<Env>, tx: mpsc::UnboundedSender<Msg>) -> Executor {
        Executor {
            env,
            admin: Arc::default(),
            tx,
        }
    }

    /// Starts `effect`; whatever it learns comes back as messages.
    pub fn execute(&self, effect: Effect) {
        execute(&self.env, &self.admin, effect, self.tx.clone());
    }
}

fn execute(env: &Arc<Env>, admin: &Arc<AdminSlot>, effect: Effect, tx: mpsc::UnboundedSender<Msg>) {
    let env = env.clone();
    match effect {
        Effect::Quit => {}
        Effect::StartSignIn {
            cloud,
            tenant_id,
            purpose,
        } => {
            let slot = admin.clone();
            let task = tokio::spawn(async move {
                let msg = admin::sign_in(&env, &slot, cloud, tenant_id, purpose, &tx).await;
                let _ = tx.send(msg);
            });
            let old = admin
                .sign_in
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .replace(task);
            if let Some(old) = old {
                old.abort();
            }
        }
        Effect::CancelSignIn => abort(&admin.sign_in),
        Effect::OpenBrowser(url) => {
            if let Err(why) = crate::cloud::browser::opener::open(&url) {
                tracing::info!(%why, "no browser started");
            }
        }
        Effect::SandboxApprove(code) => admin::sandbox_approve(&env, code, None),
        Effect::SandboxApproveAs { code, user } => admin::sandbox_approve(&env, code, Some(user)),
        Effect::SandboxBrowse(url) => admin::sandbox_browse(&env, url),
        Effect::UseSignIn(method) => {
            *admin.method.lock().unwrap_or_else(|e| e.into_inner()) = Some(method);
        }
        Effect::VerifyGuided(check) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let msg = guided::verify(&env, &slot, *check, &tx).await;
                let _ = tx.send(msg);
            });
        }
        Effect::Forget(profile) => {
            tokio::spawn(async move {
                let result = super::forget_profile(&env, &profile)
                    .await
                    .map_err(|e| match e {
                        super::SaveError::KeyringLeft(_) => format!("{}: {e}", profile.name),
                        e => format!("{} was not forgotten: {e}", profile.name),
                    });
                let _ = tx.send(Msg::Forgotten(result));
            });
        }
        Effect::ExportAll(profile) => {
            tokio::task::spawn_blocking(move || {
                let result = crate::app::exports::export_all(&env, &profile);
                let _ = tx.send(Msg::Exported(result));
            });
        }
        Effect::WriteAudit(a, what, path) => {
            tokio::task::spawn_blocking(move || {
                let result = crate::app::audit::write_file(&a, what, &path);
                let _ = tx.send(Msg::AuditWritten(result));
            });
        }
        Effect::HoldUnsaved {
            app,
            like,
            client_id,
            mailboxes,
            deny,
            secret,
        } => {
            tokio::spawn(async move {
                use crate::app::migrate::unsaved;
                let mut p = unsaved::like(&like, client_id, mailboxes, deny);
                let held = unsaved::hold(&env, &mut p, secret.0).await;
                let _ = tx.send(Msg::UnsavedHeld(app, held.map(|()| Box::new(p))));
            });
        }
        Effect::DropHeldSecret(name) => {
            tokio::spawn(async move { crate::app::migrate::unsaved::let_go(&env, &name).await });
        }
        Effect::Upkeep(profile, wizard::Upkeep::Audit) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                audit::run(&env, &slot, *profile, &tx).await;
            });
        }
        Effect::Upkeep(
            profile,
            what @ (wizard::Upkeep::Offboard { .. }
            | wizard::Upkeep::Migrate { .. }
            | wizard::Upkeep::UndoMigration { .. }),
        ) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                tenant_actions::run(&env, &slot, *profile, what, &tx).await;
            });
        }
        Effect::Upkeep(profile, what) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let mut p = *profile;
                let guard = slot.session.lock().await;
                let result = match admin::kept_for(guard.as_ref(), what.purpose()) {
                    None => Err(admin::not_signed_in()),
                    Some(session) => admin::upkeep(&env, &mut p, &session.token, what).await,
                };
                let result = result.map(|(note, value)| {
                    if let Some(v) = value {
                        let _ =
                            tx.send(Msg::NewSecret(p.name.clone(), crate::wizard::SecretBox(v)));
                    }
                    note
                });
                let _ = tx.send(Msg::Renewed(result));
            });
        }
        Effect::RunSetup(order) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let msg = admin::run_setup(&env, &slot, *order, &tx).await;
                let _ = tx.send(msg);
            });
        }
        Effect::LoadProfiles => {
            let (rows, broken) = load_profiles(&env);
            let found = migrations(&env, &rows);
            let _ = tx.send(Msg::Profiles(rows, broken));
            let _ = tx.send(Msg::Migrations(found));
            let (draft, unfinished) = local::draft(&env);
            let _ = tx.send(Msg::DraftLoaded(draft.map(Box::new), unfinished));
        }
        Effect::SaveDraft(d) => {
            if let Err(e) = env.profiles().save_draft(&d) {
                tracing::warn!(error = %e, "draft not saved");
            }
        }
        Effect::ClearDraft => env.profiles().clear_draft(),
        Effect::FillSandboxSecret { client_id } => {
            let found = env
                .sandbox
                .as_ref()
                .and_then(|s| s.apps.iter().find(|a| a.client_id == client_id))
                .map(|a| crate::model::Secret::new(a.secret.clone()))
                .ok_or_else(|| "Type the client ID of one of the sandbox apps first (listed on the home screen).".to_string());
            let _ = tx.send(Msg::SandboxSecret(found));
        }
        Effect::ResolveTenant { cloud, tenant } => {
            tokio::spawn(async move {
                let result = match TenantInput::parse(&tenant) {
                    Err(e) => Err(e.to_string()),
                    Ok(t) => {
                        let endpoints = admin::endpoints_for(&env, cloud);
                        super::resolve_tenant(&env.http, &endpoints, cloud, &t)
                            .await
                            .map(|(i, lives_in)| (i.id, lives_in))
                            .map_err(|(d, _)| format!("{} {} Fix: {}", d.summary, d.cause, d.fix))
                    }
                };
                let _ = tx.send(Msg::TenantResolved(result));
            });
        }
        Effect::Save { profile, secret } => {
            tokio::spawn(async move {
                let result = local::save(&env, *profile, secret.0).await;
                let _ = tx.send(Msg::Saved(result));
            });
        }
        Effect::RunChecks {
            run,
            profile,
            secret,
            as_user,
        } => checks::start(&env, admin, run, *profile, secret, as_user, tx),
        Effect::CancelChecks => checks::cancel(admin),
    }
}
