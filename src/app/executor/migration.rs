//! The dashboard's `m` and `U`: a profile's migration to RBAC for Applications, and its undo.
//! Each reads what it would do after the sign-in (`go` false), and once confirmed carries it
//! out, telling each step as it settles. A migration stopped earlier is gone on with by `m`.

use tokio::sync::mpsc;

use crate::app::Env;
use crate::app::migrate::{self, Admin, MigrateError, Outcome};
use crate::app::setup::ExchangeAdmin;
use crate::app::sign_in::AdminSession;
use crate::model::{Diagnosis, Endpoints, Profile};
use crate::plan::migration::Step;
use crate::store::MigrationJournal;
use crate::wizard::{Msg, Upkeep};

/// What the migration's use case needs from the executor: the administrator's two sign-ins and
/// where to tell the wizard.
pub(super) struct Ctx<'a> {
    pub env: &'a Env,
    pub endpoints: &'a Endpoints,
    pub session: &'a AdminSession,
    pub ex: &'a ExchangeAdmin,
    pub tx: &'a mpsc::UnboundedSender<Msg>,
}

impl Ctx<'_> {
    fn plan(&self, p: &Profile, what: Upkeep, text: Result<String, Diagnosis>) {
        let _ = self
            .tx
            .send(Msg::UpkeepPlan(Box::new(p.clone()), what, text));
    }

    fn tell(&self, title: &str, how: &str) {
        let _ = self
            .tx
            .send(Msg::UpkeepProgress(format!("{title} — {how}")));
    }

    fn done(&self, result: Result<String, MigrateError>) {
        let _ = self.tx.send(Msg::Renewed(result.map_err(|e| e.diagnosis)));
    }
}

/// `m`: the plan (or how far a stopped migration got), then the migration carried out or gone
/// on with.
/// An app with no profile (from the audit) has its live checks chosen from the plan, and its
/// secret dropped once its migration is carried out.
pub(super) async fn migrate(c: &Ctx<'_>, mut p: Profile, go: bool) {
    let what = Upkeep::Migrate { go };
    let unsaved = migrate::unsaved::is_unsaved(c.env, &p);
    let admin = Admin::new(c.env, c.endpoints, &p, c.session, c.ex);
    let existing = match migrate::journal(c.env, &p) {
        Ok(j) => j,
        Err(err) => return c.plan(&p, what, Err(err.diagnosis)),
    };
    let journal = match existing {
        Some(j) if j.finished => {
            let d = Diagnosis {
                summary: format!("{} was migrated to RBAC for Applications already.", p.name),
                evidence: String::new(),
                cause: String::new(),
                fix: "U puts the policy and the tenant-wide roles back (`migrate --undo`).".into(),
            };
            return c.plan(&p, what, Err(d));
        }
        Some(j) => j,
        None => match migrate::prepare(&p, admin, None, None).await {
            Ok(j) => j,
            Err(err) => return c.plan(&p, what, Err(err.diagnosis)),
        },
    };
    let mut journal = journal;
    if (unsaved || journal.profile_less)
        && let Err(why) = migrate::unsaved::checks_of(&mut p, &mut journal)
    {
        let d = Diagnosis {
            summary: format!("{} cannot be migrated here: {why}.", p.name),
            evidence: String::new(),
            cause: String::new(),
            fix: "Nothing was changed.".into(),
        };
        return c.plan(&p, what, Err(d));
    }
    if !go {
        return c.plan(&p, what, Ok(migrate_summary(&p, &journal)));
    }
    let result = migrate::run(c.env, &p, journal, admin, |t, h| c.tell(t, h)).await;
    if unsaved {
        migrate::unsaved::let_go(c.env, &p.name).await;
    }
    c.done(result.map(|o| match o {
        Outcome::Pending(why) => format!("Waiting: {why}. Press m again later to go on."),
        _ => format!(
            "{} is scoped by RBAC for Applications; its tenant-wide roles and access policy are gone.",
            p.name
        ),
    }));
}

/// `U`: what the journal says was done, put back last first once confirmed.
pub(super) async fn undo(c: &Ctx<'_>, p: Profile, go: bool) {
    let what = Upkeep::UndoMigration { go };
    let journal = match migrate::journal(c.env, &p) {
        Ok(Some(j)) => j,
        Ok(None) => {
            let d = Diagnosis {
                summary: format!("{} has no migration to undo.", p.name),
                evidence: String::new(),
                cause: "No migration journal: the profile was never migrated here, or its migration was undone already.".into(),
                fix: "m shows the plan of a migration.".into(),
            };
            return c.plan(&p, what, Err(d));
        }
        Err(err) => return c.plan(&p, what, Err(err.diagnosis)),
    };
    if !go {
        return c.plan(&p, what, Ok(undo_summary(&p, &journal)));
    }
    let admin = Admin::new(c.env, c.endpoints, &p, c.session, c.ex);
    let result = migrate::undo(c.env, &p, journal, admin, |t, h| c.tell(t, h)).await;
    c.done(result.map(|o| match o {
        Outcome::Pending(why) => format!("Waiting: {why}. Press U again later to go on."),
        _ => format!(
            "{} is back as it was before the migration: its policy and tenant-wide roles, none of the RBAC objects the migration made.",
            p.name
        ),
    }));
}

/// The migration in a few words, or how far a stopped one got.
fn migrate_summary(p: &Profile, j: &MigrationJournal) -> String {
    let plan = &j.plan;
    if !j.done.is_empty() {
        return format!(
            "Go on with the migration of {} to RBAC for Applications: {} of {} steps done.",
            p.name,
            j.done.len(),
            plan.steps.len()
        );
    }
    let names = |f: fn(&Step) -> Option<String>| {
        plan.steps
            .iter()
            .filter_map(f)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Migrate {} to RBAC for Applications: scope over {}; roles {}; Exchange's test; remove the tenant-wide {}; live checks ({} refused); then remove the policy. `migrate {} --to rbac --print-script` prints the PowerShell.",
        p.name,
        plan.group,
        names(|s| match s {
            Step::Role { role } => Some(role.trim_start_matches("Application ").to_string()),
            _ => None,
        }),
        names(|s| match s {
            Step::EntraRole(r) => Some(r.name.clone()),
            _ => None,
        }),
        plan.deny_mailbox,
        p.name
    )
}

/// The undo in a few words: each step done that changed the tenant, in the order it is put
/// back, and what is left as it was found.
pub(super) fn undo_summary(p: &Profile, j: &MigrationJournal) -> String {
    let plan = &j.plan;
    let mut back = Vec::new();
    let mut found = Vec::new();
    for step in plan.steps.iter().rev() {
        let key = step.key();
        if !j.done.contains(&key) || !step.changes() {
            continue;
        }
        let made = j.made.contains(&key);
        match step {
            Step::Policy(pol) => {
                back.push(format!("make the access policy on {} again", pol.group))
            }
            Step::EntraRole(r) => back.push(format!(
                "grant {} again once the policy applies (up to 2 hours: then U again)",
                r.name
            )),
            Step::Role { role } if made => back.push(format!("remove \"{role}\"")),
            Step::Scope { name, .. } if made => back.push(format!("remove the scope \"{name}\"")),
            Step::Group { name, .. } if made => back.push(format!("remove the group {name}")),
            Step::ExchangePrincipal if made => {
                back.push("remove the Exchange service principal".into())
            }
            other => found.push(plan.title(other)),
        }
    }
    if back.is_empty() {
        return format!(
            "Undo the migration of {}: nothing was changed yet; only its journal goes.",
            p.name
        );
    }
    let state = if j.finished {
        "finished".to_string()
    } else {
        format!("{} of {} steps done", j.done.len(), plan.steps.len())
    };
    let left = if found.is_empty() {
        String::new()
    } else {
        format!(" Found before the migration, so left: {}.", found.len())
    };
    format!(
        "Undo the migration of {} ({state}): {}; then its scope as before.{left} `migrate {} --to rbac --undo` does the same.",
        p.name,
        back.join(", "),
        p.name
    )
}
