//! The environment every use case runs in: where profiles and secrets go, and which
//! endpoints a profile talks to (a named cloud, or the sandbox tenant the launcher started).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::checks;
use crate::cloud::http;
use crate::cloud::lag::Patience;
use crate::model::{Endpoints, KeyringBackend, Profile, SandboxLink, Secret};
use crate::store::{Dirs, ProfileStore};
use crate::vault::{KeyringVault, MemoryVault, SecretStore, VaultError};

/// Where this run keeps things and which tenant it talks to.
pub struct Env {
    pub dirs: Dirs,
    /// Set when running against the built-in sandbox: its endpoints replace the profile's.
    pub sandbox: Option<SandboxLink>,
    pub keyring: KeyringBackend,
    pub http: reqwest::Client,
    pub timeouts: checks::Timeouts,
    /// How long a setup waits for Microsoft Entra ID and Exchange Online to show an object it
    /// made moments before (directory replication), and how the waits grow.
    pub directory_wait: Patience,
    /// The reader's offset from UTC, read once at start (a process with several threads cannot
    /// read it safely): the times in exports are shown in it.
    pub local_offset: time::UtcOffset,
    /// Connections this process may hold at once (`open_files`): every mailbox check waits
    /// for one, whatever profile it belongs to.
    pub connections: Arc<tokio::sync::Semaphore>,
    /// How administrators sign in (`--sign-in`, `--browser-wait`).
    pub sign_in: super::sign_in::SignInOptions,
    /// Secrets kept for this process only (sandbox sessions without a keyring).
    memory: Arc<MemoryVault>,
    /// Keyrings opened once per process: opening one sets up a session with the service.
    opened: Arc<OpenedVaults>,
}

/// Each keyring opened, or why it could not be and when that was learnt.
type VaultMap = std::collections::HashMap<
    KeyringBackend,
    Result<Arc<dyn SecretStore>, (String, std::time::Instant)>,
>;

/// How long a keyring that would not open is not tried again: enough for the profiles checked
/// together to be told at once, short enough that unlocking it and trying again works.
const REOPEN_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// Connections to the OS keyring that reads of secrets made at once share: a connection answers
/// one call at a time, each read is several calls, and a fleet's secrets read through one
/// connection come no sooner than one after another.
const READERS: usize = 4;

#[derive(Default)]
struct OpenedVaults {
    first: std::sync::Mutex<VaultMap>,
    /// The OS keyring's further connections for reads, by turn (1 to READERS - 1); none for
    /// one that would not open.
    readers: std::sync::Mutex<std::collections::HashMap<usize, Option<Arc<dyn SecretStore>>>>,
    /// Reads of secrets under way, and whose turn the next read made meanwhile is.
    reading: AtomicUsize,
    turn: AtomicUsize,
}

/// A read of a secret under way, counted until it ends (or is dropped).
struct Reading<'a> {
    count: &'a AtomicUsize,
    /// Reads that were under way when this one started.
    others: usize,
}

impl<'a> Reading<'a> {
    fn start(count: &'a AtomicUsize) -> Reading<'a> {
        Reading {
            count,
            others: count.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Drop for OpenedVaults {
    /// A keyring client may block on drop; never inside the async runtime.
    fn drop(&mut self) {
        let first = std::mem::take(self.first.get_mut().unwrap_or_else(|e| e.into_inner()));
        let readers = std::mem::take(self.readers.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !first.is_empty() || !readers.is_empty() {
            let _ = std::thread::spawn(move || drop((first, readers))).join();
        }
    }
}

impl OpenedVaults {
    /// The OS keyring's connection for reads of `turn`, opened the first time; none if it
    /// would not open. Called on a blocking thread.
    fn reader(&self, turn: usize, sandbox: bool) -> Option<Arc<dyn SecretStore>> {
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        readers
            .entry(turn)
            .or_insert_with(|| KeyringVault::open(KeyringBackend::Os, sandbox).ok())
            .clone()
    }
}

/// Said wherever a secret goes to the Linux kernel keyring.
pub const KEYUTILS_WARNING: &str = "Secret stored in the Linux kernel keyring, which does not survive a reboot: store it again after one (`add --force`), or use the OS keyring.";

impl Env {
    pub fn new(dirs: Dirs, sandbox: Option<SandboxLink>, keyring: KeyringBackend) -> Env {
        Env {
            dirs,
            sandbox,
            keyring,
            http: http::client(),
            timeouts: checks::Timeouts::default(),
            directory_wait: Patience::DEFAULT,
            local_offset: time::UtcOffset::UTC,
            connections: Arc::new(tokio::sync::Semaphore::new(
                super::open_files::connection_budget(),
            )),
            sign_in: super::sign_in::SignInOptions::default(),
            memory: Arc::new(MemoryVault::default()),
            opened: Arc::default(),
        }
    }

    pub fn profiles(&self) -> ProfileStore {
        self.dirs.profiles(self.sandbox.is_some())
    }

    /// Runs `f` against the store for `backend` on a blocking thread: the keyring clients
    /// block, and some start their own runtime.
    pub async fn with_vault<T, F>(&self, backend: KeyringBackend, f: F) -> Result<T, VaultError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SecretStore) -> Result<T, VaultError> + Send + 'static,
    {
        self.with_store(backend, 0, f).await
    }

    /// `with_vault` on the connection of `turn` (0 the first; the OS keyring's others are
    /// opened when first needed, and the first stands in for one that would not open).
    async fn with_store<T, F>(
        &self,
        backend: KeyringBackend,
        turn: usize,
        f: F,
    ) -> Result<T, VaultError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SecretStore) -> Result<T, VaultError> + Send + 'static,
    {
        if backend == KeyringBackend::SessionMemory {
            return f(self.memory.as_ref());
        }
        let sandbox = self.sandbox.is_some();
        let opened = self.opened.clone();
        tokio::task::spawn_blocking(move || {
            // Opened under the lock: profiles checked together share one connection instead of
            // each opening (and key-exchanging) its own.
            let store = {
                let mut map = opened.first.lock().unwrap_or_else(|e| e.into_inner());
                match map.get(&backend) {
                    Some(Ok(s)) => s.clone(),
                    Some(Err((why, at))) if at.elapsed() < REOPEN_AFTER => {
                        return Err(VaultError::Unavailable(why.clone()));
                    }
                    _ => match KeyringVault::open(backend, sandbox) {
                        Ok(s) => {
                            map.insert(backend, Ok(s.clone()));
                            s
                        }
                        Err(e) => {
                            map.insert(backend, Err((e.to_string(), std::time::Instant::now())));
                            return Err(e);
                        }
                    },
                }
            };
            let store = match (backend, turn) {
                (KeyringBackend::Os, 1..) => opened.reader(turn, sandbox).unwrap_or(store),
                _ => store,
            };
            f(store.as_ref())
        })
        .await
        .inspect(|r| {
            if let Err(e @ VaultError::Unavailable(_)) = r {
                tracing::warn!(error = %e, "keyring unavailable");
            }
        })
        .unwrap_or_else(|e| {
            Err(VaultError::Unavailable(format!(
                "the keyring call did not finish: {e}"
            )))
        })
    }

    /// The profile's secret. Reads made while others are under way take turns on the OS
    /// keyring's connections; one alone takes the first.
    pub async fn secret(&self, p: &Profile) -> Result<Secret, VaultError> {
        let name = p.name.to_string();
        let reading = Reading::start(&self.opened.reading);
        let turn = match reading.others {
            0 => 0,
            _ => self.opened.turn.fetch_add(1, Ordering::Relaxed) % READERS,
        };
        self.with_store(p.keyring, turn, move |v| v.get(&name))
            .await
    }

    /// The endpoints a profile's calls go to.
    pub fn endpoints(&self, p: &Profile) -> Endpoints {
        match &self.sandbox {
            Some(s) => s.endpoints(),
            None => p.cloud().endpoints,
        }
    }
}

/// What the consuming application must be configured with (never the secret itself).
pub fn app_settings(env: &Env, p: &Profile) -> Vec<(&'static str, String)> {
    p.app_settings(&env.endpoints(p), keyring_service(env))
}

pub fn keyring_service(env: &Env) -> &'static str {
    crate::vault::service(env.sandbox.is_some())
}
