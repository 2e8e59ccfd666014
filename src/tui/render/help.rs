//! The help of the current screen (`?`, F1): each key the bottom line offers, with a sentence
//! saying what it does. Built from the same hints as the bottom line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::strings;
use super::theme::{ACCENT, DIM};
use super::wrap::words;
use crate::wizard::{State, help};

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let lines = help_lines(s, usize::from(area.width.saturating_sub(2)));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(strings::HELP_TITLE)
                .border_style(Style::new().fg(ACCENT)),
        ),
        area,
    );
}

/// One key a line (its sentence wrapped under itself where it is long), then how to close.
fn help_lines(s: &State, width: usize) -> Vec<Line<'static>> {
    let keys = help(s);
    let key_width = keys
        .iter()
        .map(|(h, _)| h.key.chars().count())
        .max()
        .unwrap_or(0)
        + 3;
    let text_width = width.saturating_sub(key_width).max(1);
    let mut lines = Vec::new();
    for (h, sentence) in &keys {
        for (n, text) in words(sentence, text_width).into_iter().enumerate() {
            let key = if n == 0 { h.key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {key:<w$}", w = key_width - 1),
                    Style::new().fg(ACCENT).bold(),
                ),
                Span::raw(text),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(strings::HELP_CLOSES).fg(DIM));
    lines
}
