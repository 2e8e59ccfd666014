//! The terminal front end: the event loop and the executor of the wizard's effects.

mod keys;
pub mod render;
mod terminal;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cli::Exit;
use crate::model::{KeyringBackend, Profile, TenantInput};
use crate::ops::{self, Env};
use crate::vault::VaultError;
use crate::wizard::{self, Effect, Msg, ProfileRow, SandboxApp, SandboxView, Saved, State, Upkeep};

const TICK: Duration = Duration::from_millis(100);

/// The signed-in administrator and the sign-in under way: the executor's own, never the
/// wizard state's (the session holds tokens). Also which run of the checks is current, so that
/// a run the wizard has moved on from sends nothing more.
#[derive(Default)]
struct AdminSlot {
    session: tokio::sync::Mutex<Option<crate::cloud::device::AdminSession>>,
    sign_in: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    check_run: std::sync::atomic::AtomicU64,
}

/// The state the wizard starts in for this environment.
pub fn initial_state(env: &Env) -> State {
    let sandbox = env.sandbox.as_ref().map(|s| SandboxView {
        tenant_domain: s.tenant_domain.clone(),
        endpoints: s.endpoints(),
        apps: s
            .apps
            .iter()
            .map(|a| SandboxApp {
                name: a.name.clone(),
                client_id: a.client_id.clone(),
            })
            .collect(),
        mailboxes: s.mailboxes.clone(),
    });
    let today = time::OffsetDateTime::now_utc().date();
    let mut state = State::new(sandbox, env.profiles().load_draft(), today);
    let (rows, broken) = load_profiles(env);
    wizard::update(&mut state, Msg::Profiles(rows, broken));
    state
}

fn load_profiles(env: &Env) -> (Vec<ProfileRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for r in env.profiles().list() {
        match r {
            Ok(profile) => rows.push(ProfileRow { profile }),
            Err(e) => broken.push(e.to_string()),
        }
    }
    (rows, broken)
}

fn enter() -> Option<(terminal::Guard, terminal::Term)> {
    match terminal::Guard::enter() {
        Ok(gt) => Some(gt),
        Err(e) => {
            eprintln!(
                "error: this terminal cannot run the wizard ({e}); use the commands instead (--help)"
            );
            None
        }
    }
}

/// For the start-up benchmark: leave right after the first frame is on the screen.
fn exit_after_first_frame() -> bool {
    std::env::var_os("M365MW_EXIT_AFTER_FIRST_FRAME").is_some()
}

pub async fn run(env: Env) -> Exit {
    let Some(mut guard_term) = enter() else {
        return Exit::Usage;
    };
    let exit = event_loop(Arc::new(env), &mut guard_term.1).await;
    drop(guard_term);
    exit
}

/// `--sandbox`: the first frame says the sandbox tenant is starting (its signing key takes a
/// moment to generate), then the wizard runs against it.
pub async fn run_sandbox(dirs: crate::store::Dirs, keyring: KeyringBackend) -> Exit {
    let Some(mut guard_term) = enter() else {
        return Exit::Usage;
    };
    if guard_term.1.draw(render::draw_starting).is_err() || exit_after_first_frame() {
        return Exit::Ok;
    }
    let sandbox = match crate::sandbox::Sandbox::start(Default::default()).await {
        Ok(s) => s,
        Err(e) => {
            drop(guard_term);
            eprintln!("error: the sandbox tenant did not start: {e}");
            return Exit::Unavailable;
        }
    };
    let env = Env::new(dirs, Some(sandbox.info().clone()), keyring);
    let exit = event_loop(Arc::new(env), &mut guard_term.1).await;
    drop(guard_term);
    sandbox.stop().await;
    exit
}

async fn event_loop(env: Arc<Env>, term: &mut terminal::Term) -> Exit {
    let mut state = initial_state(&env);
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    if let Ok(size) = term.size() {
        state.size = (size.width, size.height);
    }
    spawn_input(tx.clone());
    let admin = Arc::new(AdminSlot::default());
    let exit_after_first_frame = exit_after_first_frame();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Redrawn only after a message changed something: an idle wizard does not redraw.
    let mut dirty = true;
    loop {
        if dirty {
            if term.draw(|f| render::draw(f, &state)).is_err() || exit_after_first_frame {
                break;
            }
            dirty = false;
        }
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = tick.tick() => Some(Msg::Tick),
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        for msg in batch {
            let animating = state.busy.is_some()
                || state.checks.running
                || state.checks.waiting.is_some()
                || state.setup.running
                || state.screen == wizard::Screen::SignIn;
            if matches!(msg, Msg::Tick) && !animating {
                continue;
            }
            dirty = true;
            for effect in wizard::update(&mut state, msg) {
                execute(&env, &admin, effect, tx.clone());
            }
        }
        if state.quit {
            break;
        }
    }
    Exit::Ok
}

/// Reads terminal events on a thread of its own (crossterm's reads block).
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if let Some(m) = keys::to_msg(ev)
                && tx.send(m).is_err()
            {
                break;
            }
        }
    });
}

fn execute(env: &Arc<Env>, admin: &Arc<AdminSlot>, effect: Effect, tx: mpsc::UnboundedSender<Msg>) {
    let env = env.clone();
    match effect {
        Effect::Quit => {}
        Effect::StartSignIn { cloud, tenant_id } => {
            let slot = admin.clone();
            let task = tokio::spawn(async move {
                let msg = sign_in(&env, &slot, cloud, tenant_id, &tx).await;
                let _ = tx.send(msg);
            });
            let old = admin
                .sign_in
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .replace(task);
            if let Some(old) = old {
                old.abort();
            }
        }
        Effect::CancelSignIn => {
            if let Some(t) = admin
                .sign_in
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                t.abort();
            }
        }
        Effect::OpenBrowser(url) => {
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            };
            let _ = std::process::Command::new(opener)
                .arg(url)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
        Effect::SandboxApprove(code) => {
            tokio::spawn(async move {
                let Some(sb) = &env.sandbox else { return };
                let url = format!("{}/sandbox/device", sb.login);
                let form = [
                    ("user_code", code.as_str()),
                    ("user", sb.admin.as_str()),
                    ("decision", "approve"),
                ];
                if let Err(e) = env.http.post(url).form(&form).send().await {
                    tracing::warn!(error = %e, "sandbox approval failed");
                }
            });
        }
        Effect::LookUpApp { client_id, cloud } => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let result = look_up_app(&env, &slot, &client_id, cloud).await;
                let _ = tx.send(Msg::AppLookedUp(result));
            });
        }
        Effect::Forget(profile) => {
            tokio::spawn(async move {
                let result = ops::forget_profile(&env, &profile)
                    .await
                    .map_err(|e| format!("{} was not forgotten: {e}", profile.name));
                let _ = tx.send(Msg::Forgotten(result));
            });
        }
        Effect::ExportAll(profile) => {
            tokio::task::spawn_blocking(move || {
                let result = export_all(&env, &profile);
                let _ = tx.send(Msg::Exported(result));
            });
        }
        Effect::Upkeep(profile, what) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let mut p = *profile;
                let guard = slot.session.lock().await;
                let result = match guard.as_ref() {
                    None => Err(crate::cloud::Diagnosis {
                        summary: "Nobody is signed in.".into(),
                        evidence: String::new(),
                        cause: "The sign-in was cancelled.".into(),
                        fix: "Press the key again.".into(),
                    }),
                    Some(session) => upkeep(&env, &mut p, &session.token, what).await,
                };
                let _ = tx.send(Msg::Renewed(result));
            });
        }
        Effect::RunSetup(order) => {
            let slot = admin.clone();
            tokio::spawn(async move {
                let result = run_setup(&env, &slot, *order, &tx).await;
                let _ = tx.send(Msg::SetupDone(result));
            });
        }
        Effect::LoadProfiles => {
            let (rows, broken) = load_profiles(&env);
            let _ = tx.send(Msg::Profiles(rows, broken));
        }
        Effect::SaveDraft(d) => {
            if let Err(e) = env.profiles().save_draft(&d) {
                tracing::warn!(error = %e, "draft not saved");
            }
        }
        Effect::ClearDraft => env.profiles().clear_draft(),
        Effect::FillSandboxSecret { client_id } => {
            let found = env
                .sandbox
                .as_ref()
                .and_then(|s| s.apps.iter().find(|a| a.client_id == client_id))
                .map(|a| crate::model::Secret::new(a.secret.clone()))
                .ok_or_else(|| "Type the client ID of one of the sandbox apps first (listed on the home screen).".to_string());
            let _ = tx.send(Msg::SandboxSecret(found));
        }
        Effect::ResolveTenant { cloud, tenant } => {
            tokio::spawn(async move {
                let result = match TenantInput::parse(&tenant) {
                    Err(e) => Err(e.to_string()),
                    Ok(t) => {
                        let endpoints = match &env.sandbox {
                            Some(s) => s.endpoints(),
                            None => crate::model::Cloud::named(cloud).endpoints,
                        };
                        ops::resolve_tenant(&env.http, &endpoints, cloud, &t)
                            .await
                            .map(|(i, lives_in)| (i.id, lives_in))
                            .map_err(|(d, _)| format!("{} {} Fix: {}", d.summary, d.cause, d.fix))
                    }
                };
                let _ = tx.send(Msg::TenantResolved(result));
            });
        }
        Effect::Save { profile, secret } => {
            tokio::spawn(async move {
                let result = save(&env, *profile, secret.0).await;
                let _ = tx.send(Msg::Saved(result));
            });
        }
        Effect::RunChecks {
            run,
            profile,
            secret,
        } => {
            use std::sync::atomic::Ordering;
            admin.check_run.store(run, Ordering::SeqCst);
            let slot = admin.clone();
            let current = move || slot.check_run.load(Ordering::SeqCst) == run;
            tokio::spawn(async move {
                let secret = match secret {
                    Some(s) => s.0,
                    None => match env.secret(&profile).await {
                        Ok(s) => s,
                        Err(e) => {
                            if current() {
                                let _ = tx.send(match e {
                                    VaultError::NotFound(_, store) => {
                                        Msg::SecretMissing(store.into())
                                    }
                                    _ => Msg::CheckFailedToStart(e.to_string()),
                                });
                            }
                            return;
                        }
                    },
                };
                let (etx, mut erx) = mpsc::unbounded_channel();
                let forward = {
                    let tx = tx.clone();
                    let current = current.clone();
                    tokio::spawn(async move {
                        while let Some((i, ev)) = erx.recv().await {
                            if current() {
                                let _ = tx.send(Msg::CheckEvent(i, ev));
                            }
                        }
                    })
                };
                let mut p = *profile;
                let rows = ops::run_checks(&env, &p, secret, Some(etx)).await;
                let _ = forward.await;
                // A run the wizard has moved on from must not overwrite a newer result.
                if current() {
                    if let Err(e) = ops::record_check(&env, &mut p, &rows).await {
                        tracing::warn!(error = %e, "check result not saved");
                    }
                    let _ = tx.send(Msg::ChecksDone);
                }
            });
        }
    }
}

/// Stores the secret, falling back to session memory only in the sandbox.
async fn save(
    env: &Env,
    mut profile: Profile,
    secret: crate::model::Secret,
) -> Result<Saved, String> {
    profile.keyring = env.keyring;
    match ops::save_profile(env, &profile, &secret).await {
        Ok(()) => Ok(Saved {
            store: store_name(env.keyring).into(),
            note: (env.keyring == KeyringBackend::Keyutils)
                .then(|| ops::KEYUTILS_WARNING.to_string()),
        }),
        Err(ops::SaveError::Vault(VaultError::Unavailable(why))) if env.sandbox.is_some() => {
            tracing::info!(reason = %why, "no keyring: sandbox secret kept in memory");
            profile.keyring = KeyringBackend::SessionMemory;
            ops::save_profile(env, &profile, &secret)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Saved {
                store: "session memory".into(),
                note: Some(
                    "No OS keyring here: this sandbox secret is held in memory for this session only.".into(),
                ),
            })
        }
        Err(e) => Err(format!(
            "{e} Nothing was lost: fix it and press enter again."
        )),
    }
}

fn store_name(k: KeyringBackend) -> &'static str {
    match k {
        KeyringBackend::Os => "OS keyring",
        KeyringBackend::Keyutils => "Linux kernel keyring",
        KeyringBackend::SessionMemory => "session memory",
    }
}

async fn sign_in(
    env: &Env,
    slot: &AdminSlot,
    cloud: crate::model::CloudKind,
    tenant_id: crate::model::TenantId,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Msg {
    use crate::cloud::device;
    let endpoints = match &env.sandbox {
        Some(s) => s.endpoints(),
        None => crate::model::Cloud::named(cloud).endpoints,
    };
    let tenant = tenant_id.to_string();
    let client = device::DEFAULT_ADMIN_CLIENT_ID;
    let code = match device::start(&env.http, &endpoints, &tenant, client).await {
        Ok(c) => c,
        Err(e) => {
            let d = crate::setup::graph_diagnosis(&e, &tenant, &endpoints.portal);
            return Msg::DeviceCode(Err(format!("{} {}", d.summary, d.fix)));
        }
    };
    let _ = tx.send(Msg::DeviceCode(Ok(wizard::CodeView {
        user_code: code.user_code.clone(),
        uri: code.verification_uri.clone(),
        expires_in: code.expires_in,
    })));
    match device::wait(&env.http, &endpoints, &tenant, client, &code).await {
        Ok(session) => {
            let (role, lacks_rights) = match crate::setup::rights(&session) {
                crate::setup::Rights::Enough(r) => (Some(r.to_string()), false),
                crate::setup::Rights::NotEnough => (None, true),
                crate::setup::Rights::Unknown => (None, false),
            };
            let who = session.who().to_string();
            *slot.session.lock().await = Some(session);
            Msg::SignedIn(Ok(wizard::SignedIn {
                who,
                role,
                lacks_rights,
            }))
        }
        Err(e) => Msg::SignedIn(Err(crate::cloud::diagnose::diagnose(
            &e,
            &crate::cloud::diagnose::Context {
                stage: crate::cloud::Stage::Token,
                tenant: &tenant,
                client_id: client,
                mailbox: None,
                portal: &endpoints.portal,
            },
        ))),
    }
}

async fn run_setup(
    env: &Env,
    slot: &AdminSlot,
    order: wizard::SetupOrder,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<Box<Profile>, crate::cloud::Diagnosis> {
    let guard = slot.session.lock().await;
    let Some(session) = guard.as_ref() else {
        return Err(crate::cloud::Diagnosis {
            summary: "Nobody is signed in.".into(),
            evidence: String::new(),
            cause: "The sign-in was cancelled.".into(),
            fix: "Go back (esc) and sign in again.".into(),
        });
    };
    let endpoints = match &env.sandbox {
        Some(s) => s.endpoints(),
        None => crate::model::Cloud::named(order.cloud).endpoints,
    };
    // The sandbox runs without a keyring too: its (fake) secrets may then live in memory.
    let keyring = match env.with_vault(env.keyring, |v| v.get("")).await {
        Err(VaultError::Unavailable(_)) if env.sandbox.is_some() => KeyringBackend::SessionMemory,
        _ => env.keyring,
    };
    let req = crate::setup::SetupRequest {
        name: order.name,
        tenant: order.tenant,
        tenant_id: order.tenant_id,
        cloud: order.cloud,
        endpoints,
        custom_endpoints: None,
        answers: order.answers,
        mailboxes: order.mailboxes,
        deny_mailbox: order.deny_mailbox,
        send_test: order.send_test,
        keyring,
        reuse_existing: false,
        remove_bypassing: false,
    };
    let exchange = match &req.answers.scope {
        Some(spec) if !spec.script_only => Some(
            exchange_admin(env, &req.endpoints, &req.tenant_id.to_string(), session, tx).await?,
        ),
        _ => None,
    };
    let (etx, mut erx) = mpsc::unbounded_channel();
    let forward = {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some((i, st)) = erx.recv().await {
                let _ = tx.send(Msg::SetupStep(i, st));
            }
        })
    };
    let result = crate::setup::run(env, &req, session, exchange.as_ref(), Some(etx)).await;
    let _ = forward.await;
    result.map(Box::new).map_err(|e| e.diagnosis)
}

/// The Exchange Online administration token: from the first sign-in when the identity
/// platform allows it, otherwise from a second device-code sign-in shown on screen (the
/// sandbox approves it as its admin at once).
async fn exchange_admin(
    env: &Env,
    endpoints: &crate::model::Endpoints,
    tenant: &str,
    session: &crate::cloud::device::AdminSession,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<crate::setup::ExchangeAdmin, crate::cloud::Diagnosis> {
    use crate::cloud::device;
    let scope = device::exchange_scope_string(endpoints);
    let client = device::DEFAULT_ADMIN_CLIENT_ID;
    let fail = |e: crate::cloud::CloudError| {
        crate::setup::exchange_diagnosis(&e, "the Exchange Online sign-in")
    };
    let ex = match device::refresh_for(&env.http, endpoints, tenant, client, session, &scope).await
    {
        Ok(s) => s,
        Err(_) => {
            let ex_client = device::EXCHANGE_ADMIN_CLIENT_ID;
            let code = device::start_for(&env.http, endpoints, tenant, ex_client, &scope)
                .await
                .map_err(fail)?;
            let _ = tx.send(Msg::ExchangeCode(wizard::CodeView {
                user_code: code.user_code.clone(),
                uri: code.verification_uri.clone(),
                expires_in: code.expires_in,
            }));
            if let Some(sb) = &env.sandbox {
                let form = [
                    ("user_code", code.user_code.as_str()),
                    ("user", sb.admin.as_str()),
                    ("decision", "approve"),
                ];
                let url = format!("{}/sandbox/device", sb.login);
                if let Err(e) = env.http.post(url).form(&form).send().await {
                    tracing::warn!(error = %e, "sandbox approval failed");
                }
            }
            device::wait(&env.http, endpoints, tenant, ex_client, &code)
                .await
                .map_err(fail)?
        }
    };
    Ok(crate::setup::ExchangeAdmin {
        upn: ex.who().to_string(),
        token: ex.token,
    })
}

/// Whether a pasted client ID names an app of the signed-in tenant; the app's object ID is
/// recognised and its client ID named. A failed look-up does not block the guided path.
async fn look_up_app(
    env: &Env,
    slot: &AdminSlot,
    id: &str,
    cloud: crate::model::CloudKind,
) -> Result<(), String> {
    use crate::cloud::admin;
    let guard = slot.session.lock().await;
    let Some(session) = guard.as_ref() else {
        return Ok(());
    };
    let endpoints = match &env.sandbox {
        Some(s) => s.endpoints(),
        None => crate::model::Cloud::named(cloud).endpoints,
    };
    let t = &session.token;
    match admin::find_application(&env.http, &endpoints, t, id).await {
        Ok(Some(_)) | Err(_) => Ok(()),
        Ok(None) => match admin::application_by_object_id(&env.http, &endpoints, t, id).await {
            Ok(Some(app)) => Err(format!(
                "That is the Object ID of \"{}\". Its Application (client) ID is {} — the line above the Object ID on the Overview page.",
                app.display_name, app.app_id
            )),
            Ok(None) => Err(
                "No app in this tenant has this client ID: copy \"Application (client) ID\" from the app's Overview page."
                    .into(),
            ),
            Err(_) => Ok(()),
        },
    }
}

/// A dashboard action that needs the administrator's sign-in; what to tell the user.
async fn upkeep(
    env: &Env,
    p: &mut Profile,
    token: &crate::cloud::identity::AccessToken,
    what: Upkeep,
) -> Result<String, crate::cloud::Diagnosis> {
    let done = match what {
        Upkeep::Secret { months } => crate::renew::renew(env, p, token, months).await.map(|r| {
            format!(
                "Renewed {}: the new secret ({} months) is in the keyring, signs in, and is valid until {}; {}.",
                p.name, r.months, r.expires, r.old
            )
        }),
        Upkeep::Certificate { months } => crate::renew::certify(env, p, token, months).await.map(|c| {
            let before = match c.retired {
                None => "the client secret is still on the app: delete it once nothing uses it"
                    .to_string(),
                Some(Ok(())) => "the certificate it replaced was removed".to_string(),
                Some(Err(e)) => format!(
                    "the certificate it replaced could not be removed ({e}): remove it in the portal"
                ),
            };
            format!(
                "{} now signs in with a certificate valid until {}; its private key is in the keyring; {before}.",
                p.name, c.expires
            )
        }),
        Upkeep::ReadExpiry => crate::renew::read_expiry(env, p, token).await.map(|r| r.note),
    };
    done.map_err(|e| e.diagnosis)
}

/// Every export format of the profile into a new, dated folder under the data directory.
fn export_all(env: &Env, p: &Profile) -> Result<String, String> {
    use crate::export::{Format, Input, render};
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{}-{:02}{:02}{:02}",
        now.date(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let dir = env
        .dirs
        .data
        .join("exports")
        .join(format!("{}-{stamp}", p.name));
    let endpoints = env.endpoints(p);
    let today = now.date().to_string();
    let input = Input {
        profile: p,
        endpoints: &endpoints,
        keyring_service: ops::keyring_service(env),
        today: &today,
    };
    for (format, file) in [
        (Format::Report, "handover.md"),
        (Format::ReportHtml, "handover.html"),
        (Format::Env, "settings.env"),
        (Format::Json, "settings.json"),
        (Format::Properties, "mail.properties"),
        (Format::PowerShell, "setup.ps1"),
    ] {
        let path = dir.join(file);
        crate::store::write_private(&path, render(format, &input).as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir.display().to_string())
}
