//! The command line, in two stages: clap parses the raw arguments (`args`), `settings`
//! validates them, and each command (`cmd`) runs from its settings and prints through `output`.

mod args;
mod audit_args;
mod cmd;
mod migrate_args;
mod output;
mod prompt;
mod remove_args;
mod settings;
mod shell;
mod wait;

use std::process::ExitCode;

use clap::Parser;

pub use crate::app::Exit;

pub use args::{Cli, Command, KeyringArg};

pub fn main() -> ExitCode {
    // Read while this is the only thread: with more, the platform's answer is not safe to ask.
    let local_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() && std::env::args_os().any(|a| a == "--json") => {
            println!(
                "{}",
                output::error::parse_error_json(&e.render().to_string())
            );
            return Exit::Usage.into();
        }
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Ok.into()
            };
        }
    };
    // Nothing but clap's own definitions: no data directory, keyring or runtime.
    if let Some(exit) = shell::run(cli.command.as_ref()) {
        return exit.into();
    }
    if cli.wants_json() {
        output::answer_in_json();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let exit = runtime.block_on(run(cli, local_offset));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    exit.into()
}

async fn run(cli: Cli, local_offset: time::UtcOffset) -> Exit {
    let dirs = match crate::store::Dirs::from_env() {
        Ok(d) => d,
        Err(e) => return output::store_error(e),
    };
    let _log = crate::logging::init(&dirs.data);
    match settings::Settings::from_args(cli) {
        Ok(s) => {
            // Before anything else runs: a trace that cannot be written stops the run here.
            if let Some(path) = &s.trace
                && let Err(e) = crate::trace::start(path)
            {
                return output::usage(e);
            }
            cmd::run(dirs, s, local_offset).await
        }
        Err(invalid) => output::usage(invalid),
    }
}
