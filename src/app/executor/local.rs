//! The effects that stay on this machine: saving a profile and its secret (exports are in
//! `app::exports`).

use crate::app::Env;
use crate::model::{KeyringBackend, Profile};
use crate::vault::VaultError;
use crate::wizard::Saved;

/// Stores the secret, falling back to session memory only in the sandbox.
pub(super) async fn save(
    env: &Env,
    mut profile: Profile,
    secret: crate::model::Secret,
) -> Result<Saved, String> {
    profile.keyring = env.keyring;
    match crate::app::save_profile(env, &profile, &secret).await {
        Ok(()) => Ok(Saved {
            store: store_name(env.keyring).into(),
            note: (env.keyring == KeyringBackend::Keyutils)
                .then(|| crate::app::KEYUTILS_WARNING.to_string()),
        }),
        Err(crate::app::SaveError::Vault(VaultError::Unavailable(why)))
            if env.sandbox.is_some() =>
        {
            tracing::info!(reason = %why, "no keyring: sandbox secret kept in memory");
            profile.keyring = KeyringBackend::SessionMemory;
            crate::app::save_profile(env, &profile, &secret)
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
