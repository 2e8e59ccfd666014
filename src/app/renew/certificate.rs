//! Moving a profile to a new certificate registered through Graph, and what the portal upload
//! shares with it: the key pair, the certificate's name on the app, the switch of the profile.

use super::rotation::{Awaiting, secrets_like, start};
use super::stage::{proves_certificate, stage_and_prove};
use super::{RenewError, current, failed, refused, registered_app};
use crate::app::Env;
use crate::app::setup::graph_diagnosis;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::identity::AccessToken;
use crate::credential::NewCertificate;
use crate::model::{Credential, CredentialKind, Endpoints, KeyRef, Profile, Secret, Thumbprints};

#[derive(Debug)]
pub struct Certified {
    pub thumbprint: String,
    pub expires: String,
    /// What it replaces, still valid until `renew --finish`.
    pub awaiting: Awaiting,
}

/// Moves a profile from its client secret — or its current certificate — to a new certificate:
/// generate a key pair and a self-signed certificate, register it on the app, keep the private
/// key in the keyring, and prove it signs in. The replaced credential stays on the app, recorded
/// as awaiting removal (`renew --finish`). If the proof fails, the old credential goes back into
/// the keyring.
pub async fn certify(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
    months: u32,
) -> Result<Certified, RenewError> {
    let e = env.endpoints(p);
    let graph = GraphAdmin::new(&env.http, &e, admin_token);
    let name = p.name.to_string();
    let (old, app) = current(env, p, &graph).await?;
    let before = p.credential.clone();
    let cert = new_certificate(&name, months).await?;
    let label = certificate_label(&name, &cert.thumbprint);
    graph
        .add_certificate(&app, &cert.der, &label)
        .await
        .map_err(|err| failed(err, p, &e))?;
    let prove = proves_certificate(env, p, &e, &cert.private_key, &cert.thumbprint);
    if let Err((err, restored)) =
        stage_and_prove(env, p, &cert.private_key, &old, "private key", prove).await
    {
        // The new certificate goes again: the app should not trust a key nobody uses.
        let removed = remove_certificates(&graph, p, Some(&cert.sha1), &[&label]).await;
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
    let (old_keys, note) = match &before {
        Credential::Secret => secrets_like(&app, old.expose()),
        Credential::Certificate { thumbprint } => {
            let labels = [
                certificate_label(&name, thumbprint),
                format!("m365-mail-wizard ({name})"),
            ];
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let found: Vec<KeyRef> = app
                .key_credentials
                .iter()
                .filter(|k| k.is_one_of(thumbprint.sha1.as_deref(), &labels))
                .map(|k| KeyRef {
                    key_id: k.key_id.clone(),
                    kind: CredentialKind::Certificate,
                })
                .collect();
            let note = found.is_empty().then(|| {
                "the old certificate was not found on the app: nothing awaits removal".to_string()
            });
            (found, note)
        }
    };
    let now_app = registered_app(&graph, p, |err| failed(err, p, &e)).await?;
    let new_key = now_app
        .key_credentials
        .iter()
        .find(|k| k.is_one_of(Some(&cert.sha1), &[&label]))
        .map(|k| k.key_id.clone())
        .unwrap_or_default();
    let rotation_before = p.rotation.clone();
    start(
        p,
        &now_app,
        KeyRef {
            key_id: new_key,
            kind: CredentialKind::Certificate,
        },
        old_keys,
    );
    if let Err(err) = switch_to_certificate(
        env,
        p,
        thumbprints(&cert),
        &expires,
        &old,
        "Fix the directory and run the command again (the new certificate stays registered on the app).",
    )
    .await
    {
        p.rotation = rotation_before;
        return Err(err);
    }
    Ok(Certified {
        thumbprint: cert.thumbprint,
        expires,
        awaiting: Awaiting::of(p, note),
    })
}

/// Removes the wizard's certificates (by SHA-1 thumbprint, Graph's `customKeyIdentifier`, or
/// by label) from the app as it is now.
async fn remove_certificates(
    graph: &GraphAdmin<'_>,
    p: &Profile,
    sha1: Option<&str>,
    labels: &[&str],
) -> Result<(), CloudError> {
    match graph.find_application(p.client_id).await? {
        Some(app) => graph.remove_certificate(&app, sha1, labels).await,
        None => Ok(()),
    }
}

/// What a profile keeps of a new certificate's thumbprints.
pub(super) fn thumbprints(cert: &NewCertificate) -> Thumbprints {
    Thumbprints {
        sha256: cert.thumbprint.clone(),
        sha1: Some(cert.sha1.clone()),
    }
}

/// Records a proven certificate as the profile's credential. If the profile cannot be saved,
/// the keyring gets `old` back and the profile keeps its credential; `fix` says what to do.
pub(super) async fn switch_to_certificate(
    env: &Env,
    p: &mut Profile,
    thumbprint: Thumbprints,
    expires: &str,
    old: &Secret,
    fix: &str,
) -> Result<(), RenewError> {
    let (before, renewed) = (p.credential.clone(), p.credential_renewed.clone());
    p.credential = Credential::Certificate { thumbprint };
    p.secret_expires = Some(expires.to_string());
    p.credential_renewed = Some(crate::app::now_rfc3339());
    if let Err(err) = env.profiles().save(p) {
        // The profile still names the old credential: the keyring must hold it again.
        let (n, back) = (p.name.to_string(), old.clone());
        let _ = env.with_vault(p.keyring, move |v| v.set(&n, &back)).await;
        p.credential = before;
        p.credential_renewed = renewed;
        return Err(refused(
            "The profile could not be saved; it keeps its current credential.",
            err.to_string(),
            "The config directory is not writable.",
            fix,
        ));
    }
    Ok(())
}

/// A new certificate that did not sign in: the old credential is back (or, when `restored` is
/// false, may not be) and the fixes come first.
pub(super) fn unproven(
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
pub(super) async fn new_certificate(name: &str, months: u32) -> Result<NewCertificate, RenewError> {
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
pub fn certificate_label(name: &str, thumbprint: &str) -> String {
    format!(
        "m365-mail-wizard ({name}) {}",
        thumbprint.get(..8).unwrap_or(thumbprint)
    )
}
