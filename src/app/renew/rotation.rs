//! The two phases of a renewal: which credentials the new one replaces (kept on the app, and
//! recorded in the profile), and `--finish`, which removes them — after the tenant's sign-in
//! logs tell when each last signed in, refusing one used within a day unless forced.

use time::OffsetDateTime;

use super::{RenewError, failed, refused, registered_app};
use crate::app::Env;
use crate::cloud::CloudError;
use crate::cloud::admin::{Application, GraphAdmin};
use crate::cloud::identity::AccessToken;
use crate::model::{CredentialKind, KeyRef, LastUse, Profile, Rotation};

/// The secrets on `app` whose hint (their first characters) is that of `value`: the one the
/// keyring held. A note when none, or several, match.
pub(super) fn secrets_like(app: &Application, value: &str) -> (Vec<KeyRef>, Option<String>) {
    let hint: String = value.chars().take(3).collect();
    let found: Vec<KeyRef> = app
        .password_credentials
        .iter()
        .filter(|c| c.hint.as_deref() == Some(hint.as_str()))
        .map(|c| KeyRef {
            key_id: c.key_id.clone(),
            kind: CredentialKind::Secret,
        })
        .collect();
    match found.len() {
        0 => (Vec::new(), Some("the old secret was not found on the app (already gone, or made elsewhere): nothing awaits removal".into())),
        1 => (found, None),
        _ => (Vec::new(), Some("several secrets on the app start like the old one: none is marked for removal; delete the old one under Certificates & secrets once nothing uses it".into())),
    }
}

/// What the first phase leaves for the second: the old credentials still valid on the app, or
/// why none is.
#[derive(Debug, Default)]
pub struct Awaiting {
    pub old: Vec<KeyRef>,
    pub note: Option<String>,
}

impl Awaiting {
    /// What the profile's renewal (just started) records as awaiting removal.
    pub(super) fn of(p: &Profile, note: Option<String>) -> Awaiting {
        let old = p
            .rotation
            .as_ref()
            .map(|r| r.old.clone())
            .unwrap_or_default();
        Awaiting {
            note: note.filter(|_| old.is_empty()),
            old,
        }
    }
}

/// Records in the profile that `new` replaces `old` (and whatever an unfinished renewal left
/// waiting that is still on the app).
pub(super) fn start(p: &mut Profile, app: &Application, new: KeyRef, mut old: Vec<KeyRef>) {
    let on_app = |k: &KeyRef| {
        app.password_credentials
            .iter()
            .map(|c| &c.key_id)
            .chain(app.key_credentials.iter().map(|c| &c.key_id))
            .any(|id| id.eq_ignore_ascii_case(&k.key_id))
    };
    if let Some(before) = p.rotation.take().filter(|r| r.finished.is_none()) {
        for k in before.old.into_iter().chain([before.new]) {
            if on_app(&k) && !old.contains(&k) {
                old.push(k);
            }
        }
    }
    old.retain(|k| !k.key_id.eq_ignore_ascii_case(&new.key_id));
    p.rotation = Some(Rotation {
        new,
        old,
        started: crate::app::now_rfc3339(),
        finished: None,
    });
}

/// What `--finish` did.
#[derive(Debug)]
pub struct Finished {
    /// Removed, with when each was last used.
    pub removed: Vec<(KeyRef, LastUse)>,
    /// Already gone from the app (removed in the portal).
    pub gone: Vec<KeyRef>,
    /// Could not be removed: why.
    pub failed: Vec<(KeyRef, String)>,
}

fn on_app(app: &Application, k: &KeyRef) -> bool {
    match k.kind {
        CredentialKind::Secret => app
            .password_credentials
            .iter()
            .any(|c| c.key_id.eq_ignore_ascii_case(&k.key_id)),
        CredentialKind::Certificate => app
            .key_credentials
            .iter()
            .any(|c| c.key_id.eq_ignore_ascii_case(&k.key_id)),
    }
}

/// Why the sign-in logs could not be read, in a few words.
fn unreadable(e: &CloudError) -> String {
    match e {
        CloudError::Graph(g) if g.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant" => {
            "the sign-in logs cannot be read: Microsoft requires a Microsoft Entra ID P1 or P2 licence to read them through Graph".into()
        }
        CloudError::Graph(g) if g.status == 403 => format!(
            "the sign-in logs cannot be read (HTTP 403 {}): that needs AuditLog.Read.All and a role such as Reports Reader, Security Reader or Global Reader, and a Microsoft Entra ID P1 or P2 licence",
            g.code
        ),
        other => format!("the sign-in logs cannot be read: {other}"),
    }
}

/// The second phase: removes the credentials the last renewal replaced.
pub async fn finish(
    env: &Env,
    p: &mut Profile,
    admin_token: &AccessToken,
    force: bool,
) -> Result<Finished, RenewError> {
    let name = p.name.clone();
    let rotation = match p.rotation.clone() {
        None => {
            return Err(refused(
                format!(
                    "Nothing to finish: profile {name} has no renewal waiting; nothing was removed."
                ),
                "the profile records no newer secret or certificate added by this wizard",
                "`renew --finish` removes the old credential only after `renew` (or `cert`) added a newer one and stored it.",
                &format!("Run `m365-mail-wizard renew {name}` first."),
            ));
        }
        Some(r) if r.finished.is_some() => {
            let removed: Vec<String> = r.old.iter().map(|k| k.named("old")).collect();
            return Err(refused(
                format!(
                    "The renewal of {name} was already finished at {}; nothing was removed now.",
                    r.finished.as_deref().unwrap_or_default()
                ),
                format!("removed then: {}", removed.join(", ")),
                "`renew --finish` was run before for this renewal.",
                &format!("Nothing to do. The next renewal: `m365-mail-wizard renew {name}`."),
            ));
        }
        Some(r) if r.old.is_empty() => {
            return Err(refused(
                format!(
                    "Nothing to finish: the renewal of {name} replaced no credential the wizard could name; nothing was removed."
                ),
                format!("{} is in use; no old one was recorded", r.new.named("new")),
                "The old credential was not found on the app when the new one was added (made elsewhere, or several looked alike).",
                "Delete the old one under the app's Certificates & secrets once nothing uses it.",
            ));
        }
        Some(r) => r,
    };
    let e = env.endpoints(p);
    let graph = GraphAdmin::new(&env.http, &e, admin_token);
    let app = registered_app(&graph, p, |err| failed(err, p, &e)).await?;
    if !on_app(&app, &rotation.new) {
        return Err(refused(
            format!(
                "{} is not on the app any more; nothing was removed.",
                capital(&rotation.new.named("new"))
            ),
            format!("GET /applications?$filter=appId eq '{}'", p.client_id),
            "It was deleted in the portal; removing the old one now could leave the app with no credential that works.",
            &format!(
                "Run `m365-mail-wizard renew {name}` again for a new one, then finish that renewal."
            ),
        ));
    }
    let (present, gone): (Vec<KeyRef>, Vec<KeyRef>) =
        rotation.old.iter().cloned().partition(|k| on_app(&app, k));
    let now = OffsetDateTime::now_utc();
    let uses: Vec<(KeyRef, LastUse)> = if present.is_empty() {
        Vec::new()
    } else {
        let logs = graph.last_sign_ins(p.client_id).await;
        present
            .into_iter()
            .map(|k| {
                let used = match &logs {
                    Ok(map) => map
                        .get(&k.key_id.to_ascii_lowercase())
                        .map_or(LastUse::NotSeen, |t| LastUse::At(*t)),
                    Err(err) => LastUse::Unknown(unreadable(err)),
                };
                (k, used)
            })
            .collect()
    };
    let recent: Vec<String> = uses
        .iter()
        .filter(|(_, u)| u.recent(now))
        .map(|(k, u)| format!("{}: {}", k.named("old"), u.describe(now)))
        .collect();
    let unknown: Vec<String> = uses
        .iter()
        .filter_map(|(_, u)| match u {
            LastUse::Unknown(why) => Some(why.clone()),
            _ => None,
        })
        .collect();
    if recent.is_empty() && !unknown.is_empty() && !force {
        return Err(refused(
            format!(
                "When the old credential was last used cannot be known; nothing was removed. ({})",
                unknown[0]
            ),
            "GET /beta/auditLogs/signIns (service-principal sign-ins of the app)",
            "Without the sign-in logs the wizard cannot tell whether the consuming application still uses the old credential.",
            &format!(
                "Confirm the consuming application works with the new one, then run `m365-mail-wizard renew {name} --finish --force`."
            ),
        ));
    }
    if !recent.is_empty() && !force {
        return Err(refused(
            format!(
                "Something still signs in with the old credential; nothing was removed. ({})",
                recent.join("; ")
            ),
            "the tenant's sign-in logs (service-principal sign-ins, servicePrincipalCredentialKeyId)",
            "The consuming application (or another) has not switched to the new one yet: removing the old one now would stop it.",
            &format!(
                "Give the new Value to the consuming application, confirm it works, and run `m365-mail-wizard renew {name} --finish` once the old one is no longer used; or add --force to remove it anyway."
            ),
        ));
    }
    let mut done = Finished {
        removed: Vec::new(),
        gone,
        failed: Vec::new(),
    };
    for (k, used) in uses {
        let removal = match k.kind {
            CredentialKind::Secret => graph.remove_password(app.id, &k.key_id).await,
            CredentialKind::Certificate => {
                let fresh = registered_app(&graph, p, |err| failed(err, p, &e)).await?;
                graph.remove_certificate_keys(&fresh, &[&k.key_id]).await
            }
        };
        match removal {
            Ok(()) => done.removed.push((k, used)),
            Err(err) => {
                let why = crate::app::setup::graph_diagnosis(&err, &p.tenant, &e.portal).summary;
                done.failed.push((k, why));
            }
        }
    }
    let mut left = rotation.clone();
    left.old = done.failed.iter().map(|(k, _)| k.clone()).collect();
    if left.old.is_empty() {
        left.old = rotation.old.clone();
        left.finished = Some(crate::app::now_rfc3339());
    }
    p.rotation = Some(left);
    env.profiles().save(p).map_err(|err| {
        refused(
            "The old credential was removed, but the profile could not be saved.",
            err.to_string(),
            "The config directory is not writable.",
            "The new credential is in the keyring and works; fix the directory.",
        )
    })?;
    Ok(done)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
