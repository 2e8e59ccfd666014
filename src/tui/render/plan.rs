//! The plan screen: every step of the setup, the selected one with its Graph call, its
//! PowerShell and what it changes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, ListItem};

use super::scrolled::{ListBox, PaneBox, stacked};
use super::strings;
use super::theme::{DIM, focused};
use super::wrap::{labelled, plain};
use crate::plan::PlanStep;
use crate::wizard::{State, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let plan = &s.setup.plan;
    let cursor = s.setup.plan_cursor;
    let width = usize::from(area.width.saturating_sub(2));
    let pane_wants = plan
        .iter()
        .map(|p| step_lines(p, width).len())
        .max()
        .unwrap_or(1)
        + 2;
    let who = s
        .sign_in
        .signed_in
        .as_ref()
        .map(|si| match &si.role {
            Some(r) => format!(" Signed in as {} ({r}) ", si.who),
            None => format!(" Signed in as {} ", si.who),
        })
        .unwrap_or_default();
    let items: Vec<ListItem> = plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let style = if i == cursor {
                focused()
            } else {
                Style::default()
            };
            ListItem::new(Line::styled(
                format!(
                    "{} {:>2}. {}",
                    if i == cursor { ">" } else { " " },
                    i + 1,
                    p.title
                ),
                style,
            ))
        })
        .collect();
    let list = ListBox {
        items,
        selected: cursor,
        block: Block::bordered().title(who),
    };
    let pane = PaneBox {
        lines: plan
            .get(cursor)
            .map(|p| step_lines(p, width))
            .unwrap_or_default(),
        first: s.pane,
        block: Block::bordered(),
        keys: "J/K",
    };
    stacked(f, area, list, pane, pane_wants)
}

/// A step in full, in lines of `width`: each of its commands on a line of its own.
fn step_lines(p: &PlanStep, width: usize) -> Vec<Line<'static>> {
    let text = Style::default();
    [
        plain(
            strings::NOTHING_CHANGED_YET,
            width,
            Style::default().fg(DIM),
        ),
        labelled(strings::GRAPH, &p.graph, width, text),
        labelled(strings::POWERSHELL, &p.powershell, width, text),
        labelled(strings::CHANGES, &p.changes, width, text),
    ]
    .concat()
}
