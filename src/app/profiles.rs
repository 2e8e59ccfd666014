//! Saving and forgetting profiles: the secret in the keyring, the profile on disk.

use super::Env;
use crate::model::{KeyringBackend, Profile, ProfileName, Secret};
use crate::store::StoreError;
use crate::vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Puts the secret in the keyring first, then writes the profile: a profile on disk always
/// has its secret.
pub async fn save_profile(env: &Env, profile: &Profile, secret: &Secret) -> Result<(), SaveError> {
    let name = profile.name.to_string();
    let secret = secret.clone();
    env.with_vault(profile.keyring, move |v| v.set(&name, &secret))
        .await?;
    env.profiles().save(profile)?;
    tracing::info!(
        profile = %profile.name,
        tenant_id = %profile.tenant_id,
        client_id = %profile.client_id,
        keyring = ?profile.keyring,
        "profile saved, its secret in the keyring"
    );
    Ok(())
}

/// Removes a profile's keyring entry: "and its keyring entry", or that there was none.
pub async fn forget_secret(
    env: &Env,
    name: &ProfileName,
    keyring: KeyringBackend,
) -> Result<String, VaultError> {
    let n = name.to_string();
    match env.with_vault(keyring, move |v| v.delete(&n)).await {
        Ok(()) => Ok("and its keyring entry".into()),
        Err(VaultError::NotFound(_, store)) => Ok(format!("(no entry in the {store})")),
        Err(e) => Err(e),
    }
}

/// Removes the profile file and its keyring entry; says what was removed.
pub async fn forget_profile(env: &Env, profile: &Profile) -> Result<String, SaveError> {
    let entry = forget_secret(env, &profile.name, profile.keyring).await?;
    env.profiles().remove(&profile.name)?;
    tracing::info!(profile = %profile.name, "profile forgotten");
    Ok(format!("Forgot profile {} {entry}.", profile.name))
}

/// How many profiles the other side keeps: the sandbox's when running against real tenants, the
/// real tenants' when running against the sandbox (each side has its own folder).
pub fn profiles_elsewhere(env: &Env) -> usize {
    env.dirs.profiles(env.sandbox.is_none()).list().len()
}

/// Where the other side's profiles are listed, when there are any.
pub fn elsewhere_note(env: &Env) -> Option<String> {
    let n = profiles_elsewhere(env);
    (n > 0).then(|| {
        let (which, how) = if env.sandbox.is_some() {
            ("of real tenants", "without --sandbox")
        } else {
            ("of the sandbox tenant", "with --sandbox")
        };
        format!(
            "{n} profile{} {which} {} kept apart: run the command {how} to reach {}.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "it" } else { "them" }
        )
    })
}
