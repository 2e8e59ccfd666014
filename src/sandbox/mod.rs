//! The built-in simulated tenant (DESIGN.md section 6): identity, Graph, EWS, IMAP, POP3 and
//! SMTP on loopback.

pub mod authority;
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
mod jwt;
pub mod mail;
mod responses;
mod signing;
mod state_file;
pub mod tenant;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::{Mutex, oneshot};

pub use clock::now_ms;
pub use faults::{Area, FaultKind, FaultPlan};
pub use signing::Signer256;
use tenant::Tenant;

use crate::model::{Endpoints, TenantId};

/// Where the sandbox says the real resources are: tokens carry these audiences.
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
pub const EXCHANGE_RESOURCE: &str = "https://outlook.office365.com";

#[derive(Debug, Default)]
pub struct SandboxOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub state_file: Option<PathBuf>,
    pub latency: Duration,
    pub faults: FaultPlan,
    /// Where to write the cloud file; none writes no file.
    pub cloud_file_dir: Option<PathBuf>,
    /// Approve every device-code sign-in at once, as this user (a mail address).
    pub auto_approve: Option<String>,
    /// How long a new app stays unknown to the service-principal call (replication lag).
    pub replication_lag: Duration,
    /// An app management policy: the longest secret lifetime `addPassword` accepts.
    pub max_secret_months: Option<u32>,
    /// How long a device code stays valid (Entra ID: 15 minutes); zero means that default.
    pub device_code_lifetime: Duration,
    /// How long Exchange changes take to reach the mail servers.
    pub propagation_delay: Duration,
    /// Generated mailboxes `user0001@…` on top of the seed, for benchmarks.
    pub extra_mailboxes: u32,
    /// What discovery reports as `cloud_instance_name` and `tenant_region_sub_scope`, to pose
    /// as a tenant of a national cloud; `sandbox.invalid` and none by default.
    pub cloud_instance: Option<(String, String)>,
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
    state_file: Option<PathBuf>,
    device: std::sync::Mutex<device::DeviceState>,
    auto_approve: Option<String>,
    device_interval: Duration,
    replication_lag: Duration,
    max_secret_months: Option<u32>,
    device_code_lifetime: Duration,
    propagation_delay: Duration,
    persisting: Mutex<()>,
    cloud_instance: (String, String),
}

#[derive(Clone, Debug, Serialize)]
pub struct SandboxApp {
    pub key: String,
    pub name: String,
    pub client_id: String,
    pub object_id: String,
    pub secret: String,
    pub expect: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SandboxInfo {
    pub tenant_id: String,
    pub tenant_domain: String,
    pub tenant_name: String,
    pub issuer: String,
    pub login: String,
    pub discovery: String,
    pub token: String,
    pub jwks: String,
    pub graph: String,
    /// EWS endpoint (`{login}/EWS/Exchange.asmx`).
    pub ews: String,
    pub imap: String,
    pub pop: String,
    pub smtp: String,
    /// The certificate authority the mail servers' certificates come from.
    pub mail_ca: String,
    /// Tokens' signing key (public, SPKI PEM) and its `kid`, for servers that validate the
    /// sandbox's tokens locally.
    pub signing_key: String,
    pub kid: String,
    pub cloud_file: Option<String>,
    pub admin: String,
    pub apps: Vec<SandboxApp>,
    pub mailboxes: Vec<String>,
}

impl SandboxInfo {
    /// The endpoint set a profile uses to reach this sandbox.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            name: "sandbox".into(),
            login: self.login.clone(),
            graph: self.graph.clone(),
            graph_resource: GRAPH_RESOURCE.into(),
            exchange: self.login.clone(),
            exchange_resource: EXCHANGE_RESOURCE.into(),
            imap: self.imap.clone(),
            pop: self.pop.clone(),
            smtp: self.smtp.clone(),
            portal: format!("{}/portal", self.login),
            mail_ca: Some(self.mail_ca.clone()),
        }
    }

    pub fn app(&self, key: &str) -> Option<&SandboxApp> {
        self.apps.iter().find(|a| a.key == key)
    }

    pub fn tenant_id(&self) -> TenantId {
        TenantId::parse(&self.tenant_id).expect("sandbox tenant id is a GUID")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox could not listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("sandbox mail servers: {0}")]
    Mail(String),
    #[error("sandbox state file {path}: {message}")]
    State { path: String, message: String },
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
        let (mut tenant, signer) = state_file::load_or_seed(opts.state_file.as_deref()).await?;
        tenant.add_generated_mailboxes(opts.extra_mailboxes);
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
            state_file: opts.state_file,
            tenant: Mutex::new(tenant),
            device: std::sync::Mutex::default(),
            auto_approve,
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
        });
        shared.persist().await;
        let authority = authority::Authority::generate().map_err(SandboxError::Mail)?;
        let acceptor =
            tokio_rustls::TlsAcceptor::from(authority.server_config().map_err(SandboxError::Mail)?);
        let servers = mail::start(shared.clone(), acceptor)
            .await
            .map_err(|e| SandboxError::Mail(e.to_string()))?;
        let t = shared.tenant.lock().await.clone();
        let mut info = SandboxInfo {
            issuer: format!("{base}/{}/v2.0", t.tenant_id),
            discovery: format!(
                "{base}/{}/v2.0/.well-known/openid-configuration",
                t.tenant_id
            ),
            token: format!("{base}/{}/oauth2/v2.0/token", t.tenant_id),
            jwks: format!("{base}/{}/discovery/v2.0/keys", t.tenant_id),
            login: base.clone(),
            ews: format!("{base}/EWS/Exchange.asmx"),
            imap: servers.imap.clone(),
            pop: servers.pop.clone(),
            smtp: servers.smtp.clone(),
            mail_ca: authority.ca_pem(),
            signing_key: shared.signer.public_pem(),
            kid: shared.signer.kid.clone(),
            graph: graph_base,
            tenant_id: t.tenant_id.clone(),
            tenant_domain: t.domains.first().cloned().unwrap_or_default(),
            tenant_name: t.display_name.clone(),
            cloud_file: None,
            admin: t
                .users
                .iter()
                .find(|u| u.admin)
                .map(|u| u.mail.clone())
                .unwrap_or_default(),
            apps: t
                .apps
                .iter()
                .filter(|a| !a.key.is_empty())
                .map(|a| SandboxApp {
                    key: a.key.clone(),
                    name: a.name.clone(),
                    client_id: a.client_id.clone(),
                    object_id: a.object_id.clone(),
                    secret: a.secret.clone(),
                    expect: a.expect.clone(),
                })
                .collect(),
            mailboxes: t
                .users
                .iter()
                .filter(|u| !u.admin)
                .map(|u| u.mail.clone())
                .collect(),
        };
        if let Some(dir) = &opts.cloud_file_dir {
            let path = dir.join(format!("m365mw-sandbox-{}.toml", addr.port()));
            state_file::write_private(&path, info.endpoints().to_toml().as_bytes()).map_err(
                |e| SandboxError::State {
                    path: path.display().to_string(),
                    message: e.to_string(),
                },
            )?;
            info.cloud_file = Some(path.display().to_string());
        }
        let app = router(shared);
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

fn area_of(path: &str) -> Area {
    if path.starts_with("/adminapi/") || path.starts_with("/graph/beta/roleManagement/") {
        Area::Exchange
    } else if path.starts_with("/graph/v1.0/") && !path.starts_with("/graph/v1.0/users/") {
        Area::Admin
    } else if path.starts_with("/graph/") {
        Area::Graph
    } else if path.starts_with("/EWS/") {
        Area::Ews
    } else if path.ends_with("/token") {
        Area::Token
    } else {
        Area::Discovery
    }
}

async fn latency_and_faults(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !s.latency.is_zero() {
        tokio::time::sleep(s.latency).await;
    }
    match s.faults.take(area_of(req.uri().path())) {
        Some(FaultKind::Status(code)) => responses::injected(code),
        Some(FaultKind::Hang) => {
            tokio::time::sleep(faults::HANG).await;
            responses::injected(504)
        }
        Some(FaultKind::Close | FaultKind::Garbage | FaultKind::Endless) => {
            responses::injected(502)
        }
        None => next.run(req).await,
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(identity::discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(identity::jwks))
        .route("/{tenant}/oauth2/v2.0/token", post(identity::token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::devicecode))
        .route(
            "/sandbox/device",
            get(device::approval_page).post(device::approve),
        )
        .route("/graph/v1.0/users/{id}", get(graph::user))
        .route(
            "/graph/v1.0/users/{id}/mailFolders/{folder}",
            get(graph::mail_folder),
        )
        .route("/graph/v1.0/users/{id}/messages", get(graph::messages))
        .route("/graph/v1.0/users/{id}/sendMail", post(graph::send_mail))
        .route("/EWS/Exchange.asmx", post(ews::exchange_asmx))
        .route(
            "/adminapi/beta/{tenant}/InvokeCommand",
            post(exchange_admin::invoke_command),
        )
        .route(
            "/graph/beta/roleManagement/exchange/roleDefinitions",
            get(exchange_admin::role_definitions),
        )
        .route(
            "/graph/beta/roleManagement/exchange/customAppScopes",
            get(exchange_admin::list_custom_scopes).post(exchange_admin::create_custom_scope),
        )
        .route(
            "/graph/beta/roleManagement/exchange/roleAssignments",
            get(exchange_admin::list_role_assignments).post(exchange_admin::create_role_assignment),
        )
        .route("/sandbox/exchange-log", get(exchange_admin::exchange_log))
        .route(
            "/sandbox/portal/certificate",
            post(directory::portal_upload_certificate),
        )
        .route("/graph/v1.0/me", get(directory::me))
        .route("/graph/v1.0/organization", get(directory::organization))
        .route(
            "/graph/v1.0/applications",
            get(directory::list_applications).post(directory::create_application),
        )
        .route(
            "/graph/v1.0/applications/{id}",
            get(directory::get_application).patch(directory::update_application),
        )
        .route(
            "/graph/v1.0/applications/{id}/addPassword",
            post(directory::add_password),
        )
        .route(
            "/graph/v1.0/applications/{id}/removePassword",
            post(directory::remove_password),
        )
        .route(
            "/graph/v1.0/servicePrincipals",
            get(directory::list_service_principals).post(directory::create_service_principal),
        )
        .route("/graph/v1.0/{key}", get(directory::get_service_principal))
        .route(
            "/graph/v1.0/servicePrincipals/{id}",
            get(directory::get_service_principal),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignments",
            get(directory::list_assignments),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignments/{aid}",
            axum::routing::delete(directory::remove_assignment),
        )
        .route(
            "/graph/v1.0/servicePrincipals/{id}/appRoleAssignedTo",
            post(directory::assign_app_role),
        )
        .route(
            "/graph/v1.0/oauth2PermissionGrants",
            get(directory::list_grants).post(directory::create_grant),
        )
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            latency_and_faults,
        ))
        .with_state(shared)
}
