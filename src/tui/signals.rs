//! SIGTERM and SIGHUP: the wizard leaves as on ctrl-c, keeping a draft and restoring the
//! terminal, instead of dying with the terminal left raw.

use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct Leave {
    term: Signal,
    hang_up: Signal,
}

impl Leave {
    /// Listens from now on; none where the signals cannot be caught (then they act as usual).
    pub fn listen() -> Option<Leave> {
        Some(Leave {
            term: signal(SignalKind::terminate()).ok()?,
            hang_up: signal(SignalKind::hangup()).ok()?,
        })
    }
}

/// Waits for either signal; forever without a listener.
pub async fn asked(leave: &mut Option<Leave>) {
    match leave {
        Some(l) => {
            tokio::select! {
                _ = l.term.recv() => {}
                _ = l.hang_up.recv() => {}
            }
        }
        None => std::future::pending().await,
    }
}
