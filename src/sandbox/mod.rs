//! The built-in simulated tenant (DESIGN.md section 6): identity, Graph, EWS, IMAP, POP3 and
//! SMTP on loopback.

mod assertion;
pub mod authority;
mod authorize;
mod certificate;
mod clock;
mod device;
mod directory;
mod ews;
mod exchange_admin;
mod facts;
mod faults;
mod gate;
mod graph;
mod identity;
mod info;
mod jwt;
pub mod mail;
mod paging;
mod portal;
mod private_file;
mod realistic;
mod refresh;
mod responses;
mod routes;
mod scopes;
mod sign_in_activity;
mod sign_ins;
mod signing;
mod state_file;
pub mod tenant;
mod user_tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, oneshot};

pub use faults::{Area, FaultKind, FaultPlan};
pub use info::{SandboxApp, SandboxInfo};
pub use realistic::{PROPAGATION_DELAY, REPLICATION_LAG};
pub use signing::Signer256;
use tenant::Tenant;

/// Where the sandbox says the real resources are: tokens carry these audiences.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
pub const EXCHANGE_RESOURCE: &str = "https://outlook.office365.com";

/// Where the sandbox redirects the first call to its Exchange admin API, as Exchange Online
/// does for some tenants (to a tenant-specific host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminRedirect {
    /// Its own alias path on the same host.
    OwnAlias,
    /// This URL, whatever host it names.
    To(String),
}

#[derive(Debug, Default)]
pub struct SandboxOptions {
    /// 0 picks a free port.
    pub port: u16,
    /// Where the tenant is kept between starts; `reset` replaces what it holds with a fresh seed.
    pub state_file: Option<PathBuf>,
    pub reset: bool,
    pub latency: Duration,
    pub faults: FaultPlan,
    /// Where to write the cloud file; none writes no file.
    pub cloud_file_dir: Option<PathBuf>,
    /// Approve every device-code sign-in at once, as this user (a mail address).
    pub auto_approve: Option<String>,
    /// Approve the device codes of every client but the admin tools at once, as this mailbox
    /// user (the delegated style's consuming application).
    pub auto_approve_user: Option<String>,
    /// How long a new object stays unknown to the calls that name it (replication lag): an
    /// app to its service principal's creation and `addPassword`, a service principal to
    /// `appRoleAssignedTo`, `oauth2PermissionGrants` and `New-ServicePrincipal`, Exchange's
    /// service principals and groups to the cmdlets that name them. Zero by default.
    pub replication_lag: Duration,
    /// An app management policy: the longest secret lifetime `addPassword` accepts.
    pub max_secret_months: Option<u32>,
    /// How long a device code stays valid (Entra ID: 15 minutes); zero means that default.
    pub device_code_lifetime: Duration,
    /// How long Exchange changes take to reach the mail servers.
    pub propagation_delay: Duration,
    /// Generated mailboxes `user0001@…` on top of the seed, for benchmarks.
    pub extra_mailboxes: u32,
    /// Generated mail apps of every kind an audit tells apart, in turn (`tenant/population.rs`).
    pub extra_apps: u32,
    /// Generated service principals with no mail access.
    pub extra_principals: u32,
    /// The administrator holds no Exchange Online role: the admin API refuses every cmdlet.
    pub admin_without_exchange: bool,
    /// What discovery reports as `cloud_instance_name` and `tenant_region_sub_scope`, to pose
    /// as a tenant of a national cloud; `sandbox.invalid` and none by default.
    pub cloud_instance: Option<(String, String)>,
    /// Answer the first Exchange admin API call with a redirect.
    pub admin_redirect: Option<AdminRedirect>,
    /// Set by [`SandboxOptions::realistic`]: the tenant also holds what a real one has.
    pub realistic: bool,
    /// No Microsoft Entra ID P1 or P2 licence: the sign-in logs refuse to be read.
    pub without_entra_premium: bool,
    /// An app management policy that forbids client secrets: `addPassword` is refused with
    /// `CredentialTypeNotAllowedAsPerAppPolicy`; certificates still work.
    pub forbid_secrets: bool,
    /// Permission (app role and scope) IDs other than Microsoft's published ones, as the
    /// wizard's catalog has them: only a setup that reads them from the tenant succeeds.
    pub other_role_ids: bool,
    /// The organisation enforces an EWS allow list (`EwsEnabled $true`) holding another app.
    pub ews_allow_list: bool,
    /// heidi@ is licensed as Exchange Online Kiosk: EWS refuses her mailbox.
    pub kiosk_mailbox: bool,
    /// A Conditional Access policy blocks the device code flow: the device-code token poll
    /// answers AADSTS53003 (the browser sign-in still works).
    pub block_device_code: bool,
    /// SMTP AUTH off for the whole organisation, as new tenants have it (put into the tenant
    /// once; the administrator's later change is kept).
    pub smtp_auth_off: bool,
    /// SMTP AUTH refused for grace@ by security defaults and for frank@ by Conditional Access.
    pub smtp_sign_in_refusals: bool,
}

pub struct Shared {
    tenant: Mutex<Tenant>,
    signer: Signer256,
    base: String,
    graph_base: String,
    graph_host: String,
    graph_resource: String,
    exchange_resource: String,
    latency: Duration,
    faults: FaultPlan,
    state: Option<state_file::StateFile>,
    device: std::sync::Mutex<device::DeviceState>,
    auto_approve: Option<String>,
    auto_approve_user: Option<String>,
    device_interval: Duration,
    replication_lag: Duration,
    max_secret_months: Option<u32>,
    device_code_lifetime: Duration,
    propagation_delay: Duration,
    persisting: Mutex<()>,
    cloud_instance: (String, String),
    admin_redirect: Option<AdminRedirect>,
    /// The first admin API call was redirected.
    redirected: std::sync::atomic::AtomicBool,
    without_entra_premium: bool,
    /// Realistic: a refresh token gives no Graph permission its sign-in was not consented.
    refresh_keeps_consent: bool,
    forbid_secrets: bool,
    block_device_code: bool,
    admin_without_exchange: bool,
    /// The browser sign-in's authorization codes.
    authorize: std::sync::Mutex<authorize::Codes>,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox could not listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("sandbox mail servers: {0}")]
    Mail(String),
    #[error("sandbox state file {path}: {message}")]
    State { path: String, message: String },
    /// The state file is there but does not hold a tenant this version can read.
    #[error("the sandbox tenant saved in {path} cannot be read ({message})")]
    Unreadable { path: String, message: String },
}

pub struct Sandbox {
    info: SandboxInfo,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    mail: tokio::task::JoinSet<()>,
}

impl Sandbox {
    pub async fn start(opts: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
            .await
            .map_err(|source| SandboxError::Listen {
                port: opts.port,
                source,
            })?;
        let addr: SocketAddr = listener
            .local_addr()
            .map_err(|source| SandboxError::Listen {
                port: opts.port,
                source,
            })?;
        let state_file::Opened {
            mut tenant,
            signer,
            file,
            lock,
        } = state_file::open(opts.state_file.as_deref(), opts.reset).await?;
        tenant.add_generated_mailboxes(opts.extra_mailboxes);
        tenant.add_audit_population(
            opts.extra_apps,
            opts.extra_principals,
            time::OffsetDateTime::now_utc(),
        );
        if opts.realistic {
            tenant.add_existing_mail_apps_group();
        }
        tenant.mark_unlicensed_mailbox(opts.realistic);
        if opts.other_role_ids {
            tenant.vary_permission_ids();
        }
        if opts.ews_allow_list {
            tenant.enforce_ews_allow_list();
        }
        if opts.kiosk_mailbox {
            tenant.license_kiosk_mailbox();
        }
        tenant.apply_smtp_knobs(opts.smtp_auth_off, opts.smtp_sign_in_refusals);
        let admin_mail = tenant
            .users
            .iter()
            .find(|u| u.admin)
            .map(|u| u.mail.clone());
        let auto_approve = match opts.auto_approve.as_deref() {
            Some("admin") => admin_mail,
            other => other.map(String::from),
        };
        let base = format!("http://{addr}");
        let graph_base = format!("{base}/graph");
        let shared = Arc::new(Shared {
            signer,
            graph_host: addr.to_string(),
            graph_base: graph_base.clone(),
            graph_resource: GRAPH_RESOURCE.into(),
            exchange_resource: EXCHANGE_RESOURCE.into(),
            base: base.clone(),
            latency: opts.latency,
            faults: opts.faults,
            state: file,
            tenant: Mutex::new(tenant),
            device: std::sync::Mutex::default(),
            auto_approve,
            auto_approve_user: opts.auto_approve_user,
            device_interval: Duration::from_secs(1),
            replication_lag: opts.replication_lag,
            propagation_delay: opts.propagation_delay,
            cloud_instance: opts
                .cloud_instance
                .unwrap_or_else(|| ("sandbox.invalid".into(), String::new())),
            max_secret_months: opts.max_secret_months,
            device_code_lifetime: if opts.device_code_lifetime.is_zero() {
                Duration::from_secs(900)
            } else {
                opts.device_code_lifetime
            },
            persisting: Mutex::new(()),
            admin_redirect: opts.admin_redirect,
            redirected: std::sync::atomic::AtomicBool::new(false),
            without_entra_premium: opts.without_entra_premium,
            refresh_keeps_consent: opts.realistic,
            forbid_secrets: opts.forbid_secrets,
            block_device_code: opts.block_device_code,
            admin_without_exchange: opts.admin_without_exchange,
            authorize: std::sync::Mutex::default(),
        });
        shared.persist().await;
        drop(lock);
        let authority = authority::Authority::generate().map_err(SandboxError::Mail)?;
        let acceptor =
            tokio_rustls::TlsAcceptor::from(authority.server_config().map_err(SandboxError::Mail)?);
        let servers = mail::start(shared.clone(), acceptor)
            .await
            .map_err(|e| SandboxError::Mail(e.to_string()))?;
        let mut info = SandboxInfo::describe(
            &*shared.tenant.lock().await,
            &base,
            &servers,
            authority.ca_pem(),
            &shared.signer,
        );
        if let Some(dir) = &opts.cloud_file_dir {
            let path = dir.join(format!("m365mw-sandbox-{}.toml", addr.port()));
            private_file::write_private(&path, info.endpoints().to_toml().as_bytes()).map_err(
                |e| SandboxError::State {
                    path: path.display().to_string(),
                    message: e.to_string(),
                },
            )?;
            info.cloud_file = Some(path.display().to_string());
        }
        let app = routes::router(shared);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        tracing::info!(base = %info.login, "sandbox tenant listening");
        Ok(Sandbox {
            info,
            shutdown: Some(tx),
            task,
            mail: servers.tasks,
        })
    }

    pub fn info(&self) -> &SandboxInfo {
        &self.info
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.abort();
        let _ = (&mut self.task).await;
        self.mail.shutdown().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
        self.mail.abort_all();
    }
}
