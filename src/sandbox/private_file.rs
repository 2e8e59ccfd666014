//! The private, all-or-nothing file write the state file and the cloud file share.

use std::fs::{self, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Replaces `path` with `bytes` in one step, readable by the owner only (0600): the bytes go to
/// a fresh file beside it first, which is then renamed over it. Returns what the file system
/// says of the file written (the rename keeps it).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<Metadata> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let part = part_file(dir, path);
    let written = write_new(&part, bytes).and_then(|meta| fs::rename(&part, path).map(|()| meta));
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

fn write_new(part: &Path, bytes: &[u8]) -> io::Result<Metadata> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(part)?;
    // A file left by a process that died with the same id keeps its old mode: set it again.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    file.metadata()
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
