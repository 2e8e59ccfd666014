//! `renew --guided`'s use case: the administrator made the new secret in the portal and pasted
//! its value. It goes into the keyring and must sign in; only then is the profile updated. If it
//! does not sign in, the old secret goes back into the keyring.

use std::time::Duration;

use super::Env;
use super::renew::proves;
use super::setup::graph_diagnosis;
use crate::model::{Diagnosis, Profile, Secret};
use crate::store::StoreError;
use crate::vault::VaultError;

/// A pasted value is more often wrong than slow to propagate: a short wait, then the verdict.
const PATIENCE: Duration = Duration::from_secs(8);

/// Why the pasted secret is not in use.
#[derive(Debug)]
pub enum PastedSecretError {
    /// The keyring did not take it; nothing changed.
    Keyring(VaultError),
    /// It did not sign in; the old secret is back in the keyring.
    Refused(Diagnosis),
}

/// Puts `new` in the keyring in place of `old` and proves it signs in; then records `expires`
/// (when known) on the profile. Ok holds the error of that last save, if any: the secret is in
/// use either way.
pub async fn adopt_pasted_secret(
    env: &Env,
    p: &mut Profile,
    new: &Secret,
    old: Secret,
    expires: Option<String>,
) -> Result<Option<StoreError>, PastedSecretError> {
    let e = env.endpoints(p);
    let (name, keyring) = (p.name.to_string(), p.keyring);
    let (n, value) = (name.clone(), new.clone());
    env.with_vault(keyring, move |v| v.set(&n, &value))
        .await
        .map_err(PastedSecretError::Keyring)?;
    if let Err(err) = proves(env, p, &e, new, PATIENCE).await {
        let _ = env.with_vault(keyring, move |v| v.set(&name, &old)).await;
        let mut d = graph_diagnosis(&err, &p.tenant, &e.portal);
        d.summary = format!(
            "The new secret did not sign in; the old one stays in use. ({})",
            d.summary
        );
        return Err(PastedSecretError::Refused(d));
    }
    if expires.is_some() {
        p.secret_expires = expires;
    }
    p.credential_renewed = Some(crate::app::now_rfc3339());
    Ok(env.profiles().save(p).err())
}
