//! `migrate PROFILE… --to rbac`: its raw arguments.

/// Move the app of PROFILE from an application access policy or tenant-wide Entra mail roles to
/// RBAC for Applications: scope and roles made and proved first, then the tenant-wide roles and
/// the policy removed. Prints the plan unless --yes. Exits 5 while Exchange has not applied the
/// scope yet (then run it again with --resume). Several apps of one tenant are migrated one
/// after the other, each with its own journal, and summed up at the end; the exit code is the
/// worst of theirs.
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Profile names; with --tenant, client IDs of apps that have no profile too (their secrets
    /// on standard input, one line each, in the order given).
    #[arg(required = true, num_args = 1.., value_name = "PROFILE|CLIENT_ID")]
    pub profile: Vec<String>,
    /// The tenant (GUID or verified domain) of an app named by its client ID; its secret is
    /// read from standard input (--secret-stdin) for the live checks and kept nowhere.
    #[arg(long, requires_all = ["secret_stdin", "mailbox"])]
    pub tenant: Option<String>,
    /// With --tenant: a mailbox the app must reach, checked live (repeat, or separate with commas).
    #[arg(long = "mailbox", requires = "tenant")]
    pub mailbox: Vec<String>,
    /// With --tenant: read the app's client secret from standard input.
    #[arg(long, requires = "tenant")]
    pub secret_stdin: bool,
    /// With --tenant: national cloud (global, gcc-high, dod or china).
    #[arg(long, default_value = "global", conflicts_with = "cloud_file")]
    pub cloud: String,
    /// With --tenant: custom endpoints (TOML), e.g. the file `sandbox serve` prints.
    #[arg(long, requires = "tenant")]
    pub cloud_file: Option<std::path::PathBuf>,
    /// What to move the app to: rbac (RBAC for Applications).
    #[arg(long, value_enum)]
    pub to: MigrateTo,
    /// Scope these mailboxes (in a group the migration makes) instead of the policy's group
    /// (repeat, or separate with commas); the profile's mailboxes are checked either way.
    #[arg(long = "mailboxes", value_delimiter = ',')]
    pub mailboxes: Vec<String>,
    /// The mailbox the app must be refused once migrated (default: the profile's --deny-mailbox).
    #[arg(long)]
    pub deny_mailbox: Option<String>,
    /// Carry out the plan (without it, the plan is printed and nothing changes).
    #[arg(long)]
    pub yes: bool,
    /// Go on with a migration that stopped (interrupted, or waiting for Exchange).
    #[arg(long, conflicts_with_all = ["undo", "mailboxes"])]
    pub resume: bool,
    /// Put back everything a migration did, last step first (policy, tenant-wide roles), and
    /// remove the RBAC objects it made.
    #[arg(long, conflicts_with = "mailboxes")]
    pub undo: bool,
    /// Print the plan as a PowerShell script (Exchange Online and Microsoft Graph PowerShell),
    /// each step's undo beside it; nothing changes.
    #[arg(long, conflicts_with_all = ["yes", "resume", "undo"])]
    pub print_script: bool,
    /// Print the plan or the outcome as JSON.
    #[arg(long)]
    pub json: bool,
    /// Public client the administrator signs in with.
    #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
    pub admin_client_id: String,
    /// Public client of the Exchange Online sign-in, when the first sign-in cannot be reused.
    #[arg(long, default_value = crate::cloud::device::EXCHANGE_ADMIN_CLIENT_ID)]
    pub exchange_client_id: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MigrateTo {
    /// RBAC for Applications in Exchange Online.
    Rbac,
}
