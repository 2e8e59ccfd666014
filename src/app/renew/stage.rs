//! The step every credential change shares: the new credential goes into the keyring in the
//! profile's place and must sign in; if it does not, the old one goes back.

use std::future::Future;
use std::time::Duration;

use crate::app::Env;
use crate::cloud::CloudError;
use crate::cloud::identity::{AccessToken, assertion_credentials, client_credentials};
use crate::model::{Endpoints, Profile, Secret};

/// Puts `new` in the keyring in the profile's place and awaits `prove`; if either fails, `old`
/// goes back. On failure: why, and whether the old credential is back.
pub(crate) async fn stage_and_prove(
    env: &Env,
    p: &Profile,
    new: &Secret,
    old: &Secret,
    what: &str,
    prove: impl Future<Output = Result<(), CloudError>>,
) -> Result<(), (CloudError, bool)> {
    let (n, value) = (p.name.to_string(), new.clone());
    let proof = match env.with_vault(p.keyring, move |v| v.set(&n, &value)).await {
        Ok(()) => prove.await,
        Err(err) => Err(CloudError::Unexpected {
            status: 0,
            detail: format!("the keyring refused the {what}: {err}"),
        }),
    };
    let Err(err) = proof else {
        return Ok(());
    };
    let (n, back) = (p.name.to_string(), old.clone());
    let restored = env.with_vault(p.keyring, move |v| v.set(&n, &back)).await;
    Err((err, restored.is_ok()))
}

/// Signs in with `secret` until it works, as a new secret takes a moment to reach the token
/// endpoint; the error when it never does.
pub(crate) async fn proves(
    env: &Env,
    p: &Profile,
    e: &Endpoints,
    secret: &Secret,
    patience: Duration,
) -> Result<(), CloudError> {
    let scope = if p.access.iter().any(|a| a.uses_exchange()) {
        e.exchange_scope()
    } else {
        e.graph_scope()
    };
    // AADSTS7000215: invalid client secret (not known yet).
    until_accepted(patience, 7000215, || {
        client_credentials(&env.http, e, &p.tenant_id, &p.client_id, secret, &scope)
    })
    .await
    .map(|_| ())
}

/// Signs in with the certificate until its key is accepted (a new credential takes a moment to
/// reach the token endpoint).
pub(super) async fn proves_certificate(
    env: &Env,
    p: &Profile,
    e: &Endpoints,
    key: &Secret,
    thumbprint: &str,
) -> Result<(), CloudError> {
    let scope = e.graph_scope();
    // AADSTS700027: the assertion's key is not registered on the app (not yet).
    until_accepted(Duration::from_secs(60), 700027, || {
        assertion_credentials(
            &env.http,
            e,
            &p.tenant_id,
            &p.client_id,
            key,
            thumbprint,
            &scope,
        )
    })
    .await
    .map(|_| ())
}

/// Calls `sign_in` every two seconds while it fails with the AADSTS code `not_yet` or a
/// transient error, for `patience` at most; the token it got.
pub(crate) async fn until_accepted<F, Fut>(
    patience: Duration,
    not_yet: u32,
    sign_in: F,
) -> Result<AccessToken, CloudError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<AccessToken, CloudError>>,
{
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match sign_in().await {
            Ok(t) => return Ok(t),
            Err(CloudError::Aad(a))
                if tokio::time::Instant::now() < deadline && a.has_code(not_yet) => {}
            Err(err) if tokio::time::Instant::now() < deadline && err.is_transient() => {}
            Err(err) => return Err(err),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
