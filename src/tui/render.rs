//! Draws the wizard's state, one module per screen. Reads the state; changes nothing.

mod as_user;
mod audit;
mod bars;
mod checks;
mod form;
mod guide;
mod help;
mod home;
mod plan;
mod progress;
mod scrolled;
mod show_once;
mod sign_in;
mod strings;
mod summary;
mod theme;
mod widgets;
mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::wizard::{MIN_HEIGHT, MIN_WIDTH, Screen, State, Viewport};
use theme::{ACCENT, DIM};

pub fn draw(f: &mut Frame, s: &State) {
    frame(f, s);
}

/// Draws the state and tells what the screen's list and pane could show (for the wizard's
/// page keys and the pane's end).
pub fn frame(f: &mut Frame, s: &State) -> Viewport {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The terminal is {}×{}; m365-mail-wizard needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window: nothing typed is lost. q or Ctrl-C quits.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return s.viewport;
    }
    let key_lines = bars::hint_lines(s, area.width);
    let [top, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(bars::status_rows(s, area.width)),
        Constraint::Length(key_lines.len().max(1) as u16),
    ])
    .areas(area);
    bars::draw_top(f, s, top);
    let viewport = match s.screen {
        Screen::Home => home::draw(f, s, body),
        Screen::Form(step) => {
            form::draw(f, s, step, body);
            Viewport::default()
        }
        Screen::SignIn => {
            sign_in::draw(f, s, body);
            Viewport::default()
        }
        Screen::Plan => plan::draw(f, s, body),
        Screen::Progress => progress::draw(f, s, body),
        Screen::Guide => guide::draw(f, s, body),
        Screen::Checks => checks::draw(f, s, body),
        Screen::Audit => audit::draw(f, s, body),
        Screen::AsUser => {
            as_user::draw(f, s, body);
            Viewport::default()
        }
        Screen::Summary => {
            summary::draw(f, s, body);
            Viewport::default()
        }
    };
    bars::draw_status(f, s, status);
    f.render_widget(Paragraph::new(key_lines), keys);
    if s.help {
        // Below the title bar, over everything else.
        let below_top = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        help::draw(f, s, below_top);
    }
    viewport
}

/// The first frame of `--sandbox`, while the sandbox tenant starts.
pub fn draw_starting(f: &mut Frame) {
    let text = vec![
        Line::from(strings::TITLE_HOME).bold(),
        Line::default(),
        Line::from(strings::SANDBOX_STARTING).fg(ACCENT),
        Line::from(strings::SANDBOX_MADE_UP).fg(DIM),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), f.area());
}
