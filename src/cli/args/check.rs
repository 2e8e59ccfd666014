//! `check`'s arguments as clap parses them.

use clap::{Args, ValueEnum};

use super::parse_wait;

#[derive(Args, Debug)]
pub struct CheckArgs {
    pub profile: Option<String>,
    /// Print the result as JSON on stdout (the same as --format json).
    #[arg(long)]
    pub json: bool,
    /// How the outcome is printed on stdout: text, json or prometheus (the node_exporter
    /// textfile format).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<CheckFormatArg>,
    /// After the run, POST what changed since the last run (profiles that stopped passing
    /// or pass again, credentials expiring soon) as JSON to this incoming webhook (https, or
    /// http to this machine). Never a secret; a webhook that fails is reported on stderr
    /// and leaves the exit code alone.
    #[arg(long, value_name = "URL")]
    pub notify: Option<String>,
    /// Check every profile (the same as naming none).
    #[arg(long, conflicts_with = "profile")]
    pub all: bool,
    /// Exit with 4 when every check passed but a secret expires within this many days.
    #[arg(long)]
    pub warn_days: Option<u32>,
    /// Seconds each network step may take (the token, discovery, each Graph and EWS request,
    /// and for the mail servers connecting, the handshake and each answer); a mail dialogue
    /// as a whole may take three times as long.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
    /// Retry failing checks until they pass or this long has passed (e.g. 90s, 60m, 2h),
    /// for changes Exchange Online has not applied yet.
    #[arg(long, default_value = "0", value_parser = parse_wait)]
    pub wait: std::time::Duration,
    /// Check the delegated part as this mailbox user, who signs in to the app itself with a
    /// device code (default: the profile's delegated users). The user's tokens are never kept.
    #[arg(long, value_name = "MAILBOX", requires = "profile")]
    pub as_user: Option<String>,
    /// Sign the mailbox user in with the resource-owner password flow instead, the password
    /// read from standard input and never kept. Microsoft discourages this flow, and it fails
    /// for any account that must use multifactor authentication.
    #[arg(long, requires = "as_user")]
    pub password_flow: bool,
}

/// How `check` prints its outcome.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormatArg {
    /// The table, for a person.
    Text,
    /// The reports as JSON (the same as --json).
    Json,
    /// The node_exporter textfile format: one gauge per profile and check (docs/monitoring.md).
    Prometheus,
}
