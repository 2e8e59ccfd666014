//! `setup`: journeys 1's Entra part without the TUI — plan, sign-in, changes, checks.

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Exit;
use super::args::SetupArgs;
use super::commands::{answers, check_profile, print_diagnosis, usage};
use crate::app::Env;
use crate::app::setup::{self, Rights, SetupRequest, StepStatus};
use crate::app::sign_in;
use crate::app::sign_in::AdminSession;
use crate::model::CloudKind;
use crate::plan::{self, PlanStep, SECRET_MONTHS, SetupAnswers};
use crate::scope::{GroupRef, ScopeKind, ScopeSpec};

fn print_plan(steps: &[PlanStep], json_out: bool) {
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "plan": steps })).expect("plan serialises")
        );
        return;
    }
    println!("The plan (nothing is changed until you run it with --yes):");
    for (i, s) in steps.iter().enumerate() {
        println!("{:>2}. {}", i + 1, s.title);
        println!("      Graph:      {}", s.graph);
        println!("      PowerShell: {}", s.powershell);
        println!("      Changes:    {}", s.changes);
    }
}

pub async fn setup(env: &Env, a: SetupArgs) -> Exit {
    if !SECRET_MONTHS.contains(&a.secret_months) {
        return usage(format!(
            "--secret-months {}: choose 3, 6, 12, 18 or 24 (the lifetimes the portal offers; 6 is recommended)",
            a.secret_months
        ));
    }
    if crate::model::ClientId::parse(&a.admin_client_id).is_err() {
        return usage(format!(
            "--admin-client-id {}: not a GUID",
            a.admin_client_id
        ));
    }
    // Running a setup again is how it resumes or confirms itself: its own profile is no clash.
    let own_setup = crate::model::ProfileName::parse(&a.common.profile)
        .ok()
        .and_then(|n| {
            env.dirs
                .journals(env.sandbox.is_some())
                .load(&n)
                .ok()
                .flatten()
        })
        .is_some();
    let ans = match answers(env, &a.common, a.common.force || own_setup).await {
        Ok(x) => x,
        Err(e) => return e,
    };
    let app_name = a
        .name
        .clone()
        .unwrap_or_else(|| format!("m365-mail-wizard {}", ans.name));
    if app_name.trim().is_empty() || app_name.len() > 120 {
        return usage("--name: give the app a display name of 1 to 120 characters");
    }
    let scope = match scope_spec(&a, &ans) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let setup_answers = SetupAnswers {
        app_name,
        access: ans.access.clone(),
        secret_months: a.secret_months,
        portal: ans.cloud.endpoints.portal.clone(),
        public_client: a.public_client,
        scope,
    };
    let steps = plan::plan(&setup_answers);
    if a.guided {
        return super::guided::guided(
            env,
            &ans,
            &steps,
            &setup_answers,
            a.common.send_test,
            a.json,
        )
        .await;
    }
    if !a.yes {
        print_plan(&steps, a.json);
        return Exit::Ok;
    }
    let e = &ans.cloud.endpoints;
    let tenant = ans.tenant_id.to_string();
    let session =
        match admin_sign_in(env, e, &tenant, &ans.tenant.to_string(), &a.admin_client_id).await {
            Ok(s) => s,
            Err(exit) => return exit,
        };
    match setup::rights(&session) {
        Rights::Enough(role) => eprintln!("Signed in as {} ({role}).", session.who()),
        Rights::Unknown => eprintln!(
            "Signed in as {} (the token names no directory role; the calls will tell whether it may make the changes).",
            session.who()
        ),
        Rights::NotEnough => {
            print_diagnosis(&setup::not_enough_rights(session.who()));
            print_plan(&steps, false);
            return Exit::CheckFailed;
        }
    }
    let exchange = match &setup_answers.scope {
        Some(s) if !s.script_only => match exchange_sign_in(env, e, &tenant, &a, &session).await {
            Ok(x) => Some(x),
            Err(exit) => return exit,
        },
        _ => None,
    };
    let script_only = setup_answers.scope.as_ref().is_some_and(|s| s.script_only);
    let req = SetupRequest {
        name: ans.name.clone(),
        tenant: ans.tenant.to_string(),
        tenant_id: ans.tenant_id,
        cloud: ans.cloud.kind,
        endpoints: ans.cloud.endpoints.clone(),
        custom_endpoints: (ans.cloud.kind == CloudKind::Custom)
            .then(|| ans.cloud.endpoints.clone()),
        answers: setup_answers,
        mailboxes: ans.mailboxes.clone(),
        deny_mailbox: ans.deny_mailbox.clone(),
        send_test: a.common.send_test,
        keyring: env.keyring,
        reuse_existing: a.reuse_app,
        remove_bypassing: a.remove_tenant_wide_consent,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let titles: Vec<String> = steps.iter().map(|s| s.title.clone()).collect();
    let total = titles.len();
    let printer = tokio::spawn(async move {
        while let Some((i, st)) = rx.recv().await {
            match st {
                StepStatus::Running => {}
                StepStatus::Done(d) => eprintln!("[{}/{total}] ✔ {} — {d}", i + 1, titles[i]),
                StepStatus::Failed(d) => {
                    eprintln!("[{}/{total}] ✘ {} — {}", i + 1, titles[i], d.summary)
                }
            }
        }
    });
    let result = setup::run(env, &req, &session, exchange.as_ref(), Some(tx)).await;
    let _ = printer.await;
    let profile = match result {
        Ok(p) => p,
        Err(err) => {
            print_diagnosis(&err.diagnosis);
            if let Some(i) = err.step
                && err.diagnosis.evidence.contains("HTTP 403")
            {
                eprintln!("The steps from here on are printed below, to hand to an administrator.");
                print_plan(&steps[i..], false);
            }
            eprintln!("Run the same command again to resume: what exists is found and kept.");
            return if err.unavailable {
                Exit::Unavailable
            } else {
                Exit::CheckFailed
            };
        }
    };
    if script_only {
        let path = setup::script_path(env, &profile.name);
        eprintln!(
            "Profile {} saved; client ID {}; the secret is in the keyring.\nThe Exchange Online part is in {}: run it in PowerShell as an Exchange administrator (it is safe to run twice), then `m365-mail-wizard check {} --wait 60m`.",
            profile.name,
            profile.client_id,
            path.display(),
            profile.name
        );
        if a.json {
            println!(
                "{}",
                json!({ "profile": profile.name, "client_id": profile.client_id, "script": path })
            );
        }
        return Exit::Ok;
    }
    eprintln!(
        "Profile {} saved; client ID {}; the secret is in the keyring. Running the checks:",
        profile.name, profile.client_id
    );
    let progress_json = a.json;
    let (exit, report) = check_profile(env, profile.clone(), progress_json, a.wait).await;
    if let Some(mut r) = report {
        if let Value::Object(m) = &mut r {
            m.insert(
                "setup".into(),
                json!({ "app_name": req.answers.app_name, "client_id": profile.client_id, "steps": steps.len() }),
            );
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&r).expect("report serialises")
        );
    }
    tracing::info!(profile = %profile.name, client_id = %profile.client_id, "setup finished");
    exit
}

/// The Exchange Online part the flags ask for; none for the delegated style, which reaches
/// only the signed-in user's own mailbox.
fn scope_spec(a: &SetupArgs, ans: &super::commands::Answers) -> Result<Option<ScopeSpec>, Exit> {
    if ans
        .access
        .iter()
        .all(|x| *x == crate::model::AccessChoice::Delegated)
    {
        return Ok(None);
    }
    let kind = ScopeKind::parse(&a.scope).map_err(|e| usage(format!("--scope: {e}")))?;
    if kind == ScopeKind::AllMailboxes && !a.i_understand_all_mailboxes {
        return Err(usage(
            "--scope all-mailboxes lets the app read or send as every mailbox of the organisation, the CEO's included: add --i-understand-all-mailboxes to confirm, or choose --scope rbac",
        ));
    }
    if kind == ScopeKind::DenyPolicy && ans.deny_mailbox.is_none() {
        return Err(usage(
            "--scope deny-policy keeps the app away from the group's members: name the mailbox to keep out with --deny-mailbox",
        ));
    }
    let script_only = match a.exchange.as_str() {
        "automate" => false,
        "powershell" => true,
        other => {
            return Err(usage(format!(
                "--exchange {other}: use automate or powershell"
            )));
        }
    };
    if crate::model::ClientId::parse(&a.exchange_client_id).is_err() {
        return Err(usage(format!(
            "--exchange-client-id {}: not a GUID",
            a.exchange_client_id
        )));
    }
    let group = match (&a.group, kind.uses_group()) {
        (Some(g), _) => Some(GroupRef::parse(g).map_err(|e| usage(format!("--group: {e}")))?),
        (None, true) => Some(
            GroupRef::parse(&format!("m365mw-{}", ans.name))
                .map_err(|e| usage(format!("--group: {e}")))?,
        ),
        (None, false) => None,
    };
    Ok(Some(ScopeSpec {
        kind,
        group,
        mailboxes: ans.mailboxes.iter().map(|m| m.to_string()).collect(),
        deny_mailbox: ans.deny_mailbox.as_ref().map(|m| m.to_string()),
        script_only,
    }))
}

/// A token for Exchange Online administration, told on stderr.
async fn exchange_sign_in(
    env: &Env,
    e: &crate::model::Endpoints,
    tenant_id: &str,
    a: &SetupArgs,
    session: &AdminSession,
) -> Result<setup::ExchangeAdmin, Exit> {
    sign_in::exchange(
        env,
        e,
        tenant_id,
        &a.admin_client_id,
        &a.exchange_client_id,
        session,
        |code, why| {
            eprintln!(
                "The first sign-in cannot be reused for Exchange Online administration ({why}). Sign in once more, for Exchange:"
            );
            eprintln!(
                "To sign in as an Exchange administrator, open {} and enter the code {}",
                code.verification_uri, code.user_code
            );
        },
    )
    .await
    .map_err(failed_sign_in)
}

/// The device-code sign-in of an administrator, told on stderr.
pub(super) async fn admin_sign_in(
    env: &Env,
    e: &crate::model::Endpoints,
    tenant_id: &str,
    tenant: &str,
    client_id: &str,
) -> Result<AdminSession, Exit> {
    sign_in::admin(env, e, tenant_id, client_id, |code| {
        eprintln!(
            "To sign in as an administrator of {tenant}, open {} and enter the code {}",
            code.verification_uri, code.user_code
        );
    })
    .await
    .map_err(failed_sign_in)
}

fn failed_sign_in(err: sign_in::SignInError) -> Exit {
    print_diagnosis(&err.diagnosis);
    if err.unavailable {
        Exit::Unavailable
    } else {
        Exit::CheckFailed
    }
}

/// A lifetime the portal offers for a new secret or certificate.
fn lifetime(months: u32) -> Result<(), Exit> {
    if SECRET_MONTHS.contains(&months) {
        Ok(())
    } else {
        Err(usage(format!(
            "{months} months: choose 3, 6, 12, 18 or 24 (6 is recommended for secrets)"
        )))
    }
}

/// A profile that signs in with a client secret (what `renew` starts from), or with either
/// credential when `certificate_too`.
pub(super) fn secret_profile(
    env: &Env,
    name: &str,
    certificate_too: bool,
) -> Result<crate::model::Profile, Exit> {
    let p = super::commands::load(env, name)?;
    if !p.credential.is_secret() && !certificate_too {
        return Err(usage(format!(
            "profile {} signs in with a certificate: `m365-mail-wizard cert {}` makes a new one, proves it and then removes the old one",
            p.name, p.name
        )));
    }
    Ok(p)
}

fn report_failure(err: &crate::app::renew::RenewError) -> Exit {
    print_diagnosis(&err.diagnosis);
    if err.unavailable {
        Exit::Unavailable
    } else {
        Exit::CheckFailed
    }
}

/// `renew`: a new secret, proven, then the old one removed.
pub async fn renew(env: &Env, name: &str, months: u32, admin_client_id: &str) -> Exit {
    let mut p = match lifetime(months).and_then(|()| secret_profile(env, name, false)) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Err(err) = env.secret(&p).await {
        print_diagnosis(&crate::cloud::Diagnosis {
            summary: format!("Profile {} has no secret in the keyring.", p.name),
            evidence: err.to_string(),
            cause: "The keyring entry was removed, or this is another machine.".into(),
            fix: "Store the current secret again (`add --force …`), then renew.".into(),
        });
        return Exit::CheckFailed;
    }
    let e = env.endpoints(&p);
    let tenant_id = p.tenant_id.to_string();
    let session = match admin_sign_in(env, &e, &tenant_id, &p.tenant, admin_client_id).await {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    eprintln!("Signed in as {}. Adding a new secret…", session.who());
    match crate::app::renew::renew(env, &mut p, &session.token, months).await {
        Ok(r) => {
            eprintln!(
                "Renewed: the new secret ({} months) is in the keyring, signs in, and is valid until {}; {}.",
                r.months, r.expires, r.old
            );
            Exit::Ok
        }
        Err(err) => report_failure(&err),
    }
}

/// A profile (secret or certificate) and an administrator of its tenant signed in.
async fn signed_in_for(
    env: &Env,
    name: &str,
    admin_client_id: &str,
) -> Result<(crate::model::Profile, AdminSession), Exit> {
    let p = secret_profile(env, name, true)?;
    let e = env.endpoints(&p);
    let session = admin_sign_in(
        env,
        &e,
        &p.tenant_id.to_string(),
        &p.tenant,
        admin_client_id,
    )
    .await?;
    Ok((p, session))
}

/// `expiry`: the credential's end date, read from the app registration and recorded.
pub async fn expiry(env: &Env, name: &str, admin_client_id: &str) -> Exit {
    let (mut p, session) = match signed_in_for(env, name, admin_client_id).await {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    eprintln!(
        "Signed in as {}. Reading the app registration…",
        session.who()
    );
    match crate::app::renew::read_expiry(env, &mut p, &session.token).await {
        Ok(r) => {
            eprintln!("{}", r.note);
            println!("{}", r.expires);
            Exit::Ok
        }
        Err(err) => report_failure(&err),
    }
}

/// `cert --guided`: the admin uploads the certificate in the portal; the wizard proves it.
pub async fn cert_guided(env: &Env, name: &str, months: u32) -> Exit {
    let mut p = match lifetime(months).and_then(|()| secret_profile(env, name, true)) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let up = match crate::app::renew::certificate_for_upload(env, &p, months).await {
        Ok(u) => u,
        Err(err) => return report_failure(&err),
    };
    let portal = env.endpoints(&p).portal;
    eprintln!(
        "1. Open {}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade and the app with client ID {}.\n2. Certificates & secrets › Certificates › Upload certificate: choose {}\n   Description: {}. Add.\n3. Press Enter here when it is listed (the wizard then signs in with it; nothing changes before that works).",
        portal.trim_end_matches('/'),
        p.client_id,
        up.file.display(),
        up.label
    );
    let mut line = String::new();
    let read = tokio::task::spawn_blocking(move || std::io::stdin().read_line(&mut line))
        .await
        .ok()
        .and_then(Result::ok);
    if read.is_none_or(|n| n == 0) {
        return usage("input ended before the upload was confirmed; nothing changed");
    }
    match crate::app::renew::adopt_uploaded(env, &mut p, up).await {
        Ok(c) => {
            eprintln!(
                "Profile {} now signs in with the uploaded certificate (x5t#S256 {}), valid until {}; its private key is in the keyring. Delete the credential it replaced in the portal once nothing uses it.",
                p.name, c.thumbprint, c.expires
            );
            Exit::Ok
        }
        Err(err) => report_failure(&err),
    }
}

/// `cert`: move a profile from its client secret to a certificate.
pub async fn cert(env: &Env, name: &str, months: u32, admin_client_id: &str) -> Exit {
    let signed_in = match lifetime(months) {
        Ok(()) => signed_in_for(env, name, admin_client_id).await,
        Err(exit) => Err(exit),
    };
    let (mut p, session) = match signed_in {
        Ok(x) => x,
        Err(exit) => return exit,
    };
    eprintln!(
        "Signed in as {}. Making a key pair and a certificate…",
        session.who()
    );
    match crate::app::renew::certify(env, &mut p, &session.token, months).await {
        Ok(c) => {
            eprintln!(
                "Profile {} now signs in with a certificate (x5t#S256 {}), valid until {}; its private key is in the keyring.",
                p.name, c.thumbprint, c.expires
            );
            match c.retired {
                None => eprintln!(
                    "The old client secret is still on the app: delete it once nothing uses it."
                ),
                Some(Ok(())) => eprintln!("The certificate it replaced was removed from the app."),
                Some(Err(e)) => eprintln!(
                    "The certificate it replaced could not be removed ({e}): remove it under the app's Certificates & secrets."
                ),
            }
            Exit::Ok
        }
        Err(err) => report_failure(&err),
    }
}
