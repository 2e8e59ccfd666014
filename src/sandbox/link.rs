//! What the product is told of a running sandbox: its endpoints and what it may list.

use super::SandboxInfo;
use crate::model::{SandboxLink, SandboxLinkApp};

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
