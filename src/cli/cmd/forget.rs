//! `forget`: a profile and its keyring entry removed; a damaged profile file too.

use crate::app::damaged_profile::{ForgetDamagedError, forget_damaged};
use crate::app::{self, Env, SaveError};
use crate::cli::Exit;
use crate::cli::output::{save_error, usage};
use crate::model::ProfileName;
use crate::store::StoreError;

pub async fn forget(env: &Env, name: &ProfileName) -> Exit {
    let p = match env.profiles().load(name) {
        Ok(p) => p,
        // Asked to forget it: a damaged file goes too.
        Err(StoreError::Corrupt {
            path,
            line,
            message,
        }) => {
            eprintln!("note: {path}:{line}: {message}; removing the file as asked");
            return match forget_damaged(env, name, &path).await {
                Ok(entry) => {
                    eprintln!("Forgot the damaged profile {name} {entry}.");
                    Exit::Ok
                }
                Err(ForgetDamagedError::File(e)) => usage(e),
                Err(ForgetDamagedError::Keyring(e)) => {
                    eprintln!("error: the file is removed, but not the keyring entry: {e}");
                    Exit::Unavailable
                }
            };
        }
        Err(StoreError::NotFound(n)) => return forget_unfinished(env, name, &n),
        Err(e) => return usage(e),
    };
    match app::forget_profile(env, &p).await {
        Ok(said) => {
            eprintln!("{said}");
            Exit::Ok
        }
        Err(SaveError::Store(StoreError::NotFound(n))) => {
            usage(format!("no profile named \"{n}\""))
        }
        Err(e) => save_error(e),
    }
}

/// No profile: the journal of a setup that never finished goes, so that a later setup of the
/// same name starts clean.
fn forget_unfinished(env: &Env, name: &ProfileName, shown: &str) -> Exit {
    match app::forget_unfinished(env, name) {
        Ok(Some(j)) => {
            let made = match &j.app_id {
                Some(id) => format!(
                    "; the app it registered, \"{}\" (client ID {id}), stays in the tenant",
                    j.app_name
                ),
                None => String::new(),
            };
            eprintln!("Forgot the unfinished setup of {name}{made}.");
            Exit::Ok
        }
        Ok(None) => usage(format!("no profile named \"{shown}\"")),
        Err(e) => usage(e),
    }
}
