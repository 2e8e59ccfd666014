//! A tenant's mail apps as an audit finds them (`audit`, docs/audit.md): what each service
//! principal was granted, how far that reaches, and the findings ranked by risk. Pure: the
//! facts are read by `app/audit`, the clock is passed in.

mod classify;
mod rank;

use serde::Serialize;
use time::OffsetDateTime;

pub use classify::{EXCHANGE_MAIL_ROLES, is_mail_graph_role, reach};
pub use rank::{EXPIRY_WARNING_DAYS, UNUSED_DAYS, audit};

/// A secret or a certificate of an app registration: its name and end, never its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialFacts {
    /// `secret` or `certificate`.
    pub kind: &'static str,
    pub name: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends: Option<OffsetDateTime>,
}

/// When the service principal last signed in, as far as the tenant's report tells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum LastSignIn {
    At {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The report holds no sign-in of it.
    Never,
    /// The report could not be read (why).
    Unknown { why: String },
}

/// An RBAC for Applications role assignment: the role and its management scope (none: the
/// whole organisation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RbacGrant {
    pub role: String,
    pub scope: Option<String>,
    /// The scope's recipient filter, when the scope could be read.
    pub scope_filter: Option<String>,
}

/// An application access policy on the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyGrant {
    /// `RestrictAccess` or `DenyAccess`.
    pub access_right: String,
    /// The group's address or name.
    pub group: String,
}

/// What the tenant says about one service principal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrincipalFacts {
    pub sp_id: String,
    pub app_id: String,
    pub name: String,
    /// Consented Microsoft Graph application roles that touch mail (`Mail.*`, `MailboxSettings.*`).
    pub graph_roles: Vec<String>,
    /// Consented Office 365 Exchange Online application roles that touch mail.
    pub exchange_roles: Vec<String>,
    pub rbac: Vec<RbacGrant>,
    pub policies: Vec<PolicyGrant>,
    /// Registered as a service principal in Exchange Online (`New-ServicePrincipal`).
    pub exchange_principal: bool,
    /// Mailboxes on which it holds a mailbox permission.
    pub mailbox_permissions: Vec<String>,
    /// None when the app is registered in another tenant (its credentials are not here).
    pub credentials: Option<Vec<CredentialFacts>>,
    pub last_sign_in: Option<LastSignIn>,
}

impl PrincipalFacts {
    /// Whether anything here touches mail.
    pub fn has_mail_access(&self) -> bool {
        !(self.graph_roles.is_empty()
            && self.exchange_roles.is_empty()
            && self.rbac.is_empty()
            && self.policies.is_empty()
            && self.mailbox_permissions.is_empty())
    }
}

/// How far a service principal's mail access reaches, widest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    EveryMailbox,
    ScopedByRbac,
    ScopedByPolicy,
    PerMailbox,
    /// Granted something that reaches no mailbox on its own (an Exchange role without mailbox
    /// permissions, a policy without roles).
    NoMailbox,
}

impl Reach {
    pub fn label(self) -> &'static str {
        match self {
            Reach::EveryMailbox => "every mailbox",
            Reach::ScopedByRbac => "scoped by RBAC",
            Reach::ScopedByPolicy => "scoped by a policy",
            Reach::PerMailbox => "per-mailbox permissions",
            Reach::NoMailbox => "no mailbox",
        }
    }
}

/// Something an audit points out, with the weight it adds to the app's risk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// Reaches every mailbox of the organisation.
    TenantWide,
    /// A credential has ended (its name).
    CredentialExpired { credential: String },
    /// A credential ends within `EXPIRY_WARNING_DAYS` (its name, days left).
    CredentialExpiring { credential: String, days: i64 },
    /// No sign-in for `UNUSED_DAYS` (days since the last, none when never).
    Unused { days: Option<i64> },
    /// Scoped by an application access policy, which Microsoft tells admins to replace with
    /// RBAC for Applications.
    PolicyScoped,
}

impl Finding {
    pub fn weight(&self) -> u32 {
        match self {
            Finding::TenantWide => 100,
            Finding::CredentialExpired { .. } => 50,
            Finding::CredentialExpiring { .. } => 40,
            Finding::Unused { .. } => 30,
            Finding::PolicyScoped => 20,
        }
    }

    pub fn text(&self) -> String {
        match self {
            Finding::TenantWide => "reaches every mailbox of the organisation".into(),
            Finding::CredentialExpired { credential } => format!("{credential} has expired"),
            Finding::CredentialExpiring { credential, days } => {
                format!("{credential} expires in {days} days")
            }
            Finding::Unused { days: Some(d) } => format!("no sign-in for {d} days"),
            Finding::Unused { days: None } => "never signed in".into(),
            Finding::PolicyScoped => {
                "scoped by an application access policy: move it to RBAC for Applications".into()
            }
        }
    }
}

/// One service principal with mail access, classified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    #[serde(flatten)]
    pub facts: PrincipalFacts,
    pub reach: Reach,
    pub findings: Vec<Finding>,
    pub risk: u32,
}

/// The audit of a tenant: the rows ranked by risk, and what could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub tenant: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Service principals read in the tenant.
    pub principals: usize,
    pub rows: Vec<AuditRow>,
    /// Each part of the tenant that could not be read, and what that leaves out.
    pub missing: Vec<String>,
    /// Exchange Online was read: without it, application access policies and RBAC scopes are
    /// unknown, and an Entra ID role counts as reaching every mailbox.
    pub exchange_read: bool,
}

/// What of an audit a file holds: the customer's report (Markdown or HTML, by the file name's
/// extension) or the JSON of `audit --json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditFile {
    Report,
    Json,
}

impl AuditFile {
    /// The file name an audit of `tenant` made at `at` is offered under.
    pub fn default_name(self, tenant: &str, at: OffsetDateTime) -> String {
        let safe: String = tenant
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let ext = match self {
            AuditFile::Report => "md",
            AuditFile::Json => "json",
        };
        format!(
            "audit-{safe}-{}-{:02}{:02}{:02}.{ext}",
            at.date(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }
}
