//! A certificate the administrator uploads in the portal: made here with its public part in a
//! file, then adopted once it signs in.

use super::certificate::{
    Certified, certificate_label, new_certificate, switch_to_certificate, thumbprints, unproven,
};
use super::stage::{proves_certificate, stage_and_prove};
use super::{RenewError, held, refused};
use crate::app::Env;
use crate::credential::NewCertificate;
use crate::model::{Profile, Secret};

/// A certificate made for the admin to upload in the portal: the public part in a file.
pub struct ForUpload {
    cert: NewCertificate,
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
    let old = held(
        env,
        p,
        "credential",
        "Store the current secret again (`add --force …`).",
    )
    .await?;
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
    switch_to_certificate(
        env,
        p,
        thumbprints(&up.cert),
        &expires,
        &up.old,
        "Fix the directory and run the command again.",
    )
    .await?;
    Ok(Certified {
        thumbprint: up.thumbprint,
        expires,
        awaiting: super::Awaiting::default(),
    })
}
