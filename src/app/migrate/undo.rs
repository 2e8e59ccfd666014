//! `migrate --undo`: every step done, put back in reverse order — the policies first, then the
//! tenant-wide roles (once the policies apply again), then the RBAC objects the migration made —
//! so that the app is scoped at every point.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Admin, MigrateError, Outcome, crash_point, exchange, save, sp_of};
use crate::app::Env;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::model::{Mailbox, ObjectId, Profile};
use crate::plan::migration::{HeldRole, Plan, Step};
use crate::store::MigrationJournal;

/// The journal key under which undo records when it made a policy again.
fn remade(key: &str) -> String {
    format!("undo:{key}")
}

/// Puts back every step done, last first; the profile's scope as it was, then the journal gone.
pub async fn undo(
    env: &Env,
    p: &Profile,
    mut j: MigrationJournal,
    admin: Admin<'_>,
    mut tell: impl FnMut(&str, &str),
) -> Result<Outcome, MigrateError> {
    let plan = j.plan.clone();
    if j.finished {
        fold_into_setup(env, p, &j, false);
        j.finished = false;
        save(env, p, &j)?;
    }
    for (n, step) in plan.steps.iter().enumerate().rev() {
        let key = step.key();
        if !j.done.contains(&key) {
            continue;
        }
        let title = plan.title(step);
        if let Step::EntraRole(r) = step {
            if let Some(wait) = policy_applying(&j, OffsetDateTime::now_utc()) {
                tell(&title, "waiting for the policy to apply again");
                return Ok(Outcome::Pending(wait));
            }
            grant(admin.graph, &plan, r)
                .await
                .map_err(|e| MigrateError::cloud(&format!("Putting back: {title}"), &e))?;
        } else {
            let made = j.made.contains(&key);
            exchange::undo(&admin.cmdlets, &plan, step, made)
                .await
                .map_err(|e| MigrateError::cloud(&format!("Putting back: {title}"), &e))?;
            if matches!(step, Step::Policy(_)) {
                j.made_at.insert(remade(&key), crate::app::now_rfc3339());
            }
        }
        j.done.retain(|k| *k != key);
        j.made.retain(|k| *k != key);
        save(env, p, &j)?;
        crash_point("migrate-undo", n);
        if step.changes() {
            tell(&title, "put back");
        }
    }
    if !j.profile_less {
        undo_profile(env, p, &j)?;
    }
    env.dirs
        .migrations(p.sandbox)
        .remove(&p.name)
        .map_err(|e| {
            MigrateError::stopped(
                "The migration journal could not be removed.".into(),
                e.to_string(),
                "The data directory is not writable.",
                "Remove the file named by hand; everything else is back as it was.",
            )
        })?;
    Ok(Outcome::Undone)
}

/// A policy undo made again that Exchange may not apply yet: granting the tenant-wide roles
/// before it does would let the app reach every mailbox (REFERENCE.md 4.2: up to an hour).
fn policy_applying(j: &MigrationJournal, now: OffsetDateTime) -> Option<String> {
    let at = j
        .made_at
        .iter()
        .filter(|(k, _)| k.starts_with("undo:policy:"))
        .filter_map(|(_, at)| OffsetDateTime::parse(at, &Rfc3339).ok())
        .max()?;
    let age = (now - at).whole_seconds();
    let left = crate::scope::EXCHANGE_WINDOW_SECS - age;
    (left > 0).then(|| {
        format!(
            "the application access policy was made again {} min ago; the tenant-wide roles come back once Exchange applies it (allow 2 hours): run `migrate --undo` again in {} min. Until then the app reaches the scope's mailboxes through RBAC for Applications",
            age / 60,
            (left + 59) / 60
        )
    })
}

/// After live checks that failed: the tenant-wide roles revoked so far granted again (the
/// policies were never removed, so they restrict them at once).
pub(super) async fn put_roles_back(
    env: &Env,
    p: &Profile,
    j: &mut MigrationJournal,
    admin: Admin<'_>,
) -> Result<(), MigrateError> {
    let plan = j.plan.clone();
    for step in plan.steps.iter().rev() {
        let Step::EntraRole(r) = step else { continue };
        let key = step.key();
        if !j.done.contains(&key) {
            continue;
        }
        grant(admin.graph, &plan, r)
            .await
            .map_err(|e| MigrateError::cloud(&plan.title(step), &e))?;
        j.done.retain(|k| *k != key);
        j.made.retain(|k| *k != key);
        save(env, p, j)?;
    }
    Ok(())
}

async fn grant(graph: GraphAdmin<'_>, plan: &Plan, r: &HeldRole) -> Result<(), CloudError> {
    let resource = ObjectId::parse(&r.resource_sp).map_err(|_| CloudError::Unexpected {
        status: 0,
        detail: format!("{} is no object ID", r.resource_sp),
    })?;
    graph.assign(resource, sp_of(plan)?, &r.role_id).await
}

fn undo_profile(env: &Env, p: &Profile, j: &MigrationJournal) -> Result<(), MigrateError> {
    let store = env.profiles();
    let mut current = store.load(&p.name).unwrap_or_else(|_| p.clone());
    current.scope = j.scope_before.clone();
    current.deny_mailbox = j
        .deny_before
        .as_deref()
        .and_then(|m| Mailbox::parse(m).ok());
    store.save(&current).map_err(|e| {
        MigrateError::stopped(
            "The profile could not be saved with its scope as it was.".into(),
            e.to_string(),
            "The config directory is not writable.",
            "Check its permissions, then run `migrate --undo` again.",
        )
    })
}

/// The setup journal's keys for what the migration made (`exchange:managementscope`,
/// `exchange:roleassignment:<role>`, `exchange:serviceprincipal`, `exchange:group`), added once
/// the migration finishes and taken out by undo: `remove --from-tenant` then removes what the
/// migration made, and `check` counts the scope's propagation from when it was made.
pub(super) fn fold_into_setup(env: &Env, p: &Profile, j: &MigrationJournal, add: bool) {
    let store = env.dirs.journals(p.sandbox);
    let Ok(Some(mut setup)) = store.load(&p.name) else {
        return;
    };
    for step in &j.plan.steps {
        let key = match step {
            Step::ExchangePrincipal => "exchange:serviceprincipal".to_string(),
            Step::Group { .. } => "exchange:group".to_string(),
            Step::Scope { .. } => "exchange:managementscope".to_string(),
            Step::Role { role } => format!("exchange:roleassignment:{}", role.to_ascii_lowercase()),
            _ => continue,
        };
        if !j.made.contains(&step.key()) {
            continue;
        }
        match (add, j.made_at.get(&step.key())) {
            (true, Some(at)) => {
                setup.made_at.insert(key, at.clone());
            }
            (true, None) => {}
            (false, _) => {
                setup.made_at.remove(&key);
            }
        }
    }
    if let Err(e) = store.save(&setup) {
        tracing::warn!(error = %e, "the setup journal could not be updated after the migration");
    }
}
