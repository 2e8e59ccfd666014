//! `export`: a profile's settings, setup script or handover report, on stdout or into a file.
//! Never a secret, unless the administrator asks for it with `--with-secret`: then only into a
//! new private file, never to a terminal or standard output.

use std::path::Path;

use crate::app::{self, Env};
use crate::cli::Exit;
use crate::cli::output::usage;
use crate::cli::settings::ExportSettings;

pub async fn export(env: &Env, s: ExportSettings) -> Exit {
    let p = match super::load(env, &s.profile) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if s.with_secret {
        return with_secret(env, &p, s).await;
    }
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

/// Why `path` cannot take a secret by its name alone: standard output, or a device or process
/// path even before it exists (`store::output_problem` judges what is there).
fn not_a_private_file(path: &Path) -> Option<String> {
    let text = path.to_string_lossy();
    let device = text == "-" || text.starts_with("/dev/") || text.starts_with("/proc/");
    device.then(|| {
        format!(
            "--with-secret writes only to a regular file; {} is not one (a terminal, standard output or a device would show or pass on the secret)",
            path.display()
        )
    })
}

async fn with_secret(env: &Env, p: &crate::model::Profile, s: ExportSettings) -> Exit {
    let Some(path) = s.output else {
        return usage(
            "--with-secret needs --output FILE: the secret is never written to standard output or a terminal",
        );
    };
    if let Some(why) =
        not_a_private_file(&path).or_else(|| crate::store::output_problem(&path, s.force))
    {
        return usage(why);
    }
    let text = match app::exports::export_with_secret(env, p, s.format).await {
        Ok(t) => t,
        Err(why) => return usage(why),
    };
    match crate::store::write_private(&path, text.as_bytes()) {
        Ok(()) => {
            eprintln!(
                "warning: {} holds the client secret of {} (mode 0600). Give it to the consuming application, confirm it works, then delete the file.",
                path.display(),
                p.name
            );
            Exit::Ok
        }
        Err(e) => usage(format!("{}: {e}", path.display())),
    }
}
