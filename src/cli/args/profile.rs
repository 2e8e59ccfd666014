//! The arguments that make a profile, shared by `setup` and `add`.

use std::path::PathBuf;

use clap::Args;

/// What a profile is made of, asked by both `setup` and `add`.
#[derive(Args, Debug)]
pub struct ProfileArgs {
    pub profile: String,
    /// Tenant ID (GUID) or a verified domain.
    #[arg(long)]
    pub tenant: String,
    /// What the consuming application uses, comma-separated: graph-read, graph-read-write, graph-send, imap, pop, smtp, ews (legacy), delegated-imap-smtp (a mailbox user signs in; with app-only choices, a hybrid app).
    #[arg(long)]
    pub access: String,
    /// A mailbox the application must reach with its own (app-only) sign-in (repeat, or separate
    /// with commas). Required unless the access is delegated-imap-smtp alone.
    #[arg(long = "mailbox")]
    pub mailboxes: Vec<String>,
    /// A mailbox the application must NOT reach (proves the scope).
    #[arg(long)]
    pub deny_mailbox: Option<String>,
    /// National cloud: global, gcc-high, dod or china.
    #[arg(long, default_value = "global", conflicts_with = "cloud_file")]
    pub cloud: String,
    /// Custom endpoints (TOML), e.g. the file `sandbox serve` prints.
    #[arg(long)]
    pub cloud_file: Option<PathBuf>,
    /// Let the Graph send and SMTP checks mail each mailbox a test message (to itself).
    #[arg(long)]
    pub send_test: bool,
    /// Replace an existing profile of the same name.
    #[arg(long)]
    pub force: bool,
}
