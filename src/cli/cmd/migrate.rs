//! `migrate PROFILE --to rbac`: the plan printed (or its script), or with `--yes` carried out
//! after the administrator's sign-ins; `--resume` goes on, `--undo` puts everything back.

use serde_json::json;

use super::resolve::resolve;
use super::{load, sign_in};
use crate::app::Env;
use crate::app::migrate::{self, Admin, MigrateError, Outcome};
use crate::cli::Exit;
use crate::cli::output::{failed, print_json, usage};
use crate::cli::prompt::secret_from_stdin;
use crate::cli::settings::{MigrateApp, MigrateMode, MigrateSettings, ProfileSettings};
use crate::model::{AdminPurpose, ClientId, KeyringBackend, Profile};
use crate::plan::migration::{self, Plan};
use crate::store::MigrationJournal;

pub async fn migrate(env: &Env, s: MigrateSettings) -> Exit {
    let (mut p, profile_less) = match &s.app {
        MigrateApp::Profile(name) => match load(env, name) {
            Ok(p) => (p, false),
            Err(exit) => return exit,
        },
        MigrateApp::Client(asked, client_id) => match unsaved(env, asked, *client_id).await {
            Ok(p) => (p, true),
            Err(exit) => return exit,
        },
    };
    let mut existing = match migrate::journal(env, &p) {
        Ok(j) => j,
        Err(err) => return stopped(&err),
    };
    if let Some(j) = existing.as_mut()
        && profile_less
        && let Err(exit) = checks_of(&mut p, j)
    {
        return exit;
    }
    let name = &p.name;
    match (&existing, s.mode) {
        (None, MigrateMode::Resume | MigrateMode::Undo) => {
            return usage(format!(
                "no migration of profile {name} is under way: `migrate {name} --to rbac` shows the plan"
            ));
        }
        (Some(j), MigrateMode::Start { .. }) if j.finished => {
            return usage(format!(
                "profile {name} was migrated to RBAC for Applications already; `migrate {name} --to rbac --undo` puts the policy and the tenant-wide roles back"
            ));
        }
        (Some(j), MigrateMode::Start { .. }) => {
            return usage(format!(
                "a migration of profile {name} is under way ({} of {} steps done): run `migrate {name} --to rbac --resume` to go on, or `--undo` to put everything back",
                j.done.len(),
                j.plan.steps.len()
            ));
        }
        (Some(j), MigrateMode::Resume) if j.finished => {
            eprintln!("The migration of profile {name} finished already.");
            return Exit::Ok;
        }
        _ => {}
    }
    let e = env.endpoints(&p);
    let session = match sign_in::admin(
        env,
        &e,
        p.tenant_id,
        &p.tenant,
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
        p.tenant_id,
        s.admin_client_id,
        s.exchange_client_id,
        &session,
    )
    .await
    {
        Ok(x) => x,
        Err(err) => return sign_in::sign_in_failed(err),
    };
    let admin = Admin::new(env, &e, &p, &session, &ex);
    let told = |title: &str, how: &str| eprintln!("✔ {title} — {how}");
    let outcome = match (existing, s.mode) {
        (Some(j), MigrateMode::Undo) => {
            eprintln!("Signed in as {}. Putting back…", session.who());
            migrate::undo(env, &p, j, admin, told).await
        }
        (Some(j), _) => {
            eprintln!("Signed in as {}. Going on…", session.who());
            migrate::run(env, &p, j, admin, told).await
        }
        (None, MigrateMode::Start { yes, script }) => {
            let mut j = match migrate::prepare(&p, admin, s.mailboxes, s.deny_mailbox).await {
                Ok(j) => j,
                Err(err) => return stopped(&err),
            };
            if profile_less && let Err(exit) = checks_of(&mut p, &mut j) {
                return exit;
            }
            if script {
                print!("{}", migration::script(&j.plan));
                return Exit::Ok;
            }
            if !yes {
                print_plan(&j, s.json);
                return Exit::Ok;
            }
            eprintln!("Signed in as {}. Migrating…", session.who());
            migrate::run(env, &p, j, admin, told).await
        }
        (None, _) => unreachable!("refused above"),
    };
    match outcome {
        Ok(o) => said(&p.name.to_string(), &o, s.json),
        Err(err) => stopped(&err),
    }
}

/// The profile of an app named by its client ID: never saved, its secret (from standard input)
/// kept in this process's memory for the live checks.
async fn unsaved(env: &Env, asked: &ProfileSettings, client_id: ClientId) -> Result<Profile, Exit> {
    let resolved = resolve(env, asked, true).await?;
    let mut p = resolved.profile(env, client_id, None, None);
    p.keyring = KeyringBackend::SessionMemory;
    let secret = secret_from_stdin()?;
    let name = p.name.to_string();
    env.with_vault(KeyringBackend::SessionMemory, move |v| {
        v.set(&name, &secret)
    })
    .await
    .map_err(|e| usage(format!("the secret could not be held: {e}")))?;
    Ok(p)
}

/// What the live checks of an app with no profile try, from the roles the plan moves.
fn checks_of(p: &mut Profile, j: &mut MigrationJournal) -> Result<(), Exit> {
    j.profile_less = true;
    p.access = migrate::checks_for(&j.plan);
    if p.access.is_empty() {
        return Err(usage(
            "the app's tenant-wide roles only send or change settings: no live check can prove its scope without a profile. Add one (`add`, with the checks that prove it) and migrate that profile",
        ));
    }
    Ok(())
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
