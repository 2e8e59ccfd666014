//! `add`: a profile for an app registration that exists, its secret piped in.

use super::resolve::resolve;
use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::save_error;
use crate::cli::prompt::secret_from_stdin;
use crate::cli::settings::AddSettings;
use crate::model::KeyringBackend;

pub async fn add(env: &Env, s: AddSettings) -> Exit {
    let resolved = match resolve(env, &s.profile, s.profile.force).await {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let secret = match secret_from_stdin() {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let mut profile = resolved.profile(env, s.client_id, None, s.secret_expires);
    profile.delegated = s.delegated;
    if let Err(e) = app::save_profile(env, &profile, &secret).await {
        return save_error(e);
    }
    if profile.keyring == KeyringBackend::Keyutils {
        eprintln!("warning: {}", app::KEYUTILS_WARNING);
    }
    eprintln!(
        "Saved profile {} (tenant {}); the secret is in the keyring ({} / {}). Next: m365-mail-wizard{} check {}",
        profile.name,
        profile.tenant_id,
        app::keyring_service(env),
        profile.name,
        if env.sandbox.is_some() {
            " --sandbox"
        } else {
            ""
        },
        profile.name
    );
    Exit::Ok
}
