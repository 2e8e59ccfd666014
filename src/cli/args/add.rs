//! `add`'s arguments: a profile for an app registration that exists.

use clap::Args;

use super::{DelegatedArgs, ProfileArgs};

#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Application (client) ID of the app registration.
    #[arg(long)]
    pub client_id: String,
    /// Read the client secret's Value from standard input (required: secrets never go on the command line).
    #[arg(long, required = true)]
    pub secret_stdin: bool,
    /// When the secret expires, as the portal shows it (2027-05-26 or 5/26/2027); `expiry`
    /// reads it from the app registration instead.
    #[arg(long)]
    pub secret_expires: Option<String>,
    #[command(flatten)]
    pub delegated: DelegatedArgs,
}
