//! The command line as clap parses it (raw), before validation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "m365-mail-wizard",
    version,
    about = "Set up and check app-only mail access (Graph, IMAP, POP3, SMTP, EWS) to Microsoft 365 mailboxes",
    after_help = "Without a command, the interactive wizard starts.\nExit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error, 3 network or keyring unavailable."
)]
pub struct Cli {
    /// Run against the built-in simulated tenant (no Microsoft account needed).
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Where secrets are kept: the OS keyring, or the Linux kernel keyring (lost on reboot).
    #[arg(long, global = true, value_enum, default_value_t = KeyringArg::Os)]
    pub keyring: KeyringArg,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyringArg {
    Os,
    Keyutils,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the simulated tenant alone and print its endpoints as one JSON line.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Save a profile for an existing app registration (secret read from standard input).
    Add(AddArgs),
    /// Run the live checks of one profile, or of every profile.
    Check {
        profile: Option<String>,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Seconds each network step (connect, handshake, each answer) may take; a mail
        /// dialogue as a whole may take three times as long.
        #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
        timeout: u64,
    },
    /// List the profiles.
    Profiles {
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile and its keyring entry.
    Forget { profile: String },
}

#[derive(Subcommand, Debug)]
pub enum SandboxCommand {
    Serve {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep the tenant (and its signing key) in this file across restarts.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Delay every answer by this many milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Injected failures: AREA:KIND[:COUNT],… with AREA any|discovery|token|graph|admin|ews|imap|pop|smtp and KIND an HTTP status, hang, or (mail) close|garbage|endless.
        #[arg(long, default_value = "")]
        faults: String,
        /// Approve every device-code sign-in at once, as this user (default: the sandbox admin).
        #[arg(long, num_args = 0..=1, default_missing_value = "admin")]
        auto_approve: Option<String>,
        /// Milliseconds a new app stays unknown to the service-principal call, as after a real
        /// directory write.
        #[arg(long, default_value_t = 0)]
        replication_lag_ms: u64,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    pub profile: String,
    /// Tenant ID (GUID) or a verified domain.
    #[arg(long)]
    pub tenant: String,
    /// Application (client) ID of the app registration.
    #[arg(long)]
    pub client_id: String,
    /// What the consuming application uses, comma-separated: graph-read, graph-read-write, graph-send, imap, pop, smtp, ews (legacy).
    #[arg(long)]
    pub access: String,
    /// A mailbox the application must reach (repeat, or separate with commas).
    #[arg(long = "mailbox", required = true)]
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
    /// Read the client secret's Value from standard input (required: secrets never go on the command line).
    #[arg(long, required = true)]
    pub secret_stdin: bool,
    /// Let the Graph send and SMTP checks mail each mailbox a test message (to itself).
    #[arg(long)]
    pub send_test: bool,
    /// Replace an existing profile of the same name.
    #[arg(long)]
    pub force: bool,
}
