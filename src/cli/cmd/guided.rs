//! `setup --guided`: the same plan done by hand in the portal, each step's instructions
//! printed, what the portal shows pasted back and checked, then the app verified live.

use super::check::check_and_print;
use super::resolve::Resolved;
use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::{Code, diagnosis_error, error, in_json, print_json, usage};
use crate::cli::prompt::{ask, ask_client_id, ask_expiry, ask_secret, confirm_tenant_id};
use crate::model::{ClientId, Secret};
use crate::plan::{PlanStep, SetupAnswers, StepKind};

/// What the administrator pasted back from the portal.
struct Pasted {
    client_id: ClientId,
    secret: Secret,
    expires: Option<String>,
}

pub async fn guided(
    env: &Env,
    resolved: &Resolved<'_>,
    steps: &[PlanStep],
    answers: &SetupAnswers,
    json_out: bool,
) -> Exit {
    eprintln!(
        "Guided setup for {}: do each step in the portal ({}), then paste back what it asks for.",
        resolved.asked.tenant, resolved.cloud.endpoints.portal
    );
    let pasted = match walk(resolved, steps) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Err(exit) = token_roles(env, resolved, answers, &pasted).await {
        return exit;
    }
    let scope = answers.scope.as_ref().map(|s| s.record(&answers.app_name));
    let profile = resolved.profile(env, pasted.client_id, scope, pasted.expires);
    if let Err(err) = app::save_profile(env, &profile, &pasted.secret).await {
        let code = match err {
            app::SaveError::Store(_) => Code::Config,
            app::SaveError::Vault(_) => Code::Keyring,
        };
        return error(code, Exit::Unavailable, err);
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
    for (i, line) in step.portal.iter().enumerate() {
        eprintln!("  {}. {line}", i + 1);
    }
    eprintln!("  (PowerShell instead: {})", step.powershell);
}

/// Each step the administrator does by hand, shown; what it asks for, read.
fn walk(resolved: &Resolved<'_>, steps: &[PlanStep]) -> Result<Pasted, Exit> {
    let mut client_id = None;
    let mut secret = None;
    let mut expires = None;
    for (n, step) in steps.iter().enumerate() {
        match step.kind {
            StepKind::Resolve | StepKind::CreateServicePrincipal | StepKind::Verify => continue,
            StepKind::CreateApp => {
                show(n + 1, step);
                client_id = Some(ask_client_id(resolved.tenant_id)?);
                confirm_tenant_id(resolved.tenant_id)?;
            }
            StepKind::AddSecret => {
                show(n + 1, step);
                secret = Some(ask_secret()?);
                expires = ask_expiry()?;
            }
            StepKind::Consent | StepKind::DelegatedConsent => {
                show(n + 1, step);
                if ask("Press Enter when done. ", false).is_none() {
                    return Err(usage("input ended before the consent steps were confirmed"));
                }
            }
            // Reading the mailboxes changes nothing: the checks afterwards find a wrong one.
            StepKind::Exchange if step.permission.as_deref() == Some("mailboxes") => continue,
            StepKind::Exchange | StepKind::ExchangeTest => {
                show(n + 1, step);
                eprintln!(
                    "   (<client id> is the app's client ID; <service principal object id> is the Object ID under Enterprise applications, not under App registrations.)"
                );
                if ask("Press Enter when done. ", false).is_none() {
                    return Err(usage(
                        "input ended before the Exchange Online steps were confirmed",
                    ));
                }
            }
        }
    }
    let (Some(client_id), Some(secret)) = (client_id, secret) else {
        return Err(usage("the plan has no app or secret step"));
    };
    Ok(Pasted {
        client_id,
        secret,
        expires,
    })
}

/// Signs in as the app and tells the roles its tokens carry, and those missing; a refused
/// sign-in ends the setup with nothing saved.
async fn token_roles(
    env: &Env,
    resolved: &Resolved<'_>,
    answers: &SetupAnswers,
    pasted: &Pasted,
) -> Result<(), Exit> {
    let e = &resolved.cloud.endpoints;
    let pasted_app = app::guided::AppSecret {
        endpoints: e,
        tenant_id: &resolved.tenant_id,
        client_id: &pasted.client_id,
        secret: &pasted.secret,
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
