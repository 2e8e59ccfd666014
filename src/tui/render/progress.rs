//! The progress screen: the setup's steps as they are carried out, the list following the
//! step under way; below, a failure's diagnosis (its fix first), else the selected step's
//! outcome in full.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem};

use super::checks::{diagnosis, titled};
use super::scrolled::{ListBox, PaneBox, row, stacked};
use super::theme::{ACCENT, BAD, DIM, GOOD, NOT_VERIFIED, WARN, spinner};
use super::wrap::plain;
use crate::model::StepStatus;
use crate::wizard::{SetupRow, State, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let rows = &s.setup.rows;
    let cursor = s.setup.progress_cursor;
    let width = usize::from(area.width.saturating_sub(2));
    let pane_wants = (0..rows.len())
        .map(|i| explained(s, i, width).1.len())
        .max()
        .unwrap_or(1)
        + 2;
    let items: Vec<ListItem> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| row(row_line(s, r), i == cursor && !s.setup.running))
        .collect();
    let list = ListBox {
        items,
        selected: cursor,
        block: Block::bordered(),
    };
    let (title, lines) = explained(s, cursor, width);
    let pane = PaneBox {
        lines,
        first: s.pane,
        block: titled(Block::bordered(), title),
        keys: "J/K",
    };
    stacked(f, area, list, pane, pane_wants)
}

/// The failure's diagnosis when a step failed (the run stops there), else step `i`'s outcome.
fn explained(s: &State, i: usize, width: usize) -> (Option<Line<'static>>, Vec<Line<'static>>) {
    let failed = s.setup.rows.iter().find_map(|r| match &r.status {
        StepStatus::Failed(d) => Some(d),
        _ => None,
    });
    if let Some(d) = failed {
        return diagnosis(d, width);
    }
    let lines = match s.setup.rows.get(i) {
        Some(r) if !r.pending => {
            let outcome = match &r.status {
                StepStatus::Done(d) | StepStatus::Waiting(d) => d.clone(),
                _ => "…".to_string(),
            };
            plain(
                &format!("{}. {} — {outcome}", i + 1, r.title),
                width,
                Style::default(),
            )
        }
        _ => Vec::new(),
    };
    (None, lines)
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
        StepStatus::Waiting(what) => (spinner(s.frame), Style::default().fg(ACCENT), what.clone()),
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
