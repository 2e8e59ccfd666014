//! The sandbox tenant as the product sees it: plain data the launcher hands over.

use super::Endpoints;

/// The sandbox tenant as the product sees it: its endpoints and what the home screen lists.
/// The launcher fills it in from the running simulator.
#[derive(Clone, Debug)]
pub struct SandboxLink {
    pub tenant_domain: String,
    pub endpoints: Endpoints,
    /// The login host, whose device-approval page the sandbox serves.
    pub login: String,
    /// The sandbox's administrator, who approves device codes.
    pub admin: String,
    pub apps: Vec<SandboxLinkApp>,
    pub mailboxes: Vec<String>,
}

/// A sandbox app: its name, client ID and (sandbox-only) secret.
#[derive(Clone)]
pub struct SandboxLinkApp {
    pub name: String,
    pub client_id: String,
    pub secret: String,
}

impl std::fmt::Debug for SandboxLinkApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SandboxLinkApp({}, {})", self.name, self.client_id)
    }
}

impl SandboxLink {
    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.clone()
    }
}
