//! The run-time half of what `add` and `setup` ask: the profile name free (or to be replaced),
//! and the tenant found in the cloud it lives in.

use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::{Code, diagnosis_error, usage};
use crate::cli::settings::{CloudChoice, ProfileSettings};
use crate::model::{ClientId, Cloud, CloudKind, Profile, ScopeRecord, TenantId};

/// A new profile's settings with its tenant resolved.
pub struct Resolved<'a> {
    pub asked: &'a ProfileSettings,
    pub tenant_id: TenantId,
    /// The cloud the tenant lives in.
    pub cloud: Cloud,
}

/// Refuses a name in use unless `replace`; then looks the tenant up, in the cloud it lives in
/// when that is another than the one chosen (said on stderr).
pub async fn resolve<'a>(
    env: &Env,
    s: &'a ProfileSettings,
    replace: bool,
) -> Result<Resolved<'a>, Exit> {
    let cloud = s.cloud.cloud(env);
    if env.profiles().exists(&s.name) && !replace {
        return Err(usage(format!(
            "a profile named \"{}\" exists: choose another name or add --force to replace it",
            s.name
        )));
    }
    let (info, lives_in) = app::resolve_tenant(&env.http, &cloud.endpoints, cloud.kind, &s.tenant)
        .await
        .map_err(|(d, unavailable)| {
            let (code, exit) = if unavailable {
                (Code::Unavailable, Exit::Unavailable)
            } else {
                (Code::Usage, Exit::Usage)
            };
            diagnosis_error(code, exit, &d, Default::default())
        })?;
    let cloud = if lives_in != cloud.kind {
        eprintln!(
            "note: {} lives in the {} cloud, not {}: using that cloud's endpoints.",
            s.tenant,
            lives_in.label(),
            cloud.kind.label()
        );
        Cloud::named(lives_in)
    } else {
        cloud
    };
    Ok(Resolved {
        asked: s,
        tenant_id: info.id,
        cloud,
    })
}

impl CloudChoice {
    /// The cloud chosen: the sandbox tenant's endpoints with --sandbox.
    pub fn cloud(&self, env: &Env) -> Cloud {
        match self {
            CloudChoice::Given(c) => c.as_ref().clone(),
            CloudChoice::Sandbox => Cloud::custom(
                env.sandbox
                    .as_ref()
                    .expect("--sandbox starts the sandbox")
                    .endpoints(),
            ),
        }
    }
}

impl Resolved<'_> {
    /// The profile to save for the app `client_id`, not yet checked.
    pub fn profile(
        &self,
        env: &Env,
        client_id: ClientId,
        scope: Option<ScopeRecord>,
        secret_expires: Option<String>,
    ) -> Profile {
        let s = self.asked;
        Profile {
            name: s.name.clone(),
            sandbox: env.sandbox.is_some(),
            cloud: self.cloud.kind,
            endpoints: (self.cloud.kind == CloudKind::Custom).then(|| self.cloud.endpoints.clone()),
            tenant: s.tenant.to_string(),
            tenant_id: self.tenant_id,
            client_id,
            access: s.access.clone(),
            mailboxes: s.mailboxes.clone(),
            deny_mailbox: s.deny_mailbox.clone(),
            send_test: s.send_test,
            keyring: env.keyring,
            last_check: None,
            scope,
            secret_expires,
            credential_renewed: None,
            credential: Default::default(),
            rotation: None,
            delegated: None,
        }
    }
}
