//! The administrator's sign-in: where to go and the code to enter there, or the URL the
//! browser sign-in waits on.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::strings;
use super::theme::{DIM, WARN, focused, spinner};
use crate::model::SignInMethod;
use crate::wizard::{BrowserView, CodeView, State};

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let mut lines = vec![Line::default()];
    if let Some(why) = &s.sign_in.blocked {
        lines.push(Line::from(format!("  {why} Signing in in the browser instead.")).fg(WARN));
        lines.push(Line::default());
    }
    let title = match s.sign_in.method {
        SignInMethod::DeviceCode => strings::SIGN_IN_TITLE,
        SignInMethod::Browser => strings::SIGN_IN_TITLE_BROWSER,
    };
    if let Some(b) = &s.sign_in.browser {
        browser(&mut lines, s, b);
    } else {
        code(&mut lines, s);
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        area,
    );
}

fn browser(lines: &mut Vec<Line<'static>>, s: &State, b: &BrowserView) {
    lines.push(Line::from(strings::SIGN_IN_AS_ADMIN));
    lines.push(Line::default());
    match &b.not_opened {
        None => lines.push(Line::from(strings::BROWSER_OPENED)),
        Some(why) => lines.push(Line::from(format!(
            "  No browser could be started ({why}). Open this URL in a browser on this machine:"
        ))),
    }
    lines.push(Line::from(Span::styled(format!("  {}", b.url), focused())));
    lines.push(Line::default());
    lines.push(Line::from(format!("  Waiting for the browser {}", spinner(s.frame))).fg(DIM));
    lines.push(Line::from(format!("  {}", s.sign_in.purpose.asks())).fg(DIM));
    if s.sandbox.is_some() {
        lines.push(Line::default());
        lines.push(Line::from(strings::SANDBOX_BROWSE).fg(WARN));
    }
}

fn code(lines: &mut Vec<Line<'static>>, s: &State) {
    match &s.sign_in.code {
        Some(c) => {
            lines.push(Line::from(strings::SIGN_IN_AS_ADMIN));
            lines.push(Line::default());
            lines.extend(open_and_enter(c));
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
        None if s.error.is_none() && s.sign_in.method == SignInMethod::Browser => {
            lines.push(Line::from(strings::STARTING_BROWSER).fg(DIM));
        }
        None if s.error.is_none() => {
            lines.push(Line::from(strings::ASKING_FOR_CODE).fg(DIM));
        }
        None => {}
    }
}

/// Where to go, and the code to enter there.
pub(super) fn open_and_enter(c: &CodeView) -> [Line<'static>; 2] {
    [
        Line::from(vec![
            Span::raw(strings::OPEN),
            Span::styled(c.uri.clone(), focused()),
        ]),
        Line::from(vec![
            Span::raw(strings::ENTER),
            Span::styled(format!(" {} ", c.user_code), focused().reversed()),
        ]),
    ]
}
