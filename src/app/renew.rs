//! Rotates a profile's client secret without downtime: add a new secret, store it, prove it
//! signs in, and only then remove the old one. If the proof fails, the old secret goes back
//! into the keyring and the new one is removed: the app never has zero working secrets.

use std::time::Duration;

use crate::app::Env;
use crate::app::setup::{Capped, add_password_capped, graph_diagnosis};
use crate::cloud::admin;
use crate::cloud::identity::{AccessToken, client_credentials};
use crate::cloud::{CloudError, Diagnosis};
use crate::model::{Endpoints, Profile, Secret};

#[derive(Debug)]
pub struct Renewed {
    /// The new secret's expiry (YYYY-MM-DD).
    pub expires: String,
    pub months: u32,
    /// What happened to the old secret.
    pub old: String,
}

#[derive(Debug)]
pub struct RenewError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
}

fn refused(
    summary: impl Into<String>,
    evidence: impl Into<String>,
    cause: &str,
    fix: &str,
) -> RenewError {
    RenewError {
        diagnosis: Diagnosis {
            summary: summary.into(),
            evidence: evidence.into(),
            cause: cause.into(),
            fix: fix.into(),
        },
        unavailable: false,
    }
}

fn failed(e: CloudError, p: &Profile, endpoints: &Endpoints) -> RenewError {
    let mut diagnosis = graph_diagnosis(&e, &p.tenant, &endpoints.portal);
    if matches!(&e, CloudError::Graph(g) if g.status == 403) {
        diagnosis.cause = "Adding or removing an app's credentials needs Application Administrator, Cloud Application Administrator, or ownership of the app.".into();
        diagnosis.fix = "Nothing was changed: sign in as such an administrator (or an owner of the app) and run it again.".into();
    }
    RenewError {
        unavailable: e.is_unavailable(),
        diagnosis,
    }
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
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match client_credentials(&env.http, e, &p.tenant_id, &p.client_id, secret, &scope).await {
            Ok(_) => return Ok(()),
            Err(CloudError::Aad(a))
                if tokio::time::Instant::now() < deadline && a.has_code(7000215) => {}
            Err(err) if tokio::time::Instant::now() < deadline && err.is_transient() => {}
            Err(err) => return Err(err),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Puts `new` in the keyring in the profile's place and awaits `prove`; if either fails, `old`
/// goes back. On failure: why, and whether the old credential is back.
pub(crate) async fn stage_and_prove(
    env: &Env,
    p: &Profile,
    new: &Secret,
    old: &Secret,
    what: &str,
    prove: impl std::future::Future<Output = Result<(), CloudError>>,
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

/// The profile's current credential (from the keyring) and its app (from Graph).
async fn current(
    env: &Env,
    p: &Profile,
    e: &Endpoints,
    admin_token: &AccessToken,
) -> Result<(Secret, admin::Application), RenewError> {
    let old = env.secret(p).await.map_err(|err| {
        refused(
            format!("Profile {} has no secret in the keyring.", p.name),
            err.to_string(),
            "The keyring entry was removed, or this is another machine.",
            "Store the current secret again (`add --force …`); or set the app up again.",
        )
    })?;
    let app = admin::find_application(&env.http, e, admin_token, &p.client_id.to_string())
        .await
        .map_err(|err| failed(err, p, e))?
        .ok_or_else(|| {
            refused(
                format!("No app with client ID {} in this tenant.", p.client_id),
                "GET /applications?$filter=appId eq … returned nothing",
                "The app was deleted, or the signed-in account belongs to another tenant.",
                "Sign in to the profile's tenant, or set the app up again.",
            )
        })?;
    Ok((old, app))
}

pub async fn renew(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
    months: u32,
) -> Result<Renewed, RenewError> {
    let e = env.endpoints(p);
    let name = p.name.to_string();
    let (old, app) = current(env, p, &e, admin_token).await?;
    // Graph shows the first characters of each secret as its hint: that names the old one.
    let hint: String = old.expose().chars().take(3).collect();
    let old_keys: Vec<&admin::PasswordInfo> = app
        .password_credentials
        .iter()
        .filter(|c| c.hint.as_deref() == Some(hint.as_str()))
        .collect();
    let label = format!(
        "m365-mail-wizard ({name}) {}",
        time::OffsetDateTime::now_utc().date()
    );
    let (np, used) =
        match add_password_capped(&env.http, &e, admin_token, &app.id, &label, months).await {
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
        let removed = admin::remove_password(&env.http, &e, admin_token, &app.id, &np.key_id).await;
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
        [only] => match admin::remove_password(&env.http, &e, admin_token, &app.id, &only.key_id).await {
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

#[derive(Debug)]
pub struct Certified {
    pub thumbprint: String,
    pub expires: String,
    /// What became of the certificate this one replaced, when the profile had one.
    pub retired: Option<Result<(), String>>,
}

/// A certificate made for the admin to upload in the portal: the public part in a file.
pub struct ForUpload {
    cert: crate::credential::NewCertificate,
    old: Secret,
    pub file: std::path::PathBuf,
    pub label: String,
    pub thumbprint: String,
}

/// Makes a key pair and certificate and writes the public part where the admin can upload it.
pub async fn certificate_for_upload(
    env: &Env,
    p: &Profile,
    months: u32,
) -> Result<ForUpload, RenewError> {
    let name = p.name.to_string();
    let old = env.secret(p).await.map_err(|err| {
        refused(
            format!("Profile {} has no credential in the keyring.", p.name),
            err.to_string(),
            "The keyring entry was removed, or this is another machine.",
            "Store the current secret again (`add --force …`).",
        )
    })?;
    let cert = new_certificate(&name, months).await?;
    let label = certificate_label(&name, &cert.thumbprint);
    let file = env.dirs.data.join("certificates").join(format!(
        "{name}-{}.cer",
        cert.thumbprint.get(..8).unwrap_or_default()
    ));
    crate::store::write_private(
        &file,
        crate::credential::certificate_pem(&cert.der).as_bytes(),
    )
    .map_err(|err| {
        refused(
            "The certificate file could not be written.",
            err.to_string(),
            "The data directory is not writable.",
            "Check M365MW_DATA_DIR and run the command again.",
        )
    })?;
    Ok(ForUpload {
        thumbprint: cert.thumbprint.clone(),
        cert,
        old,
        file,
        label,
    })
}

/// After the admin uploaded the certificate: the private key to the keyring, proven, and the
/// profile switched — or the old credential put back.
pub async fn adopt_uploaded(
    env: &Env,
    p: &mut Profile,
    up: ForUpload,
) -> Result<Certified, RenewError> {
    let e = env.endpoints(p);
    let name = p.name.to_string();
    let keyring = p.keyring;
    let before = p.credential.clone();
    let prove = proves_certificate(env, p, &e, &up.cert.private_key, &up.cert.thumbprint);
    if let Err((err, restored)) =
        stage_and_prove(env, p, &up.cert.private_key, &up.old, "private key", prove).await
    {
        let fix = format!(
            "Check that {} was uploaded to the app with client ID {} (Certificates & secrets › Certificates), or delete it there and run `cert --guided` again.",
            up.file.display(),
            p.client_id
        );
        return Err(unproven(
            &err,
            p,
            &e,
            "The uploaded certificate did not sign in",
            vec![fix],
            restored,
        ));
    }
    let expires = up.cert.not_after.date().to_string();
    p.credential = crate::model::Credential::Certificate {
        thumbprint: up.thumbprint.clone(),
    };
    p.secret_expires = Some(expires.clone());
    if let Err(err) = env.profiles().save(p) {
        let n = name.clone();
        let _ = env.with_vault(keyring, move |v| v.set(&n, &up.old)).await;
        p.credential = before;
        return Err(refused(
            "The profile could not be saved; it keeps its current credential.",
            err.to_string(),
            "The config directory is not writable.",
            "Fix the directory and run the command again.",
        ));
    }
    Ok(Certified {
        thumbprint: up.thumbprint,
        expires,
        retired: None,
    })
}

/// A new certificate that did not sign in: the old credential is back (or, when `restored` is
/// false, may not be) and the fixes come first.
fn unproven(
    err: &CloudError,
    p: &Profile,
    e: &Endpoints,
    what: &str,
    mut fixes: Vec<String>,
    restored: bool,
) -> RenewError {
    let mut d = graph_diagnosis(err, &p.tenant, &e.portal);
    d.summary = format!(
        "{what}; the profile keeps its current credential. ({})",
        d.summary
    );
    if !restored {
        fixes.push("The keyring entry may hold the new private key: store the previous credential again (`add --force …`).".into());
    }
    for f in fixes {
        d.fix = format!("{f} {}", d.fix);
    }
    RenewError {
        unavailable: err.is_unavailable(),
        diagnosis: d,
    }
}

/// A key pair and self-signed certificate for profile `name`, made off the async threads.
async fn new_certificate(
    name: &str,
    months: u32,
) -> Result<crate::credential::NewCertificate, RenewError> {
    let cn = format!("m365-mail-wizard {name}");
    tokio::task::spawn_blocking(move || crate::credential::generate(&cn, months))
        .await
        .map_err(|err| err.to_string())
        .and_then(|r| r)
        .map_err(|err| {
            refused(
                "The key pair could not be made.",
                err,
                "An internal error.",
                "Run the command again.",
            )
        })
}

/// The display name of a certificate the wizard registers: the profile and the start of its
/// `x5t#S256`, so that a rotation can tell the old one from the new one.
fn certificate_label(name: &str, thumbprint: &str) -> String {
    format!(
        "m365-mail-wizard ({name}) {}",
        thumbprint.get(..8).unwrap_or(thumbprint)
    )
}

/// Signs in with the certificate until its key is accepted (a new credential takes a moment to
/// reach the token endpoint).
async fn proves_certificate(
    env: &Env,
    p: &Profile,
    e: &Endpoints,
    key: &Secret,
    thumbprint: &str,
) -> Result<(), CloudError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got = crate::cloud::identity::assertion_credentials(
            &env.http,
            e,
            &p.tenant_id,
            &p.client_id,
            key,
            thumbprint,
            &e.graph_scope(),
        )
        .await;
        match got {
            Ok(_) => return Ok(()),
            Err(CloudError::Aad(a))
                if tokio::time::Instant::now() < deadline && a.has_code(700027) => {}
            Err(err) if tokio::time::Instant::now() < deadline && err.is_transient() => {}
            Err(err) => return Err(err),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Moves a profile from its client secret — or its current certificate — to a new certificate:
/// generate a key pair and a self-signed certificate, register it on the app, keep the private
/// key in the keyring, and prove it signs in; only then is a replaced certificate removed from
/// the app. If the proof fails, the old credential goes back into the keyring.
pub async fn certify(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
    months: u32,
) -> Result<Certified, RenewError> {
    let e = env.endpoints(p);
    let name = p.name.to_string();
    let keyring = p.keyring;
    let (old, app) = current(env, p, &e, admin_token).await?;
    let before = p.credential.clone();
    let cert = new_certificate(&name, months).await?;
    let label = certificate_label(&name, &cert.thumbprint);
    admin::add_certificate(&env.http, &e, admin_token, &app, &cert.der, &label)
        .await
        .map_err(|err| failed(err, p, &e))?;
    let prove = proves_certificate(env, p, &e, &cert.private_key, &cert.thumbprint);
    if let Err((err, restored)) =
        stage_and_prove(env, p, &cert.private_key, &old, "private key", prove).await
    {
        // The new certificate goes again: the app should not trust a key nobody uses.
        let without =
            admin::find_application(&env.http, &e, admin_token, &p.client_id.to_string()).await;
        let removed = match without {
            Ok(Some(now)) => {
                admin::remove_certificate(
                    &env.http,
                    &e,
                    admin_token,
                    &now,
                    Some(&cert.thumbprint),
                    &[&label],
                )
                .await
            }
            Ok(None) => Ok(()),
            Err(x) => Err(x),
        };
        let mut fixes = Vec::new();
        if removed.is_err() {
            fixes.push(format!(
                "Remove the certificate named \"{label}\" from the app's Certificates & secrets."
            ));
        }
        return Err(unproven(
            &err,
            p,
            &e,
            "The certificate did not sign in",
            fixes,
            restored,
        ));
    }
    let expires = cert.not_after.date().to_string();
    p.credential = crate::model::Credential::Certificate {
        thumbprint: cert.thumbprint.clone(),
    };
    p.secret_expires = Some(expires.clone());
    if let Err(err) = env.profiles().save(p) {
        // The profile still says "secret": the keyring must hold the secret again.
        let n = name.clone();
        let _ = env.with_vault(keyring, move |v| v.set(&n, &old)).await;
        p.credential = before;
        return Err(refused(
            "The profile could not be saved; it keeps its current credential.",
            err.to_string(),
            "The config directory is not writable.",
            "Fix the directory and run the command again (the new certificate stays registered on the app).",
        ));
    }
    let retired = match &before {
        crate::model::Credential::Certificate { thumbprint } => {
            let labels = [
                certificate_label(&name, thumbprint),
                format!("m365-mail-wizard ({name})"),
            ];
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let now =
                admin::find_application(&env.http, &e, admin_token, &p.client_id.to_string()).await;
            Some(match now {
                Ok(Some(app)) => {
                    admin::remove_certificate(&env.http, &e, admin_token, &app, None, &labels)
                        .await
                        .map_err(|err| err.to_string())
                }
                Ok(None) => Ok(()),
                Err(err) => Err(err.to_string()),
            })
        }
        crate::model::Credential::Secret => None,
    };
    Ok(Certified {
        thumbprint: cert.thumbprint,
        expires,
        retired,
    })
}

/// A profile's expiry as read from its app registration.
#[derive(Debug)]
pub struct ExpiryRead {
    /// YYYY-MM-DD.
    pub expires: String,
    /// What was found, in a sentence.
    pub note: String,
}

/// The earliest end date (YYYY-MM-DD) among the credentials that match the profile's.
fn earliest(ends: &[Option<&str>]) -> Option<String> {
    ends.iter()
        .flatten()
        .filter_map(|end| {
            let day = end.get(..10)?;
            time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
            .map(|_| day.to_string())
        })
        .min()
}

/// Reads from the app registration when the credential the profile signs in with expires
/// (the secret is told by Graph's `hint`, its first characters; a certificate by the name the
/// wizard gave it or its thumbprint) and records it in the profile.
pub async fn read_expiry(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
) -> Result<ExpiryRead, RenewError> {
    let e = env.endpoints(p);
    let app = admin::find_application(&env.http, &e, admin_token, &p.client_id.to_string())
        .await
        .map_err(|err| {
            let forbidden = matches!(&err, CloudError::Graph(g) if g.status == 403);
            let mut r = failed(err, p, &e);
            if forbidden {
                r.diagnosis.cause = "Reading app registrations needs a directory role such as Application Administrator, Cloud Application Administrator or Global Reader.".into();
                r.diagnosis.fix = "Sign in as such an administrator and run it again; nothing was changed.".into();
            }
            r
        })?
        .ok_or_else(|| {
            refused(
                format!("No app with client ID {} in this tenant.", p.client_id),
                "GET /applications?$filter=appId eq … returned nothing",
                "The app was deleted, or the signed-in account belongs to another tenant.",
                "Sign in to the profile's tenant, or set the app up again.",
            )
        })?;
    let (what, ends, others): (&str, Vec<Option<&str>>, usize) = match &p.credential {
        crate::model::Credential::Secret => {
            // Only the secret tells which of the app's secrets is the profile's.
            let held = env.secret(p).await.map_err(|err| {
                refused(
                    format!("Profile {} has no secret in the keyring.", p.name),
                    err.to_string(),
                    "The keyring entry was removed, or this is another machine.",
                    "Store the current secret again (`add --force …`); the app registration lists every secret's expiry in the portal.",
                )
            })?;
            let hint: String = held.expose().chars().take(3).collect();
            let (mine, rest): (Vec<_>, Vec<_>) = app
                .password_credentials
                .iter()
                .partition(|c| c.hint.as_deref() == Some(hint.as_str()));
            (
                "secret",
                mine.iter().map(|c| c.end_date_time.as_deref()).collect(),
                rest.len(),
            )
        }
        crate::model::Credential::Certificate { thumbprint } => {
            let label = certificate_label(p.name.as_str(), thumbprint);
            let (mine, rest): (Vec<_>, Vec<_>) = app.key_credentials.iter().partition(|k| {
                k.display_name.as_deref() == Some(label.as_str())
                    || k.custom_key_identifier.as_deref() == Some(thumbprint.as_str())
            });
            (
                "certificate",
                mine.iter().map(|k| k.end_date_time.as_deref()).collect(),
                rest.len(),
            )
        }
    };
    let Some(expires) = earliest(&ends) else {
        return Err(if ends.is_empty() {
            refused(
                format!(
                    "The app lists no {what} like the one in the keyring for {}.",
                    p.name
                ),
                format!(
                    "GET /applications: {} {what}(s) on the app, none matching",
                    others
                ),
                "It was removed from the app (then sign-ins fail), or the keyring holds another app's credential.",
                "Run `check`; if the sign-in fails, renew the credential or store the right one (`add --force`).",
            )
        } else {
            refused(
                format!("The app's {what} lists no end date."),
                "endDateTime missing in passwordCredentials/keyCredentials",
                "An unusual answer from Microsoft Graph.",
                "Read the expiry off the portal (Certificates & secrets) and record it with `add --force --secret-expires`.",
            )
        });
    };
    let several = if ends.len() > 1 {
        format!(
            " ({} on the app look like it; the earliest expiry is recorded)",
            ends.len()
        )
    } else {
        String::new()
    };
    let rest = match others {
        0 => String::new(),
        n => format!("; the app holds {n} other {what}(s)"),
    };
    // The sign-in may have taken minutes: only the expiry is new in the file.
    let store = env.profiles();
    let now = store.load(&p.name).map_err(|err| {
        refused(
            "The expiry was read but the profile is no longer there to hold it.",
            err.to_string(),
            "It was forgotten or damaged while the administrator signed in.",
            "Add the profile again, then read the expiry again.",
        )
    })?;
    if now.credential != p.credential {
        return Err(refused(
            "The profile's credential changed while the administrator signed in: nothing recorded.",
            "the profile file names another secret or certificate than the one read",
            "A renewal or a new certificate ran meanwhile.",
            "Read the expiry again.",
        ));
    }
    let saved = {
        let mut now = now;
        now.secret_expires = Some(expires.clone());
        store.save(&now).map(|()| now)
    };
    saved.map(|now| *p = now).map_err(|err| {
        refused(
            "The expiry was read but the profile could not be saved.",
            err.to_string(),
            "The config directory is not writable.",
            "Fix the directory and run the command again.",
        )
    })?;
    Ok(ExpiryRead {
        note: format!(
            "{}: the {what} in use expires {expires}, as the app registration says{several}{rest}.",
            p.name
        ),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::earliest;

    #[test]
    fn the_earliest_valid_end_date_wins() {
        assert_eq!(
            earliest(&[
                Some("2027-05-26T10:00:00Z"),
                None,
                Some("2026-12-01T00:00:00Z"),
                Some("garbage"),
            ]),
            Some("2026-12-01".into())
        );
        assert_eq!(earliest(&[None, Some("soon")]), None);
        assert_eq!(earliest(&[]), None);
    }
}
