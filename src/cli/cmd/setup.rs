//! `setup`: a new app registered and consented by a signed-in administrator, its scope made,
//! the profile saved and checked. Without `--yes` the plan is printed; with `--guided` the
//! administrator does the steps in the portal (`guided`).

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::check::check_and_print;
use super::resolve::{Resolved, resolve};
use super::{guided, sign_in};
use crate::app::Env;
use crate::app::setup::{self, Rights, SetupRequest};
use crate::app::sign_in::AdminSession;
use crate::cli::Exit;
use crate::cli::output::{Code, diagnosis_error, failed_with, in_json, print_json, print_plan};
use crate::cli::settings::{SetupMode, SetupSettings};
use crate::model::StepStatus;
use crate::model::{AdminPurpose, CloudKind, Profile};
use crate::plan::{self, PlanStep, SetupAnswers};

pub async fn setup(env: &Env, s: SetupSettings) -> Exit {
    // Running a setup again is how it resumes or confirms itself: its own profile is no clash.
    let own_setup = env
        .dirs
        .journals(env.sandbox.is_some())
        .load(&s.profile.name)
        .ok()
        .flatten()
        .is_some();
    let resolved = match resolve(env, &s.profile, s.profile.force || own_setup).await {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let answers = SetupAnswers {
        app_name: s.app_name.clone(),
        access: s.profile.access.clone(),
        secret_months: s.secret_months,
        portal: resolved.cloud.endpoints.portal.clone(),
        scope: s.scope.clone(),
        delegated: s.delegated.clone(),
        delegated_script: s.delegated_script,
        reuse_app: s.reuse_app,
    };
    let steps = plan::plan(&answers);
    match s.mode {
        SetupMode::Guided => guided::guided(env, &resolved, &steps, &answers, s.json).await,
        SetupMode::Plan => {
            print_plan(&steps, s.json);
            Exit::Ok
        }
        SetupMode::Apply => apply(env, &s, &resolved, &steps, answers).await,
    }
}

/// The plan carried out: the administrator signed in, the changes made, the checks run.
async fn apply(
    env: &Env,
    s: &SetupSettings,
    resolved: &Resolved<'_>,
    steps: &[PlanStep],
    answers: SetupAnswers,
) -> Exit {
    let e = &resolved.cloud.endpoints;
    let asked = resolved.asked;
    let tenant_text = asked.tenant.to_string();
    let session = match sign_in::admin(
        env,
        e,
        resolved.tenant_id,
        &tenant_text,
        s.admin_client_id,
        AdminPurpose::Setup,
    )
    .await
    {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    if let Err(exit) = enough_rights(&session, steps) {
        return exit;
    }
    let script_only = answers.exchange_script();
    let scoped = answers.scope.as_ref().is_some_and(|s| !s.script_only);
    let exchange = if scoped || answers.delegated_steps_made() {
        let signed_in = sign_in::exchange(
            env,
            e,
            resolved.tenant_id,
            s.admin_client_id,
            s.exchange_client_id,
            &session,
        );
        match signed_in.await {
            Ok(x) => Some(x),
            Err(err) => return sign_in::sign_in_failed(err),
        }
    } else {
        None
    };
    let app_name = answers.app_name.clone();
    let req = SetupRequest {
        name: asked.name.clone(),
        tenant: tenant_text,
        tenant_id: resolved.tenant_id,
        cloud: resolved.cloud.kind,
        endpoints: e.clone(),
        custom_endpoints: (resolved.cloud.kind == CloudKind::Custom).then(|| e.clone()),
        answers,
        mailboxes: asked.mailboxes.clone(),
        deny_mailbox: asked.deny_mailbox.clone(),
        send_test: asked.send_test,
        keyring: env.keyring,
        reuse_existing: s.reuse_app,
        remove_bypassing: s.remove_tenant_wide_consent,
        certificate_if_secrets_forbidden: s.certificate_if_secrets_forbidden,
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let titles = steps.iter().map(|s| s.title.clone()).collect();
    let printer = tokio::spawn(print_steps(titles, rx));
    let mut result = setup::run(env, &req, &session, exchange.as_ref(), Some(tx)).await;
    let _ = printer.await;
    // Secrets forbidden: on a terminal the administrator is asked, and the same setup resumes
    // with a certificate.
    if let Err(err) = &result
        && let Some(named) = err.policy()
        && !in_json()
        && certificate_agreed(named)
    {
        let mut req = req.clone();
        req.certificate_if_secrets_forbidden = true;
        let (tx, rx) = mpsc::unbounded_channel();
        let titles = steps.iter().map(|s| s.title.clone()).collect();
        let printer = tokio::spawn(print_steps(titles, rx));
        result = setup::run(env, &req, &session, exchange.as_ref(), Some(tx)).await;
        let _ = printer.await;
    }
    let profile = match result {
        Ok(p) => p,
        Err(err) => {
            let handed_on = err
                .step
                .filter(|_| err.diagnosis.evidence.contains("HTTP 403"))
                .map(|i| &steps[i as usize..]);
            const RESUME: &str =
                "Run the same command again to resume: what exists is found and kept.";
            let mut extra = serde_json::Map::new();
            extra.insert("resume".into(), json!(RESUME));
            const NAME_TAKEN: &str =
                "Another name: --name \"…\"; the existing app: --reuse-app (same command).";
            if err.name_taken.is_some() {
                extra.insert("choices".into(), json!(NAME_TAKEN));
            }
            if let Some(rest) = handed_on {
                extra.insert("steps_left".into(), json!(rest));
            }
            if let Some(named) = err.policy() {
                extra.insert("secrets_forbidden".into(), json!(named));
                extra.insert("consent".into(), json!(setup::CONSENT_FLAG));
            }
            let exit = if err.local {
                diagnosis_error(Code::Config, Exit::Usage, &err.diagnosis, extra)
            } else {
                failed_with(&err.diagnosis, err.unavailable, extra)
            };
            if !in_json() {
                if let Some(named) = err.policy() {
                    eprintln!(
                        "{named}\nTo give the app a certificate instead, run the same command again with {}.",
                        setup::CONSENT_FLAG
                    );
                }
                if err.name_taken.is_some() {
                    eprintln!("{NAME_TAKEN}");
                }
                if let Some(rest) = handed_on {
                    eprintln!(
                        "The steps from here on are printed below, to hand to an administrator."
                    );
                    print_plan(rest, false);
                }
                eprintln!("{RESUME}");
            }
            return exit;
        }
    };
    if script_only {
        return script_written(env, &profile, s.json);
    }
    eprintln!(
        "Profile {} saved; client ID {}; {} in the keyring. Running the checks:",
        profile.name,
        profile.client_id,
        kept(&profile)
    );
    let (exit, report) = check_and_print(env, profile.clone(), s.json, s.wait).await;
    if let Some(mut r) = report {
        if let Value::Object(m) = &mut r {
            m.insert(
                "setup".into(),
                json!({ "app_name": app_name, "client_id": profile.client_id, "steps": steps.len() }),
            );
        }
        print_json(&r);
    }
    tracing::info!(profile = %profile.name, client_id = %profile.client_id, "setup finished");
    exit
}

/// Who signed in, told; a diagnosis and the plan when the account may not make the changes.
fn enough_rights(session: &AdminSession, steps: &[PlanStep]) -> Result<(), Exit> {
    match setup::rights(session) {
        Rights::Enough(role) => eprintln!("Signed in as {} ({role}).", session.who()),
        Rights::Unknown => eprintln!(
            "Signed in as {} (the token names no directory role; the calls will tell whether it may make the changes).",
            session.who()
        ),
        Rights::NotEnough => {
            let mut extra = serde_json::Map::new();
            extra.insert("steps_left".into(), json!(steps));
            let exit = failed_with(&setup::not_enough_rights(session.who()), false, extra);
            if !in_json() {
                print_plan(steps, false);
            }
            return Err(exit);
        }
    }
    Ok(())
}

/// Each step's outcome as it comes, numbered as in the plan.
async fn print_steps(titles: Vec<String>, mut rx: mpsc::UnboundedReceiver<(usize, StepStatus)>) {
    let total = titles.len();
    while let Some((i, st)) = rx.recv().await {
        match st {
            StepStatus::Running => {}
            StepStatus::Waiting(what) => eprintln!("[{}/{total}] … {} — {what}", i + 1, titles[i]),
            StepStatus::Done(d) => eprintln!("[{}/{total}] ✔ {} — {d}", i + 1, titles[i]),
            StepStatus::Unverified(why) => {
                eprintln!("[{}/{total}] ? {} — not verified: {why}", i + 1, titles[i])
            }
            StepStatus::Failed(d) => {
                eprintln!("[{}/{total}] ✘ {} — {}", i + 1, titles[i], d.summary)
            }
        }
    }
}

/// `--exchange powershell`: the profile is saved and the Exchange Online part is a script.
fn script_written(env: &Env, profile: &Profile, json_out: bool) -> Exit {
    let path = setup::script_path(env, &profile.name);
    eprintln!(
        "Profile {} saved; client ID {}; {} in the keyring.\nThe Exchange Online part is in {}: run it in PowerShell as an Exchange administrator (it is safe to run twice), then `m365-mail-wizard check {} --wait 60m`.",
        profile.name,
        profile.client_id,
        kept(profile),
        path.display(),
        profile.name
    );
    if json_out {
        println!(
            "{}",
            json!({ "profile": profile.name, "client_id": profile.client_id, "script": path })
        );
    }
    Exit::Ok
}

/// What the keyring holds for the profile, in words.
fn kept(p: &Profile) -> &'static str {
    match p.credential {
        crate::model::Credential::Certificate { .. } => "the certificate's private key is",
        crate::model::Credential::Secret => "the secret is",
    }
}

/// On a terminal: whether the administrator agrees to a certificate instead of a secret.
fn certificate_agreed(named: &str) -> bool {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprintln!(
        "{named}\nThe app can prove itself with a certificate instead: the wizard makes a key pair, registers the certificate on the app and keeps the private key in the keyring (no secret is made)."
    );
    let answer = crate::cli::prompt::ask("Use a certificate instead? [y/N] ", false);
    answer.is_some_and(|a| matches!(a.trim(), "y" | "Y" | "yes" | "Yes"))
}
