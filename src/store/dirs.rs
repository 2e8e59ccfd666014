//! Where profiles and journals live: the config and data directories.

use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use super::{JournalStore, MigrationStore, ProfileStore, StoreError};

/// The config and data directories, from the environment or the platform's conventions.
#[derive(Clone, Debug)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Dirs {
    pub fn from_env() -> Result<Dirs, StoreError> {
        let dir = |var: &str, platform: fn(&ProjectDirs) -> &Path| match std::env::var_os(var)
            .filter(|v| !v.is_empty())
        {
            Some(p) => Ok(PathBuf::from(p)),
            None => ProjectDirs::from("", "", "m365-mail-wizard")
                .ok_or(StoreError::NoHome)
                .map(|d| platform(&d).to_path_buf()),
        };
        Ok(Dirs {
            config: dir("M365MW_CONFIG_DIR", ProjectDirs::config_dir)?,
            data: dir("M365MW_DATA_DIR", ProjectDirs::data_dir)?,
        })
    }

    /// Sandbox profiles live apart from real ones.
    pub fn profiles(&self, sandbox: bool) -> ProfileStore {
        let sub = if sandbox {
            "sandbox-profiles"
        } else {
            "profiles"
        };
        ProfileStore {
            dir: self.config.join(sub),
        }
    }

    /// The sandbox tenant as the last `--sandbox` run left it.
    pub fn sandbox_state(&self) -> PathBuf {
        self.data.join("sandbox").join("tenant.json")
    }

    pub fn migrations(&self, sandbox: bool) -> MigrationStore {
        let sub = if sandbox {
            "sandbox-migrate"
        } else {
            "migrate"
        };
        MigrationStore {
            dir: self.data.join(sub),
        }
    }

    pub fn journals(&self, sandbox: bool) -> JournalStore {
        let sub = if sandbox { "sandbox-setup" } else { "setup" };
        JournalStore {
            dir: self.data.join(sub),
        }
    }
}
