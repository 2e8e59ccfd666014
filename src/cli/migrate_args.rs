//! `migrate PROFILE --to rbac`: its raw arguments.

/// Move the app of PROFILE from an application access policy or tenant-wide Entra mail roles to
/// RBAC for Applications: scope and roles made and proved first, then the tenant-wide roles and
/// the policy removed. Prints the plan unless --yes. Exits 5 while Exchange has not applied the
/// scope yet (then run it again with --resume).
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    pub profile: String,
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
    #[arg(long, conflicts_with_all = ["undo", "mailboxes", "deny_mailbox"])]
    pub resume: bool,
    /// Put back everything a migration did, last step first (policy, tenant-wide roles), and
    /// remove the RBAC objects it made.
    #[arg(long, conflicts_with_all = ["mailboxes", "deny_mailbox"])]
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
