//! The effects that stay on this machine: saving a profile and its secret (exports are in
//! `app::exports`).

use crate::app::Env;
use crate::model::{KeyringBackend, Profile};
use crate::vault::VaultError;
use crate::wizard::Saved;

/// Stores the secret, falling back to session memory only in the sandbox.
pub(super) async fn save(
    env: &Env,
    mut profile: Profile,
    secret: crate::model::Secret,
) -> Result<Saved, String> {
    profile.keyring = env.keyring;
    match crate::app::save_profile(env, &profile, &secret).await {
        Ok(()) => Ok(Saved {
            store: store_name(env.keyring).into(),
            note: (env.keyring == KeyringBackend::Keyutils)
                .then(|| crate::app::KEYUTILS_WARNING.to_string()),
        }),
        Err(crate::app::SaveError::Vault(VaultError::Unavailable(why)))
            if env.sandbox.is_some() =>
        {
            tracing::info!(reason = %why, "no keyring: sandbox secret kept in memory");
            profile.keyring = KeyringBackend::SessionMemory;
            crate::app::save_profile(env, &profile, &secret)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Saved {
                store: "session memory".into(),
                note: Some(
                    "No OS keyring here: this sandbox secret is held in memory for this session only.".into(),
                ),
            })
        }
        Err(e) => Err(format!(
            "{e} Nothing was lost: fix it and press enter again."
        )),
    }
}

fn store_name(k: KeyringBackend) -> &'static str {
    match k {
        KeyringBackend::Os => "OS keyring",
        KeyringBackend::Keyutils => "Linux kernel keyring",
        KeyringBackend::SessionMemory => "session memory",
    }
}

/// The draft on disk and, when it is of a setup that was interrupted after its first change,
/// what that setup made (from its journal).
pub(super) fn draft(env: &Env) -> (Option<crate::model::Draft>, Option<String>) {
    let Some(d) = env.profiles().load_draft() else {
        return (None, None);
    };
    let journal = crate::model::ProfileName::parse(&d.name)
        .ok()
        .filter(|_| d.journey == "setup")
        .and_then(|name| env.dirs.journals(env.sandbox.is_some()).load(&name).ok())
        .flatten()
        .filter(|j| !j.finished && j.tenant_id == d.tenant_id);
    let made = journal.map(|j| made(&j)).filter(|m| !m.is_empty());
    (Some(d), made)
}

/// What a setup's journal says it made, in a few words.
fn made(j: &crate::store::Journal) -> String {
    let mut out = Vec::new();
    if j.app_id.is_some() {
        out.push(match j.app_created {
            true => "app registered".to_string(),
            false => "existing app used".to_string(),
        });
    }
    if j.sp_id.is_some() {
        out.push("service principal".into());
    }
    if j.secret_key_id.is_some() {
        out.push("secret".into());
    }
    let count = |n: usize, one: &str, many: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    };
    out.extend(count(j.consented.len(), "consent", "consents"));
    out.extend(count(
        j.exchange_done.len(),
        "Exchange Online change",
        "Exchange Online changes",
    ));
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Draft;
    use crate::store::{Dirs, Journal};

    fn env() -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().unwrap();
        let dirs = Dirs {
            config: dir.path().join("config"),
            data: dir.path().join("data"),
        };
        (dir, Env::new(dirs, None, KeyringBackend::Os))
    }

    const TENANT: &str = "3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

    #[test]
    fn a_setup_draft_names_what_its_interrupted_setup_made() {
        let (_dir, env) = env();
        assert_eq!(draft(&env), (None, None));
        let d = Draft {
            journey: "setup".into(),
            at: "progress".into(),
            name: "desk".into(),
            tenant_id: TENANT.into(),
            ..Draft::default()
        };
        env.profiles().save_draft(&d).unwrap();
        assert_eq!(draft(&env), (Some(d.clone()), None), "nothing made yet");
        let mut j = Journal {
            profile: "desk".into(),
            tenant_id: TENANT.into(),
            app_id: Some("a1f5c0de-0001-4000-8000-00000000c001".into()),
            app_created: true,
            sp_id: Some("x".into()),
            consented: vec!["graph:Mail.Read".into()],
            ..Journal::default()
        };
        let journals = env.dirs.journals(false);
        journals.save(&j).unwrap();
        assert_eq!(
            draft(&env).1.as_deref(),
            Some("app registered, service principal, 1 consent")
        );
        j.finished = true;
        journals.save(&j).unwrap();
        assert_eq!(draft(&env).1, None, "a finished setup is no unfinished one");
        j.finished = false;
        j.tenant_id = "0b5c9a1e-2222-4333-8444-555566667777".into();
        journals.save(&j).unwrap();
        assert_eq!(draft(&env).1, None, "another tenant's setup of that name");
    }
}
