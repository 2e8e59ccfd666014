//! The draft: what was typed in the wizard before it was left, one hidden file beside the
//! profiles.

use std::path::PathBuf;

use super::{Draft, ProfileStore, StoreError, parse_toml, save_private};

impl ProfileStore {
    fn draft_path(&self) -> PathBuf {
        self.dir.join(".draft.toml")
    }

    pub fn save_draft(&self, d: &Draft) -> Result<(), StoreError> {
        let text = toml::to_string(d).expect("draft serialises");
        save_private(&self.draft_path(), text.as_bytes())
    }

    pub fn load_draft(&self) -> Option<Draft> {
        let path = self.draft_path();
        let text = super::read_small(&path).ok()?;
        parse_toml(&path, &text).ok()
    }

    pub fn clear_draft(&self) {
        let _ = std::fs::remove_file(self.draft_path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_draft_of_the_earlier_format_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore {
            dir: dir.path().to_path_buf(),
        };
        std::fs::write(
            dir.path().join(".draft.toml"),
            "cloud = \"global\"\ntenant = \"contoso.com\"\nclient_id = \"\"\naccess = [\"graph-read\"]\nmailboxes = \"a@contoso.com\"\ndeny_mailbox = \"\"\nname = \"desk\"\n",
        )
        .unwrap();
        let d = store.load_draft().expect("loads");
        assert_eq!(
            (d.tenant.as_str(), d.name.as_str()),
            ("contoso.com", "desk")
        );
        assert_eq!((d.journey.as_str(), d.at.as_str()), ("", ""));
    }
}
