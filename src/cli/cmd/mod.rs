//! The commands, one file each, run from their validated settings.

mod add;
mod audit;
mod cert;
mod check;
mod expiry;
mod export;
mod finish;
mod forget;
mod guided;
mod migrate;
mod profiles;
mod remove;
mod renew;
mod resolve;
mod serve;
mod setup;
mod sign_in;
mod upkeep;

use super::Exit;
use super::output::{Code, error, store_error};
use super::settings::{Settings, Task};
use crate::app::Env;
use crate::model::{Profile, ProfileName};
use crate::sandbox::{Sandbox, SandboxError, SandboxOptions};
use crate::store::Dirs;

/// Runs the task; with `--sandbox`, against the simulated tenant, kept between runs in the
/// data directory (`--sandbox-reset` starts it afresh).
pub async fn run(dirs: Dirs, settings: Settings, local_offset: time::UtcOffset) -> Exit {
    let Settings {
        sandbox,
        sandbox_reset,
        realistic,
        sandbox_user,
        keyring,
        task,
        trace: _,
        sign_in,
    } = settings;
    let options = SandboxOptions {
        state_file: Some(dirs.sandbox_state()),
        reset: sandbox_reset,
        auto_approve_user: sandbox_user,
        ..SandboxOptions::default()
    };
    let options = if realistic {
        options.realistic()
    } else {
        options
    };
    match task {
        Task::Serve(options) => return serve::serve(options).await,
        Task::Wizard if sandbox => {
            return match crate::tui::run_sandbox(dirs, keyring, local_offset, options, sign_in)
                .await
            {
                Ok(exit) => exit,
                Err(e) => sandbox_failed(e),
            };
        }
        _ => {}
    }
    let sandbox = if sandbox {
        match Sandbox::start(options).await {
            Ok(s) => Some(s),
            Err(e) => return sandbox_failed(e),
        }
    } else {
        None
    };
    let mut env = Env::new(dirs, sandbox.as_ref().map(|s| s.info().link()), keyring);
    env.local_offset = local_offset;
    env.sign_in = sign_in;
    if let Task::Check(c) = &task {
        env.timeouts = c.timeouts;
        // One timeout for every network step: token, discovery, Graph, EWS and the mail servers.
        env.http = crate::cloud::http::client_with(c.timeouts.step);
    }
    if let Task::Setup(s) = &task {
        env.directory_wait = crate::app::setup::Patience::within(s.directory_wait);
    }
    let exit = match task {
        Task::Wizard => crate::tui::run(env).await,
        Task::Setup(s) => setup::setup(&env, s).await,
        Task::Add(s) => add::add(&env, s).await,
        Task::Check(s) => check::check(&env, s).await,
        Task::Export(s) => export::export(&env, s).await,
        Task::Renew(s) => renew::renew(&env, s).await,
        Task::Cert(s) => cert::cert(&env, s).await,
        Task::Expiry {
            profile,
            admin_client_id,
        } => expiry::expiry(&env, &profile, admin_client_id).await,
        Task::Profiles { json } => profiles::profiles(&env, json),
        Task::Forget(name) => forget::forget(&env, &name).await,
        Task::Remove(s) => remove::remove(&env, s).await,
        Task::Audit(s) => audit::audit(&env, s).await,
        Task::Migrate(s) => migrate::migrate(&env, s).await,
        Task::Serve(_) => unreachable!("served above"),
    };
    if let Some(s) = sandbox {
        s.stop().await;
    }
    exit
}

/// A saved profile; a usage error when there is none by that name or its file is damaged.
fn load(env: &Env, name: &ProfileName) -> Result<Profile, Exit> {
    env.profiles().load(name).map_err(store_error)
}

/// Why the sandbox tenant did not start: a saved tenant that cannot be read is a configuration
/// error, anything else an unavailable service.
fn sandbox_failed(e: SandboxError) -> Exit {
    match e {
        SandboxError::Unreadable { .. } => error(
            Code::Corrupt,
            Exit::Usage,
            format!(
                "{e}. Run with --sandbox-reset to start from a fresh sandbox tenant (the apps, consents and Exchange changes earlier sandbox runs made are forgotten; sandbox profiles stay)."
            ),
        ),
        e => error(
            Code::Unavailable,
            Exit::Unavailable,
            format!("the sandbox tenant did not start: {e}"),
        ),
    }
}
