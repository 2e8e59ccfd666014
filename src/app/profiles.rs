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
    /// Forgetting: the profile file is gone, its keyring entry is not.
    #[error("the profile file is removed, but not its keyring entry: {0}")]
    KeyringLeft(VaultError),
}

/// Puts the secret in the keyring first, then writes the profile: a profile on disk always
/// has its secret.
pub async fn save_profile(env: &Env, profile: &Profile, secret: &Secret) -> Result<(), SaveError> {
    let name = profile.name.to_string();
    let secret = secret.clone();
    let existed = env.profiles().exists(&profile.name);
    env.with_vault(profile.keyring, move |v| v.set(&name, &secret))
        .await?;
    if let Err(e) = env.profiles().save(profile)
        && !existed
    {
        // No profile names the new entry: it goes too, rather than stay behind orphaned.
        let name = profile.name.to_string();
        let _ = env
            .with_vault(profile.keyring, move |v| v.delete(&name))
            .await;
        return Err(e.into());
    }
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

/// Removes the setup journal, the profile file, then the keyring entry — in that order, so
/// that a step that fails leaves a profile with its secret, or a secret with no profile, never
/// a profile without its secret, nor a journal a later setup of the same name would resume
/// from. Says what was removed.
pub async fn forget_profile(env: &Env, profile: &Profile) -> Result<String, SaveError> {
    forget_journal(env, &profile.name)?;
    env.profiles().remove(&profile.name)?;
    let entry = forget_secret(env, &profile.name, profile.keyring)
        .await
        .map_err(SaveError::KeyringLeft)?;
    tracing::info!(profile = %profile.name, "profile forgotten");
    Ok(format!("Forgot profile {} {entry}.", profile.name))
}

/// A setup of `name` that never saved its profile: its journal is removed, and what it had made
/// is returned for the caller to tell (those objects stay in the tenant).
pub fn forget_unfinished(
    env: &Env,
    name: &ProfileName,
) -> Result<Option<crate::store::Journal>, StoreError> {
    let journals = env.dirs.journals(env.sandbox.is_some());
    let Some(journal) = journals.load(name).ok().flatten() else {
        return Ok(None);
    };
    journals.remove(name)?;
    Ok(Some(journal))
}

/// Removes the setup journal of `name`, if any; whether there was one.
pub fn forget_journal(env: &Env, name: &ProfileName) -> Result<bool, StoreError> {
    env.dirs.journals(env.sandbox.is_some()).remove(name)
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
