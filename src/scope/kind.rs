//! The four ways of scoping an app's mailbox access, with their names and explanations.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeKind {
    /// RBAC for Applications: a management scope on group membership, one role assignment per
    /// role, and no tenant-wide Entra permission that would bypass it.
    Rbac,
    /// An Application Access Policy that allows only the group (legacy).
    RestrictPolicy,
    /// An Application Access Policy that blocks the group (legacy).
    DenyPolicy,
    AllMailboxes,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 4] = [
        ScopeKind::Rbac,
        ScopeKind::RestrictPolicy,
        ScopeKind::DenyPolicy,
        ScopeKind::AllMailboxes,
    ];

    pub fn parse(s: &str) -> Result<ScopeKind, String> {
        ScopeKind::ALL
            .into_iter()
            .find(|k| k.key() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown scope \"{}\": use rbac, restrict-policy, deny-policy or all-mailboxes",
                    s.trim()
                )
            })
    }

    pub fn key(self) -> &'static str {
        match self {
            ScopeKind::Rbac => "rbac",
            ScopeKind::RestrictPolicy => "restrict-policy",
            ScopeKind::DenyPolicy => "deny-policy",
            ScopeKind::AllMailboxes => "all-mailboxes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScopeKind::Rbac => "Only a group — RBAC for Applications (recommended)",
            ScopeKind::RestrictPolicy => "Only a group — access policy (legacy)",
            ScopeKind::DenyPolicy => "All but a group — access policy (legacy)",
            ScopeKind::AllMailboxes => "Every mailbox of the organisation",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            ScopeKind::Rbac => {
                "Exchange Online grants the app its roles only for the members of a mail-enabled security group. The app gets no tenant-wide Graph or EWS permission, because that would reach every mailbox regardless of the scope."
            }
            ScopeKind::RestrictPolicy => {
                "The app keeps its tenant-wide permission and a policy limits it to the group's members. Microsoft advises against new policies (RBAC for Applications replaces them); choose this only where a tenant already uses them. Policies cover Graph and EWS."
            }
            ScopeKind::DenyPolicy => {
                "The app keeps its tenant-wide permission and a policy keeps it away from the group's members. Legacy, as above."
            }
            ScopeKind::AllMailboxes => {
                "The app can read or send as every mailbox, including the CEO's. Only for tools that truly must, such as a backup of the whole organisation."
            }
        }
    }

    pub fn uses_group(self) -> bool {
        self != ScopeKind::AllMailboxes
    }
}
