//! Renewing a client secret, first phase: a new one added, stored and proven; the old one stays
//! valid on the app (recorded as awaiting removal) until the renewal is finished.

use std::time::Duration;

use super::rotation::{Awaiting, secrets_like, start};
use super::stage::{proves, stage_and_prove};
use super::{RenewError, current, failed, refused};
use crate::app::Env;
use crate::app::setup::{Capped, add_password_settled, graph_diagnosis};
use crate::cloud::admin::GraphAdmin;
use crate::cloud::identity::AccessToken;
use crate::model::{CredentialKind, KeyRef, Profile, Secret};

/// A new secret: its expiry (YYYY-MM-DD) and lifetime, its key ID, what awaits `--finish`, and
/// its Value — shown only when the administrator asks (the wizard's show-once).
pub struct Renewed {
    pub expires: String,
    pub months: u32,
    pub new_key_id: String,
    pub awaiting: Awaiting,
    pub value: Secret,
    /// Secrets added whose answer was lost on its way (their Value never arrived), removed.
    pub lost: usize,
}

pub async fn renew(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
    months: u32,
) -> Result<Renewed, RenewError> {
    let e = env.endpoints(p);
    let graph = GraphAdmin::new(&env.http, &e, admin_token);
    let (old, app) = current(env, p, &graph).await?;
    // Graph shows the first characters of each secret as its hint: that names the old one.
    let (old_keys, note) = secrets_like(&app, old.expose());
    let label = format!("m365-mail-wizard ({}) renewal", p.name);
    let (np, used, lost) =
        match add_password_settled(&graph, app.id, p.client_id, &label, months).await {
            Ok(x) => x,
            Err(Capped::Refused(d)) => {
                return Err(RenewError {
                    diagnosis: d,
                    unavailable: false,
                });
            }
            Err(Capped::Failed(err)) => return Err(failed(err, p, &e)),
        };
    let prove = proves(env, p, &e, &np.secret, Duration::from_secs(60));
    if let Err((err, restored)) =
        stage_and_prove(env, p, &np.secret, &old, "new secret", prove).await
    {
        let removed = graph.remove_password(app.id, &np.key_id).await;
        let mut d = graph_diagnosis(&err, &p.tenant, &e.portal);
        d.summary = format!(
            "The new secret did not work; the old one stays in use. ({})",
            d.summary
        );
        d.fix = match (restored, removed) {
            (true, Ok(())) => format!("Nothing changed. {}", d.fix),
            _ => format!(
                "Check the app's Certificates & secrets: the new secret (key ID {}) may still be listed, and the keyring entry may need the old secret again. {}",
                np.key_id, d.fix
            ),
        };
        return Err(RenewError {
            unavailable: err.is_unavailable(),
            diagnosis: d,
        });
    }
    let expires = np.end.get(..10).unwrap_or(&np.end).to_string();
    p.secret_expires = Some(expires.clone());
    p.credential_renewed = Some(crate::app::now_rfc3339());
    let new = KeyRef {
        key_id: np.key_id.clone(),
        kind: CredentialKind::Secret,
    };
    start(p, &app, new, old_keys);
    env.profiles().save(p).map_err(|err| {
        refused(
            "The renewed profile could not be saved.",
            err.to_string(),
            "The config directory is not writable.",
            "The new secret is in the keyring and works, and the old one is still on the app; fix the directory and run `check`.",
        )
    })?;
    Ok(Renewed {
        expires,
        months: used,
        new_key_id: np.key_id,
        awaiting: Awaiting::of(p, note),
        value: np.secret,
        lost,
    })
}
