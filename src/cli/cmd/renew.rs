//! `renew`: a profile's client secret rotated without downtime, in two phases: a new secret
//! added, stored and proven by the wizard signed in as an administrator (or, `--guided`, made by
//! the administrator in the portal and pasted here); then `--finish` removes the old one.

use super::upkeep::{admin_of, finish, secret_profile};
use crate::app::Env;
use crate::app::pasted_secret::{PastedSecretError, adopt_pasted_secret};
use crate::cli::Exit;
use crate::cli::output::{print_diagnosis, usage};
use crate::cli::prompt::{ask_expiry, ask_secret};
use crate::cli::settings::{RenewSettings, Renewal};
use crate::model::{AdminPurpose, ClientId, Diagnosis, ProfileName};

pub async fn renew(env: &Env, s: RenewSettings) -> Exit {
    match s.how {
        Renewal::Admin {
            months,
            admin_client_id,
        } => by_admin(env, &s.profile, months, admin_client_id).await,
        Renewal::Guided => guided(env, &s.profile).await,
        Renewal::Finish {
            force,
            admin_client_id,
        } => super::finish::finish(env, &s.profile, force, admin_client_id).await,
    }
}

/// The steps after the first phase, in order.
pub fn next_steps(name: &ProfileName) -> String {
    format!(
        "Next, in this order:\n  1. Give the new secret's Value to the consuming application: `m365-mail-wizard export {name} --format env --with-secret --output FILE` (or show it once in the wizard's dashboard).\n  2. Confirm the application works with it.\n  3. `m365-mail-wizard renew {name} --finish` removes the old one."
    )
}

/// A new secret added, stored and proven; the old one kept until `--finish`.
async fn by_admin(env: &Env, name: &ProfileName, months: u32, admin_client_id: ClientId) -> Exit {
    let mut p = match secret_profile(env, name, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Err(err) = env.secret(&p).await {
        print_diagnosis(&Diagnosis {
            summary: format!("Profile {} has no secret in the keyring.", p.name),
            evidence: err.to_string(),
            cause: "The keyring entry was removed, or this is another machine.".into(),
            fix: "Store the current secret again (`add --force …`), then renew.".into(),
        });
        return Exit::CheckFailed;
    }
    let session = match admin_of(env, &p, admin_client_id, AdminPurpose::WriteApps).await {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    eprintln!("Signed in as {}. Adding a new secret…", session.who());
    let renewed = crate::app::renew::renew(env, &mut p, &session.token, months).await;
    finish(renewed, |r| {
        eprintln!(
            "Renewed: the new secret (key ID {}, {} months) is in the keyring, signs in, and is valid until {}.",
            r.new_key_id, r.months, r.expires
        );
        if r.lost > 0 {
            eprintln!(
                "An answer of Microsoft Entra ID was lost on its way: {} secret(s) whose Value never arrived were removed from the app.",
                r.lost
            );
        }
        super::finish::awaiting(&r.awaiting, &next_steps(name));
    })
}

/// The administrator makes the new secret in the portal; the wizard stores it, proves it signs
/// in, and only then says to delete the old one.
async fn guided(env: &Env, name: &ProfileName) -> Exit {
    let mut p = match secret_profile(env, name, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let old = match env.secret(&p).await {
        Ok(s) => s,
        Err(e) => return usage(format!("profile {}: {e}", p.name)),
    };
    eprintln!(
        "Guided renewal of {}: in the portal ({}), open App registrations › the app (client ID {}) › Certificates & secrets.",
        p.name,
        env.endpoints(&p).portal,
        p.client_id
    );
    eprintln!(
        "  1. \"New client secret\", description m365-mail-wizard, the lifetime you want, Add."
    );
    eprintln!("  2. Copy the new secret's Value (not its Secret ID) at once, and paste it here.");
    eprintln!("  Do not delete the old secret yet: the wizard tells you when.");
    let new = match ask_secret() {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let expires = match ask_expiry() {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    match adopt_pasted_secret(env, &mut p, &new, old, expires).await {
        Ok(not_saved) => {
            if let Some(err) = not_saved {
                eprintln!("warning: the profile was not updated: {err}");
            }
            eprintln!(
                "The new secret signs in and is in the keyring. Switch the consuming application to it, then delete the old secret under Certificates & secrets."
            );
            Exit::Ok
        }
        Err(PastedSecretError::Keyring(err)) => {
            eprintln!("error: {err}");
            Exit::Unavailable
        }
        Err(PastedSecretError::Refused(d)) => {
            print_diagnosis(&d);
            Exit::CheckFailed
        }
    }
}
