//! Profiles on disk: one TOML file per profile.

use std::path::{Path, PathBuf};

use super::{StoreError, io, parse_toml, save_private};
use crate::model::{Profile, ProfileName};

pub struct ProfileStore {
    pub(super) dir: PathBuf,
}

impl ProfileStore {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &ProfileName) -> PathBuf {
        self.dir.join(format!("{name}.toml"))
    }

    pub fn save(&self, p: &Profile) -> Result<(), StoreError> {
        let text = toml::to_string(p).expect("profile serialises");
        save_private(&self.path(&p.name), text.as_bytes())
    }

    pub fn load(&self, name: &ProfileName) -> Result<Profile, StoreError> {
        let path = self.path(name);
        let text = match super::read_small(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(name.to_string()));
            }
            other => other.map_err(io(&path))?,
        };
        parse_profile(&path, &text)
    }

    pub fn exists(&self, name: &ProfileName) -> bool {
        self.path(name).exists()
    }

    /// Every profile, sorted by name; a file that cannot be read is reported in place.
    pub fn list(&self) -> Vec<Result<Profile, StoreError>> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            // A file where the folder should be, or a folder that cannot be read: said, not
            // taken for "no profiles yet".
            Err(e) => return vec![Err(io(&self.dir)(e))],
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
                let text = super::read_small(&path).map_err(io(&path))?;
                parse_profile(&path, &text)
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
}

/// A profile file, which must name the profile its file name says: a copy renamed by hand
/// would otherwise be a second profile of the same name.
fn parse_profile(path: &Path, text: &str) -> Result<Profile, StoreError> {
    let p: Profile = parse_toml(path, text)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    if stem.as_deref() != Some(p.name.as_str()) {
        return Err(StoreError::Corrupt {
            path: path.display().to_string(),
            line: 1,
            message: format!(
                "it holds profile \"{}\", but its file name says \"{}\": rename the file to {}.toml or change its name line",
                p.name,
                stem.unwrap_or_default(),
                p.name
            ),
        });
    }
    Ok(p)
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
            credential_renewed: None,
            credential: Default::default(),
            rotation: None,
            delegated: None,
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
    fn a_certificate_keeps_both_thumbprints_and_older_files_still_load() {
        use crate::model::{Credential, Thumbprints};
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore {
            dir: dir.path().join("p"),
        };
        let mut p = profile("cert");
        p.credential = Credential::Certificate {
            thumbprint: Thumbprints {
                sha256: "q1w2e3".into(),
                sha1: Some("A9993E364706816ABA3E25717850C26C9CD0D89D".into()),
            },
        };
        store.save(&p).unwrap();
        let text = std::fs::read_to_string(store.path(&p.name)).unwrap();
        assert!(
            text.contains("kind = \"certificate\"")
                && text.contains("thumbprint = \"q1w2e3\"")
                && text.contains("sha1_thumbprint = \"A9993E364706816ABA3E25717850C26C9CD0D89D\""),
            "{text}"
        );
        assert_eq!(store.load(&p.name).unwrap(), p);
        // A profile written before the SHA-1 thumbprint was kept.
        let older = text.replace(
            "sha1_thumbprint = \"A9993E364706816ABA3E25717850C26C9CD0D89D\"\n",
            "",
        );
        assert_ne!(older, text);
        std::fs::write(store.path(&p.name), older).unwrap();
        let Credential::Certificate { thumbprint } = store.load(&p.name).unwrap().credential else {
            panic!("still a certificate");
        };
        assert_eq!((&*thumbprint, thumbprint.sha1.as_deref()), ("q1w2e3", None));
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
}
