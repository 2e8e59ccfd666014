//! `migrate APP --to rbac`: an app scoped by an application access policy, or holding
//! tenant-wide Entra mail roles, moved to RBAC for Applications. The plan (`plan::migration`)
//! orders the steps so the app is scoped at every point; each step is journaled the moment it is
//! done (`store::MigrationJournal`), so a migration stopped anywhere resumes (`--resume`) or is
//! undone in reverse order (`--undo`). docs/migration.md.

mod exchange;
mod proof;
mod read;
mod undo;
pub mod unsaved;

use crate::app::Env;
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::AdminSession;
use crate::cloud::CloudError;
use crate::cloud::admin::GraphAdmin;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::{AccessChoice, Diagnosis, Endpoints, ObjectId, Profile};
use crate::plan::migration::{self, Choice, HeldRole, Plan, Step};
use crate::store::MigrationJournal;

pub use undo::undo;

/// Why the migration stopped.
#[derive(Debug)]
pub struct MigrateError {
    pub diagnosis: Diagnosis,
    pub unavailable: bool,
    /// Refused before anything was changed: a usage error.
    pub refused: bool,
}

impl MigrateError {
    fn cloud(what: &str, e: &CloudError) -> MigrateError {
        MigrateError {
            diagnosis: Diagnosis {
                summary: format!("{what}: not done."),
                evidence: e.to_string(),
                cause: if e.is_unavailable() {
                    "Microsoft's service did not answer.".into()
                } else {
                    "Microsoft refused the call.".into()
                },
                fix: "Run `migrate --resume` (or `--undo`): what is done is found done and the migration goes on from there.".into(),
            },
            unavailable: e.is_unavailable(),
            refused: false,
        }
    }

    fn stopped(summary: String, evidence: String, cause: &str, fix: &str) -> MigrateError {
        MigrateError {
            diagnosis: Diagnosis {
                summary,
                evidence,
                cause: cause.into(),
                fix: fix.into(),
            },
            unavailable: false,
            refused: false,
        }
    }
}

fn refused(summary: String, cause: &str, fix: String) -> MigrateError {
    let mut e = MigrateError::stopped(summary, String::new(), cause, &fix);
    e.refused = true;
    e
}

/// How a run or an undo ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    /// Waiting for Exchange to apply a change: run the same command again later.
    Pending(String),
    Undone,
}

/// The administrator's sign-ins a migration works with.
#[derive(Clone, Copy)]
pub struct Admin<'a> {
    pub graph: GraphAdmin<'a>,
    pub cmdlets: Cmdlets<'a>,
}

impl<'a> Admin<'a> {
    /// The clients of the administrator's two sign-ins, for the profile's tenant.
    pub fn new(
        env: &'a Env,
        endpoints: &'a Endpoints,
        p: &Profile,
        session: &'a AdminSession,
        ex: &'a ExchangeAdmin,
    ) -> Admin<'a> {
        Admin {
            graph: GraphAdmin::new(&env.http, endpoints, &session.token),
            cmdlets: Cmdlets::new(&env.http, endpoints, p.tenant_id, &ex.token, &ex.upn),
        }
    }
}

/// The migration journal of the profile, if a migration was started.
pub fn journal(env: &Env, p: &Profile) -> Result<Option<MigrationJournal>, MigrateError> {
    env.dirs.migrations(p.sandbox).load(&p.name).map_err(|e| {
        refused(
            e.to_string(),
            "The migration journal could not be read.",
            "Fix or remove the file named.".into(),
        )
    })
}

/// Reads the app in the tenant and makes the plan; nothing is changed.
pub async fn prepare(
    p: &Profile,
    admin: Admin<'_>,
    mailboxes: Option<Vec<String>>,
    deny_mailbox: Option<String>,
) -> Result<MigrationJournal, MigrateError> {
    let found = read::found(admin.graph, &admin.cmdlets, p.client_id).await?;
    let choice = Choice {
        profile: p.name.to_string(),
        own_group: mailboxes.is_some(),
        mailboxes: mailboxes.unwrap_or_else(|| p.mailboxes.iter().map(|m| m.to_string()).collect()),
        deny_mailbox: deny_mailbox
            .or_else(|| p.deny_mailbox.as_ref().map(|m| m.to_string()))
            .unwrap_or_default(),
    };
    let plan = migration::plan(&found, &choice).map_err(|r| {
        refused(
            format!("Profile {} cannot be migrated: {}.", p.name, r.0),
            "Nothing was changed.",
            "Change what the message names and run the command again.".into(),
        )
    })?;
    Ok(MigrationJournal {
        profile: p.name.to_string(),
        tenant_id: p.tenant_id.to_string(),
        plan,
        scope_before: p.scope.clone(),
        deny_before: p.deny_mailbox.as_ref().map(|m| m.to_string()),
        ..MigrationJournal::default()
    })
}

pub(super) fn save(env: &Env, p: &Profile, j: &MigrationJournal) -> Result<(), MigrateError> {
    env.dirs
        .migrations(p.sandbox)
        .save(&p.name, j)
        .map_err(|e| {
            MigrateError::stopped(
                "The migration journal could not be written.".into(),
                e.to_string(),
                "The data directory is not writable.",
                "Check the data directory's permissions (M365MW_DATA_DIR), then run `migrate --resume`.",
            )
        })
}

/// Carries out the plan from the first step not done, telling each as it settles.
pub async fn run(
    env: &Env,
    p: &Profile,
    mut j: MigrationJournal,
    admin: Admin<'_>,
    mut tell: impl FnMut(&str, &str),
) -> Result<Outcome, MigrateError> {
    let plan = j.plan.clone();
    save(env, p, &j)?;
    for (n, step) in plan.steps.iter().enumerate() {
        let key = step.key();
        let title = plan.title(step);
        if j.done.contains(&key) {
            tell(&title, "done in an earlier run");
            continue;
        }
        let made = match step {
            Step::EntraRole(r) => revoke(admin.graph, &plan, r)
                .await
                .map_err(|e| MigrateError::cloud(&title, &e))?,
            Step::ServiceTest => {
                let wrong = proof::service_test(&admin.cmdlets, &plan)
                    .await
                    .map_err(|e| MigrateError::cloud(&title, &e))?;
                if !wrong.is_empty() {
                    return Err(MigrateError::stopped(
                        "Exchange's own test disagrees with the intended scope: no tenant-wide role was removed.".into(),
                        wrong.join("; "),
                        "The group holds other mailboxes than the ones named, or another role assignment of the app reaches the outside mailbox.",
                        "Run `migrate --undo` to take away what the migration made, fix the group or the other assignment, and migrate again.",
                    ));
                }
                false
            }
            Step::LiveProof => match proof::live(env, p, &j).await {
                proof::Proof::Passed => false,
                proof::Proof::Pending(why) => {
                    tell(&title, "waiting for Exchange to apply the scope");
                    return Ok(Outcome::Pending(why));
                }
                proof::Proof::Failed(why) => {
                    let put_back = undo::put_roles_back(env, p, &mut j, admin).await;
                    let back = match put_back {
                        Ok(()) => {
                            "the tenant-wide roles were put back; the policy was never removed"
                        }
                        Err(_) => {
                            "putting the tenant-wide roles back failed too: run `migrate --undo`"
                        }
                    };
                    return Err(MigrateError::stopped(
                        format!("The live checks did not prove the new scope: {back}."),
                        why.join("; "),
                        "With the tenant-wide roles removed the RBAC scope alone decides, and it did not give the intended access, or let the outside mailbox through.",
                        "Read the checks' evidence; `migrate --undo` takes away the RBAC objects the migration made.",
                    ));
                }
            },
            _ => exchange::forward(&admin.cmdlets, &plan, step)
                .await
                .map_err(|e| MigrateError::cloud(&title, &e))?,
        };
        j.done.push(key.clone());
        if made {
            j.made.push(key.clone());
        }
        if step.changes() {
            j.made_at.insert(key.clone(), crate::app::now_rfc3339());
        }
        save(env, p, &j)?;
        crash_point("migrate", n);
        let how = match (step.changes(), made) {
            (false, _) => "proved",
            (true, true) => "done",
            (true, false) => "found done already",
        };
        tell(&title, how);
    }
    if !j.profile_less {
        let migrated = proof::migrated(p, &plan);
        env.profiles().save(&migrated).map_err(|e| {
            MigrateError::stopped(
                "The profile could not be saved with its new scope.".into(),
                e.to_string(),
                "The config directory is not writable.",
                "Check its permissions, then run `migrate --resume`.",
            )
        })?;
        undo::fold_into_setup(env, p, &j, true);
    }
    j.finished = true;
    save(env, p, &j)?;
    Ok(Outcome::Finished)
}

/// What the live checks of an app with no profile try, from the roles it moves: Graph reads,
/// EWS; none when they cannot prove the scope (a role that only sends).
pub fn checks_for(plan: &Plan) -> Vec<AccessChoice> {
    let mut out = Vec::new();
    for step in &plan.steps {
        let Step::EntraRole(r) = step else { continue };
        let choice = match r.name.as_str() {
            "Mail.Read" | "Mail.ReadBasic" | "Mail.ReadWrite" => AccessChoice::GraphRead,
            "full_access_as_app" => AccessChoice::Ews,
            _ => continue,
        };
        if !out.contains(&choice) {
            out.push(choice);
        }
    }
    out
}

/// Revokes one tenant-wide role; whether it was there to revoke.
async fn revoke(graph: GraphAdmin<'_>, plan: &Plan, r: &HeldRole) -> Result<bool, CloudError> {
    let sp = sp_of(plan)?;
    let held = graph.assignments(sp).await?;
    let Some(a) = held
        .iter()
        .find(|a| a.resource_id.to_string() == r.resource_sp && a.app_role_id == r.role_id)
    else {
        return Ok(false);
    };
    graph.remove_assignment(sp, &a.id).await?;
    Ok(true)
}

fn sp_of(plan: &Plan) -> Result<ObjectId, CloudError> {
    ObjectId::parse(&plan.sp_id).map_err(|_| CloudError::Unexpected {
        status: 0,
        detail: format!("{} is no object ID", plan.sp_id),
    })
}

/// A test's crash right after step `n`'s journal write (`M365MW_CRASH_AFTER=migrate:N`), or
/// after step `n` was undone (`migrate-undo:N`); steps count from 0 in the plan's order.
fn crash_point(what: &str, n: usize) {
    if std::env::var("M365MW_CRASH_AFTER").is_ok_and(|v| v == format!("{what}:{n}")) {
        std::process::exit(137);
    }
}
