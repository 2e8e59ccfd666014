use std::io::{IsTerminal, Read, Write};
use std::time::Instant;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Exit;
use super::args::{AddArgs, Cli, Command, KeyringArg, ProfileArgs, SandboxCommand};
use crate::app::{self, Env, SaveError};
use crate::checks::{self, CheckRow, Status, Verdict};
use crate::model::{
    ClientId, Cloud, CloudKind, Endpoints, KeyringBackend, Mailbox, Profile, ProfileName, Secret,
    TenantInput, parse_access_list,
};
use crate::sandbox::{FaultPlan, Sandbox, SandboxOptions};
use crate::store::{Dirs, StoreError};
use crate::vault::VaultError;

/// How many profiles `check` runs at once: a consultant's fleet in one wave.
const PROFILES_AT_ONCE: usize = 64;

pub(super) fn usage(msg: impl std::fmt::Display) -> Exit {
    eprintln!("error: {msg}");
    Exit::Usage
}

pub async fn dispatch(cli: Cli) -> Exit {
    let dirs = match Dirs::from_env() {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let _log = crate::logging::init(&dirs.data);
    let keyring = match cli.keyring {
        KeyringArg::Os => KeyringBackend::Os,
        KeyringArg::Keyutils => KeyringBackend::Keyutils,
    };
    if let Some(Command::Sandbox {
        command:
            SandboxCommand::Serve {
                port,
                state,
                latency_ms,
                faults,
                auto_approve,
                replication_lag_ms,
                max_secret_months,
                device_code_secs,
                propagation_delay,
                extra_mailboxes,
                cloud_instance,
            },
    }) = cli.command
    {
        let faults = match FaultPlan::parse(&faults) {
            Ok(f) => f,
            Err(e) => return usage(e),
        };
        let cloud_dir = state
            .as_ref()
            .and_then(|s| s.parent().map(|p| p.to_path_buf()))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(std::env::temp_dir);
        if !(0.0..=86_400.0).contains(&propagation_delay) {
            return usage(format!(
                "--propagation-delay {propagation_delay}: give seconds from 0 to 86400"
            ));
        }
        let opts = SandboxOptions {
            port,
            state_file: state,
            latency: std::time::Duration::from_millis(latency_ms),
            faults,
            cloud_file_dir: Some(cloud_dir),
            auto_approve,
            replication_lag: std::time::Duration::from_millis(replication_lag_ms),
            max_secret_months,
            device_code_lifetime: std::time::Duration::from_secs(device_code_secs),
            propagation_delay: std::time::Duration::from_secs_f64(propagation_delay),
            extra_mailboxes,
            cloud_instance: cloud_instance.map(|c| match c.split_once(':') {
                Some((name, sub)) => (name.to_string(), sub.to_string()),
                None => (c, String::new()),
            }),
        };
        return serve(opts).await;
    }
    if cli.sandbox && cli.command.is_none() {
        return crate::tui::run_sandbox(dirs, keyring).await;
    }
    let sandbox = if cli.sandbox {
        match Sandbox::start(SandboxOptions::default()).await {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Unavailable;
            }
        }
    } else {
        None
    };
    let mut env = Env::new(dirs, sandbox.as_ref().map(|s| s.info().link()), keyring);
    if let Some(Command::Check { timeout, .. }) = &cli.command {
        let step = std::time::Duration::from_secs(*timeout);
        env.timeouts = crate::checks::Timeouts {
            step,
            total: step * 3,
        };
    }
    let exit = match cli.command {
        None => crate::tui::run(env).await,
        Some(Command::Add(a)) => add(&env, a).await,
        Some(Command::Setup(a)) => super::setup_cmd::setup(&env, a).await,
        Some(Command::Check {
            profile,
            json,
            warn_days,
            wait,
            ..
        }) => check(&env, profile, json, warn_days, wait).await,
        Some(Command::Profiles { json }) => profiles(&env, json),
        Some(Command::Cert {
            profile,
            months,
            guided: true,
            ..
        }) => super::setup_cmd::cert_guided(&env, &profile, months).await,
        Some(Command::Cert {
            profile,
            months,
            admin_client_id,
            ..
        }) => super::setup_cmd::cert(&env, &profile, months, &admin_client_id).await,
        Some(Command::Renew {
            profile,
            guided: true,
            ..
        }) => super::guided::renew(&env, &profile).await,
        Some(Command::Renew {
            profile,
            secret_months,
            admin_client_id,
            ..
        }) => super::setup_cmd::renew(&env, &profile, secret_months, &admin_client_id).await,
        Some(Command::Expiry {
            profile,
            admin_client_id,
        }) => super::setup_cmd::expiry(&env, &profile, &admin_client_id).await,
        Some(Command::Export {
            profile,
            format,
            output,
            force,
        }) => export(&env, &profile, &format, output.as_deref(), force),
        Some(Command::Forget { profile }) => forget(&env, &profile).await,
        Some(Command::Sandbox { .. }) => unreachable!("handled above"),
    };
    if let Some(s) = sandbox {
        s.stop().await;
    }
    exit
}

async fn serve(opts: SandboxOptions) -> Exit {
    let sandbox = match Sandbox::start(opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Unavailable;
        }
    };
    let line = serde_json::to_string(sandbox.info()).expect("sandbox info serialises");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    eprintln!(
        "sandbox tenant serving on {} — Ctrl-C stops it",
        sandbox.info().login
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    Exit::Ok
}

fn read_secret_stdin() -> Result<Secret, Exit> {
    let mut raw = String::new();
    if std::io::stdin().read_to_string(&mut raw).is_err() {
        return Err(usage("could not read the secret from standard input"));
    }
    // One line ending is how `echo` and files end their text; only more is worth a note.
    let line = raw
        .strip_suffix("\r\n")
        .or_else(|| raw.strip_suffix('\n'))
        .unwrap_or(&raw);
    let (secret, warnings) = Secret::from_pasted(line);
    zeroize::Zeroize::zeroize(&mut raw);
    if let Some(w) = warnings.iter().find(|w| w.blocks()) {
        return Err(usage(w.message()));
    }
    for w in warnings {
        eprintln!("note: {}", w.message());
    }
    Ok(secret)
}

/// What `add` and `setup` both ask: validated, the tenant resolved.
pub(super) struct Answers {
    pub name: ProfileName,
    pub tenant: TenantInput,
    pub tenant_id: crate::model::TenantId,
    pub cloud: Cloud,
    pub access: Vec<crate::model::AccessChoice>,
    pub mailboxes: Vec<Mailbox>,
    pub deny_mailbox: Option<Mailbox>,
}

pub(super) async fn answers(env: &Env, a: &ProfileArgs, force: bool) -> Result<Answers, Exit> {
    let name = ProfileName::parse(&a.profile).map_err(usage)?;
    let tenant = TenantInput::parse(&a.tenant).map_err(usage)?;
    let access = parse_access_list(&a.access).map_err(|e| usage(format!("--access: {e}")))?;
    let mut mailboxes: Vec<Mailbox> = Vec::new();
    for m in &a.mailboxes {
        let list = Mailbox::parse_list(m).map_err(|e| usage(format!("--mailbox: {e}")))?;
        for x in list {
            if !mailboxes.contains(&x) {
                mailboxes.push(x);
            }
        }
    }
    if mailboxes.is_empty() {
        return Err(usage(
            "--mailbox: give at least one mailbox the application must reach",
        ));
    }
    let deny_mailbox = a
        .deny_mailbox
        .as_deref()
        .map(Mailbox::parse)
        .transpose()
        .map_err(|e| usage(format!("--deny-mailbox: {e}")))?;
    if let Some(d) = &deny_mailbox
        && mailboxes.contains(d)
    {
        return Err(usage(format!(
            "--deny-mailbox: {d} is also given with --mailbox; a mailbox cannot be both reachable and denied"
        )));
    }
    let cloud = match (a.cloud_file.as_deref(), env.sandbox.as_ref()) {
        (_, Some(s)) => Cloud::custom(s.endpoints()),
        (Some(path), None) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("--cloud-file {}: {e}", path.display())))?;
            Cloud::custom(Endpoints::from_toml(&path.display().to_string(), &text).map_err(usage)?)
        }
        (None, None) => Cloud::named(
            a.cloud
                .parse::<CloudKind>()
                .map_err(|e| usage(format!("--cloud: {e}")))?,
        ),
    };
    if env.profiles().exists(&name) && !force {
        return Err(usage(format!(
            "a profile named \"{name}\" exists: choose another name or add --force to replace it"
        )));
    }
    let (info, lives_in) = app::resolve_tenant(&env.http, &cloud.endpoints, cloud.kind, &tenant)
        .await
        .map_err(|(d, unavailable)| {
            print_diagnosis(&d);
            if unavailable {
                Exit::Unavailable
            } else {
                Exit::Usage
            }
        })?;
    let cloud = if lives_in != cloud.kind {
        eprintln!(
            "note: {tenant} lives in the {} cloud, not {}: using that cloud's endpoints.",
            lives_in.label(),
            cloud.kind.label()
        );
        Cloud::named(lives_in)
    } else {
        cloud
    };
    Ok(Answers {
        name,
        tenant,
        tenant_id: info.id,
        cloud,
        access,
        mailboxes,
        deny_mailbox,
    })
}

async fn add(env: &Env, a: AddArgs) -> Exit {
    let client_id = match ClientId::parse(&a.client_id) {
        Ok(c) => c,
        Err(e) => return usage(format!("--client-id: {e}")),
    };
    let ans = match answers(env, &a.common, a.common.force).await {
        Ok(x) => x,
        Err(e) => return e,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let secret_expires =
        match crate::model::parse_expiry(a.secret_expires.as_deref().unwrap_or(""), today) {
            Ok(x) => x,
            Err(e) => return usage(format!("--secret-expires: {e}")),
        };
    let secret = match read_secret_stdin() {
        Ok(s) => s,
        Err(e) => return e,
    };
    let cloud = ans.cloud;
    let profile = Profile {
        name: ans.name,
        sandbox: env.sandbox.is_some(),
        cloud: cloud.kind,
        endpoints: (cloud.kind == CloudKind::Custom).then_some(cloud.endpoints),
        tenant: ans.tenant.to_string(),
        tenant_id: ans.tenant_id,
        client_id,
        access: ans.access,
        mailboxes: ans.mailboxes,
        deny_mailbox: ans.deny_mailbox,
        send_test: a.common.send_test,
        keyring: env.keyring,
        last_check: None,
        scope: None,
        secret_expires,
        credential: Default::default(),
    };
    match app::save_profile(env, &profile, &secret).await {
        Ok(()) => {
            if profile.keyring == KeyringBackend::Keyutils {
                eprintln!("warning: {}", app::KEYUTILS_WARNING);
            }
            eprintln!(
                "Saved profile {} (tenant {}); the secret is in the keyring ({} / {}). Next: m365-mail-wizard{} check {}",
                profile.name,
                profile.tenant_id,
                app::keyring_service(env),
                profile.name,
                if env.sandbox.is_some() {
                    " --sandbox"
                } else {
                    ""
                },
                profile.name
            );
            Exit::Ok
        }
        Err(e) => save_error(e),
    }
}

fn save_error(e: SaveError) -> Exit {
    eprintln!("error: {e}");
    match e {
        SaveError::Vault(VaultError::Unavailable(_)) => Exit::Unavailable,
        _ => Exit::Usage,
    }
}

pub(super) fn print_diagnosis(d: &crate::cloud::Diagnosis) {
    eprintln!(
        "error: {}\n  evidence: {}\n  cause:    {}\n  fix:      {}",
        d.summary, d.evidence, d.cause, d.fix
    );
}

pub(super) fn load(env: &Env, name: &str) -> Result<Profile, Exit> {
    let name = ProfileName::parse(name).map_err(usage)?;
    env.profiles().load(&name).map_err(usage)
}

async fn check(
    env: &Env,
    profile: Option<String>,
    json_out: bool,
    warn_days: Option<u32>,
    wait: std::time::Duration,
) -> Exit {
    // With --all, a damaged file is reported in its place: it must not hide the others.
    let listed: Vec<Result<Profile, crate::store::StoreError>> = match &profile {
        Some(name) => match load(env, name) {
            Ok(p) => vec![Ok(p)],
            Err(e) => return e,
        },
        None => {
            let all = env.profiles().list();
            if all.is_empty() {
                return usage("no profiles yet: add one with `m365-mail-wizard add` or the wizard");
            }
            all
        }
    };
    let profiles: Vec<&Profile> = listed.iter().filter_map(|r| r.as_ref().ok()).collect();
    let mut reports = Vec::new();
    let mut worst = Exit::Ok;
    let today = time::OffsetDateTime::now_utc().date();
    let expiring: Vec<String> = match warn_days {
        Some(n) => profiles
            .iter()
            .filter_map(|p| {
                let (days, _) = p.expiry(today)?;
                (days <= i64::from(n)).then(|| format!("{} ({days} days)", p.name))
            })
            .collect(),
        None => Vec::new(),
    };
    // Profiles are independent: checked together (a bounded number at a time), then told in
    // their order. Live progress only makes sense for one.
    let progress = profiles.len() == 1 && std::io::stderr().is_terminal() && !json_out;
    let unreadable = listed.iter().any(Result::is_err);
    // (exit, JSON report, text report, the error of a file that could not be read)
    type Told = (Exit, Option<Value>, Option<String>, Option<String>);
    let results: Vec<Told> = {
        use futures_util::StreamExt;
        futures_util::stream::iter(listed.into_iter().map(|r| async move {
            match r {
                Ok(p) => {
                    let (exit, report, text) =
                        check_quietly(env, p, json_out, progress, wait).await;
                    (exit, report, text, None)
                }
                Err(e) => (
                    Exit::Usage,
                    json_out.then(|| unreadable_json(&e)),
                    None,
                    Some(e.to_string()),
                ),
            }
        }))
        .buffered(PROFILES_AT_ONCE)
        .collect()
        .await
    };
    for (exit, report, text, unreadable) in results {
        if let Some(e) = unreadable {
            eprintln!("error: {e}");
        }
        if let Some(t) = text {
            print!("{t}");
        }
        worst = match (worst, exit) {
            (Exit::CheckFailed, _) | (_, Exit::CheckFailed) => Exit::CheckFailed,
            (Exit::Unavailable, _) | (_, Exit::Unavailable) => Exit::Unavailable,
            _ => Exit::Ok,
        };
        reports.extend(report);
    }
    if unreadable && worst == Exit::Ok {
        worst = Exit::Usage;
    }
    if !expiring.is_empty() {
        eprintln!(
            "Secrets expiring within the warning window: {}",
            expiring.join(", ")
        );
        if worst == Exit::Ok {
            worst = Exit::Expiring;
        }
    }
    if json_out {
        let v = if profile.is_some() {
            reports.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(reports)
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("report serialises")
        );
    }
    worst
}

/// Runs one profile's checks, records the result, and prints it (or returns it as JSON).
pub(super) async fn check_profile(
    env: &Env,
    p: Profile,
    json_out: bool,
    wait: std::time::Duration,
) -> (Exit, Option<Value>) {
    let progress = std::io::stderr().is_terminal() && !json_out;
    let (exit, report, text) = check_quietly(env, p, json_out, progress, wait).await;
    if let Some(t) = text {
        print!("{t}");
    }
    (exit, report)
}

/// One profile's checks, recorded; the report (JSON) or the text, for the caller to print.
async fn check_quietly(
    env: &Env,
    mut p: Profile,
    json_out: bool,
    progress: bool,
    wait: std::time::Duration,
) -> (Exit, Option<Value>, Option<String>) {
    let secret = match env.secret(&p).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: profile {}: {e}", p.name);
            let (exit, verdict, cause, fix) = match e {
                VaultError::NotFound(..) => (
                    Exit::CheckFailed,
                    Verdict::Failed,
                    "The keyring entry was removed, or the profile was copied from another machine.",
                    format!(
                        "Store the secret again: `m365-mail-wizard add {} --force … --secret-stdin` (or re-check it in the wizard, which asks for it); a certificate profile needs `cert {}`.",
                        p.name, p.name
                    ),
                ),
                _ => (
                    Exit::Unavailable,
                    Verdict::Unavailable,
                    "The keyring could not be reached or is locked.",
                    "Unlock or start the keyring and check again.".to_string(),
                ),
            };
            let report = json_out.then(|| {
                let mut v = report_json(env, &p, &[], verdict, 0);
                v["checks"] = json!([failed_row(
                    "keyring",
                    &e.to_string(),
                    &format!("No secret could be read for profile {}.", p.name),
                    cause,
                    &fix,
                )]);
                v
            });
            return (exit, report, None);
        }
    };
    let started = Instant::now();
    let (tx, printer) = if progress {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Some(tx),
            Some(tokio::spawn(print_progress(checks::plan(&p), rx))),
        )
    } else {
        (None, None)
    };
    let deadline = tokio::time::Instant::now() + wait;
    let mut pause = std::time::Duration::from_secs(2);
    let mut tx = tx;
    let rows = loop {
        let rows = app::run_checks(env, &p, secret.clone(), tx.take()).await;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if checks::verdict(&rows) == Verdict::Passed || left < pause {
            break rows;
        }
        // A failure here may be a change Exchange Online has not applied yet: try again later.
        let failing = rows.iter().filter(|r| r.status == Status::Failed).count();
        eprintln!(
            "{}: waiting — {failing} check(s) still fail, as changes not yet applied would; again in {}s ({}m {}s left)",
            p.name,
            pause.as_secs(),
            left.as_secs() / 60,
            left.as_secs() % 60
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_secs(60));
    };
    if let Some(h) = printer {
        let _ = h.await;
    }
    if let Err(e) = app::record_check(env, &mut p, &rows).await {
        eprintln!("warning: the check result was not saved: {e}");
    }
    let verdict = checks::verdict(&rows);
    let exit = match verdict {
        Verdict::Passed => Exit::Ok,
        Verdict::Failed => Exit::CheckFailed,
        Verdict::Unavailable => Exit::Unavailable,
    };
    if json_out {
        let elapsed = started.elapsed().as_millis() as u64;
        (
            exit,
            Some(report_json(env, &p, &rows, verdict, elapsed)),
            None,
        )
    } else {
        (exit, None, Some(rows_text(env, &p, &rows, verdict)))
    }
}

async fn print_progress(
    specs: Vec<checks::CheckSpec>,
    mut rx: mpsc::UnboundedReceiver<(usize, checks::CheckEvent)>,
) {
    while let Some((i, ev)) = rx.recv().await {
        let (what, target) = specs[i].columns();
        let text = match ev {
            checks::CheckEvent::Started => continue,
            checks::CheckEvent::Passed { detail, .. } => format!("✔ {what} {target}  {detail}"),
            checks::CheckEvent::Failed { diagnosis, .. } => {
                format!("✘ {what} {target}  {}", diagnosis.summary)
            }
            checks::CheckEvent::Skipped { reason } => format!("- {what} {target}  {reason}"),
        };
        eprintln!("{text}");
    }
}

fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✔",
        Status::Failed => "✘",
        Status::Skipped => "-",
        Status::Pending | Status::Running => "…",
    }
}

fn rows_text(env: &Env, p: &Profile, rows: &[CheckRow], verdict: Verdict) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Checks for {} (tenant {}, client {}):",
        p.name, p.tenant, p.client_id
    );
    for r in rows {
        let (what, target) = r.spec.columns();
        let ms = r
            .elapsed_ms
            .map(|m| format!("{:.2} s", m as f64 / 1000.0))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<7} {:<24} {:>7}  {}",
            status_mark(r.status),
            what,
            target,
            ms,
            r.detail.as_deref().unwrap_or("")
        );
        if let Some(d) = &r.diagnosis {
            let _ = writeln!(
                out,
                "      evidence: {}\n      cause:    {}\n      fix:      {}",
                d.evidence, d.cause, d.fix
            );
        }
    }
    let word = match verdict {
        Verdict::Passed => "all checks passed",
        Verdict::Failed => "a check failed",
        Verdict::Unavailable => "a service could not be reached",
    };
    let _ = writeln!(out, "Result: {word}.");
    if let Some(s) = &p.scope {
        let ready = crate::scope::ready_to_hand_over(
            Some(s),
            &p.access,
            p.deny_mailbox.is_some(),
            verdict == Verdict::Passed,
        );
        let _ = writeln!(
            out,
            "{}",
            if ready {
                "Ready to hand over: every intended mailbox works on every chosen protocol and the out-of-scope mailbox is refused."
            } else {
                "Not ready to hand over yet: scoped setups are ready when every intended mailbox passes and the out-of-scope one is refused (Exchange can take an hour to apply changes: `check --wait 60m`)."
            }
        );
    }
    if verdict == Verdict::Passed {
        let _ = writeln!(out, "Settings for the consuming application:");
        for (k, v) in app::app_settings(env, p) {
            let _ = writeln!(out, "  {k:<16} {v}");
        }
    }
    out
}

fn report_json(
    env: &Env,
    p: &Profile,
    rows: &[CheckRow],
    verdict: Verdict,
    elapsed_ms: u64,
) -> Value {
    let settings: serde_json::Map<String, Value> = app::app_settings(env, p)
        .into_iter()
        .map(|(k, v)| (json_key(k), Value::String(v)))
        .collect();
    json!({
        "profile": p.name,
        "sandbox": p.sandbox,
        "tenant": p.tenant,
        "tenant_id": p.tenant_id,
        "client_id": p.client_id,
        "access": p.access,
        "verdict": verdict,
        "scope": p.scope,
        "ready_to_hand_over": crate::scope::ready_to_hand_over(
            p.scope.as_ref(),
            &p.access,
            p.deny_mailbox.is_some(),
            verdict == Verdict::Passed,
        ),
        "secret_expires": p.secret_expires,
        "secret_expires_in_days": p.expiry(time::OffsetDateTime::now_utc().date()).map(|(d, _)| d),
        "at": p.last_check.as_ref().map(|c| c.at.clone()),
        "elapsed_ms": elapsed_ms,
        "checks": rows,
        "settings": settings,
    })
}

/// The `keyring = "…"` line of a profile file that does not parse as a whole.
fn named_keyring(text: &str) -> Option<KeyringBackend> {
    text.lines().find_map(|l| {
        let value = l
            .trim()
            .strip_prefix("keyring")?
            .trim_start()
            .strip_prefix('=')?;
        match value.trim().trim_matches('"') {
            "keyutils" => Some(KeyringBackend::Keyutils),
            "os" => Some(KeyringBackend::Os),
            _ => None,
        }
    })
}

/// A profile file that could not be read, in place of its report.
fn unreadable_json(e: &crate::store::StoreError) -> Value {
    json!({
        "profile": null,
        "verdict": Verdict::Failed,
        "checks": [failed_row(
            "profile",
            &e.to_string(),
            "A profile file could not be read.",
            "The file was edited by hand or damaged.",
            "Fix the line named, or remove the file and add the profile again.",
        )],
    })
}

/// A failed row of the report that is not one of the plan's checks (`id` is also its kind).
fn failed_row(id: &str, evidence: &str, summary: &str, cause: &str, fix: &str) -> Value {
    json!({
        "id": id, "kind": id, "mailbox": null, "status": "failed",
        "elapsed_ms": null, "detail": evidence,
        "diagnosis": { "summary": summary, "evidence": evidence, "cause": cause, "fix": fix },
    })
}

fn profile_json(p: &Profile) -> Value {
    json!({
        "name": p.name,
        "sandbox": p.sandbox,
        "cloud": p.cloud,
        "tenant": p.tenant,
        "tenant_id": p.tenant_id,
        "client_id": p.client_id,
        "access": p.access,
        "mailboxes": p.mailboxes,
        "deny_mailbox": p.deny_mailbox,
        "keyring": p.keyring,
        "last_check": p.last_check,
        "secret_expires": p.secret_expires,
        "secret_expires_in_days": p.expiry(time::OffsetDateTime::now_utc().date()).map(|(d, _)| d),
        "secret_expiry_level": p.expiry(time::OffsetDateTime::now_utc().date()).map(|(_, l)| l),
    })
}

fn profiles(env: &Env, json_out: bool) -> Exit {
    let mut exit = Exit::Ok;
    let mut list = Vec::new();
    for r in env.profiles().list() {
        match r {
            Ok(p) => list.push(p),
            Err(e) => {
                eprintln!("error: {e}");
                exit = Exit::Usage;
            }
        }
    }
    if json_out {
        let v: Vec<Value> = list.iter().map(profile_json).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&v).expect("profiles serialise")
        );
    } else if list.is_empty() {
        println!("No profiles yet. Add one with the wizard or `m365-mail-wizard add`.");
    } else {
        for p in &list {
            let last = p
                .last_check
                .as_ref()
                .map(|c| {
                    format!(
                        "{} {}",
                        if c.verdict == crate::model::CheckVerdict::Passed {
                            "✔"
                        } else {
                            "✘"
                        },
                        c.at
                    )
                })
                .unwrap_or_else(|| "never checked".into());
            let access: Vec<&str> = p.access.iter().map(|a| a.key()).collect();
            println!(
                "{:<20} {:<24} {:<22} {} mailbox(es)  {}",
                p.name.as_str(),
                p.tenant,
                access.join(","),
                p.mailboxes.len(),
                last
            );
        }
    }
    exit
}

async fn forget(env: &Env, name: &str) -> Exit {
    let parsed = match ProfileName::parse(name) {
        Ok(n) => n,
        Err(e) => return usage(e),
    };
    let p = match env.profiles().load(&parsed) {
        Ok(p) => p,
        // Asked to forget it: a damaged file goes too, and the keyring entry under its name
        // in the keyring the file still names (or this run's).
        Err(StoreError::Corrupt {
            path,
            line,
            message,
        }) => {
            eprintln!("note: {path}:{line}: {message}; removing the file as asked");
            let keyring = std::fs::read_to_string(&path)
                .ok()
                .and_then(|text| named_keyring(&text))
                .unwrap_or(env.keyring);
            if let Err(e) = env.profiles().remove(&parsed) {
                return usage(e);
            }
            return match app::forget_secret(env, &parsed, keyring).await {
                Ok(entry) => {
                    eprintln!("Forgot the damaged profile {parsed} {entry}.");
                    Exit::Ok
                }
                Err(e) => {
                    eprintln!("error: the file is removed, but not the keyring entry: {e}");
                    Exit::Unavailable
                }
            };
        }
        Err(e) => return usage(e),
    };
    match app::forget_profile(env, &p).await {
        Ok(said) => {
            eprintln!("{said}");
            Exit::Ok
        }
        Err(SaveError::Store(StoreError::NotFound(n))) => {
            usage(format!("no profile named \"{n}\""))
        }
        Err(e) => save_error(e),
    }
}

/// `Scope (Graph)` → `scope_graph`.
fn json_key(label: &str) -> String {
    label
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn export(
    env: &Env,
    name: &str,
    format: &str,
    output: Option<&std::path::Path>,
    force: bool,
) -> Exit {
    let format: crate::export::Format = match format.parse() {
        Ok(f) => f,
        Err(e) => return usage(format!("--format: {e}")),
    };
    let p = match load(env, name) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let endpoints = env.endpoints(&p);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let text = crate::export::render(
        format,
        &crate::export::Input {
            profile: &p,
            endpoints: &endpoints,
            keyring_service: app::keyring_service(env),
            today: &today,
        },
    );
    match output {
        None => {
            print!("{text}");
            Exit::Ok
        }
        Some(path) if path.exists() && !force => usage(format!(
            "{} exists: choose another --output, or add --force to replace it",
            path.display()
        )),
        Some(path) => match crate::store::write_private(path, text.as_bytes()) {
            Ok(()) => {
                eprintln!("Wrote {} (no secret in it).", path.display());
                Exit::Ok
            }
            Err(e) => usage(format!("{}: {e}", path.display())),
        },
    }
}
