//! The colours and styles every screen draws with.

use ratatui::style::{Color, Style};

pub const ACCENT: Color = Color::Cyan;
pub const GOOD: Color = Color::Green;
pub const BAD: Color = Color::Red;
pub const DIM: Color = Color::DarkGray;
pub const WARN: Color = Color::Yellow;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner as it stands at frame `frame`.
pub fn spinner(frame: u64) -> &'static str {
    SPINNER[(frame % 10) as usize]
}

/// What the cursor is on.
pub fn focused() -> Style {
    Style::default().fg(ACCENT).bold()
}

/// The mark of a step that nothing could read back: never a ✔.
pub const NOT_VERIFIED: &str = "?";

/// A step's mark in a list of steps: the current one, one done, or one still to come.
pub fn step_mark(current: bool, done: bool) -> (&'static str, Style) {
    if current {
        ("●", focused())
    } else if done {
        ("✔", Style::default().fg(GOOD))
    } else {
        ("○", Style::default().fg(DIM))
    }
}
