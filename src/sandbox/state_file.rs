//! The state file: the tenant and the token signing key, loaded at start and saved after every
//! change; and the private, all-or-nothing file write it and the cloud file share.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use super::tenant::Tenant;
use super::{SandboxError, Shared, Signer256};

#[derive(Serialize, Deserialize)]
struct SavedState {
    signing_key_pem: String,
    tenant: Tenant,
}

/// The saved tenant and key, or a fresh seed and a new key when there is no state file yet.
pub async fn load_or_seed(state: Option<&Path>) -> Result<(Tenant, Signer256), SandboxError> {
    match state {
        Some(path) if path.exists() => load(path).map_err(|message| SandboxError::State {
            path: path.display().to_string(),
            message,
        }),
        _ => {
            let signer = tokio::task::spawn_blocking(Signer256::generate)
                .await
                .expect("key generation task");
            Ok((Tenant::seed(), signer))
        }
    }
}

fn load(path: &Path) -> Result<(Tenant, Signer256), String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let saved: SavedState = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((saved.tenant, Signer256::from_pem(&saved.signing_key_pem)?))
}

impl Shared {
    /// Writes the tenant to the state file, if there is one.
    pub(super) async fn persist(&self) {
        let Some(path) = &self.state_file else { return };
        // Snapshot and write under one lock, so the last write holds the latest state.
        let _writing = self.persisting.lock().await;
        let saved = SavedState {
            signing_key_pem: self.signer.private_pem().to_string(),
            tenant: self.tenant.lock().await.clone(),
        };
        let text = serde_json::to_vec_pretty(&saved).expect("state serialises");
        if let Err(e) = write_private(path, &text) {
            tracing::warn!(path = %path.display(), error = %e, "sandbox state not saved");
        }
    }
}

/// Replaces `path` with `bytes` in one step, readable by the owner only (0600): the bytes go to
/// a fresh file beside it first, which is then renamed over it.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let part = part_file(dir, path);
    let written = write_new(&part, bytes).and_then(|()| fs::rename(&part, path));
    if written.is_err() {
        let _ = fs::remove_file(&part);
    }
    written
}

/// A name no other write (in this process or another) is using.
fn part_file(dir: &Path, path: &Path) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}~sandbox-{}-{n}", std::process::id()))
}

fn write_new(part: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(part)?;
    // A file left by a process that died with the same id keeps its old mode: set it again.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_writes_replace_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("state.json");
        write_private(&path, b"first").unwrap();
        write_private(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no part file stays behind");
    }
}
