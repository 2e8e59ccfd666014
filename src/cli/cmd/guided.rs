//! `setup --guided`: the same plan done by hand in the portal, each step's instructions
//! printed, what the portal shows pasted back and checked, then each step read back (the
//! secret by the app's sign-in, the consents from its token) before the next; what nothing can
//! read without an administrator's sign-in is said to be not verified. Then the app is
//! verified live.

use super::check::check_and_print;
use super::resolve::Resolved;
use crate::app::guided::{PastedApp, Readers, StepToRead, read_back};
use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::{
    Code, diagnosis_error, error, in_json, print_diagnosis, print_json, usage,
};
use crate::cli::prompt::{ask, ask_client_id, ask_expiry, ask_secret, confirm_tenant_id};
use crate::model::{ClientId, ObjectId, Secret, StepStatus};
use crate::plan::{self, KnownIds, PlanStep, SetupAnswers, StepKind};

/// What the administrator pasted back from the portal, and what reading it back learned.
#[derive(Default)]
struct Pasted {
    /// The tenant as it was named, for the diagnoses.
    tenant: String,
    client_id: Option<ClientId>,
    secret: Option<Secret>,
    expires: Option<String>,
    sp_object_id: Option<ObjectId>,
    /// The titles of the steps nothing could read back.
    not_verified: Vec<String>,
}

pub async fn guided(
    env: &Env,
    resolved: &Resolved<'_>,
    steps: &[PlanStep],
    answers: &SetupAnswers,
    json_out: bool,
) -> Exit {
    eprintln!(
        "Guided setup for {}: do each step in the portal ({}), then paste back what it asks for; each step is read back before the next.",
        resolved.asked.tenant, resolved.cloud.endpoints.portal
    );
    let pasted = match walk(env, resolved, steps, answers).await {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let (Some(client_id), Some(secret)) = (pasted.client_id, &pasted.secret) else {
        return usage("the plan has no app or secret step");
    };
    if let Err(exit) = token_roles(env, resolved, answers, client_id, secret).await {
        return exit;
    }
    let scope = answers.scope.as_ref().map(|s| s.record(&answers.app_name));
    let profile = resolved.profile(env, client_id, scope, pasted.expires);
    if let Err(err) = app::save_profile(env, &profile, secret).await {
        let code = match err {
            app::SaveError::Store(_) => Code::Config,
            app::SaveError::Vault(_) | app::SaveError::KeyringLeft(_) => Code::Keyring,
        };
        return error(code, Exit::Unavailable, err);
    }
    if !pasted.not_verified.is_empty() {
        eprintln!(
            "Not verified (nothing could read them back without an administrator's sign-in): {}. The checks below are their proof.",
            pasted.not_verified.join("; ")
        );
    }
    eprintln!(
        "Profile {} saved; the secret is in the keyring. Running the checks:",
        profile.name
    );
    let (exit, report) = check_and_print(env, profile, json_out, std::time::Duration::ZERO).await;
    if let Some(r) = report {
        print_json(&r);
    }
    exit
}

fn show(n: usize, step: &PlanStep) {
    eprintln!("\nStep {n}: {}", step.title);
    for (i, item) in step.portal.iter().enumerate() {
        for (k, line) in item.lines().enumerate() {
            match k {
                0 => eprintln!("  {}. {line}", i + 1),
                _ => eprintln!("     {line}"),
            }
        }
    }
    if !matches!(step.kind, StepKind::Exchange | StepKind::ExchangeTest) {
        eprintln!("  PowerShell instead:");
        for line in step.powershell.lines() {
            eprintln!("    {line}");
        }
    }
}

/// Each step the administrator does by hand, shown with what is known filled in; what it
/// asks for, read and read back.
async fn walk(
    env: &Env,
    resolved: &Resolved<'_>,
    shown: &[PlanStep],
    answers: &SetupAnswers,
) -> Result<Pasted, Exit> {
    let mut p = Pasted {
        tenant: resolved.asked.tenant.to_string(),
        ..Pasted::default()
    };
    let g = Guide {
        env,
        resolved,
        answers,
    };
    for n in 0..shown.len() {
        // The commands carry the app's ids from the moment they are known.
        let ids = KnownIds {
            client_id: p.client_id.map(|c| c.to_string()),
            sp_object_id: p.sp_object_id.map(|s| s.to_string()),
        };
        let steps = plan::plan_with(answers, &ids);
        let step = &steps[n];
        match step.kind {
            StepKind::Resolve | StepKind::CreateServicePrincipal | StepKind::Verify => continue,
            // Reading the mailboxes changes nothing: the checks afterwards find a wrong one.
            StepKind::Exchange if step.permission.as_deref() == Some("mailboxes") => continue,
            StepKind::CreateApp => {
                show(n + 1, step);
                p.client_id = Some(ask_client_id(resolved.tenant_id)?);
                confirm_tenant_id(resolved.tenant_id)?;
                eprintln!("  ? not verified yet: the secret's sign-in (next) proves the app.");
            }
            StepKind::AddSecret => {
                show(n + 1, step);
                prove_secret(&g, step, &mut p).await?;
                p.expires = ask_expiry()?;
            }
            _ => {
                show(n + 1, step);
                confirm_read_back(&g, step, &mut p).await?;
            }
        }
    }
    Ok(p)
}

/// Where the guided setup runs and what it sets up.
struct Guide<'a, 'r> {
    env: &'a Env,
    resolved: &'a Resolved<'r>,
    answers: &'a SetupAnswers,
}

/// What `read_back` needs of the app as pasted so far.
fn pasted_app<'a>(resolved: &'a Resolved<'_>, p: &'a Pasted) -> Option<PastedApp<'a>> {
    Some(PastedApp {
        endpoints: &resolved.cloud.endpoints,
        tenant: &p.tenant,
        tenant_id: resolved.tenant_id,
        client_id: p.client_id?,
        sp_object_id: p.sp_object_id,
        secret: p.secret.as_ref(),
    })
}

fn to_read<'a>(step: &'a PlanStep, answers: &'a SetupAnswers) -> StepToRead<'a> {
    StepToRead {
        kind: step.kind,
        permission: step.permission.as_deref(),
        resource: step.resource.as_deref(),
        answers,
    }
}

/// The secret's Value, asked until it signs in (a wrong one is never kept).
async fn prove_secret(g: &Guide<'_, '_>, step: &PlanStep, p: &mut Pasted) -> Result<(), Exit> {
    loop {
        let secret = ask_secret()?;
        if let Some(m) = secret.portal_shape_problem() {
            eprintln!("  {m}");
            continue;
        }
        p.secret = Some(secret);
        if read_and_tell(g, step, p).await? {
            return Ok(());
        }
        eprintln!("  Paste the secret's Value again.");
        p.secret = None;
    }
}

/// Reads `step` back and tells what was found; false when the tenant shows it is not done (the
/// diagnosis printed).
async fn read_and_tell(g: &Guide<'_, '_>, step: &PlanStep, p: &mut Pasted) -> Result<bool, Exit> {
    let Some(app) = pasted_app(g.resolved, p) else {
        return Err(usage("the plan has no app step before this one"));
    };
    let r = read_back(g.env, &app, &to_read(step, g.answers), Readers::default()).await;
    match r.status {
        StepStatus::Done(what) => {
            eprintln!("  ✔ read back: {what}.");
            if r.sp_object_id.is_some() {
                p.sp_object_id = r.sp_object_id;
            }
        }
        StepStatus::Failed(d) => {
            print_diagnosis(&d);
            return Ok(false);
        }
        StepStatus::Unverified(why) => {
            eprintln!("  ? not verified: {why}.");
            p.not_verified.push(step.title.clone());
        }
        StepStatus::Running | StepStatus::Waiting(_) => {}
    }
    Ok(true)
}

/// Enter once the step is done; then it is read back, and asked again until it holds or the
/// administrator types `skip` (it is then not verified).
async fn confirm_read_back(g: &Guide<'_, '_>, step: &PlanStep, p: &mut Pasted) -> Result<(), Exit> {
    let mut prompt = "Press Enter when done. ";
    loop {
        let Some(typed) = ask(prompt, false) else {
            return Err(usage(format!(
                "input ended before this step was done: {}",
                step.title
            )));
        };
        if typed.trim().eq_ignore_ascii_case("skip") {
            eprintln!("  ? not verified: skipped.");
            p.not_verified.push(step.title.clone());
            return Ok(());
        }
        if read_and_tell(g, step, p).await? {
            return Ok(());
        }
        prompt = "Press Enter to read it again, or type skip to go on without it: ";
    }
}

/// Signs in as the app and tells the roles its tokens carry, and those missing; a refused
/// sign-in ends the setup with nothing saved.
async fn token_roles(
    env: &Env,
    resolved: &Resolved<'_>,
    answers: &SetupAnswers,
    client_id: ClientId,
    secret: &Secret,
) -> Result<(), Exit> {
    let e = &resolved.cloud.endpoints;
    let pasted_app = app::guided::AppSecret {
        endpoints: e,
        tenant_id: &resolved.tenant_id,
        client_id: &client_id,
        secret,
    };
    let roles = app::guided::app_token_roles(
        env,
        &pasted_app,
        &resolved.asked.access,
        &answers.omitted(),
        |resource, have| {
            eprintln!(
                "Signed in as the app: {resource} roles: {}",
                have.join(", ")
            )
        },
    )
    .await;
    let missing = match roles {
        Ok(missing) => missing,
        Err(err) => {
            let d =
                app::setup::graph_diagnosis(&err, &resolved.asked.tenant.to_string(), &e.portal);
            let exit = diagnosis_error(Code::Failed, Exit::CheckFailed, &d, Default::default());
            if !in_json() {
                eprintln!(
                    "Nothing was saved. Fix the step named above and run the guided setup again."
                );
            }
            return Err(exit);
        }
    };
    if !missing.is_empty() {
        eprintln!(
            "The app's token lacks {}: the permission was not added as an application permission, or consent was not granted (it can also take a few minutes to apply). The profile is saved; `check` tells when it works.",
            missing.join(", ")
        );
    }
    Ok(())
}
