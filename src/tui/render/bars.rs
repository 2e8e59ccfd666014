//! What frames every screen: the title bar on top, the message and the keys below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::strings;
use super::theme::{ACCENT, BAD, GOOD, spinner};
use crate::wizard::{Journey, Screen, State, Upkeep, hints};

/// The screen's title on the left; the sandbox tenant or the cloud on the right.
pub fn draw_top(f: &mut Frame, s: &State, area: Rect) {
    let right = match &s.sandbox {
        Some(sb) => format!("sandbox: {}", sb.tenant_domain),
        None => {
            // The checks are of a saved profile: its cloud, not the form's.
            let cloud = match (&s.screen, &s.checks.profile) {
                (Screen::Checks | Screen::Summary | Screen::AsUser, Some(p)) => p.cloud,
                _ => s.form.cloud,
            };
            format!("cloud: {}", cloud.key())
        }
    };
    let title = match s.screen {
        Screen::Home => strings::TITLE_HOME.to_string(),
        Screen::Form(_) if s.form.journey == Journey::Setup && s.form.guided => {
            strings::TITLE_GUIDED_ANSWERS.to_string()
        }
        Screen::Form(_) if s.form.journey == Journey::Setup => strings::TITLE_SETUP.to_string(),
        Screen::Form(_) => strings::TITLE_CHECK.to_string(),
        Screen::SignIn if s.sign_in.upkeep == Upkeep::Audit => {
            strings::TITLE_AUDIT_SIGN_IN.to_string()
        }
        Screen::SignIn => match &s.sign_in.renewing {
            Some(p) => format!(" {} · administrator sign-in", p.name.as_str()),
            None => strings::TITLE_SIGN_IN.to_string(),
        },
        Screen::Plan => strings::TITLE_PLAN.to_string(),
        Screen::Progress => strings::TITLE_PROGRESS.to_string(),
        Screen::Guide => strings::TITLE_GUIDE.to_string(),
        Screen::AsUser => format!(
            "{} · {}",
            super::as_user::TITLE,
            s.checks
                .profile
                .as_ref()
                .map(|p| p.name.as_str())
                .unwrap_or("")
        ),
        Screen::Audit => format!(" Audit · {}", crate::model::printable(&s.audit.tenant)),
        Screen::Checks | Screen::Summary => format!(
            " Live checks · {}",
            s.checks
                .profile
                .as_ref()
                .map(|p| p.name.as_str())
                .unwrap_or("")
        ),
    };
    let [l, r] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(right.chars().count() as u16 + 1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(title).bold(), l);
    f.render_widget(Paragraph::new(right).fg(ACCENT), r);
}

/// Rows the message needs, word-wrapped at `width`: two at least, five at most.
pub fn status_rows(s: &State, width: u16) -> u16 {
    let text = s.busy.as_ref().or(s.error.as_ref()).or(s.notice.as_ref());
    let chars = text.map_or(0, |t| t.chars().count() + 3);
    let width = usize::from(width.max(1));
    // Wrapping at word boundaries leaves part of each row empty: one row of slack.
    let rows = chars.div_ceil(width) + usize::from(chars > width);
    rows.clamp(2, 5) as u16
}

/// What is under way, else the error, else the notice.
pub fn draw_status(f: &mut Frame, s: &State, area: Rect) {
    let line = if let Some(b) = &s.busy {
        Line::from(vec![
            Span::raw(format!(" {} ", spinner(s.frame))).fg(ACCENT),
            Span::raw(b.clone()),
        ])
    } else if let Some(e) = &s.error {
        Line::from(vec![
            Span::raw(" ✘ ").fg(BAD).bold(),
            Span::raw(e.clone()).fg(BAD),
        ])
    } else if let Some(n) = &s.notice {
        Line::from(vec![Span::raw(" ✔ ").fg(GOOD), Span::raw(n.clone())])
    } else {
        Line::default()
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

/// The help line: every key of the screen, a hint never split, on as many lines as the width
/// needs.
pub fn hint_lines(s: &State, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mut lines = Vec::new();
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for h in hints(s) {
        let action = format!(" {}   ", h.action);
        let len = h.key.chars().count() + action.chars().count();
        // The spaces after a line's last hint need no room.
        if used + len - 3 > width && spans.len() > 1 {
            lines.push(Line::from(std::mem::replace(
                &mut spans,
                vec![Span::raw(" ")],
            )));
            used = 1;
        }
        spans.push(Span::raw(h.key).fg(ACCENT).bold());
        spans.push(Span::raw(action));
        used += len;
    }
    lines.push(Line::from(spans));
    lines
}
