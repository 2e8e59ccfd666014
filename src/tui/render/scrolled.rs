//! A list that scrolls to keep its selection in sight, a pane of text that scrolls by keys,
//! each with its position mark on the bottom border, and the rows the two share.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, Paragraph};

use crate::wizard::Viewport;
use crate::wizard::scroll::{first_shown, mark};

/// A list to draw: its rows, the selected one, its box.
pub struct ListBox {
    pub items: Vec<ListItem<'static>>,
    pub selected: usize,
    pub block: Block<'static>,
}

/// A pane to draw: its lines (wrapped to the box's inner width), the first to show, its box,
/// and the keys that scroll it.
pub struct PaneBox {
    pub lines: Vec<Line<'static>>,
    pub first: usize,
    pub block: Block<'static>,
    pub keys: &'static str,
}

/// A list above a pane that wants `pane_wants` rows (borders included), sharing `area` as
/// `split` says.
pub fn stacked(
    f: &mut Frame,
    area: Rect,
    list_box: ListBox,
    pane_box: PaneBox,
    pane_wants: usize,
) -> Viewport {
    let list_wants = list_box.items.len() as u16 + 2;
    let (list_rows, pane_rows) = split(area.height, list_wants, pane_wants as u16);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(list_rows), Constraint::Length(pane_rows)])
            .areas(area);
    let list_rows = list(f, top, list_box);
    let (pane_rows, pane_lines) = pane(f, bottom, pane_box);
    Viewport {
        list_rows,
        pane_rows,
        pane_lines,
    }
}

/// The items in a bordered box, from the row that keeps `selected` in sight; "12–20 of 34" on
/// the bottom border when not all show. Returns how many rows show at once.
pub fn list(f: &mut Frame, area: Rect, list_box: ListBox) -> usize {
    let rows = usize::from(area.height.saturating_sub(2));
    let len = list_box.items.len();
    let first = first_shown(list_box.selected, len, rows);
    let block = match mark(first, rows, len) {
        Some(m) => list_box
            .block
            .title_bottom(Line::from(format!(" {m} ")).right_aligned()),
        None => list_box.block,
    };
    let shown: Vec<ListItem> = list_box.items.into_iter().skip(first).take(rows).collect();
    f.render_widget(List::new(shown).block(block), area);
    rows
}

/// The lines in a bordered box from line `first`; when not all show, the keys that scroll it
/// and the lines shown on the bottom border. Returns the rows that show at once and the lines
/// there are.
pub fn pane(f: &mut Frame, area: Rect, pane_box: PaneBox) -> (usize, usize) {
    let rows = usize::from(area.height.saturating_sub(2));
    let len = pane_box.lines.len();
    let first = pane_box.first.min(len.saturating_sub(rows));
    let block = match mark(first, rows, len) {
        Some(m) => pane_box.block.title_bottom(
            Line::from(format!(" {} scroll · lines {m} ", pane_box.keys)).right_aligned(),
        ),
        None => pane_box.block,
    };
    let shown: Vec<Line> = pane_box.lines.into_iter().skip(first).take(rows).collect();
    f.render_widget(Paragraph::new(shown).block(block), area);
    (rows, len)
}

/// A list's row, reversed when it is the selected one.
pub fn row(line: Line<'static>, selected: bool) -> ListItem<'static> {
    let item = ListItem::new(line);
    if selected {
        item.add_modifier(Modifier::REVERSED)
    } else {
        item
    }
}

/// Rows of `avail` for a list above a pane, each wanting so many (borders included). When
/// both fit, the pane takes what is left over; when not, the list keeps a third (five rows
/// at least, never more than it wants) and the pane takes the rest, so that a fix is never
/// squeezed out by a long list.
pub fn split(avail: u16, list_wants: u16, pane_wants: u16) -> (u16, u16) {
    if list_wants.saturating_add(pane_wants) <= avail {
        return (list_wants, avail - list_wants);
    }
    let list_keeps = list_wants.min((avail / 3).max(5)).min(avail);
    let pane = pane_wants.min(avail - list_keeps);
    (avail - pane, pane)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_and_a_pane_share_the_rows() {
        // Both fit: the list as tall as it wants, the pane the rest.
        assert_eq!(split(30, 11, 8), (11, 19));
        // Too little room: the list keeps a third, the pane gets the rest…
        assert_eq!(split(18, 11, 14), (6, 12));
        // …or only what it wants.
        assert_eq!(split(18, 19, 6), (12, 6));
        // A short list keeps all of itself.
        assert_eq!(split(18, 4, 30), (4, 14));
        // Five rows at least for the list: three rows between its borders.
        assert_eq!(split(12, 19, 30), (5, 7));
        assert_eq!(split(3, 19, 30), (3, 0));
        for avail in 0..40 {
            for list in 0..40 {
                for pane in 0..40 {
                    let (l, p) = split(avail, list, pane);
                    assert_eq!(l + p, avail, "{avail} {list} {pane}");
                    assert!(l <= list, "the list never gets more than it wants");
                }
            }
        }
    }
}
