//! `migrate PROFILE… --to rbac`: the plan printed (or its script), or with `--yes` carried out
//! after the administrator's sign-ins; `--resume` goes on, `--undo` puts everything back.
//! Several apps of one tenant: one sign-in, each app in turn with its own journal, a summary.

use serde_json::json;

use super::resolve::resolve;
use super::{load, sign_in};
use crate::app::Env;
use crate::app::migrate::{self, Admin, MigrateError, Outcome};
use crate::cli::Exit;
use crate::cli::output::{failed, print_json, usage};
use crate::cli::prompt::{secret_from_stdin, secrets_from_stdin};
use crate::cli::settings::{MigrateApp, MigrateMode, MigrateSettings, ProfileSettings};
use crate::model::{AdminPurpose, ClientId, Profile};
use crate::plan::migration::{self, Plan};
use crate::store::MigrationJournal;

/// An app named on the command line, loaded: its profile (or one never saved), and its journal.
struct Loaded {
    p: Profile,
    profile_less: bool,
    existing: Option<MigrationJournal>,
}

pub async fn migrate(env: &Env, s: MigrateSettings) -> Exit {
    let clients = s
        .apps
        .iter()
        .filter(|a| matches!(a, MigrateApp::Client(..)))
        .count();
    let mut secrets = match clients {
        0 => Vec::new(),
        1 => match secret_from_stdin() {
            Ok(x) => vec![x],
            Err(exit) => return exit,
        },
        n => match secrets_from_stdin(n) {
            Ok(x) => x,
            Err(exit) => return exit,
        },
    }
    .into_iter();
    let mut loaded = Vec::new();
    for app in &s.apps {
        match load_app(env, app, &mut secrets, s.mode).await {
            Ok(l) => loaded.push(l),
            Err(exit) => return exit,
        }
    }
    if let Some(other) = loaded
        .iter()
        .find(|l| (l.p.tenant_id, l.p.cloud) != (loaded[0].p.tenant_id, loaded[0].p.cloud))
    {
        return usage(format!(
            "{} and {} are in different tenants: migrate the apps of one tenant at a time",
            loaded[0].p.name, other.p.name
        ));
    }
    // Nothing to sign in for when every migration named is finished and only resumed.
    if s.mode == MigrateMode::Resume && loaded.iter().all(finished) {
        for l in &loaded {
            eprintln!("The migration of profile {} finished already.", l.p.name);
        }
        return Exit::Ok;
    }
    let first = &loaded[0].p;
    let e = env.endpoints(first);
    let session = match sign_in::admin(
        env,
        &e,
        first.tenant_id,
        &first.tenant,
        s.admin_client_id,
        AdminPurpose::Migrate,
    )
    .await
    {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    let ex = match sign_in::exchange(
        env,
        &e,
        first.tenant_id,
        s.admin_client_id,
        s.exchange_client_id,
        &session,
    )
    .await
    {
        Ok(x) => x,
        Err(err) => return sign_in::sign_in_failed(err),
    };
    let many = loaded.len() > 1;
    let mut summary = Vec::new();
    let mut worst = Exit::Ok;
    for (i, l) in loaded.into_iter().enumerate() {
        let name = l.p.name.to_string();
        if many {
            eprintln!("\n== {name} ({} of {}) ==", i + 1, s.apps.len());
        }
        let (exit, how) = one(env, &s, l, &session, &ex).await;
        worst = worse(worst, exit);
        summary.push(format!("{name}: {how}"));
    }
    if many {
        eprintln!("\nSummary:");
        for line in &summary {
            eprintln!("  {line}");
        }
    }
    worst
}

/// The worse of two exits: a failure, then the service unreachable, then a refusal, then
/// waiting for Exchange.
fn worse(a: Exit, b: Exit) -> Exit {
    let rank = |e: Exit| match e {
        Exit::CheckFailed => 4,
        Exit::Unavailable => 3,
        Exit::Usage => 2,
        Exit::Pending | Exit::Expiring => 1,
        Exit::Ok => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn finished(l: &Loaded) -> bool {
    l.existing.as_ref().is_some_and(|j| j.finished)
}

/// The app's profile and journal, and what the mode asked can be done with them; a usage
/// error before any sign-in otherwise.
async fn load_app(
    env: &Env,
    app: &MigrateApp,
    secrets: &mut impl Iterator<Item = crate::model::Secret>,
    mode: MigrateMode,
) -> Result<Loaded, Exit> {
    let (mut p, profile_less) = match app {
        MigrateApp::Profile(name) => (load(env, name)?, false),
        MigrateApp::Client(asked, client_id) => {
            let secret = secrets
                .next()
                .ok_or_else(|| usage("standard input holds fewer secrets than client IDs"))?;
            (unsaved(env, asked, *client_id, secret).await?, true)
        }
    };
    let mut existing = migrate::journal(env, &p).map_err(|err| stopped(&err))?;
    if let Some(j) = existing.as_mut()
        && profile_less
    {
        checks_of(&mut p, j)?;
    }
    let name = &p.name;
    match (&existing, mode) {
        (None, MigrateMode::Resume | MigrateMode::Undo) => Err(usage(format!(
            "no migration of profile {name} is under way: `migrate {name} --to rbac` shows the plan"
        ))),
        (Some(j), MigrateMode::Start { .. }) if j.finished => Err(usage(format!(
            "profile {name} was migrated to RBAC for Applications already; `migrate {name} --to rbac --undo` puts the policy and the tenant-wide roles back"
        ))),
        (Some(j), MigrateMode::Start { .. }) => Err(usage(format!(
            "a migration of profile {name} is under way ({} of {} steps done): run `migrate {name} --to rbac --resume` to go on, or `--undo` to put everything back",
            j.done.len(),
            j.plan.steps.len()
        ))),
        _ => Ok(Loaded {
            p,
            profile_less,
            existing,
        }),
    }
}

/// One app's plan printed, or its migration carried out, resumed or undone: the exit and a
/// few words for the summary.
async fn one(
    env: &Env,
    s: &MigrateSettings,
    l: Loaded,
    session: &crate::app::sign_in::AdminSession,
    ex: &crate::app::setup::ExchangeAdmin,
) -> (Exit, String) {
    let Loaded {
        mut p,
        profile_less,
        existing,
    } = l;
    let e = env.endpoints(&p);
    let admin = Admin::new(env, &e, &p, session, ex);
    let told = |title: &str, how: &str| eprintln!("✔ {title} — {how}");
    let outcome =
        match (existing, s.mode) {
            (Some(j), MigrateMode::Resume) if j.finished => {
                eprintln!("The migration of profile {} finished already.", p.name);
                return (Exit::Ok, "finished already".into());
            }
            (Some(j), MigrateMode::Undo) => {
                eprintln!("Signed in as {}. Putting back…", session.who());
                migrate::undo(env, &p, j, admin, told).await
            }
            (Some(j), _) => {
                eprintln!("Signed in as {}. Going on…", session.who());
                migrate::run(env, &p, j, admin, told).await
            }
            (None, MigrateMode::Start { yes, script }) => {
                let mut j =
                    match migrate::prepare(&p, admin, s.mailboxes.clone(), s.deny_mailbox.clone())
                        .await
                    {
                        Ok(j) => j,
                        Err(err) => return (stopped(&err), refusal(&err)),
                    };
                if profile_less && let Err(exit) = checks_of(&mut p, &mut j) {
                    return (exit, "refused: no live check can prove its scope".into());
                }
                if script {
                    if s.apps.len() > 1 {
                        println!("# ---- {} ({}) ----", p.name, j.plan.app_name);
                    }
                    print!("{}", migration::script(&j.plan));
                    return (Exit::Ok, "script printed".into());
                }
                if !yes {
                    print_plan(&j, s.json);
                    return (Exit::Ok, "plan printed (nothing changed)".into());
                }
                eprintln!("Signed in as {}. Migrating…", session.who());
                migrate::run(env, &p, j, admin, told).await
            }
            (None, _) => unreachable!("refused before the sign-in"),
        };
    match outcome {
        Ok(o) => {
            let how = match &o {
                Outcome::Finished => "migrated: scoped by RBAC for Applications".to_string(),
                Outcome::Pending(_) => {
                    "waiting for Exchange: run it again with --resume (or --undo) later".to_string()
                }
                Outcome::Undone => "put back as it was".to_string(),
            };
            (said(p.name.as_str(), &o, s.json), how)
        }
        Err(err) => (stopped(&err), refusal(&err)),
    }
}

/// A migration that stopped, in a few words for the summary.
fn refusal(err: &MigrateError) -> String {
    let what = if err.refused { "refused" } else { "stopped" };
    format!("{what}: {}", err.diagnosis.summary)
}

/// The profile of an app named by its client ID: never saved, its secret (from standard input)
/// kept in this process's memory for the live checks.
async fn unsaved(
    env: &Env,
    asked: &ProfileSettings,
    client_id: ClientId,
    secret: crate::model::Secret,
) -> Result<Profile, Exit> {
    let resolved = resolve(env, asked, true).await?;
    let mut p = resolved.profile(env, client_id, None, None);
    migrate::unsaved::hold(env, &mut p, secret)
        .await
        .map_err(usage)?;
    Ok(p)
}

/// What the live checks of an app with no profile try, from the roles the plan moves.
fn checks_of(p: &mut Profile, j: &mut MigrationJournal) -> Result<(), Exit> {
    migrate::unsaved::checks_of(p, j).map_err(usage)
}

fn said(profile: &str, o: &Outcome, json_out: bool) -> Exit {
    let (state, exit, text) = match o {
        Outcome::Finished => (
            "finished",
            Exit::Ok,
            format!(
                "Profile {profile} is scoped by RBAC for Applications; the tenant-wide roles and the application access policy are gone."
            ),
        ),
        Outcome::Pending(why) => (
            "pending",
            Exit::Pending,
            format!(
                "Waiting: {why}. Run `migrate {profile} --to rbac --resume` (or `--undo`) later."
            ),
        ),
        Outcome::Undone => (
            "undone",
            Exit::Ok,
            format!(
                "Profile {profile} is back as it was before the migration: its policy and tenant-wide roles, none of the RBAC objects the migration made."
            ),
        ),
    };
    if json_out {
        print_json(&json!({"migration": state, "said": text}));
    }
    eprintln!("{text}");
    exit
}

fn print_plan(j: &MigrationJournal, json_out: bool) {
    let plan: &Plan = &j.plan;
    if json_out {
        let steps: Vec<_> = plan
            .steps
            .iter()
            .map(|s| {
                json!({
                    "title": plan.title(s),
                    "powershell": migration::powershell(plan, s),
                    "undo": migration::undo_powershell(plan, s),
                })
            })
            .collect();
        print_json(
            &json!({"plan": {"steps": steps, "kept": plan.kept, "scope": plan.scope_name, "group": plan.group}}),
        );
        return;
    }
    println!(
        "The migration of \"{}\" to RBAC for Applications (nothing is changed until you run it with --yes):",
        plan.app_name
    );
    for (i, s) in plan.steps.iter().enumerate() {
        println!("{:>2}. {}", i + 1, plan.title(s));
        for line in migration::powershell(plan, s) {
            println!("      PowerShell: {line}");
        }
        for line in migration::undo_powershell(plan, s) {
            println!("      Undo:       {line}");
        }
    }
    for k in &plan.kept {
        println!("Kept: {k}");
    }
}

fn stopped(err: &MigrateError) -> Exit {
    if err.refused {
        let d = &err.diagnosis;
        usage(format!("{} {} {}", d.summary, d.cause, d.fix))
    } else {
        failed(&err.diagnosis, err.unavailable)
    }
}
