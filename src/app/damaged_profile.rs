//! Forgetting a profile whose file no longer parses: the file goes, and so does the keyring
//! entry under its name, in the keyring the file still names (or this run's).

use super::{Env, forget_secret};
use crate::model::{KeyringBackend, ProfileName};
use crate::store::StoreError;
use crate::vault::VaultError;

/// Why a damaged profile is not wholly forgotten.
#[derive(Debug)]
pub enum ForgetDamagedError {
    /// The file is still there.
    File(StoreError),
    /// The file is removed; the keyring entry is not.
    Keyring(VaultError),
}

/// Removes the damaged file at `path` (profile `name`) and its keyring entry; says what became
/// of the entry: "and its keyring entry", or that there was none.
pub async fn forget_damaged(
    env: &Env,
    name: &ProfileName,
    path: &str,
) -> Result<String, ForgetDamagedError> {
    let keyring = crate::store::read_small(std::path::Path::new(path))
        .ok()
        .and_then(|text| named_keyring(&text))
        .unwrap_or(env.keyring);
    super::profiles::forget_journal(env, name).map_err(ForgetDamagedError::File)?;
    env.profiles()
        .remove(name)
        .map_err(ForgetDamagedError::File)?;
    forget_secret(env, name, keyring)
        .await
        .map_err(ForgetDamagedError::Keyring)
}

/// The `keyring = "…"` line of a profile file that does not parse as a whole.
fn named_keyring(text: &str) -> Option<KeyringBackend> {
    text.lines().find_map(|l| {
        let value = l
            .trim()
            .strip_prefix("keyring")?
            .trim_start()
            .strip_prefix('=')?;
        match value.trim().trim_matches('"') {
            "keyutils" => Some(KeyringBackend::Keyutils),
            "os" => Some(KeyringBackend::Os),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyring_line_of_a_damaged_file() {
        let text = "name = \"x\"\nkeyring = \"keyutils\"\nmailboxes = [oops";
        assert_eq!(named_keyring(text), Some(KeyringBackend::Keyutils));
        assert_eq!(named_keyring("keyring=os"), Some(KeyringBackend::Os));
        assert_eq!(named_keyring("keyrings = \"os\""), None);
        assert_eq!(named_keyring("keyring = \"memory\""), None);
    }
}
