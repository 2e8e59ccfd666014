//! Where client secrets live: the OS keyring, the Linux kernel keyring on request, or (tests
//! and sandbox sessions without a keyring) memory. Never a file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::api::CredentialStoreApi;
use keyring_core::{CredentialStore, Entry, Error as KeyringError};

// The OS keyring of each platform.
#[cfg(target_os = "macos")]
use apple_native_keyring_store::keychain::Store as OsStore;
#[cfg(target_os = "windows")]
use windows_native_keyring_store::Store as OsStore;
#[cfg(target_os = "linux")]
use zbus_secret_service_keyring_store::Store as OsStore;

use crate::model::{KeyringBackend, Secret};

pub const SERVICE: &str = "m365-mail-wizard";
pub const SANDBOX_SERVICE: &str = "m365-mail-wizard-sandbox";

/// The keyring service this process keeps secrets under (the sandbox's with `-sandbox`):
/// `M365MW_KEYRING_SERVICE` when set — the tests give each run its own, so that they never
/// touch the entries of the wizard a developer uses — otherwise [`SERVICE`].
pub fn service(sandbox: bool) -> &'static str {
    static NAMES: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let (real, sandboxed) = NAMES.get_or_init(|| match std::env::var("M365MW_KEYRING_SERVICE") {
        Ok(base) if !base.trim().is_empty() => (base.clone(), format!("{base}-sandbox")),
        _ => (SERVICE.to_string(), SANDBOX_SERVICE.to_string()),
    });
    if sandbox { sandboxed } else { real }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{0}")]
    Unavailable(String),
    #[error(
        "no secret stored for profile \"{0}\" in the {1}: store it again with `add` or the wizard"
    )]
    NotFound(String, &'static str),
    #[error("the {0} refused the request: {1}")]
    Failed(&'static str, String),
}

pub trait SecretStore: Send + Sync {
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), VaultError>;
    fn get(&self, profile: &str) -> Result<Secret, VaultError>;
    fn delete(&self, profile: &str) -> Result<(), VaultError>;
    /// Which store this is, for messages ("Secret Service keyring").
    fn name(&self) -> &'static str;
}

/// A keyring-core credential store under one service name.
pub struct KeyringVault {
    store: Arc<CredentialStore>,
    service: &'static str,
    name: &'static str,
}

const SECRET_SERVICE: &str = "Secret Service keyring";

const NO_SECRET_SERVICE: &str = "No OS keyring is reachable (on Linux: no Secret Service on the session D-Bus). \
Install and start one, for example `apt install gnome-keyring libsecret-tools dbus-user-session` and log in \
to a desktop session, or run inside `dbus-run-session` with an unlocked gnome-keyring-daemon; or opt in to the \
kernel keyring with --keyring keyutils (lost on reboot). Secrets are never written to a file.";

impl KeyringVault {
    pub fn open(
        backend: KeyringBackend,
        sandbox: bool,
    ) -> Result<Arc<dyn SecretStore>, VaultError> {
        let service = self::service(sandbox);
        match backend {
            KeyringBackend::SessionMemory => Ok(Arc::new(MemoryVault::default())),
            KeyringBackend::Os => open_os(service),
            KeyringBackend::Keyutils => open_keyutils(service),
        }
    }

    /// The vault over a store as it opened, or why it could not be opened.
    fn over<S: CredentialStoreApi + Send + Sync + 'static>(
        opened: keyring_core::Result<Arc<S>>,
        service: &'static str,
        name: &'static str,
    ) -> Result<Arc<dyn SecretStore>, VaultError> {
        let store = opened.map_err(|e| {
            VaultError::Unavailable(if name == SECRET_SERVICE {
                format!("{NO_SECRET_SERVICE} ({e})")
            } else {
                format!("{name}: {e}")
            })
        })?;
        Ok(Arc::new(KeyringVault {
            store,
            service,
            name,
        }))
    }

    fn entry(&self, profile: &str) -> Result<Entry, VaultError> {
        Entry::new_in_store(&self.store, self.service, profile).map_err(|e| self.map(e, profile))
    }

    fn map(&self, e: KeyringError, profile: &str) -> VaultError {
        match e {
            KeyringError::NoEntry => VaultError::NotFound(profile.to_string(), self.name),
            KeyringError::NoStorageAccess(inner) | KeyringError::PlatformFailure(inner) => {
                let text = inner.to_string();
                if text.to_ascii_lowercase().contains("locked") {
                    VaultError::Unavailable(format!(
                        "The {} is locked: unlock it (log in to the desktop session or run `gnome-keyring-daemon --unlock`) and try again.",
                        self.name
                    ))
                } else if self.name == SECRET_SERVICE {
                    // The connection was made when the store opened: the service is there.
                    VaultError::Unavailable(format!(
                        "The Secret Service is running but did not read or store the secret ({text}): its keyring is locked, or there is no default keyring yet and it wanted to ask for a password where no prompt can show. Unlock it (log in to the desktop session, or start it with `gnome-keyring-daemon --unlock` and the password on standard input) and try again."
                    ))
                } else {
                    VaultError::Unavailable(format!(
                        "The {} refused access ({text}); it may be disabled here (containers often block it). Use the OS keyring instead.",
                        self.name
                    ))
                }
            }
            other => VaultError::Failed(self.name, other.to_string()),
        }
    }
}

// The OS keyring's name in messages.
#[cfg(target_os = "linux")]
const OS_KEYRING: &str = SECRET_SERVICE;
#[cfg(target_os = "macos")]
const OS_KEYRING: &str = "macOS keychain";
#[cfg(target_os = "windows")]
const OS_KEYRING: &str = "Windows Credential Manager";

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn open_os(service: &'static str) -> Result<Arc<dyn SecretStore>, VaultError> {
    KeyringVault::over(OsStore::new(), service, OS_KEYRING)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn open_os(_service: &'static str) -> Result<Arc<dyn SecretStore>, VaultError> {
    Err(VaultError::Unavailable(
        "no OS keyring is supported on this platform".into(),
    ))
}

#[cfg(target_os = "linux")]
fn open_keyutils(service: &'static str) -> Result<Arc<dyn SecretStore>, VaultError> {
    let opened = linux_keyutils_keyring_store::Store::new();
    KeyringVault::over(opened, service, "Linux kernel keyring")
}

#[cfg(not(target_os = "linux"))]
fn open_keyutils(_service: &'static str) -> Result<Arc<dyn SecretStore>, VaultError> {
    Err(VaultError::Unavailable(
        "--keyring keyutils exists only on Linux".into(),
    ))
}

impl SecretStore for KeyringVault {
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), VaultError> {
        self.entry(profile)?
            .set_password(secret.expose())
            .map_err(|e| self.map(e, profile))
    }

    fn get(&self, profile: &str) -> Result<Secret, VaultError> {
        self.entry(profile)?
            .get_password()
            .map(Secret::new)
            .map_err(|e| self.map(e, profile))
    }

    fn delete(&self, profile: &str) -> Result<(), VaultError> {
        self.entry(profile)?
            .delete_credential()
            .map_err(|e| self.map(e, profile))
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

/// Secrets held for this process only.
#[derive(Default)]
pub struct MemoryVault(Mutex<HashMap<String, Secret>>);

impl SecretStore for MemoryVault {
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), VaultError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(profile.into(), secret.clone());
        Ok(())
    }

    fn get(&self, profile: &str) -> Result<Secret, VaultError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(profile)
            .cloned()
            .ok_or_else(|| VaultError::NotFound(profile.into(), self.name()))
    }

    fn delete(&self, profile: &str) -> Result<(), VaultError> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(profile)
            .map(|_| ())
            .ok_or_else(|| VaultError::NotFound(profile.into(), self.name()))
    }

    fn name(&self) -> &'static str {
        "session memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_vault_round_trip() {
        let v = MemoryVault::default();
        assert!(matches!(v.get("p"), Err(VaultError::NotFound(..))));
        v.set("p", &Secret::new("s3cret")).unwrap();
        assert_eq!(v.get("p").unwrap().expose(), "s3cret");
        v.delete("p").unwrap();
        assert!(v.delete("p").is_err());
    }
}
