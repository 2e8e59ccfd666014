//! Profiles and drafts on disk: one TOML file each, written atomically with mode 0600.
//! Nothing here ever holds a secret.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{Profile, ProfileName};

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

/// The config and data directories, from the environment or the platform's conventions.
#[derive(Clone, Debug)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Dirs {
    pub fn from_env() -> Result<Dirs, StoreError> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let project = || directories::ProjectDirs::from("", "", "m365-mail-wizard");
        let config = match env("M365MW_CONFIG_DIR") {
            Some(p) => p,
            None => project()
                .ok_or(StoreError::NoHome)?
                .config_dir()
                .to_path_buf(),
        };
        let data = match env("M365MW_DATA_DIR") {
            Some(p) => p,
            None => project()
                .ok_or(StoreError::NoHome)?
                .data_dir()
                .to_path_buf(),
        };
        Ok(Dirs { config, data })
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

    pub fn journals(&self, sandbox: bool) -> JournalStore {
        let sub = if sandbox { "sandbox-setup" } else { "setup" };
        JournalStore {
            dir: self.data.join(sub),
        }
    }
}

pub struct ProfileStore {
    dir: PathBuf,
}

/// What a setup has made so far, recorded the moment each object exists, so that a setup
/// killed at any point resumes without duplicates. Ids only, never a secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub profile: String,
    pub tenant_id: String,
    pub app_name: String,
    pub app_object_id: Option<String>,
    pub app_id: Option<String>,
    pub sp_id: Option<String>,
    /// The secret this setup added; `secret_stored` once its value is in the keyring.
    pub secret_key_id: Option<String>,
    #[serde(default)]
    pub secret_stored: bool,
    /// The app was created by this setup (not adopted with --reuse-app).
    #[serde(default)]
    pub app_created: bool,
    /// `resource:permission` consents granted.
    #[serde(default)]
    pub consented: Vec<String>,
    /// Exchange Online steps done, by key (`scope::ExStep::key`).
    #[serde(default)]
    pub exchange_done: Vec<String>,
    #[serde(default)]
    pub group_dn: Option<String>,
    /// The management scope (custom app scope) id.
    #[serde(default)]
    pub scope_id: Option<String>,
    /// The out-of-scope mailbox the setup picked, when none was named.
    #[serde(default)]
    pub deny_mailbox: Option<String>,
    #[serde(default)]
    pub finished: bool,
}

/// Setup journals: `<data>/setup/NAME.json` (sandbox: `<data>/sandbox-setup/`).
pub struct JournalStore {
    dir: PathBuf,
}

impl JournalStore {
    pub fn path(&self, name: &ProfileName) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub fn load(&self, name: &ProfileName) -> Result<Option<Journal>, StoreError> {
        let path = self.path(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| StoreError::Corrupt {
                    path: path.display().to_string(),
                    line: e.line(),
                    message: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    pub fn save(&self, j: &Journal) -> Result<(), StoreError> {
        let name = ProfileName::parse(&j.profile).map_err(|e| StoreError::Corrupt {
            path: self.dir.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        let path = self.path(&name);
        let text = serde_json::to_vec_pretty(j).expect("a journal serialises");
        write_private(&path, &text).map_err(io(&path))
    }
}

pub use crate::model::Draft;

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

impl ProfileStore {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &ProfileName) -> PathBuf {
        self.dir.join(format!("{name}.toml"))
    }

    pub fn save(&self, p: &Profile) -> Result<(), StoreError> {
        let path = self.path(&p.name);
        let text = toml::to_string(p).expect("profile serialises");
        write_private(&path, text.as_bytes()).map_err(io(&path))
    }

    pub fn load(&self, name: &ProfileName) -> Result<Profile, StoreError> {
        let path = self.path(name);
        let text = match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(name.to_string()));
            }
            other => other.map_err(io(&path))?,
        };
        parse_toml(&path, &text)
    }

    pub fn exists(&self, name: &ProfileName) -> bool {
        self.path(name).exists()
    }

    /// Every profile, sorted by name; a file that cannot be read is reported in place.
    pub fn list(&self) -> Vec<Result<Profile, StoreError>> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let text = std::fs::read_to_string(&path).map_err(io(&path))?;
                parse_toml(&path, &text)
            })
            .collect()
    }

    pub fn remove(&self, name: &ProfileName) -> Result<(), StoreError> {
        let path = self.path(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound(name.to_string()))
            }
            other => other.map_err(io(&path)),
        }
    }

    fn draft_path(&self) -> PathBuf {
        self.dir.join(".draft.toml")
    }

    pub fn save_draft(&self, d: &Draft) -> Result<(), StoreError> {
        let path = self.draft_path();
        let text = toml::to_string(d).expect("draft serialises");
        write_private(&path, text.as_bytes()).map_err(io(&path))
    }

    pub fn load_draft(&self) -> Option<Draft> {
        let path = self.draft_path();
        let text = std::fs::read_to_string(&path).ok()?;
        parse_toml(&path, &text).ok()
    }

    pub fn clear_draft(&self) {
        let _ = std::fs::remove_file(self.draft_path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessChoice, ClientId, CloudKind, KeyringBackend, Mailbox, TenantId};

    fn profile(name: &str) -> Profile {
        Profile {
            name: ProfileName::parse(name).unwrap(),
            sandbox: false,
            cloud: CloudKind::Global,
            endpoints: None,
            tenant: "contoso.example".into(),
            tenant_id: TenantId::parse("3f4c2a10-5b6d-4e7f-8a9b-0c1d2e3f4a5b").unwrap(),
            client_id: ClientId::parse("a1f5c0de-0001-4000-8000-00000000c001").unwrap(),
            access: vec![AccessChoice::GraphRead],
            mailboxes: vec![Mailbox::parse("alice@contoso.example").unwrap()],
            deny_mailbox: None,
            send_test: false,
            keyring: KeyringBackend::Os,
            last_check: None,
            scope: None,
            secret_expires: None,
            credential: Default::default(),
        }
    }

    #[test]
    fn save_load_list_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore {
            dir: dir.path().join("p"),
        };
        let p = profile("helpdesk");
        store.save(&p).unwrap();
        assert_eq!(store.load(&p.name).unwrap(), p);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path(&p.name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.save(&profile("another")).unwrap();
        let names: Vec<String> = store
            .list()
            .into_iter()
            .map(|p| p.unwrap().name.to_string())
            .collect();
        assert_eq!(names, ["another", "helpdesk"]);
        store.remove(&p.name).unwrap();
        assert!(matches!(store.load(&p.name), Err(StoreError::NotFound(_))));
        assert!(matches!(
            store.remove(&p.name),
            Err(StoreError::NotFound(_))
        ));
        let leftovers: Vec<_> = std::fs::read_dir(store.dir()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }

    #[test]
    fn corrupt_file_names_file_and_line_and_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore {
            dir: dir.path().to_path_buf(),
        };
        let name = ProfileName::parse("broken").unwrap();
        let text = "name = \"broken\"\ncloud = \"global\"\ntenant = 12\n";
        std::fs::write(store.path(&name), text).unwrap();
        let err = store.load(&name).unwrap_err();
        match &err {
            StoreError::Corrupt { path, line, .. } => {
                assert!(path.ends_with("broken.toml"));
                assert_eq!(*line, 3);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("left as it is"));
        assert_eq!(std::fs::read_to_string(store.path(&name)).unwrap(), text);
        assert!(store.list()[0].is_err());
    }

    #[test]
    fn drafts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore {
            dir: dir.path().to_path_buf(),
        };
        assert!(store.load_draft().is_none());
        let d = Draft {
            tenant: "contoso.example".into(),
            client_id: "not-a-guid-yet".into(),
            ..Draft::default()
        };
        store.save_draft(&d).unwrap();
        assert_eq!(store.load_draft().unwrap(), d);
        assert!(store.list().is_empty(), "a draft is not a profile");
        store.clear_draft();
        assert!(store.load_draft().is_none());
    }
}
