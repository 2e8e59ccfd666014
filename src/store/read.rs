//! Reading the wizard's own small files with limits: a regular file under a size cap, never
//! a FIFO that would block, a device that never ends, or a file that fills memory.

use std::io::{Error, ErrorKind, Read};
use std::path::Path;

/// The largest profile, journal or draft read: far above any the wizard writes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The text of the regular file at `path` (links followed), if it is at most
/// [`MAX_FILE_BYTES`]; `NotFound` when there is none.
pub fn read_small(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a directory, FIFO or device): move it away",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "{} bytes, more than the {} MiB limit: this is not a file the wizard wrote; move it away",
                meta.len(),
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "grew past the 1 MiB limit while being read: move it away",
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("p.toml");
        std::fs::write(&small, "name = \"p\"").unwrap();
        assert_eq!(read_small(&small).unwrap(), "name = \"p\"");
        assert_eq!(
            read_small(&dir.path().join("none")).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(read_small(&big).unwrap_err().to_string().contains("limit"));
        assert!(
            read_small(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert!(read_small(dir.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(
            read_small(&fifo)
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
    }
}
