//! The state file: the tenant and the token signing key, loaded at start and saved after every
//! change. Several processes may serve one file at once (a wizard and a command in another
//! terminal): each change is made under the file's lock (`FILE.lock`, an OS file lock that a
//! process which dies lets go of), after taking in what another process wrote, and the file is
//! replaced whole by a rename — so it always holds one complete state and no change is lost.
//! Reads take in another process's changes too, without the lock.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, MutexGuard};

use super::private_file::write_private;
use super::tenant::Tenant;
use super::{SandboxError, Shared, Signer256};

#[derive(Serialize, Deserialize)]
struct SavedState {
    signing_key_pem: String,
    tenant: Tenant,
}

/// What a later read needs: the signing key stays the one this process started with.
#[derive(Deserialize)]
struct SavedTenant {
    tenant: Tenant,
}

/// A state file a sandbox serves from.
pub(super) struct StateFile {
    path: PathBuf,
    lock: PathBuf,
    /// One task of this process at a time waits for the file lock.
    holding: Mutex<()>,
    /// The file as this process last read or wrote it: another stamp means another writer.
    seen: std::sync::Mutex<Option<Stamp>>,
}

/// Which version of the file is there: every write makes a new file, renamed into place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Stamp {
    fn of(m: &Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        }
    }
}

/// The state file's lock while a change is read, made and written; let go on drop.
pub(super) struct Held<'a> {
    _in_process: MutexGuard<'a, ()>,
    _file: Option<File>,
}

/// The tenant and key a sandbox starts with, and its state file with the lock still held (so
/// that the first write happens before another process reads).
pub(super) struct Opened {
    pub tenant: Tenant,
    pub signer: Signer256,
    pub file: Option<StateFile>,
    pub lock: Option<File>,
}

/// The saved tenant and key; a fresh seed and a new key when there is no state file yet, or
/// when `fresh` asks to forget what it holds.
pub async fn open(state: Option<&Path>, fresh: bool) -> Result<Opened, SandboxError> {
    let Some(path) = state else {
        let (tenant, signer) = seed().await;
        return Ok(Opened {
            tenant,
            signer,
            file: None,
            lock: None,
        });
    };
    let file = StateFile {
        path: path.to_path_buf(),
        lock: lock_path(path),
        holding: Mutex::new(()),
        seen: std::sync::Mutex::new(None),
    };
    let lock = file.lock().await.map_err(|message| SandboxError::State {
        path: file.lock.display().to_string(),
        message,
    })?;
    let (tenant, signer) = if fresh || !path.exists() {
        seed().await
    } else {
        let (saved, _) = read::<SavedState>(path).map_err(|message| SandboxError::Unreadable {
            path: path.display().to_string(),
            message,
        })?;
        let signer = Signer256::from_pem(&saved.signing_key_pem).map_err(|message| {
            SandboxError::Unreadable {
                path: path.display().to_string(),
                message,
            }
        })?;
        let mut tenant = saved.tenant;
        // A tenant saved before the seed's grants became records.
        tenant.normalise_seeded_grants();
        (tenant, signer)
    };
    Ok(Opened {
        tenant,
        signer,
        file: Some(file),
        lock: Some(lock),
    })
}

async fn seed() -> (Tenant, Signer256) {
    let signer = tokio::task::spawn_blocking(Signer256::generate)
        .await
        .expect("key generation task");
    (Tenant::seed(), signer)
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// The file's content and the stamp of the very file read.
fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, Stamp), String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let stamp = Stamp::of(&file.metadata().map_err(|e| e.to_string())?);
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let saved = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((saved, stamp))
}

impl StateFile {
    /// Waits for the file lock (on a blocking thread: the OS call blocks).
    async fn lock(&self) -> Result<File, String> {
        let path = self.lock.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir)?;
            }
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path)?;
            file.lock()?;
            Ok(file)
        })
        .await
        .expect("lock task")
        .map_err(|e: std::io::Error| e.to_string())
    }

    fn seen(&self) -> Option<Stamp> {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn saw(&self, stamp: Stamp) {
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(stamp);
    }
}

impl Shared {
    /// Writes the tenant to the state file, if there is one.
    pub(super) async fn persist(&self) {
        let Some(file) = &self.state else { return };
        // Snapshot and write under one lock, so the last write holds the latest state.
        let _writing = self.persisting.lock().await;
        let saved = SavedState {
            signing_key_pem: self.signer.private_pem().to_string(),
            tenant: self.tenant.lock().await.clone(),
        };
        let text = serde_json::to_vec_pretty(&saved).expect("state serialises");
        match write_private(&file.path, &text) {
            Ok(meta) => file.saw(Stamp::of(&meta)),
            Err(e) => {
                tracing::warn!(path = %file.path.display(), error = %e, "sandbox state not saved")
            }
        }
    }

    /// Takes in the tenant another process wrote since this one last read or wrote the file.
    pub(super) async fn refresh(&self) {
        let Some(file) = &self.state else { return };
        let current = fs::metadata(&file.path).ok().map(|m| Stamp::of(&m));
        if current.is_none() || current == file.seen() {
            return;
        }
        let _writing = self.persisting.lock().await;
        // This process may have written it while the lock was waited for: nothing to take in.
        let now = fs::metadata(&file.path).ok().map(|m| Stamp::of(&m));
        if now.is_none() || now == file.seen() {
            return;
        }
        match read::<SavedTenant>(&file.path) {
            Ok((_, stamp)) if Some(stamp) == file.seen() => {}
            Ok((saved, stamp)) => {
                let mut tenant = saved.tenant;
                tenant.normalise_seeded_grants();
                *self.tenant.lock().await = tenant;
                file.saw(stamp);
            }
            Err(e) => {
                tracing::warn!(path = %file.path.display(), error = %e, "sandbox state not read; keeping this process's");
                if let Some(stamp) = current {
                    file.saw(stamp);
                }
            }
        }
    }

    /// The state file's lock, with the tenant brought up to date: changes made while it is held
    /// are written before another process reads or changes the tenant. None without a file.
    pub(super) async fn hold(&self) -> Option<Held<'_>> {
        let file = self.state.as_ref()?;
        let in_process = file.holding.lock().await;
        let locked = file
            .lock()
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "sandbox state file not locked"))
            .ok();
        self.refresh().await;
        Some(Held {
            _in_process: in_process,
            _file: locked,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::sandbox::{Sandbox, SandboxOptions};

    async fn start(path: &std::path::Path, reset: bool) -> Sandbox {
        Sandbox::start(SandboxOptions {
            state_file: Some(path.to_path_buf()),
            reset,
            auto_approve: Some("admin".into()),
            ..Default::default()
        })
        .await
        .unwrap()
    }

    /// An administrator's Graph token from `sb`, by a device code it approves at once.
    async fn admin_token(http: &reqwest::Client, sb: &Sandbox) -> String {
        let i = sb.info();
        let base = format!("{}/{}/oauth2/v2.0", i.login, i.tenant_id);
        let client = ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e");
        let code = answer(http.post(format!("{base}/devicecode")).form(&[
            client,
            (
                "scope",
                "https://graph.microsoft.com/Application.ReadWrite.All",
            ),
        ]))
        .await;
        let grant = "urn:ietf:params:oauth:grant-type:device_code";
        let device_code = code["device_code"].as_str().unwrap();
        let token = answer(http.post(format!("{base}/token")).form(&[
            client,
            ("grant_type", grant),
            ("device_code", device_code),
        ]))
        .await;
        token["access_token"].as_str().unwrap().to_string()
    }

    async fn answer(request: reqwest::RequestBuilder) -> Value {
        request.send().await.unwrap().json().await.unwrap()
    }

    async fn create_app(http: &reqwest::Client, sb: &Sandbox, token: &str, name: &str) {
        let status = http
            .post(format!("{}/v1.0/applications", sb.info().graph))
            .bearer_auth(token)
            .json(&json!({ "displayName": name }))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 201, "{name}");
    }

    async fn app_names(http: &reqwest::Client, sb: &Sandbox, token: &str) -> Vec<String> {
        let url = format!("{}/v1.0/applications", sb.info().graph);
        let list = answer(http.get(url).bearer_auth(token)).await;
        let mut names: Vec<String> = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["displayName"].as_str().unwrap().to_string())
            .filter(|n| n.starts_with("made by "))
            .collect();
        names.sort();
        names
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_sandboxes_on_one_file_lose_no_change_and_reset_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox").join("tenant.json");
        let http = reqwest::Client::new();
        let (a, b) = (start(&path, false).await, start(&path, false).await);
        let (ta, tb) = (admin_token(&http, &a).await, admin_token(&http, &b).await);
        // Changes through either sandbox, at the same time: each is made on top of the other's.
        let made: Vec<String> = (0..6).map(|n| format!("made by {n:02}")).collect();
        let calls = made.iter().enumerate().map(|(n, name)| {
            let (sb, token) = if n % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
            create_app(&http, sb, token, name)
        });
        futures_util::future::join_all(calls).await;
        assert_eq!(app_names(&http, &a, &ta).await, made, "a sees b's apps");
        assert_eq!(app_names(&http, &b, &tb).await, made, "b sees a's apps");
        a.stop().await;
        b.stop().await;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // A later start finds them all; a reset forgets them, and the next start with it.
        let later = start(&path, false).await;
        let t = admin_token(&http, &later).await;
        assert_eq!(app_names(&http, &later, &t).await, made);
        later.stop().await;
        let fresh = start(&path, true).await;
        let t = admin_token(&http, &fresh).await;
        assert!(app_names(&http, &fresh, &t).await.is_empty());
        fresh.stop().await;
        let after = start(&path, false).await;
        let t = admin_token(&http, &after).await;
        assert!(app_names(&http, &after, &t).await.is_empty());
        after.stop().await;
    }

    #[tokio::test]
    async fn a_damaged_file_is_named_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant.json");
        std::fs::write(&path, "{ not json").unwrap();
        let Err(e) = Sandbox::start(SandboxOptions {
            state_file: Some(path.clone()),
            ..Default::default()
        })
        .await
        else {
            panic!("a damaged state file must stop the start");
        };
        assert!(
            matches!(&e, crate::sandbox::SandboxError::Unreadable { path: p, .. } if p.contains("tenant.json")),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
    }
}
