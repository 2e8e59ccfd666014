//! Turns an error answer into what a person needs: what failed, the evidence, the likely
//! cause and the fix. Pure: no I/O.

mod credentials;
mod delegated;
mod findings;
mod graph;
mod identity;
mod network;
mod sign_in;

pub use credentials::{key_not_registered, thumbprint_used};
pub use delegated::{UserContext, no_refresh_token, other_account, scopes_missing, user_sign_in};
pub use findings::{missing_roles, not_denied, wrong_cloud};
pub use graph::is_mailbox_not_enabled;
pub use sign_in::device_code_blocked;

use super::error::CloudError;

use crate::model::Diagnosis;

/// What was being attempted when the error came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Discovery,
    Token,
    MailboxRead,
    MailboxSend,
    MustBeDenied,
}

pub struct Context<'a> {
    pub stage: Stage,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub mailbox: Option<&'a str>,
    /// Portal base URL of the cloud in use.
    pub portal: &'a str,
}

/// A diagnosis from its four parts.
fn d(
    summary: impl Into<String>,
    evidence: impl Into<String>,
    cause: impl Into<String>,
    fix: impl Into<String>,
) -> Diagnosis {
    Diagnosis {
        summary: summary.into(),
        evidence: evidence.into(),
        cause: cause.into(),
        fix: fix.into(),
    }
}

pub fn diagnose(err: &CloudError, ctx: &Context) -> Diagnosis {
    match err {
        CloudError::Aad(a) => identity::aad(a, ctx),
        CloudError::Graph(g) => graph::graph(g, ctx),
        CloudError::Network(n) => network::network(n),
        CloudError::Unexpected { status, detail } => network::unexpected(*status, detail),
        CloudError::Redirected { allowed, .. } => d(
            "The service redirected the request to a host the wizard does not send tokens to.",
            err.to_string(),
            format!(
                "Only {allowed} may receive it: a proxy may be answering in Microsoft's place, or the endpoints name the wrong host."
            ),
            "Check the cloud (--cloud, --cloud-file) and any proxy, then try again.",
        ),
    }
}

#[cfg(test)]
mod tests;
