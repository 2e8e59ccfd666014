//! The plan screen: every step of the setup, the selected one with its Graph call, its
//! PowerShell and what it changes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, Paragraph, Wrap};

use super::strings;
use super::theme::{DIM, focused};
use super::widgets::{labelled, labelled_lines};
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let plan = &s.setup.plan;
    let cursor = s.setup.plan_cursor;
    let [list, detail] = Layout::vertical([
        Constraint::Length(plan.len() as u16 + 2),
        Constraint::Min(5),
    ])
    .areas(area);
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
    f.render_widget(List::new(items).block(Block::bordered().title(who)), list);
    if let Some(p) = plan.get(cursor) {
        let mut lines = vec![
            Line::from(strings::NOTHING_CHANGED_YET).fg(DIM),
            labelled(strings::GRAPH, p.graph.clone()),
        ];
        lines.extend(labelled_lines(strings::POWERSHELL, &p.powershell));
        lines.push(labelled(strings::CHANGES, p.changes.clone()));
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered()),
            detail,
        );
    }
}
