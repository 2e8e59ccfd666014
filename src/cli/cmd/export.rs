//! `export`: a profile's settings, setup script or handover report, on stdout or into a file.
//! Never a secret.

use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::usage;
use crate::cli::settings::ExportSettings;

pub fn export(env: &Env, s: ExportSettings) -> Exit {
    let p = match super::load(env, &s.profile) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let text = app::exports::export(env, &p, s.format);
    match s.output {
        None => {
            print!("{text}");
            Exit::Ok
        }
        Some(path) => {
            if let Some(problem) = crate::store::output_problem(&path, s.force) {
                return usage(problem);
            }
            match crate::store::write_private(&path, text.as_bytes()) {
                Ok(()) => {
                    eprintln!("Wrote {} (no secret in it).", path.display());
                    Exit::Ok
                }
                Err(e) => usage(format!("{}: {e}", path.display())),
            }
        }
    }
}
