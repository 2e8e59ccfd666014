//! The administrator's device-code sign-in: where to go, and the code to enter there.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::strings;
use super::theme::{DIM, WARN, focused, spinner};
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let mut lines = vec![Line::default()];
    match &s.sign_in.code {
        Some(c) => {
            lines.push(Line::from(strings::SIGN_IN_AS_ADMIN));
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::raw(strings::OPEN),
                Span::styled(c.uri.clone(), focused()),
            ]));
            lines.push(Line::from(vec![
                Span::raw(strings::ENTER),
                Span::styled(format!(" {} ", c.user_code), focused().reversed()),
            ]));
            lines.push(Line::default());
            lines.push(
                Line::from(format!(
                    "  The code is valid for {} minutes. Waiting for the sign-in {}",
                    c.expires_in / 60,
                    spinner(s.frame)
                ))
                .fg(DIM),
            );
            lines.push(Line::from(format!("  {}", s.sign_in.purpose.asks())).fg(DIM));
            if s.sandbox.is_some() {
                lines.push(Line::default());
                lines.push(Line::from(strings::SANDBOX_APPROVE).fg(WARN));
            }
        }
        None if s.error.is_none() => {
            lines.push(Line::from(strings::ASKING_FOR_CODE).fg(DIM));
        }
        None => {}
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(strings::SIGN_IN_TITLE)),
        area,
    );
}
