//! Starting the user's browser on a URL: `$BROWSER` when set, otherwise the desktop's opener
//! (`open` on macOS, `xdg-open` elsewhere). A browser that cannot be started is not fatal:
//! the URL is always shown as well.

use std::process::{Command, Stdio};

/// Starts a browser on `url`; why not, when it could not be started.
pub fn open(url: &str) -> Result<(), String> {
    let from_env = std::env::var("BROWSER")
        .ok()
        .and_then(|b| b.split(':').next().map(str::trim).map(String::from))
        .filter(|b| !b.is_empty());
    let program = from_env.unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    let child = Command::new(&program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{program} could not be started: {e}"))?;
    // Reaped in the background: the browser may well outlive the sign-in.
    std::thread::spawn(move || {
        let mut child = child;
        let _ = child.wait();
    });
    Ok(())
}
