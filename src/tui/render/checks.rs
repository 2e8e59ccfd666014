//! The live checks screen: a gauge, every check on its row, and the selected one explained.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, List, ListItem, Paragraph, Wrap};

use super::strings;
use super::theme::{ACCENT, BAD, DIM, GOOD, spinner};
use super::widgets::{clip, duration_text, labelled};
use crate::model::{CheckRow, Status};
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let rows = &s.checks.rows;
    let done = rows.iter().filter(|r| r.done()).count();
    let total = rows.len().max(1);
    let [gauge, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(8),
    ])
    .areas(area);
    f.render_widget(
        Gauge::default()
            .gauge_style(Style::default().fg(ACCENT))
            .ratio(done as f64 / total as f64)
            .label(match &s.checks.waiting {
                Some(w) => format!(
                    "{done}/{} · waiting for Exchange Online to apply the changes (up to an hour or two) — again in {} s",
                    rows.len(),
                    w.seconds_left()
                ),
                None => format!("{done}/{}", rows.len()),
            }),
        gauge,
    );
    let width = list.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let item = ListItem::new(row_line(s, r, i == s.checks.cursor, width));
            if i == s.checks.cursor {
                item.add_modifier(Modifier::REVERSED)
            } else {
                item
            }
        })
        .collect();
    f.render_widget(List::new(items).block(Block::bordered()), list);
    f.render_widget(
        Paragraph::new(explained(rows.get(s.checks.cursor)))
            .wrap(Wrap { trim: true })
            .block(Block::bordered()),
        detail,
    );
}

/// One check: its mark, what and against what, how long it took, and what it found, clipped
/// to `width`.
fn row_line(s: &State, r: &CheckRow, selected: bool, width: usize) -> Line<'static> {
    let (what, target) = r.spec.columns();
    let secs = r.elapsed_ms.map(duration_text).unwrap_or_default();
    let detail = match r.status {
        Status::Running => strings::CHECKING.to_string(),
        _ => r.detail.clone().unwrap_or_default(),
    };
    let head = format!(" {what:<7} {:<16} {secs:>7}  ", clip(&target, 16));
    let room = width.saturating_sub(head.chars().count() + 2);
    Line::from(vec![
        Span::raw(if selected { ">" } else { " " }).fg(ACCENT),
        status_mark(s, r.status),
        Span::raw(head),
        Span::raw(clip(&detail, room.max(1))),
    ])
}

fn status_mark(s: &State, st: Status) -> Span<'static> {
    match st {
        Status::Pending => Span::raw("○").fg(DIM),
        Status::Running => Span::raw(spinner(s.frame)).fg(ACCENT),
        Status::Passed => Span::raw("✔").fg(GOOD),
        Status::Failed => Span::raw("✘").fg(BAD),
        Status::Skipped => Span::raw("–").fg(DIM),
    }
}

/// The selected check: a failure's diagnosis, or what it found.
fn explained(selected: Option<&CheckRow>) -> Vec<Line<'static>> {
    match selected.and_then(|r| r.diagnosis.as_ref()) {
        Some(d) => vec![
            Line::from(d.summary.clone()).fg(BAD).bold(),
            labelled(strings::EVIDENCE, d.evidence.clone()),
            labelled(strings::CAUSE, d.cause.clone()),
            labelled(strings::FIX, d.fix.clone()),
        ],
        None => match selected {
            Some(r) if r.status == Status::Passed => vec![
                Line::from(format!(
                    "{} — passed: {}",
                    r.id,
                    r.detail.clone().unwrap_or_default()
                ))
                .fg(GOOD),
            ],
            Some(r) => vec![Line::from(format!(
                "{}: {}",
                r.id,
                r.detail.clone().unwrap_or_else(|| strings::WAITING.into())
            ))],
            None => vec![],
        },
    }
}
