//! `remove PROFILE --from-tenant`: its raw arguments.

/// Remove from the tenant what the setup of PROFILE made (role assignments, scope, policy,
/// mailbox permissions, Exchange service principal, its group if unused, the app
/// registration), then the profile; prints the plan unless --yes.
#[derive(clap::Args, Debug)]
pub struct RemoveArgs {
    pub profile: String,
    /// Required: the removal reaches into the tenant (`forget` removes the profile only).
    #[arg(long)]
    pub from_tenant: bool,
    /// Carry out the plan (without it, the plan is printed and nothing changes).
    #[arg(long)]
    pub yes: bool,
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
