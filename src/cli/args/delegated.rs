//! `setup`'s answers for the delegated style, as clap parses them.

use clap::Args;

#[derive(Args, Debug)]
pub struct DelegatedArgs {
    /// The same as --delegated-sign-in device-code (kept for older scripts): allow public
    /// client flows on the app.
    #[arg(long)]
    pub public_client: bool,
    /// Delegated style: how the consuming application signs its mailbox user in: device-code
    /// (the default) or password (both turn on "Allow public client flows"), or
    /// authorization-code (needs --redirect-uri).
    #[arg(long, value_name = "FLOW")]
    pub delegated_sign_in: Option<String>,
    /// Delegated style, authorization-code flow: the URI the consuming application receives the
    /// sign-in on (https, or http only for localhost), e.g. https://esm.example.com/oauth/callback.
    #[arg(long, value_name = "URL")]
    pub redirect_uri: Option<String>,
    /// Delegated style: a mailbox user who signs in to the consuming application and reaches
    /// their own mailbox (repeat, or separate with commas).
    #[arg(long = "delegated-user", value_name = "MAILBOX")]
    pub delegated_users: Vec<String>,
    /// Delegated style: a shared mailbox the users reach on their own sign-in; each user gets
    /// FullAccess on it (Add-MailboxPermission). Repeat, or separate with commas.
    #[arg(long = "shared-mailbox", value_name = "MAILBOX")]
    pub shared_mailboxes: Vec<String>,
    /// Delegated style: ask for openid and User.Read too, for a consuming application that
    /// reads who signed in (ESM's guide asks for them).
    #[arg(long)]
    pub openid: bool,
}
