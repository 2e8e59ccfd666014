//! The second stage of the command line: raw arguments, as clap parsed them, turned into
//! validated settings each command runs from. Nothing here prints, signs in or starts the
//! sandbox; a wrong value is an `Invalid` with the message the user sees.

mod audit;
mod migrate;
mod profile;
mod serve;
mod setup;

use std::path::PathBuf;
use std::time::Duration;

use super::args::{CheckFormatArg, Cli, Command, KeyringArg, SignInArg};
use crate::checks::Timeouts;
use crate::model::{ClientId, KeyringBackend, ProfileName};
use crate::plan::SECRET_MONTHS;
use crate::sandbox::SandboxOptions;

pub use audit::{AuditSettings, ReportFormat};
pub use migrate::{MigrateApp, MigrateMode, MigrateSettings};
pub use profile::{AddSettings, CloudChoice, ProfileSettings};
pub use setup::{SetupMode, SetupSettings};

/// A value the command line cannot run with: the message of the usage error.
#[derive(Debug)]
pub struct Invalid(String);

impl Invalid {
    fn new(message: impl std::fmt::Display) -> Invalid {
        Invalid(message.to_string())
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, Invalid>;

/// Everything a run needs from its command line.
pub struct Settings {
    /// Against the built-in simulated tenant.
    pub sandbox: bool,
    /// That tenant starts from a fresh seed instead of where the last run left it.
    pub sandbox_reset: bool,
    /// That tenant behaves as Microsoft 365 really does (`--realistic`).
    pub realistic: bool,
    /// `--sandbox-auto-approve-user`: that tenant approves every other client's device codes
    /// as this mailbox user.
    pub sandbox_user: Option<String>,
    pub keyring: KeyringBackend,
    /// `--trace FILE`: where the redacted trace of the run goes.
    pub trace: Option<PathBuf>,
    /// `--sign-in`, `--browser-wait`: how administrators sign in.
    pub sign_in: crate::app::sign_in::SignInOptions,
    pub task: Task,
}

/// What the run does, with its own settings.
pub enum Task {
    /// No command: the interactive wizard.
    Wizard,
    Serve(SandboxOptions),
    Setup(SetupSettings),
    Add(AddSettings),
    Check(CheckSettings),
    Export(ExportSettings),
    Renew(RenewSettings),
    Cert(CertSettings),
    Expiry {
        profile: ProfileName,
        admin_client_id: ClientId,
    },
    Profiles {
        json: bool,
    },
    Forget(ProfileName),
    Remove(RemoveSettings),
    Audit(AuditSettings),
    Migrate(MigrateSettings),
}

/// `remove PROFILE --from-tenant`.
pub struct RemoveSettings {
    pub profile: ProfileName,
    pub yes: bool,
    pub json: bool,
    pub admin_client_id: ClientId,
    pub exchange_client_id: ClientId,
}

pub struct CheckSettings {
    /// None: every profile.
    pub profile: Option<ProfileName>,
    /// `--json` or `--format json`.
    pub json: bool,
    /// `--format prometheus`.
    pub prometheus: bool,
    /// `--notify URL`: the webhook told what changed.
    pub notify: Option<String>,
    pub warn_days: Option<u32>,
    pub timeouts: Timeouts,
    pub wait: Duration,
    /// `--as-user`: the mailbox user the delegated part is checked as.
    pub as_user: Option<crate::model::Mailbox>,
    /// `--password-flow`: that user signs in with a password read from standard input.
    pub password_flow: bool,
}

pub struct ExportSettings {
    pub profile: ProfileName,
    pub format: crate::export::Format,
    pub output: Option<PathBuf>,
    pub force: bool,
    pub with_secret: bool,
}

pub struct RenewSettings {
    pub profile: ProfileName,
    pub how: Renewal,
}

/// Who makes the new secret.
pub enum Renewal {
    /// The wizard, signed in as an administrator, with this lifetime in months.
    Admin {
        months: u32,
        admin_client_id: ClientId,
    },
    /// The administrator, in the portal; the wizard is given its value.
    Guided,
    /// The second phase: the old credential removed, unless it signed in lately (or `force`).
    Finish {
        force: bool,
        admin_client_id: ClientId,
    },
}

pub struct CertSettings {
    pub profile: ProfileName,
    pub months: u32,
    /// None: the administrator uploads the certificate in the portal (`--guided`).
    pub admin_client_id: Option<ClientId>,
}

impl Settings {
    pub fn from_args(cli: Cli) -> Result<Settings> {
        let keyring = match cli.keyring {
            KeyringArg::Os => KeyringBackend::Os,
            KeyringArg::Keyutils => KeyringBackend::Keyutils,
        };
        let sandbox = cli.sandbox
            || cli.sandbox_reset
            || cli.realistic
            || cli.sandbox_auto_approve_user.is_some();
        let sandbox_user = cli
            .sandbox_auto_approve_user
            .as_deref()
            .map(|m| {
                crate::model::Mailbox::parse(m)
                    .map(|m| m.to_string())
                    .map_err(|e| Invalid::new(format!("--sandbox-auto-approve-user {m}: {e}")))
            })
            .transpose()?;
        if cli.sandbox_reset && matches!(cli.command, Some(Command::Sandbox { .. })) {
            return Err(Invalid::new(
                "--sandbox-reset starts the wizard's own sandbox tenant afresh; `sandbox serve` keeps its tenant in --state FILE (remove that file to start afresh)",
            ));
        }
        if cli.trace.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(Invalid::new("--trace needs a file name"));
        }
        let task = match cli.command {
            None => Task::Wizard,
            Some(c) => task(c, sandbox, cli.realistic)?,
        };
        let mut sign_in = crate::app::sign_in::SignInOptions {
            method: match cli.sign_in {
                SignInArg::DeviceCode => crate::model::SignInMethod::DeviceCode,
                SignInArg::Browser => crate::model::SignInMethod::Browser,
            },
            ..Default::default()
        };
        if let Some(secs) = cli.browser_wait {
            sign_in.browser_wait = Duration::from_secs(secs);
        }
        Ok(Settings {
            sign_in,
            sandbox,
            sandbox_user,
            sandbox_reset: cli.sandbox_reset,
            realistic: cli.realistic,
            keyring,
            trace: cli.trace,
            task,
        })
    }
}

fn task(command: Command, sandbox: bool, realistic: bool) -> Result<Task> {
    Ok(match command {
        Command::Sandbox { command } => Task::Serve(serve::options(command, realistic)?),
        Command::Setup(a) => Task::Setup(SetupSettings::new(*a, sandbox)?),
        Command::Add(a) => Task::Add(AddSettings::new(a, sandbox)?),
        Command::Check(super::args::CheckArgs {
            profile,
            json,
            format,
            notify,
            all: _,
            warn_days,
            timeout,
            wait,
            as_user,
            password_flow,
        }) => {
            let step = Duration::from_secs(timeout);
            if json && matches!(format, Some(f) if f != CheckFormatArg::Json) {
                return Err(Invalid::new(
                    "--json is --format json: give one format only",
                ));
            }
            if let Some(url) = &notify {
                crate::model::check_url("--notify", url).map_err(Invalid::new)?;
            }
            Task::Check(CheckSettings {
                profile: profile.as_deref().map(profile_name).transpose()?,
                json: json || format == Some(CheckFormatArg::Json),
                prometheus: format == Some(CheckFormatArg::Prometheus),
                notify,
                warn_days,
                timeouts: Timeouts {
                    step,
                    total: step * 3,
                },
                wait,
                as_user: as_user
                    .map(|m| {
                        crate::model::Mailbox::parse(&m).map_err(|e| {
                            Invalid::new(format!(
                                "--as-user {m}: {e}; give the mailbox user's sign-in name (user@domain)"
                            ))
                        })
                    })
                    .transpose()?,
                password_flow,
            })
        }
        Command::Export {
            profile,
            format,
            output,
            force,
            with_secret,
        } => {
            let format = format
                .parse()
                .map_err(|e| Invalid::new(format!("--format: {e}")))?;
            Task::Export(ExportSettings {
                profile: profile_name(&profile)?,
                format,
                output,
                force,
                with_secret,
            })
        }
        Command::Renew {
            profile,
            finish: true,
            force,
            admin_client_id,
            ..
        } => Task::Renew(RenewSettings {
            profile: profile_name(&profile)?,
            how: Renewal::Finish {
                force,
                admin_client_id: admin_client(&admin_client_id)?,
            },
        }),
        Command::Renew {
            profile,
            guided: true,
            ..
        } => Task::Renew(RenewSettings {
            profile: profile_name(&profile)?,
            how: Renewal::Guided,
        }),
        Command::Renew {
            profile,
            secret_months,
            admin_client_id,
            guided: false,
            ..
        } => {
            lifetime(secret_months)?;
            Task::Renew(RenewSettings {
                profile: profile_name(&profile)?,
                how: Renewal::Admin {
                    months: secret_months,
                    admin_client_id: admin_client(&admin_client_id)?,
                },
            })
        }
        Command::Cert {
            profile,
            months,
            admin_client_id,
            guided,
        } => {
            lifetime(months)?;
            Task::Cert(CertSettings {
                profile: profile_name(&profile)?,
                months,
                admin_client_id: (!guided)
                    .then(|| admin_client(&admin_client_id))
                    .transpose()?,
            })
        }
        Command::Expiry {
            profile,
            admin_client_id,
        } => Task::Expiry {
            profile: profile_name(&profile)?,
            admin_client_id: admin_client(&admin_client_id)?,
        },
        Command::Profiles { json } => Task::Profiles { json },
        Command::Forget { profile } => Task::Forget(profile_name(&profile)?),
        Command::Audit(a) => Task::Audit(AuditSettings::new(a, sandbox)?),
        Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("cli::main prints completions and manual pages before the settings")
        }
        Command::Migrate(a) => Task::Migrate(migrate::settings(a, sandbox)?),
        Command::Remove(crate::cli::remove_args::RemoveArgs {
            profile,
            from_tenant,
            yes,
            json,
            admin_client_id,
            exchange_client_id,
        }) => {
            if !from_tenant {
                return Err(Invalid::new(format!(
                    "remove {profile} needs --from-tenant (it removes the app and what its setup made from the tenant); `forget {profile}` removes the profile only"
                )));
            }
            Task::Remove(RemoveSettings {
                profile: profile_name(&profile)?,
                yes,
                json,
                admin_client_id: admin_client(&admin_client_id)?,
                exchange_client_id: ClientId::parse(&exchange_client_id).map_err(|_| {
                    Invalid::new(format!(
                        "--exchange-client-id {exchange_client_id}: not a GUID"
                    ))
                })?,
            })
        }
    })
}

/// `--admin-client-id`: the public client the administrator signs in with.
pub(super) fn admin_client(text: &str) -> Result<ClientId> {
    ClientId::parse(text).map_err(|_| Invalid::new(format!("--admin-client-id {text}: not a GUID")))
}

pub(super) fn profile_name(text: &str) -> Result<ProfileName> {
    ProfileName::parse(text).map_err(Invalid::new)
}

/// A lifetime the portal offers for a new secret or certificate.
fn lifetime(months: u32) -> Result<()> {
    if SECRET_MONTHS.contains(&months) {
        Ok(())
    } else {
        Err(Invalid::new(format!(
            "{months} months: choose 3, 6, 12, 18 or 24 (6 is recommended for secrets)"
        )))
    }
}
