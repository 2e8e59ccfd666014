//! `sandbox serve`: the simulated tenant alone, its endpoints on stdout as one JSON line,
//! until Ctrl-C.

use std::io::Write;

use crate::cli::Exit;
use crate::sandbox::{Sandbox, SandboxOptions};

pub async fn serve(options: SandboxOptions) -> Exit {
    let sandbox = match Sandbox::start(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Unavailable;
        }
    };
    let line = serde_json::to_string(sandbox.info()).expect("sandbox info serialises");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    eprintln!(
        "sandbox tenant serving on {} — Ctrl-C stops it",
        sandbox.info().login
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
    Exit::Ok
}
