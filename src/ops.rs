//! The operations both front ends share: where profiles and secrets go, which endpoints a
//! profile talks to, and running its checks.

use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;

use crate::checks::{self, CheckEvent, CheckRow, CheckSpec, Verdict};
use crate::cloud::diagnose::{Context, Diagnosis, Stage, diagnose, wrong_cloud};
use crate::cloud::http;
use crate::cloud::identity::{TenantInfo, discover_tenant};
use crate::model::{
    CheckVerdict, CloudKind, Endpoints, KeyringBackend, LastCheck, Profile, ProfileName, Secret,
    TenantInput,
};
use crate::sandbox::SandboxInfo;
use crate::store::{Dirs, ProfileStore, StoreError};
use crate::vault::{KeyringVault, MemoryVault, SecretStore, VaultError};

/// Where this run keeps things and which tenant it talks to.
pub struct Env {
    pub dirs: Dirs,
    /// Set when running against the built-in sandbox: its endpoints replace the profile's.
    pub sandbox: Option<SandboxInfo>,
    pub keyring: KeyringBackend,
    pub http: reqwest::Client,
    pub timeouts: checks::Timeouts,
    /// Secrets kept for this process only (sandbox sessions without a keyring).
    memory: Arc<MemoryVault>,
    /// Keyrings opened once per process: opening one sets up a session with the service.
    opened: Arc<OpenedVaults>,
}

/// Each keyring opened, or why it could not be and when that was learnt.
type VaultMap = std::collections::HashMap<
    KeyringBackend,
    Result<Arc<dyn SecretStore>, (String, std::time::Instant)>,
>;

/// How long a keyring that would not open is not tried again: enough for the profiles checked
/// together to be told at once, short enough that unlocking it and trying again works.
const REOPEN_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Default)]
struct OpenedVaults(std::sync::Mutex<VaultMap>);

impl Drop for OpenedVaults {
    /// A keyring client may block on drop; never inside the async runtime.
    fn drop(&mut self) {
        let map = std::mem::take(self.0.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !map.is_empty() {
            let _ = std::thread::spawn(move || drop(map)).join();
        }
    }
}

/// Said wherever a secret goes to the Linux kernel keyring.
pub const KEYUTILS_WARNING: &str = "Secret stored in the Linux kernel keyring, which does not survive a reboot: store it again after one (`add --force`), or use the OS keyring.";

impl Env {
    pub fn new(dirs: Dirs, sandbox: Option<SandboxInfo>, keyring: KeyringBackend) -> Env {
        Env {
            dirs,
            sandbox,
            keyring,
            http: http::client(),
            timeouts: checks::Timeouts::default(),
            memory: Arc::new(MemoryVault::default()),
            opened: Arc::default(),
        }
    }

    pub fn profiles(&self) -> ProfileStore {
        self.dirs.profiles(self.sandbox.is_some())
    }

    /// Runs `f` against the store for `backend` on a blocking thread: the keyring clients
    /// block, and some start their own runtime.
    pub async fn with_vault<T, F>(&self, backend: KeyringBackend, f: F) -> Result<T, VaultError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SecretStore) -> Result<T, VaultError> + Send + 'static,
    {
        if backend == KeyringBackend::SessionMemory {
            return f(self.memory.as_ref());
        }
        let sandbox = self.sandbox.is_some();
        let opened = self.opened.clone();
        tokio::task::spawn_blocking(move || {
            // Opened under the lock: profiles checked together share one connection instead of
            // each opening (and key-exchanging) its own.
            let store = {
                let mut map = opened.0.lock().unwrap_or_else(|e| e.into_inner());
                match map.get(&backend) {
                    Some(Ok(s)) => s.clone(),
                    Some(Err((why, at))) if at.elapsed() < REOPEN_AFTER => {
                        return Err(VaultError::Unavailable(why.clone()));
                    }
                    _ => match KeyringVault::open(backend, sandbox) {
                        Ok(s) => {
                            map.insert(backend, Ok(s.clone()));
                            s
                        }
                        Err(e) => {
                            map.insert(backend, Err((e.to_string(), std::time::Instant::now())));
                            return Err(e);
                        }
                    },
                }
            };
            f(store.as_ref())
        })
        .await
        .inspect(|r| {
            if let Err(e @ VaultError::Unavailable(_)) = r {
                tracing::warn!(error = %e, "keyring unavailable");
            }
        })
        .unwrap_or_else(|e| {
            Err(VaultError::Unavailable(format!(
                "the keyring call did not finish: {e}"
            )))
        })
    }

    pub async fn secret(&self, p: &Profile) -> Result<Secret, VaultError> {
        let name = p.name.to_string();
        self.with_vault(p.keyring, move |v| v.get(&name)).await
    }

    /// The endpoints a profile's calls go to.
    pub fn endpoints(&self, p: &Profile) -> Endpoints {
        match &self.sandbox {
            Some(s) => s.endpoints(),
            None => p.cloud().endpoints,
        }
    }
}

/// The cloud instance discovery reports for tenants of each named cloud.
fn expected_instance(kind: CloudKind) -> Option<&'static str> {
    match kind {
        CloudKind::Global => Some("microsoftonline.com"),
        CloudKind::GccHigh | CloudKind::Dod => Some("microsoftonline.us"),
        CloudKind::China => Some("partner.microsoftonline.cn"),
        CloudKind::Custom => None,
    }
}

/// Resolves the tenant through discovery. A tenant that lives in another named cloud than
/// the one chosen is looked up again there, and that cloud is returned: tokens and endpoints
/// are not interchangeable between clouds.
pub async fn resolve_tenant(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    kind: CloudKind,
    tenant: &TenantInput,
) -> Result<(TenantInfo, CloudKind), (Diagnosis, bool)> {
    resolve_tenant_in(http, endpoints, kind, tenant, &Endpoints::named).await
}

/// As `resolve_tenant`, with the endpoints of each named cloud from `named`.
async fn resolve_tenant_in(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    kind: CloudKind,
    tenant: &TenantInput,
    named: &(dyn Fn(CloudKind) -> Option<Endpoints> + Sync),
) -> Result<(TenantInfo, CloudKind), (Diagnosis, bool)> {
    let text = tenant.to_string();
    match discover_tenant(http, endpoints, tenant).await {
        Ok(info) => {
            let Some(want) = expected_instance(kind).filter(|_| !info.cloud_instance.is_empty())
            else {
                return Ok((info, kind));
            };
            let detected = CloudKind::detect(&info.cloud_instance, &info.region_sub_scope);
            // GCC High and DoD share an instance: the region sub-scope tells them apart.
            if info.cloud_instance.eq_ignore_ascii_case(want) && detected.is_none_or(|d| d == kind)
            {
                return Ok((info, kind));
            }
            let wrong = || (wrong_cloud(&info.cloud_instance, want), false);
            let detected = detected.filter(|d| *d != kind).ok_or_else(wrong)?;
            let there = named(detected).ok_or_else(wrong)?;
            match discover_tenant(http, &there, tenant).await {
                Ok(found) => Ok((found, detected)),
                Err(e) if e.is_unavailable() => {
                    let ctx = Context {
                        stage: Stage::Discovery,
                        tenant: &text,
                        client_id: "",
                        mailbox: None,
                        portal: &there.portal,
                    };
                    Err((diagnose(&e, &ctx), true))
                }
                Err(_) => Err(wrong()),
            }
        }
        Err(e) => {
            let unavailable = e.is_unavailable();
            let ctx = Context {
                stage: Stage::Discovery,
                tenant: &text,
                client_id: "",
                mailbox: None,
                portal: &endpoints.portal,
            };
            Err((diagnose(&e, &ctx), unavailable))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Puts the secret in the keyring first, then writes the profile: a profile on disk always
/// has its secret.
pub async fn save_profile(env: &Env, profile: &Profile, secret: &Secret) -> Result<(), SaveError> {
    let name = profile.name.to_string();
    let secret = secret.clone();
    env.with_vault(profile.keyring, move |v| v.set(&name, &secret))
        .await?;
    env.profiles().save(profile)?;
    tracing::info!(
        profile = %profile.name,
        tenant_id = %profile.tenant_id,
        client_id = %profile.client_id,
        keyring = ?profile.keyring,
        "profile saved, its secret in the keyring"
    );
    Ok(())
}

/// Removes a profile's keyring entry: "and its keyring entry", or that there was none.
pub async fn forget_secret(
    env: &Env,
    name: &ProfileName,
    keyring: KeyringBackend,
) -> Result<String, VaultError> {
    let n = name.to_string();
    match env.with_vault(keyring, move |v| v.delete(&n)).await {
        Ok(()) => Ok("and its keyring entry".into()),
        Err(VaultError::NotFound(_, store)) => Ok(format!("(no entry in the {store})")),
        Err(e) => Err(e),
    }
}

/// Removes the profile file and its keyring entry; says what was removed.
pub async fn forget_profile(env: &Env, profile: &Profile) -> Result<String, SaveError> {
    let entry = forget_secret(env, &profile.name, profile.keyring).await?;
    env.profiles().remove(&profile.name)?;
    tracing::info!(profile = %profile.name, "profile forgotten");
    Ok(format!("Forgot profile {} {entry}.", profile.name))
}

/// Runs the profile's checks with `secret`, streaming each row's events, and returns the rows.
pub async fn run_checks(
    env: &Env,
    profile: &Profile,
    secret: Secret,
    events: Option<mpsc::UnboundedSender<(usize, CheckEvent)>>,
) -> Vec<CheckRow> {
    let specs: Vec<CheckSpec> = checks::plan(profile);
    let mut rows: Vec<CheckRow> = specs.iter().cloned().map(CheckRow::new).collect();
    let input = checks::RunInput {
        http: env.http.clone(),
        endpoints: env.endpoints(profile),
        tenant: profile.tenant.clone(),
        tenant_id: profile.tenant_id,
        client_id: profile.client_id,
        secret,
        access: profile.access.clone(),
        send_test: profile.send_test,
        timeouts: env.timeouts,
        omitted: profile
            .scope
            .as_ref()
            .map(|s| s.omitted(&profile.access))
            .unwrap_or_default(),
        certificate: match &profile.credential {
            crate::model::Credential::Certificate { thumbprint } => Some(thumbprint.clone()),
            crate::model::Credential::Secret => None,
        },
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(checks::run(input, specs, tx));
    while let Some((i, ev)) = rx.recv().await {
        if let Some(out) = &events {
            let _ = out.send((i, ev.clone()));
        }
        rows[i].apply(ev);
    }
    let _ = runner.await;
    rows
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Records the outcome on the profile (not the secret) and saves it, off the async threads
/// (the write is synced to disk).
pub async fn record_check(
    env: &Env,
    profile: &mut Profile,
    rows: &[CheckRow],
) -> Result<(), StoreError> {
    let count = |s| rows.iter().filter(|r| r.status == s).count() as u32;
    for r in rows.iter().filter(|r| r.status == checks::Status::Failed) {
        if let Some(d) = &r.diagnosis {
            tracing::info!(profile = %profile.name, check = %r.id, summary = %d.summary, evidence = %d.evidence, "check failed");
        }
    }
    tracing::info!(
        profile = %profile.name,
        verdict = ?checks::verdict(rows),
        passed = count(checks::Status::Passed),
        failed = count(checks::Status::Failed),
        "checks done"
    );
    profile.last_check = Some(LastCheck {
        at: now_rfc3339(),
        verdict: match checks::verdict(rows) {
            Verdict::Passed => CheckVerdict::Passed,
            _ => CheckVerdict::Failed,
        },
        passed: count(checks::Status::Passed),
        failed: count(checks::Status::Failed),
        rows: rows
            .iter()
            .map(|r| crate::model::LastRow {
                id: r.id.clone(),
                status: match r.status {
                    checks::Status::Passed => "passed",
                    checks::Status::Failed => "failed",
                    checks::Status::Skipped => "skipped",
                    checks::Status::Pending | checks::Status::Running => "not run",
                }
                .into(),
                elapsed_ms: r.elapsed_ms,
                detail: r.detail.clone().unwrap_or_default(),
            })
            .collect(),
    });
    let store = env.profiles();
    let last = profile.last_check.clone();
    let name = profile.name.clone();
    // The file may have changed while the checks ran (a renewal, say): only the result is new.
    // A profile forgotten meanwhile stays gone, and a damaged file is left as it is.
    tokio::task::spawn_blocking(move || match store.load(&name) {
        Ok(mut current) => {
            current.last_check = last;
            store.save(&current)
        }
        Err(StoreError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    })
    .await
    .unwrap_or_else(|e| {
        Err(StoreError::Io {
            path: String::new(),
            source: std::io::Error::other(e.to_string()),
        })
    })
}

/// What the consuming application must be configured with (never the secret itself).
pub fn app_settings(env: &Env, p: &Profile) -> Vec<(&'static str, String)> {
    p.app_settings(&env.endpoints(p), keyring_service(env))
}

pub fn keyring_service(env: &Env) -> &'static str {
    if env.sandbox.is_some() {
        crate::vault::SANDBOX_SERVICE
    } else {
        crate::vault::SERVICE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Sandbox, SandboxOptions};

    async fn posing_as(instance: &str, sub_scope: &str) -> Sandbox {
        Sandbox::start(SandboxOptions {
            cloud_instance: Some((instance.into(), sub_scope.into())),
            ..Default::default()
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_tenant_of_another_national_cloud_is_found_there_or_named() {
        let http = crate::cloud::http::client();
        let tenant = TenantInput::parse("contoso.example").unwrap();
        for (instance, sub, lives_in) in [
            ("microsoftonline.us", "", CloudKind::GccHigh),
            ("microsoftonline.us", "DOD", CloudKind::Dod),
            ("partner.microsoftonline.cn", "", CloudKind::China),
        ] {
            let sb = posing_as(instance, sub).await;
            let here = sb.info().endpoints();
            // Chosen Global; discovery says otherwise; that cloud's login knows the tenant.
            let there = here.clone();
            let found = resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|k| {
                (k == lives_in).then(|| there.clone())
            })
            .await
            .unwrap_or_else(|(d, _)| panic!("{instance}: {}", d.summary));
            assert_eq!(found.1, lives_in, "{instance} {sub}");
            assert_eq!(found.0.id.to_string(), sb.info().tenant_id);

            // That cloud's login does not know the tenant: the mix-up is named, not guessed.
            let mut unknown = here.clone();
            unknown.login = format!("{}/nowhere", here.login);
            let (d, unavailable) =
                resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|_| {
                    Some(unknown.clone())
                })
                .await
                .unwrap_err();
            assert!(!unavailable);
            assert_eq!(d.summary, "The tenant lives in another national cloud.");
            assert!(d.evidence.contains(instance), "{}", d.evidence);
            // That cloud's login cannot be reached: unavailable, not a wrong answer.
            let mut unreachable = here.clone();
            unreachable.login = "http://127.0.0.1:9".into();
            let (_, unavailable) =
                resolve_tenant_in(&http, &here, CloudKind::Global, &tenant, &|_| {
                    Some(unreachable.clone())
                })
                .await
                .unwrap_err();
            assert!(unavailable);
            sb.stop().await;
        }
        // GCC High and DoD share an instance; the sub-scope says which.
        let sb = posing_as("microsoftonline.us", "DOD").await;
        let here = sb.info().endpoints();
        let there = here.clone();
        let found = resolve_tenant_in(&http, &here, CloudKind::GccHigh, &tenant, &|k| {
            (k == CloudKind::Dod).then(|| there.clone())
        })
        .await
        .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Dod);
        let found = resolve_tenant_in(&http, &here, CloudKind::Dod, &tenant, &|_| None)
            .await
            .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Dod, "already right: no second look");
        sb.stop().await;
        // A sandbox that claims nothing national is taken as it is.
        let sb = posing_as("sandbox.invalid", "").await;
        let here = sb.info().endpoints();
        let found = resolve_tenant_in(&http, &here, CloudKind::Custom, &tenant, &|_| None)
            .await
            .unwrap_or_else(|(d, _)| panic!("{}", d.summary));
        assert_eq!(found.1, CloudKind::Custom);
        sb.stop().await;
    }
}
