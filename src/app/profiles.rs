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
