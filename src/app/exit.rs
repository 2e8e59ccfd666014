//! How a command ends: the exit codes of the command line, shared by every front end.

use std::process::ExitCode;

/// Exit codes of DESIGN.md section 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    CheckFailed = 1,
    Usage = 2,
    Unavailable = 3,
    /// `check --warn-days N`: everything passed, but a secret expires within N days.
    Expiring = 4,
    /// `setup`, `check`: nothing failed, but a check waits for a change Microsoft has not
    /// applied yet (RBAC for Applications, an access policy, consent).
    Pending = 5,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
