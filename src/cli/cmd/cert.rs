//! `cert`: a profile moved to a certificate: registered on the app by the wizard signed in as
//! an administrator, or (`--guided`) uploaded by the administrator in the portal.

use super::upkeep::{finish, secret_profile, signed_in_for};
use crate::app::Env;
use crate::app::renew::{adopt_uploaded, certificate_for_upload, certify};
use crate::cli::Exit;
use crate::cli::output::{failed, usage};
use crate::cli::prompt::line_entered;
use crate::cli::settings::CertSettings;
use crate::model::{AdminPurpose, ClientId, ProfileName};

pub async fn cert(env: &Env, s: CertSettings) -> Exit {
    match &s.admin_client_id {
        Some(admin_client_id) => by_admin(env, &s.profile, s.months, *admin_client_id).await,
        None => guided(env, &s.profile, s.months).await,
    }
}

async fn by_admin(env: &Env, name: &ProfileName, months: u32, admin_client_id: ClientId) -> Exit {
    let next = "Making a key pair and a certificate…";
    let (mut p, session) =
        match signed_in_for(env, name, admin_client_id, AdminPurpose::WriteApps, next).await {
            Ok(x) => x,
            Err(exit) => return exit,
        };
    finish(certify(env, &mut p, &session.token, months).await, |c| {
        eprintln!(
            "Profile {} now signs in with a certificate (x5t#S256 {}), valid until {}; its private key is in the keyring.",
            p.name, c.thumbprint, c.expires
        );
        let steps = format!(
            "Next, in this order:\n  1. Give the consuming application the new certificate and its private key.\n  2. Confirm it works with them.\n  3. `m365-mail-wizard renew {} --finish` removes the old credential.",
            p.name
        );
        super::finish::awaiting(&c.awaiting, &steps);
    })
}

/// The administrator uploads the certificate in the portal; the wizard proves it.
async fn guided(env: &Env, name: &ProfileName, months: u32) -> Exit {
    let mut p = match secret_profile(env, name, true) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let up = match certificate_for_upload(env, &p, months).await {
        Ok(u) => u,
        Err(err) => return failed(&err.diagnosis, err.unavailable),
    };
    let portal = env.endpoints(&p).portal;
    eprintln!(
        "1. Open {}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade and the app with client ID {}.\n2. Certificates & secrets › Certificates › Upload certificate: choose {}\n   Description: {}. Add.\n3. Press Enter here when it is listed (the wizard then signs in with it; nothing changes before that works).",
        portal.trim_end_matches('/'),
        p.client_id,
        up.file.display(),
        up.label
    );
    if !line_entered().await {
        return usage("input ended before the upload was confirmed; nothing changed");
    }
    finish(adopt_uploaded(env, &mut p, up).await, |c| {
        eprintln!(
            "Profile {} now signs in with the uploaded certificate (x5t#S256 {}), valid until {}; its private key is in the keyring. Delete the credential it replaced in the portal once nothing uses it.",
            p.name, c.thumbprint, c.expires
        );
    })
}
