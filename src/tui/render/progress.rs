//! The progress screen: the setup's steps as they are carried out, and a failure's diagnosis.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, Paragraph, Wrap};

use super::theme::{ACCENT, BAD, DIM, GOOD, NOT_VERIFIED, WARN, spinner};
use crate::model::StepStatus;
use crate::wizard::{SetupRow, State};

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let [list, detail] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
    let items: Vec<ListItem> = s
        .setup
        .rows
        .iter()
        .map(|r| ListItem::new(row_line(s, r)))
        .collect();
    f.render_widget(List::new(items).block(Block::bordered()), list);
    let failed = s.setup.rows.iter().find_map(|r| match &r.status {
        StepStatus::Failed(d) => Some(d),
        _ => None,
    });
    if let Some(d) = failed {
        let lines = vec![
            Line::from(d.summary.clone()).fg(BAD),
            Line::from(format!("Evidence: {}", d.evidence)),
            Line::from(format!("Cause: {}", d.cause)),
            Line::from(format!("Fix: {}", d.fix)),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered()),
            detail,
        );
    }
}

/// One step: its mark, its title, and what it did.
fn row_line(s: &State, r: &SetupRow) -> Line<'static> {
    let (mark, style, text) = match &r.status {
        _ if r.pending => ("○", Style::default().fg(DIM), String::new()),
        StepStatus::Running => (
            spinner(s.frame),
            Style::default().fg(ACCENT),
            "…".to_string(),
        ),
        StepStatus::Done(d) => ("✔", Style::default().fg(GOOD), d.clone()),
        StepStatus::Unverified(why) => (
            NOT_VERIFIED,
            Style::default().fg(WARN),
            format!("not verified: {why}"),
        ),
        StepStatus::Failed(d) => ("✘", Style::default().fg(BAD), d.summary.clone()),
    };
    Line::from(vec![
        Span::styled(format!(" {mark} "), style),
        Span::raw(r.title.clone()),
        Span::raw(if text.is_empty() {
            String::new()
        } else {
            format!(" — {text}")
        })
        .fg(DIM),
    ])
}
