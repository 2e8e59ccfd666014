//! The offboarding record: what `remove --from-tenant` removed, what it left and why, and
//! when; a JSON file in the data directory (mode 0600), never a secret.

use serde::Serialize;

use super::{Done, Left, Removal};
use crate::app::Env;
use crate::model::Profile;
use crate::store::Journal;

#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub profile: String,
    pub tenant_id: String,
    pub client_id: String,
    pub app_name: String,
    pub started: String,
    pub finished: String,
    pub removed: Vec<Gone>,
    pub left: Vec<Left>,
    /// `Ok`: the client's token request refused, with Entra ID's answer.
    #[serde(serialize_with = "token_outcome")]
    pub token: Option<Result<String, String>>,
    /// The profile, its journal and keyring entry.
    pub local: String,
    pub app_restore: Option<String>,
    #[serde(skip)]
    pub path: Option<String>,
    /// The app's service principal, named in how to restore it.
    #[serde(skip)]
    sp_id: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gone {
    pub what: String,
    /// `removed`, or `already gone` (an earlier run or by hand).
    pub how: String,
    pub powershell: String,
}

fn token_outcome<S: serde::Serializer>(
    t: &Option<Result<String, String>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let v = match t {
        Some(Ok(e)) => serde_json::json!({"refused": true, "answer": e}),
        Some(Err(e)) => serde_json::json!({"refused": false, "answer": e}),
        None => serde_json::Value::Null,
    };
    v.serialize(s)
}

impl Record {
    pub fn new(p: &Profile, j: &Journal, started: String) -> Record {
        Record {
            profile: p.name.to_string(),
            tenant_id: p.tenant_id.to_string(),
            client_id: p.client_id.to_string(),
            app_name: j.app_name.clone(),
            started,
            finished: String::new(),
            removed: Vec::new(),
            left: Vec::new(),
            token: None,
            local: String::new(),
            app_restore: None,
            path: None,
            sp_id: j.sp_id.clone(),
        }
    }

    pub(super) fn note(&mut self, r: &Removal, done: &Done) {
        match done {
            Done::Kept(why) => self.left.push(Left {
                what: r.title.clone(),
                why: why.clone(),
            }),
            Done::Removed | Done::AlreadyGone => {
                if let super::RemovalKind::Application { object_id } = &r.kind {
                    self.app_restore = Some(restore_note(object_id, self.sp_id.as_deref()));
                }
                self.removed.push(Gone {
                    what: r.title.clone(),
                    how: if *done == Done::Removed {
                        "removed".into()
                    } else {
                        "already gone".into()
                    },
                    powershell: r.powershell.clone(),
                })
            }
        }
    }

    pub(super) fn finish(&mut self) {
        self.finished = crate::app::now_rfc3339();
    }
}

/// Where the deleted app is restored from, and how (docs/offboarding.md, "Restoring").
fn restore_note(object_id: &str, sp: Option<&str>) -> String {
    let principal = match sp {
        Some(sp) => format!(
            "; its service principal {sp} is not restored with it: restore it the same way (Restore-MgDirectoryDeletedItem -DirectoryObjectId {sp})"
        ),
        None => String::new(),
    };
    format!(
        "soft-deleted: for 30 days an administrator can restore it from Microsoft Entra ID's deleted applications (GET /directory/deletedItems/microsoft.graph.application; POST /directory/deletedItems/{object_id}/restore, or Restore-MgDirectoryDeletedItem -DirectoryObjectId {object_id}){principal}; the admin consents and Exchange objects removed with it must be given again; after 30 days Microsoft deletes it for good"
    )
}

/// `<data>/offboarding/PROFILE-<time>.json`; its path.
pub(super) fn write(env: &Env, r: &Record) -> Result<String, String> {
    let stamp: String = r
        .finished
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let path = env
        .dirs
        .data
        .join("offboarding")
        .join(format!("{}-{stamp}.json", r.profile));
    let text = serde_json::to_vec_pretty(r).expect("a record serialises");
    crate::store::write_private(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}
