//! `setup --guided`: the same plan done by hand in the portal, each step's instructions
//! printed, what the portal shows pasted back and checked, then the app verified live.

use std::io::{BufRead, IsTerminal, Write};

use super::Exit;
use super::commands::{Answers, check_profile, print_diagnosis, usage};
use crate::app::{self, Env};
use crate::model::{ClientId, CloudKind, Profile, Secret, TenantId};
use crate::plan::{PlanStep, StepKind};

/// Reads one answer; `None` at end of input.
fn ask(prompt: &str, hidden: bool) -> Option<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    if hidden && std::io::stdin().is_terminal() {
        return read_hidden();
    }
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
    }
}

/// A line typed without echo: the secret never shows on the screen.
fn read_hidden() -> Option<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode().ok()?;
    let mut text = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Some(std::mem::take(&mut text)),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => break None,
                KeyCode::Char(c) => text.push(c),
                KeyCode::Backspace => {
                    text.pop();
                }
                _ => {}
            },
            Ok(Event::Paste(p)) => text.push_str(&p),
            Ok(_) => {}
            Err(_) => break None,
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result
}

fn show(n: usize, step: &PlanStep) {
    eprintln!("\nStep {n}: {}", step.title);
    for (i, line) in step.portal.iter().enumerate() {
        eprintln!("  {}. {line}", i + 1);
    }
    eprintln!("  (PowerShell instead: {})", step.powershell);
}

fn ask_client_id(tenant_id: TenantId) -> Result<ClientId, Exit> {
    loop {
        let Some(raw) = ask("Application (client) ID: ", false) else {
            return Err(usage("input ended before the client ID was given"));
        };
        match ClientId::parse(&raw) {
            Ok(c) if c.to_string() == tenant_id.to_string() => eprintln!(
                "  That is the Directory (tenant) ID. The Application (client) ID is the line above it on the Overview page."
            ),
            Ok(c) => return Ok(c),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

fn ask_tenant_id(tenant_id: TenantId) -> Result<(), Exit> {
    loop {
        let Some(raw) = ask("Directory (tenant) ID: ", false) else {
            return Err(usage("input ended before the tenant ID was given"));
        };
        match TenantId::parse(&raw) {
            Ok(t) if t == tenant_id => return Ok(()),
            Ok(t) => eprintln!(
                "  {t} is another tenant: this setup is for {tenant_id}. Sign in to the portal with an account of that tenant (top right › Switch directory)."
            ),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

fn ask_expiry() -> Result<Option<String>, Exit> {
    let today = time::OffsetDateTime::now_utc().date();
    loop {
        let Some(raw) = ask("Expires (as the portal shows it; enter to skip): ", false) else {
            return Err(usage("input ended before the expiry was given"));
        };
        match crate::model::parse_expiry(&raw, today) {
            Ok(d) => return Ok(d),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

fn ask_secret() -> Result<Secret, Exit> {
    loop {
        let Some(raw) = ask("Secret Value (not shown): ", true) else {
            return Err(usage("input ended before the secret was given"));
        };
        let (secret, warnings) = Secret::from_pasted(&raw);
        match warnings.iter().find(|w| w.blocks()) {
            Some(w) => eprintln!("  {}", w.message()),
            None => return Ok(secret),
        }
    }
}

pub async fn guided(
    env: &Env,
    ans: &Answers,
    steps: &[PlanStep],
    setup: &crate::plan::SetupAnswers,
    send_test: bool,
    json_out: bool,
) -> Exit {
    let omitted = setup.omitted();
    eprintln!(
        "Guided setup for {}: do each step in the portal ({}), then paste back what it asks for.",
        ans.tenant, ans.cloud.endpoints.portal
    );
    let mut client_id = None;
    let mut secret = None;
    let mut expires = None;
    for (n, step) in steps.iter().enumerate() {
        match step.kind {
            StepKind::Resolve | StepKind::CreateServicePrincipal | StepKind::Verify => continue,
            StepKind::CreateApp => {
                show(n + 1, step);
                client_id = Some(match ask_client_id(ans.tenant_id) {
                    Ok(c) => c,
                    Err(e) => return e,
                });
                if let Err(e) = ask_tenant_id(ans.tenant_id) {
                    return e;
                }
            }
            StepKind::AddSecret => {
                show(n + 1, step);
                secret = Some(match ask_secret() {
                    Ok(s) => s,
                    Err(e) => return e,
                });
                expires = match ask_expiry() {
                    Ok(d) => d,
                    Err(e) => return e,
                };
            }
            StepKind::Consent | StepKind::DelegatedConsent => {
                show(n + 1, step);
                if ask("Press Enter when done. ", false).is_none() {
                    return usage("input ended before the consent steps were confirmed");
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
                    return usage("input ended before the Exchange Online steps were confirmed");
                }
            }
        }
    }
    let (Some(client_id), Some(secret)) = (client_id, secret) else {
        return usage("the plan has no app or secret step");
    };
    let e = &ans.cloud.endpoints;
    let roles = crate::app::guided::app_token_roles(
        env,
        e,
        &ans.tenant_id,
        &client_id,
        &secret,
        &ans.access,
        &omitted,
    )
    .await;
    let missing = match roles {
        Ok(r) => {
            for (resource, have) in &r.granted {
                eprintln!(
                    "Signed in as the app: {resource} roles: {}",
                    have.join(", ")
                );
            }
            r.missing
        }
        Err(err) => {
            let d = crate::app::setup::graph_diagnosis(&err, &ans.tenant.to_string(), &e.portal);
            print_diagnosis(&d);
            eprintln!(
                "Nothing was saved. Fix the step named above and run the guided setup again."
            );
            return Exit::CheckFailed;
        }
    };
    if !missing.is_empty() {
        eprintln!(
            "The app's token lacks {}: the permission was not added as an application permission, or consent was not granted (it can also take a few minutes to apply). The profile is saved; `check` tells when it works.",
            missing.join(", ")
        );
    }
    let profile = Profile {
        name: ans.name.clone(),
        sandbox: env.sandbox.is_some(),
        cloud: ans.cloud.kind,
        endpoints: (ans.cloud.kind == CloudKind::Custom).then(|| ans.cloud.endpoints.clone()),
        tenant: ans.tenant.to_string(),
        tenant_id: ans.tenant_id,
        client_id,
        access: ans.access.clone(),
        mailboxes: ans.mailboxes.clone(),
        deny_mailbox: ans.deny_mailbox.clone(),
        send_test,
        keyring: env.keyring,
        last_check: None,
        scope: setup.scope.as_ref().map(|s| s.record(&setup.app_name)),
        secret_expires: expires,
        credential: Default::default(),
    };
    if let Err(err) = app::save_profile(env, &profile, &secret).await {
        eprintln!("error: {err}");
        return Exit::Unavailable;
    }
    eprintln!(
        "Profile {} saved; the secret is in the keyring. Running the checks:",
        profile.name
    );
    let (exit, report) = check_profile(env, profile, json_out, std::time::Duration::ZERO).await;
    if let Some(r) = report {
        println!(
            "{}",
            serde_json::to_string_pretty(&r).expect("report serialises")
        );
    }
    exit
}

/// `renew --guided`: the admin makes the new secret in the portal; the wizard stores it, proves
/// it signs in, and only then tells the admin to delete the old one. If the proof fails, the old
/// secret goes back into the keyring.
pub async fn renew(env: &Env, name: &str) -> Exit {
    let p = match super::setup_cmd::secret_profile(env, name, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let old = match env.secret(&p).await {
        Ok(s) => s,
        Err(e) => return usage(format!("profile {}: {e}", p.name)),
    };
    let e = env.endpoints(&p);
    eprintln!(
        "Guided renewal of {}: in the portal ({}), open App registrations › the app (client ID {}) › Certificates & secrets.",
        p.name, e.portal, p.client_id
    );
    eprintln!(
        "  1. \"New client secret\", description m365-mail-wizard, the lifetime you want, Add."
    );
    eprintln!("  2. Copy the new secret's Value (not its Secret ID) at once, and paste it here.");
    eprintln!("  Do not delete the old secret yet: the wizard tells you when.");
    let new = match ask_secret() {
        Ok(s) => s,
        Err(e) => return e,
    };
    let expires = match ask_expiry() {
        Ok(d) => d,
        Err(e) => return e,
    };
    let name = p.name.to_string();
    let keyring = p.keyring;
    let n = name.clone();
    let value = new.clone();
    if let Err(err) = env.with_vault(keyring, move |v| v.set(&n, &value)).await {
        eprintln!("error: {err}");
        return Exit::Unavailable;
    }
    // A pasted value is more often wrong than slow to propagate: a short wait, then the verdict.
    let proof =
        crate::app::renew::proves(env, &p, &e, &new, std::time::Duration::from_secs(8)).await;
    if let Err(err) = proof {
        let n = name.clone();
        let _ = env.with_vault(keyring, move |v| v.set(&n, &old)).await;
        let mut d = crate::app::setup::graph_diagnosis(&err, &p.tenant, &e.portal);
        d.summary = format!(
            "The new secret did not sign in; the old one stays in use. ({})",
            d.summary
        );
        print_diagnosis(&d);
        return Exit::CheckFailed;
    }
    let mut p = p;
    if expires.is_some() {
        p.secret_expires = expires;
    }
    if let Err(err) = env.profiles().save(&p) {
        eprintln!("warning: the profile was not updated: {err}");
    }
    eprintln!(
        "The new secret signs in and is in the keyring. Switch the consuming application to it, then delete the old secret under Certificates & secrets."
    );
    Exit::Ok
}
