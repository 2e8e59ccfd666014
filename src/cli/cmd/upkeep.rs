//! What `renew`, `cert` and `expiry` share: the profile they work on, an administrator of its
//! tenant signed in, and how their outcome is told.

use super::sign_in;
use crate::app::Env;
use crate::app::renew::RenewError;
use crate::app::sign_in::AdminSession;
use crate::cli::Exit;
use crate::cli::output::{failed, usage};
use crate::model::{AdminPurpose, ClientId, Profile, ProfileName};

/// A profile that signs in with a client secret (what `renew` starts from), or with either
/// credential when `certificate_too`.
pub fn secret_profile(
    env: &Env,
    name: &ProfileName,
    certificate_too: bool,
) -> Result<Profile, Exit> {
    let p = super::load(env, name)?;
    if !p.credential.is_secret() && !certificate_too {
        return Err(usage(format!(
            "profile {} signs in with a certificate: `m365-mail-wizard cert {}` makes a new one, proves it and then removes the old one",
            p.name, p.name
        )));
    }
    Ok(p)
}

/// An administrator of the profile's tenant, signed in for `purpose`.
pub async fn admin_of(
    env: &Env,
    p: &Profile,
    admin_client_id: ClientId,
    purpose: AdminPurpose,
) -> Result<AdminSession, Exit> {
    let e = env.endpoints(p);
    sign_in::admin(env, &e, p.tenant_id, &p.tenant, admin_client_id, purpose).await
}

/// A profile (secret or certificate) and an administrator of its tenant signed in, who is
/// told with what comes `next`.
pub async fn signed_in_for(
    env: &Env,
    name: &ProfileName,
    admin_client_id: ClientId,
    purpose: AdminPurpose,
    next: &str,
) -> Result<(Profile, AdminSession), Exit> {
    let p = secret_profile(env, name, true)?;
    let session = admin_of(env, &p, admin_client_id, purpose).await?;
    eprintln!("Signed in as {}. {next}", session.who());
    Ok((p, session))
}

/// Exit 0 once `done` has said what came of it, or the failure told.
pub fn finish<T>(outcome: Result<T, RenewError>, done: impl FnOnce(T)) -> Exit {
    match outcome {
        Ok(x) => {
            done(x);
            Exit::Ok
        }
        Err(err) => failed(&err.diagnosis, err.unavailable),
    }
}
