//! Profiles, setup journals and drafts on disk: one file each, written atomically with mode
//! 0600. Nothing here ever holds a secret.

mod dirs;
mod drafts;
mod journal;
mod migration;
mod profiles;
mod read;
mod write;

use std::path::Path;

pub use dirs::Dirs;
pub use journal::{Journal, JournalCertificate, JournalStore};
pub use migration::{MigrationJournal, MigrationStore};
pub use profiles::ProfileStore;
pub use read::read_small;
pub use write::{existing, output_problem, write_private};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message} (the file was left as it is: fix or remove it)")]
    Corrupt {
        path: String,
        line: usize,
        message: String,
    },
    #[error("no profile named \"{0}\": `m365-mail-wizard profiles` lists them")]
    NotFound(String),
    #[error("no home directory found: set M365MW_CONFIG_DIR and M365MW_DATA_DIR")]
    NoHome,
}

use crate::model::Draft;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, StoreError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                text.get(..s.start.min(text.len()))
                    .unwrap_or(text)
                    .lines()
                    .count()
                    .max(1)
            })
            .unwrap_or(1);
        StoreError::Corrupt {
            path: path.display().to_string(),
            line,
            message: e.message().trim().to_string(),
        }
    })
}

/// Writes a store file, naming the file when that fails.
fn save_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_private(path, bytes).map_err(io(path))
}
