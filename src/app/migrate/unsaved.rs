//! An app migrated with no profile (`migrate CLIENT_ID --tenant …`, or an app of the audit the
//! wizard has no profile for): a profile never saved, its secret held in this process's memory
//! for the live checks only, and those checks chosen from the roles the plan moves.

use crate::app::Env;
use crate::model::{ClientId, KeyringBackend, Mailbox, Profile, ProfileName, Secret};
use crate::store::MigrationJournal;

/// Why an app with no profile cannot be migrated when its roles give the live checks nothing
/// to prove.
pub const NO_LIVE_CHECK: &str = "the app's tenant-wide roles only send or change settings: no live check can prove its scope without a profile. Add one (`add`, with the checks that prove it) and migrate that profile";

/// The profile, never saved, of the app `client_id` in the tenant of `like` (named after the
/// client ID): the mailboxes it must reach and the one it must not.
pub fn like(
    like: &Profile,
    client_id: ClientId,
    mailboxes: Vec<Mailbox>,
    deny: Mailbox,
) -> Profile {
    let name = ProfileName::parse(&client_id.to_string()).expect("a GUID is a profile name");
    Profile {
        name,
        client_id,
        access: Vec::new(),
        mailboxes,
        deny_mailbox: Some(deny),
        send_test: false,
        last_check: None,
        scope: None,
        secret_expires: None,
        credential_renewed: None,
        credential: Default::default(),
        rotation: None,
        delegated: None,
        ..like.clone()
    }
}

/// Holds the app's secret in this process's memory (never a keyring or a file) for its live
/// checks.
pub async fn hold(env: &Env, p: &mut Profile, secret: Secret) -> Result<(), String> {
    p.keyring = KeyringBackend::SessionMemory;
    let name = p.name.to_string();
    env.with_vault(KeyringBackend::SessionMemory, move |v| {
        v.set(&name, &secret)
    })
    .await
    .map_err(|e| format!("the secret could not be held: {e}"))
}

/// The secret held for the app dropped: its migration is over.
pub async fn let_go(env: &Env, name: &ProfileName) {
    let name = name.to_string();
    if let Err(e) = env
        .with_vault(KeyringBackend::SessionMemory, move |v| v.delete(&name))
        .await
    {
        tracing::debug!(error = %e, "no secret held to drop");
    }
}

/// Whether `p` is an app with no profile: none is saved by its name.
pub fn is_unsaved(env: &Env, p: &Profile) -> bool {
    p.keyring == KeyringBackend::SessionMemory && !env.profiles().exists(&p.name)
}

/// The journal marked as an app's with no profile, and the live checks it tries set from the
/// roles its plan moves; refused when none can prove the scope.
pub fn checks_of(p: &mut Profile, j: &mut MigrationJournal) -> Result<(), &'static str> {
    j.profile_less = true;
    p.access = super::checks_for(&j.plan);
    if p.access.is_empty() {
        return Err(NO_LIVE_CHECK);
    }
    Ok(())
}
