//! The non-interactive commands and the entry point.

mod args;
mod commands;
mod guided;
mod setup_cmd;

use std::process::ExitCode;

use clap::Parser;

pub use crate::app::Exit;

pub use args::{Cli, Command, KeyringArg};

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Ok.into()
            };
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let exit = runtime.block_on(commands::dispatch(cli));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    exit.into()
}
