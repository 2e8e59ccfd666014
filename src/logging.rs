//! Logs go to a file in the data directory, never to the terminal.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub const FILE: &str = "m365-mail-wizard.log";

/// Starts logging to `<data dir>/m365-mail-wizard.log`; keep the guard alive until exit.
pub fn init(data_dir: &std::path::Path) -> Option<WorkerGuard> {
    std::fs::create_dir_all(data_dir).ok()?;
    private_file(&data_dir.join(FILE));
    let appender = tracing_appender::rolling::never(data_dir, FILE);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("M365MW_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The log names tenants, apps and mailboxes: readable by its owner only.
fn private_file(path: &std::path::Path) {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    if o.open(path).is_ok() {
        #[cfg(unix)]
        let _ = std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600));
    }
}
