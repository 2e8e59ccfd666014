//! What a started sandbox tells its user and its tests: every endpoint, the signing key, the
//! seeded applications and the mailboxes.

use serde::Serialize;

use super::mail::MailServers;
use super::tenant::Tenant;
use super::{EXCHANGE_RESOURCE, GRAPH_RESOURCE, Signer256};
use crate::model::{Endpoints, SandboxLink, SandboxLinkApp, TenantId};

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
    /// Every mailbox user's password, for the resource-owner password flow.
    pub user_password: String,
    /// Users who must use multifactor authentication: the password flow refuses them.
    pub mfa_users: Vec<String>,
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

    /// What the sandbox serving tenant `t` at `base` tells about itself.
    pub(super) fn describe(
        t: &Tenant,
        base: &str,
        servers: &MailServers,
        mail_ca: String,
        signer: &Signer256,
    ) -> SandboxInfo {
        let tenant_url = format!("{base}/{}", t.tenant_id);
        SandboxInfo {
            issuer: format!("{tenant_url}/v2.0"),
            discovery: format!("{tenant_url}/v2.0/.well-known/openid-configuration"),
            token: format!("{tenant_url}/oauth2/v2.0/token"),
            jwks: format!("{tenant_url}/discovery/v2.0/keys"),
            login: base.to_string(),
            ews: format!("{base}/EWS/Exchange.asmx"),
            imap: servers.imap.clone(),
            pop: servers.pop.clone(),
            smtp: servers.smtp.clone(),
            mail_ca,
            signing_key: signer.public_pem(),
            kid: signer.kid.clone(),
            graph: format!("{base}/graph"),
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
            user_password: super::tenant::USER_PASSWORD.into(),
            mfa_users: t
                .users
                .iter()
                .filter(|u| u.mfa)
                .map(|u| u.mail.clone())
                .collect(),
        }
    }
}

/// What the product is told of a running sandbox: its endpoints and what it may list.
impl SandboxInfo {
    pub fn link(&self) -> SandboxLink {
        SandboxLink {
            tenant_domain: self.tenant_domain.clone(),
            endpoints: self.endpoints(),
            login: self.login.clone(),
            admin: self.admin.clone(),
            apps: self
                .apps
                .iter()
                .map(|a| SandboxLinkApp {
                    name: a.name.clone(),
                    client_id: a.client_id.clone(),
                    secret: a.secret.clone(),
                })
                .collect(),
            mailboxes: self.mailboxes.clone(),
        }
    }
}
