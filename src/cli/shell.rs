//! Shell integration generated from the clap definitions: `completions SHELL` and `man`.

use std::io::Write;
use std::path::Path;

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use super::Exit;
use super::args::{Cli, Command};
use super::output::{Code, error};

const BIN: &str = "m365-mail-wizard";

/// The shells `completions` writes a script for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Runs `completions` or `man`; `None` for every other command.
pub fn run(command: Option<&Command>) -> Option<Exit> {
    match command? {
        Command::Completions { shell } => Some(completions(*shell)),
        Command::Man { dir: None } => Some(man_to_stdout()),
        Command::Man { dir: Some(dir) } => Some(man_into(dir)),
        _ => None,
    }
}

fn completions(shell: ShellArg) -> Exit {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut buf);
    write_stdout(&buf)
}

fn man_to_stdout() -> Exit {
    let mut buf = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
        Ok(()) => write_stdout(&buf),
        Err(e) => error(Code::Config, Exit::Usage, format!("the manual page: {e}")),
    }
}

/// The top page and one page per command (`m365-mail-wizard-setup.1`, …, nested ones too).
fn man_into(dir: &Path) -> Exit {
    if !dir.is_dir() {
        return error(
            Code::Usage,
            Exit::Usage,
            format!("--dir {}: not a directory", dir.display()),
        );
    }
    match clap_mangen::generate_to(Cli::command(), dir) {
        Ok(()) => Exit::Ok,
        Err(e) => error(
            Code::Config,
            Exit::Usage,
            format!("writing the manual pages into {}: {e}", dir.display()),
        ),
    }
}

fn write_stdout(bytes: &[u8]) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Ok,
        // A closed pipe (`… | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => error(
            Code::Unavailable,
            Exit::Unavailable,
            format!("writing to standard output: {e}"),
        ),
    }
}
