//! Atomic writes of files only their owner may read.

use std::io::Write;
use std::path::Path;

/// What is at `path` already, if anything, in words ("a regular file", "a directory", …).
pub fn existing(path: &Path) -> std::io::Result<Option<&'static str>> {
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(m) => m,
    };
    let kind = meta.file_type();
    Ok(Some(if kind.is_file() {
        "a regular file"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a device, FIFO or socket, not a regular file"
    }))
}

/// Why an export may not be written to `path`: only a new file, or with `force` a regular file
/// (replaced whole), is ever written — never a device, a FIFO, a directory or a link.
pub fn output_problem(path: &Path, force: bool) -> Option<String> {
    let what = match existing(path) {
        Ok(None) => return None,
        Err(e) => return Some(format!("{}: {e}", path.display())),
        Ok(Some("a regular file")) if force => return None,
        Ok(Some("a regular file")) => {
            return Some(format!(
                "{} exists: choose another --output, or add --force to replace it",
                path.display()
            ));
        }
        Ok(Some(what)) => what,
    };
    Some(format!(
        "{} is {what}: --output writes regular files only (--force replaces a regular file, nothing else); name a new file",
        path.display()
    ))
}

/// Writes `bytes` to `path` through a temporary file and a rename, readable only by the owner.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = match opts.open(&tmp) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // Left behind by a process that died mid-write with the same id.
                std::fs::remove_file(&tmp)?;
                opts.open(&tmp)?
            }
            other => other?,
        };
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_new_or_with_force_a_regular_file_is_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        assert_eq!(output_problem(&file, false), None);
        std::fs::write(&file, "x").unwrap();
        assert!(
            output_problem(&file, false)
                .unwrap()
                .contains("add --force")
        );
        assert_eq!(output_problem(&file, true), None);
        assert!(
            output_problem(dir.path(), true)
                .unwrap()
                .contains("a directory")
        );
        assert!(
            output_problem(Path::new("/dev/null"), true)
                .unwrap()
                .contains("not a regular file")
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("l");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert!(
                output_problem(&link, true)
                    .unwrap()
                    .contains("symbolic link")
            );
        }
    }
}
