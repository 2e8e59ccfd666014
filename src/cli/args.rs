//! The command line as clap parses it (raw), before validation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use super::shell::ShellArg;
use super::wait::parse_wait;
mod add;
mod check;
mod delegated;
mod profile;

pub use add::AddArgs;
pub use check::{CheckArgs, CheckFormatArg};
pub use delegated::DelegatedArgs;
pub use profile::ProfileArgs;

#[derive(Parser, Debug)]
#[command(
    name = "m365-mail-wizard",
    version,
    about = "Set up and check app-only mail access (Graph, IMAP, POP3, SMTP, EWS) to Microsoft 365 mailboxes",
    after_help = "Without a command, the interactive wizard starts.\nExit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error, 3 network or keyring unavailable, 4 (check --warn-days) a secret expires soon, 5 (setup, check) nothing failed but a check waits for a change Microsoft has not applied yet."
)]
pub struct Cli {
    /// Run against the built-in simulated tenant (no Microsoft account needed).
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Start the sandbox tenant afresh, forgetting the apps, consents and Exchange changes
    /// earlier --sandbox runs made (implies --sandbox). Without it the sandbox keeps its
    /// tenant between runs, in the data directory.
    #[arg(long, global = true)]
    pub sandbox_reset: bool,

    /// Make the sandbox tenant behave as Microsoft 365 really does (implies --sandbox): the
    /// directory lags after each create, Exchange applies scopes and policies after a delay,
    /// the admin API redirects its first call, and an existing group is managed by someone else.
    #[arg(long, global = true)]
    pub realistic: bool,

    /// The wizard's own sandbox (implies --sandbox) approves the device codes of every client
    /// but the admin tools as this mailbox user: `check PROFILE --as-user MAILBOX` signs in
    /// without a second person.
    #[arg(long, global = true, value_name = "MAILBOX")]
    pub sandbox_auto_approve_user: Option<String>,

    /// Where secrets are kept: the OS keyring, or the Linux kernel keyring (lost on reboot).
    #[arg(long, global = true, value_enum, default_value_t = KeyringArg::Os)]
    pub keyring: KeyringArg,

    /// Write every request and answer of the run (HTTP with headers and bodies, IMAP, POP3
    /// and SMTP lines) to FILE, one JSON object a line, with every token, secret, assertion,
    /// password, device code and message content redacted (docs/trace.md). Mode 0600, appended.
    #[arg(long, global = true, value_name = "FILE")]
    pub trace: Option<PathBuf>,

    /// How an administrator signs in: device-code (a code entered on any device), or browser
    /// (this machine's browser, authorization code with PKCE on http://localhost; the URL is
    /// always printed too). A device code refused by Conditional Access switches to the browser.
    /// With `check PROFILE`, how the mailbox user signs in to the app (browser: only when the
    /// app registration lists a http://localhost redirect, as the profile records it).
    #[arg(long, global = true, value_enum, default_value_t = SignInArg::DeviceCode)]
    pub sign_in: SignInArg,

    /// Seconds a browser sign-in waits for the browser to come back (default 180); 0 never
    /// switches a refused device code to the browser.
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub browser_wait: Option<u64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SignInArg {
    DeviceCode,
    Browser,
}

impl Cli {
    /// Whether the command answers in JSON (`--json`), errors included.
    pub fn wants_json(&self) -> bool {
        match &self.command {
            Some(Command::Check(a)) => a.json || a.format == Some(CheckFormatArg::Json),
            Some(Command::Profiles { json }) => *json,
            Some(Command::Setup(a)) => a.json,
            Some(Command::Remove(a)) => a.json,
            Some(Command::Audit(a)) => a.json,
            Some(Command::Migrate(a)) => a.json,
            _ => false,
        }
    }
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
    /// Register and consent a new app as a signed-in administrator (device code), store its
    /// secret, save the profile and run the checks. Without --yes, prints the plan only.
    /// Exits 5 when nothing failed but a check waits for a change Exchange Online has not
    /// applied yet (RBAC for Applications takes up to 2 hours).
    Setup(Box<SetupArgs>),
    /// Save a profile for an existing app registration (secret read from standard input).
    Add(AddArgs),
    /// Run the live checks of one profile, or of every profile. Exits 5 when nothing failed
    /// but a check waits for a recent change to apply (pending, with the time since it).
    Check(CheckArgs),
    /// Write a profile's settings (env, json, properties), the setup as PowerShell, or the
    /// handover report (report, report-html). Never a secret, unless --with-secret.
    Export {
        profile: String,
        /// env, json, properties, powershell, report or report-html.
        #[arg(long)]
        format: String,
        /// Write to this file instead of standard output (an existing file needs --force).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
        /// Put the client secret's Value in the file too (env, json or properties), for the
        /// consuming application: needs --output; written with mode 0600; never to a terminal.
        #[arg(long)]
        with_secret: bool,
    },
    /// Renew a profile's client secret in two phases. First: add a new one (administrator
    /// sign-in), store it and prove it signs in; the old one stays valid. Give the new Value to
    /// the consuming application (`export --with-secret`), confirm it works, then `--finish`
    /// removes the old one. On failure the old secret stays in use.
    Renew {
        profile: String,
        /// Second phase: remove the old secret (or certificate) the last renewal replaced,
        /// after reading the sign-in logs for when it was last used.
        #[arg(long, conflicts_with_all = ["guided", "secret_months"])]
        finish: bool,
        /// With --finish: remove it even if it signed in within the last 24 hours.
        #[arg(long, requires = "finish")]
        force: bool,
        /// Lifetime of the new secret in months: 3, 6, 12, 18 or 24.
        #[arg(long, default_value_t = 6)]
        secret_months: u32,
        /// Public client the administrator signs in with.
        #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
        admin_client_id: String,
        /// Make the new secret in the portal yourself, guided; paste its Value back (standard input).
        #[arg(long)]
        guided: bool,
    },
    /// Move a profile from its client secret to a certificate (Microsoft's recommendation): a
    /// new key pair and self-signed certificate, registered on the app, the private key in the
    /// keyring, proven before the profile switches.
    Cert {
        profile: String,
        /// Validity of the certificate in months: 3, 6, 12, 18 or 24.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Public client the administrator signs in with.
        #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
        admin_client_id: String,
        /// No admin sign-in: the admin uploads the certificate file in the portal, then
        /// presses Enter; the wizard proves it signs in before switching.
        #[arg(long)]
        guided: bool,
    },
    /// Read from the app registration (administrator sign-in) when the profile's secret or
    /// certificate expires, and record it.
    Expiry {
        profile: String,
        /// Public client the administrator signs in with.
        #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
        admin_client_id: String,
    },
    /// List the profiles.
    Profiles {
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile and its keyring entry.
    Forget { profile: String },
    /// Print the shell completion script for bash, zsh, fish or powershell on stdout.
    Completions {
        /// bash, zsh, fish or powershell.
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the manual page (roff) on stdout, or write one page per command into a directory.
    Man {
        /// Write m365-mail-wizard.1 and one m365-mail-wizard-COMMAND.1 per command here.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Remove from the tenant what the setup of PROFILE made, then the profile.
    Remove(super::remove_args::RemoveArgs),
    /// Every service principal of a tenant with mail access, classified and ranked by risk.
    Audit(super::audit_args::AuditArgs),
    /// Move the app of PROFILE from an application access policy or tenant-wide Entra mail
    /// roles to RBAC for Applications, proved before anything tenant-wide is removed.
    Migrate(super::migrate_args::MigrateArgs),
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
        /// Injected failures: AREA:KIND[:COUNT],… with AREA any|discovery|token|graph|admin|exchange|ews|imap|pop|smtp and KIND an HTTP status, hang, lost (carried out, then answered 502), or (mail) close|garbage|endless.
        #[arg(long, default_value = "")]
        faults: String,
        /// Approve every device-code sign-in at once, as this user (default: the sandbox admin).
        #[arg(long, num_args = 0..=1, default_missing_value = "admin")]
        auto_approve: Option<String>,
        /// Approve the device codes of every client but the admin tools (a consuming
        /// application's, or the check's sign-in as a mailbox user) at once, as this mailbox user.
        #[arg(long, value_name = "MAILBOX")]
        auto_approve_user: Option<String>,
        /// Milliseconds each new object (app, service principal, Exchange service principal,
        /// group) stays unknown to the calls that name it, as after a real directory write
        /// (default 0; 3000 with --realistic).
        #[arg(long)]
        replication_lag_ms: Option<u64>,
        /// A tenant policy capping client secret lifetimes at this many months.
        #[arg(long)]
        max_secret_months: Option<u32>,
        /// Seconds a device code stays valid (default 900, as in Entra ID).
        #[arg(long, default_value_t = 900)]
        device_code_secs: u64,
        /// Seconds before an Exchange change (group member, service principal, scope, role
        /// assignment, policy, mailbox permission) reaches the mail servers, as in Exchange Online.
        /// Default 0; 20 with --realistic.
        #[arg(long)]
        propagation_delay: Option<f64>,
        /// Generated mailboxes user0001@… on top of the seed (for benchmarks), at most 5000.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=5000))]
        extra_mailboxes: u32,
        /// Generated mail apps for audits (at most 2000), of the eight kinds docs/audit.md names,
        /// in turn.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=2000))]
        extra_apps: u32,
        /// Generated service principals with no mail access, at most 20000.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=20000))]
        extra_principals: u32,
        /// The administrator holds no Exchange Online role (not even View-Only): every cmdlet
        /// of the admin API is refused, Microsoft Graph still answers.
        #[arg(long)]
        admin_without_exchange: bool,
        /// Pose as a tenant of a national cloud: what discovery reports as
        /// `cloud_instance_name`, optionally `:` and `tenant_region_sub_scope`
        /// (`microsoftonline.us:DOD`).
        #[arg(long)]
        cloud_instance: Option<String>,
        /// Answer the first Exchange admin API call with a redirect, as Exchange Online does
        /// for some tenants: to the sandbox's own alias path, or to URL.
        #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
        admin_redirect: Option<String>,
        /// A tenant without a Microsoft Entra ID P1 or P2 licence: its sign-in logs cannot be
        /// read through Graph.
        #[arg(long)]
        without_entra_premium: bool,
        /// An app management policy that forbids client secrets: `addPassword` is refused
        /// (`CredentialTypeNotAllowedAsPerAppPolicy`); certificates still work.
        #[arg(long)]
        forbid_secrets: bool,
        /// Permission IDs other than Microsoft's published ones: the setup must read them from
        /// the tenant.
        #[arg(long)]
        other_role_ids: bool,
        /// The organisation enforces an EWS allow list (EwsEnabled $true) that holds another
        /// app's ID; on with --realistic.
        #[arg(long)]
        ews_allow_list: bool,
        /// heidi@ is licensed as Exchange Online Kiosk, whose mailboxes EWS refuses; on with
        /// --realistic.
        #[arg(long)]
        kiosk_mailbox: bool,
        /// A Conditional Access policy blocking the device code flow: the device-code token
        /// poll answers AADSTS53003; the browser sign-in still works.
        #[arg(long)]
        block_device_code: bool,
        /// SMTP AUTH off for the whole organisation (Set-TransportConfig
        /// -SmtpClientAuthenticationDisabled $true), as new tenants have it; on with --realistic.
        #[arg(long)]
        smtp_auth_off: bool,
        /// SMTP AUTH refused for grace@ by security defaults and for frank@ by Conditional
        /// Access, with Exchange's 5.7.139 words; on with --realistic.
        #[arg(long)]
        smtp_sign_in_refusals: bool,
    },
}

#[derive(Args, Debug)]
pub struct SetupArgs {
    #[command(flatten)]
    pub common: ProfileArgs,
    /// Display name of the new app registration (default: m365-mail-wizard PROFILE).
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime of the client secret in months: 3, 6, 12, 18 or 24.
    #[arg(long, default_value_t = 6)]
    pub secret_months: u32,
    /// When an app management policy forbids client secrets, give the app a certificate
    /// instead (its private key in the keyring; valid for --secret-months). Without it the
    /// setup stops there, naming the policy, or asks when run on a terminal.
    #[arg(long)]
    pub certificate_if_secrets_forbidden: bool,
    /// Public client the administrator signs in with (default: Microsoft Graph Command Line Tools).
    #[arg(long, default_value = crate::cloud::device::DEFAULT_ADMIN_CLIENT_ID)]
    pub admin_client_id: String,
    /// Carry out the plan (sign-in, changes, checks). Without it the plan is printed and nothing changes.
    #[arg(long)]
    pub yes: bool,
    /// Adopt an existing app registration of the same name instead of refusing.
    #[arg(long)]
    pub reuse_app: bool,
    #[command(flatten)]
    pub delegated: DelegatedArgs,
    /// Do the steps by hand in the portal, guided; paste back what it shows (read from standard input).
    #[arg(long, conflicts_with = "yes")]
    pub guided: bool,
    /// Print the plan, or the result, as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Which mailboxes the app may reach: rbac (RBAC for Applications, the default),
    /// restrict-policy or deny-policy (legacy application access policies), or all-mailboxes.
    #[arg(long, default_value = "rbac")]
    pub scope: String,
    /// The mail-enabled security group that names the mailboxes in scope: a display name or an
    /// SMTP address; made when it does not exist (default: m365mw-PROFILE).
    #[arg(long)]
    pub group: Option<String>,
    /// Confirms --scope all-mailboxes: the app may then read or send as every mailbox.
    #[arg(long)]
    pub i_understand_all_mailboxes: bool,
    /// With EWS: leave the organisation's EWS allow list alone even where it is enforced
    /// (EwsEnabled $true). EWS then fails, and the plan, the setup and the checks say so.
    #[arg(long)]
    pub decline_ews_allow_list: bool,
    /// With --scope rbac: revoke a tenant-wide Graph/EWS consent the app already holds, which
    /// would bypass the scope.
    #[arg(long)]
    pub remove_tenant_wide_consent: bool,
    /// automate (default) makes the Exchange Online changes; powershell writes them as one
    /// script for an Exchange administrator to run, and stops.
    #[arg(long, default_value = "automate")]
    pub exchange: String,
    /// Public client of the Exchange Online sign-in, when the first sign-in cannot be reused.
    #[arg(long, default_value = crate::cloud::device::EXCHANGE_ADMIN_CLIENT_ID)]
    pub exchange_client_id: String,
    /// Retry failing checks after the setup until they pass or this long has passed (e.g. 90s,
    /// 60m, 2h): Exchange Online can take an hour to apply changes.
    #[arg(long, default_value = "0", value_parser = parse_wait)]
    pub wait: std::time::Duration,
    /// How long to wait, in all, for Microsoft Entra ID and Exchange Online to show an object
    /// the setup made moments before (directory replication), e.g. 2m or 300s.
    #[arg(long, default_value = "2m", value_parser = parse_wait)]
    pub directory_wait: std::time::Duration,
}
