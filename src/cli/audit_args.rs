//! `audit`: its raw arguments.

use std::path::PathBuf;

/// List every service principal of a tenant with access to mail (Graph and Exchange roles, RBAC
/// for Applications, application access policies, mailbox permissions), classified by how far
/// it reaches and ranked by risk. Read-only: an administrator signs in with
/// Application.Read.All and AuditLog.Read.All, and Exchange Online view rights.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Tenant ID (GUID) or a verified domain; with --sandbox, the sandbox tenant when not given.
    #[arg(long)]
    pub tenant: Option<String>,
    /// National cloud: global, gcc-high, dod or china.
    #[arg(long, default_value = "global", conflicts_with = "cloud_file")]
    pub cloud: String,
    /// Custom endpoints (TOML), e.g. the file `sandbox serve` prints.
    #[arg(long)]
    pub cloud_file: Option<PathBuf>,
    /// Print the audit as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write a report for the customer: FILE.md (Markdown) or FILE.html (HTML).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Replace the report file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Public client the administrator signs in with.
    #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
    pub admin_client_id: String,
    /// Public client of the Exchange Online sign-in, when the first sign-in cannot be reused.
    #[arg(long, default_value = crate::cloud::device::EXCHANGE_ADMIN_CLIENT_ID)]
    pub exchange_client_id: String,
}
