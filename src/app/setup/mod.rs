//! Carries out a setup plan as the signed-in administrator. Every step first looks for what
//! an earlier run made (journal, then app id, then display name) and records each new object
//! id the moment it exists, so a setup killed anywhere resumes without duplicates.

use tokio::sync::mpsc;

use crate::app::Env;
use crate::cloud::device::AdminSession;
use crate::model::Diagnosis;
use crate::model::{
    CloudKind, Endpoints, KeyringBackend, Mailbox, Profile, ProfileName, StepStatus, TenantId,
};
use crate::plan::SetupAnswers;

mod application;
mod certificate;
mod completion;
mod consent;
mod credential;
mod diagnosis;
mod resolve;
mod rights;
mod run;
mod scoping;
mod verify;

pub use crate::cloud::lag::Patience;
pub use certificate::{CONSENT_FLAG, SECRETS_FORBIDDEN};
pub use credential::{Capped, add_password_settled};
pub use diagnosis::{SetupError, exchange_diagnosis, graph_diagnosis};
pub use rights::{Rights, not_enough_rights, rights};
pub use scoping::smtp_auth::{SmtpAuthState, read as read_smtp_auth};
pub use scoping::{ExchangeAdmin, TESTS_AT_ONCE, TestReading, read_test};
pub(crate) use scoping::{not_found, texts};

use run::Run;

#[derive(Clone, Debug)]
pub struct SetupRequest {
    pub name: ProfileName,
    pub tenant: String,
    pub tenant_id: TenantId,
    pub cloud: CloudKind,
    /// Where the calls go.
    pub endpoints: Endpoints,
    /// Kept in the profile for a custom cloud.
    pub custom_endpoints: Option<Endpoints>,
    pub answers: SetupAnswers,
    pub mailboxes: Vec<Mailbox>,
    pub deny_mailbox: Option<Mailbox>,
    pub send_test: bool,
    pub keyring: KeyringBackend,
    /// Adopt an existing app of the same display name instead of refusing.
    pub reuse_existing: bool,
    /// Revoke a tenant-wide consent the chosen scope leaves out (it would bypass the scope).
    pub remove_bypassing: bool,
    /// The administrator agreed: when the tenant forbids client secrets, the app proves itself
    /// with a certificate instead (docs/credential-policies.md).
    pub certificate_if_secrets_forbidden: bool,
}

/// Where `--exchange powershell` writes the Exchange Online script of a profile.
pub fn script_path(env: &Env, name: &ProfileName) -> std::path::PathBuf {
    env.dirs
        .data
        .join("scripts")
        .join(format!("{name}-exchange.ps1"))
}

/// Runs the setup to the end and returns the saved profile.
pub async fn run(
    env: &Env,
    req: &SetupRequest,
    session: &AdminSession,
    exchange: Option<&ExchangeAdmin>,
    tx: Option<mpsc::UnboundedSender<(usize, StepStatus)>>,
) -> Result<Profile, SetupError> {
    let mut r = Run::start(env, req, session, tx)?;
    let resources = resolve::resolve(&r).await?;
    let (object_id, client_id) = application::application(&mut r, &resources).await?;
    let sp = application::service_principal(&mut r, client_id).await?;
    credential::secret(&mut r, object_id, client_id).await?;
    if resources.iter().any(|x| !x.roles.is_empty()) {
        consent::consent(&mut r, &resources, sp).await?;
    }
    consent::delegated_consent(&mut r, &resources, sp).await?;
    consent::bypassing_consent(&mut r, sp).await?;
    let scoped = match &req.answers.scope {
        Some(spec) => Some(scoping::apply(&mut r, spec, client_id, sp, exchange).await?),
        None => None,
    };
    scoping::delegated::apply(&mut r, client_id, sp, exchange).await?;
    verify::verify(&mut r, client_id).await?;
    let profile = Profile {
        name: req.name.clone(),
        sandbox: env.sandbox.is_some(),
        cloud: req.cloud,
        endpoints: req.custom_endpoints.clone(),
        tenant: req.tenant.clone(),
        tenant_id: req.tenant_id,
        client_id,
        access: req.answers.access.clone(),
        mailboxes: req.mailboxes.clone(),
        deny_mailbox: req.deny_mailbox.clone().or_else(|| {
            scoped
                .as_ref()
                .and_then(|s| s.deny_mailbox.as_deref())
                .and_then(|m| Mailbox::parse(m).ok())
        }),
        send_test: req.send_test,
        keyring: req.keyring,
        last_check: None,
        scope: scoped.map(|s| s.record),
        secret_expires: r.secret_end.clone(),
        credential_renewed: None,
        credential: match r.certificate.clone() {
            Some(thumbprint) => crate::model::Credential::Certificate { thumbprint },
            None => Default::default(),
        },
        rotation: None,
        delegated: req.answers.delegated_part().cloned(),
    };
    env.profiles().save(&profile).map_err(|e| {
        SetupError::local(Diagnosis {
            summary: "The profile could not be saved.".into(),
            evidence: e.to_string(),
            cause: "The config directory is not writable.".into(),
            fix: "Check M365MW_CONFIG_DIR; then run the setup again (it resumes).".into(),
        })
    })?;
    r.journal.finished = true;
    r.save()?;
    Ok(profile)
}
