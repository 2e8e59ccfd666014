//! Renewing a client secret: a new one added, stored and proven, then the old one removed.

use std::time::Duration;

use super::stage::{proves, stage_and_prove};
use super::{RenewError, current, failed, refused};
use crate::app::Env;
use crate::app::setup::{Capped, add_password_capped, graph_diagnosis};
use crate::cloud::admin::{GraphAdmin, PasswordInfo};
use crate::cloud::identity::AccessToken;
use crate::model::Profile;

#[derive(Debug)]
pub struct Renewed {
    /// The new secret's expiry (YYYY-MM-DD).
    pub expires: String,
    pub months: u32,
    /// What happened to the old secret.
    pub old: String,
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
    let hint: String = old.expose().chars().take(3).collect();
    let old_keys: Vec<&PasswordInfo> = app
        .password_credentials
        .iter()
        .filter(|c| c.hint.as_deref() == Some(hint.as_str()))
        .collect();
    let label = format!(
        "m365-mail-wizard ({}) {}",
        p.name,
        time::OffsetDateTime::now_utc().date()
    );
    let (np, used) = match add_password_capped(&graph, app.id, &label, months).await {
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
    let old_note = match old_keys.as_slice() {
        [only] => match graph.remove_password(app.id, &only.key_id).await {
            Ok(()) => format!("the old secret (key ID {}) was removed", only.key_id),
            Err(err) => format!(
                "the old secret (key ID {}) could not be removed ({}): delete it under Certificates & secrets",
                only.key_id,
                graph_diagnosis(&err, &p.tenant, &e.portal).summary
            ),
        },
        [] => "the old secret was not found on the app (already gone, or made elsewhere): nothing removed".into(),
        _ => "several secrets start like the old one: none was removed; delete the old one under Certificates & secrets".into(),
    };
    let expires = np.end.get(..10).unwrap_or(&np.end).to_string();
    p.secret_expires = Some(expires.clone());
    p.credential_renewed = Some(crate::app::now_rfc3339());
    env.profiles().save(p).map_err(|err| {
        refused(
            "The renewed profile could not be saved.",
            err.to_string(),
            "The config directory is not writable.",
            "The new secret is in the keyring and works; fix the directory and run `check`.",
        )
    })?;
    Ok(Renewed {
        expires,
        months: used,
        old: old_note,
    })
}
