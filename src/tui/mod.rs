//! The terminal front end: the event loop and the executor of the wizard's effects.

mod keys;
pub mod render;
mod terminal;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cli::Exit;
use crate::model::{KeyringBackend, Profile, TenantInput};
use crate::ops::{self, Env};
use crate::vault::VaultError;
use crate::wizard::{self, Effect, Msg, ProfileRow, SandboxApp, SandboxView, Saved, State};

const TICK: Duration = Duration::from_millis(100);

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
    let mut state = State::new(sandbox, env.profiles().load_draft());
    let (rows, broken) = load_profiles(env);
    wizard::update(&mut state, Msg::Profiles(rows, broken));
    state
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

pub async fn run(env: Env) -> Exit {
    let env = Arc::new(env);
    let mut state = initial_state(&env);
    let (mut guard_term, (tx, mut rx)) = match terminal::Guard::enter() {
        Ok(gt) => (gt, mpsc::unbounded_channel::<Msg>()),
        Err(e) => {
            eprintln!(
                "error: this terminal cannot run the wizard ({e}); use the commands instead (--help)"
            );
            return Exit::Usage;
        }
    };
    let term = &mut guard_term.1;
    if let Ok(size) = term.size() {
        state.size = (size.width, size.height);
    }
    spawn_input(tx.clone());
    // For the start-up benchmark: leave right after the first frame is on the screen.
    let exit_after_first_frame = std::env::var_os("M365MW_EXIT_AFTER_FIRST_FRAME").is_some();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if term.draw(|f| render::draw(f, &state)).is_err() || exit_after_first_frame {
            break;
        }
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = tick.tick() => Some(Msg::Tick),
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        for msg in batch {
            if matches!(msg, Msg::Tick) && state.busy.is_none() && !state.checks_running {
                continue;
            }
            for effect in wizard::update(&mut state, msg) {
                execute(&env, effect, tx.clone());
            }
        }
        if state.quit {
            break;
        }
    }
    drop(guard_term);
    Exit::Ok
}

/// Reads terminal events on a thread of its own (crossterm's reads block).
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if let Some(m) = keys::to_msg(ev)
                && tx.send(m).is_err()
            {
                break;
            }
        }
    });
}

fn execute(env: &Arc<Env>, effect: Effect, tx: mpsc::UnboundedSender<Msg>) {
    let env = env.clone();
    match effect {
        Effect::Quit => {}
        Effect::LoadProfiles => {
            let (rows, broken) = load_profiles(&env);
            let _ = tx.send(Msg::Profiles(rows, broken));
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
                        let endpoints = match &env.sandbox {
                            Some(s) => s.endpoints(),
                            None => crate::model::Cloud::named(cloud).endpoints,
                        };
                        ops::resolve_tenant(&env.http, &endpoints, cloud, &t)
                            .await
                            .map(|i| i.id)
                            .map_err(|(d, _)| format!("{} {} Fix: {}", d.summary, d.cause, d.fix))
                    }
                };
                let _ = tx.send(Msg::TenantResolved(result));
            });
        }
        Effect::Save { profile, secret } => {
            tokio::spawn(async move {
                let result = save(&env, *profile, secret.0).await;
                let _ = tx.send(Msg::Saved(result));
            });
        }
        Effect::RunChecks { profile, secret } => {
            tokio::spawn(async move {
                let secret = match secret {
                    Some(s) => s.0,
                    None => match env.secret(&profile).await {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = tx.send(Msg::CheckFailedToStart(e.to_string()));
                            return;
                        }
                    },
                };
                let (etx, mut erx) = mpsc::unbounded_channel();
                let forward = {
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        while let Some((i, ev)) = erx.recv().await {
                            let _ = tx.send(Msg::CheckEvent(i, ev));
                        }
                    })
                };
                let mut p = *profile;
                let rows = ops::run_checks(&env, &p, secret, Some(etx)).await;
                let _ = forward.await;
                if let Err(e) = ops::record_check(&env, &mut p, &rows) {
                    tracing::warn!(error = %e, "check result not saved");
                }
                let _ = tx.send(Msg::ChecksDone);
            });
        }
    }
}

/// Stores the secret, falling back to session memory only in the sandbox.
async fn save(
    env: &Env,
    mut profile: Profile,
    secret: crate::model::Secret,
) -> Result<Saved, String> {
    profile.keyring = env.keyring;
    match ops::save_profile(env, &profile, &secret).await {
        Ok(()) => Ok(Saved {
            store: store_name(env.keyring).into(),
            note: None,
        }),
        Err(ops::SaveError::Vault(VaultError::Unavailable(why))) if env.sandbox.is_some() => {
            tracing::info!(reason = %why, "no keyring: sandbox secret kept in memory");
            profile.keyring = KeyringBackend::SessionMemory;
            ops::save_profile(env, &profile, &secret)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Saved {
                store: "session memory".into(),
                note: Some(
                    "No OS keyring here: this sandbox secret is held in memory for this session only.".into(),
                ),
            })
        }
        Err(e) => Err(format!(
            "{e} Nothing was lost: fix it and press enter again."
        )),
    }
}

fn store_name(k: KeyringBackend) -> &'static str {
    match k {
        KeyringBackend::Os => "OS keyring",
        KeyringBackend::Keyutils => "Linux kernel keyring",
        KeyringBackend::SessionMemory => "session memory",
    }
}
