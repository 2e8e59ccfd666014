//! Scrolling: which rows of a list show, where a key moves the selection, how far a pane of
//! text scrolls, and the position mark of a list or pane that does not fit.

use super::Key;

/// What the last frame could show of the current screen. The front end reports it after
/// drawing, so that a page is what shows and a pane scrolls no further than its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Viewport {
    /// Rows of the screen's list that show at once.
    pub list_rows: usize,
    /// Rows of the detail pane that show at once.
    pub pane_rows: usize,
    /// Lines of the detail pane's text, as wrapped on the screen.
    pub pane_lines: usize,
}

impl Viewport {
    /// The furthest the pane can scroll: its last line on the pane's last row.
    pub fn pane_end(&self) -> usize {
        self.pane_lines.saturating_sub(self.pane_rows)
    }
}

/// The first of `len` rows to show in `rows` rows: the selection in the middle where the list
/// allows, so that the rows around it show too; the list never ends above the last row.
pub fn first_shown(selected: usize, len: usize, rows: usize) -> usize {
    if rows == 0 || len <= rows {
        return 0;
    }
    selected.saturating_sub(rows / 2).min(len - rows)
}

/// "12–20 of 34": the rows that show, counted from one; nothing when every row shows.
pub fn mark(first: usize, rows: usize, len: usize) -> Option<String> {
    (len > rows && rows > 0).then(|| format!("{}–{} of {len}", first + 1, (first + rows).min(len)))
}

/// Where a list key moves the selection of `len` rows (`page` rows show at once); `None` for
/// a key that does not move it.
pub fn moved(cursor: usize, len: usize, key: Key, page: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    let page = page.max(1);
    Some(match key {
        Key::Up => cursor.saturating_sub(1),
        Key::Down => cursor.saturating_add(1).min(last),
        Key::PageUp => cursor.saturating_sub(page),
        Key::PageDown => cursor.saturating_add(page).min(last),
        Key::Home => 0,
        Key::End => last,
        _ => return None,
    })
}

/// Moves `cursor` as a list key says; whether `key` was one.
pub fn move_by(cursor: &mut usize, len: usize, key: Key, page: usize) -> bool {
    match moved(*cursor, len, key, page) {
        Some(c) => {
            *cursor = c;
            true
        }
        None => false,
    }
}

/// Which way a pane key scrolls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaneKey {
    Up,
    Down,
}

/// The pane's first line after scrolling one way: a page less one line, so that the line
/// read last stays in sight; never past the text's end.
pub fn pane_scrolled(first: usize, way: PaneKey, view: Viewport) -> usize {
    let step = view.pane_rows.saturating_sub(1).max(1);
    match way {
        PaneKey::Up => first.min(view.pane_end()).saturating_sub(step),
        PaneKey::Down => first.saturating_add(step).min(view.pane_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_sight_in_the_middle_where_it_can() {
        // Everything fits: nothing scrolls.
        assert_eq!(first_shown(6, 7, 9), 0);
        assert_eq!(first_shown(0, 0, 9), 0);
        assert_eq!(first_shown(3, 7, 0), 0);
        // 34 rows in 9: the top rows keep the list at its start…
        assert_eq!(first_shown(0, 34, 9), 0);
        assert_eq!(first_shown(4, 34, 9), 0);
        // …then the selection sits on the middle row…
        assert_eq!(first_shown(5, 34, 9), 1);
        assert_eq!(first_shown(15, 34, 9), 11);
        // …and the list ends with its last row on the last row.
        assert_eq!(first_shown(30, 34, 9), 25);
        assert_eq!(first_shown(33, 34, 9), 25);
        for len in 1..40 {
            for rows in 1..12 {
                for sel in 0..len {
                    let first = first_shown(sel, len, rows);
                    assert!(first <= sel && sel < first + rows, "{sel} {len} {rows}");
                    assert!(first + rows.min(len) <= len);
                }
            }
        }
    }

    #[test]
    fn the_mark_counts_from_one_and_only_when_rows_are_hidden() {
        assert_eq!(mark(11, 9, 34).as_deref(), Some("12–20 of 34"));
        assert_eq!(mark(0, 9, 34).as_deref(), Some("1–9 of 34"));
        assert_eq!(mark(25, 9, 34).as_deref(), Some("26–34 of 34"));
        assert_eq!(mark(0, 9, 9), None);
        assert_eq!(mark(0, 9, 3), None);
        assert_eq!(mark(0, 0, 3), None, "nothing drawn yet");
    }

    #[test]
    fn list_keys_move_by_one_a_page_or_to_either_end() {
        assert_eq!(moved(0, 17, Key::Up, 5), Some(0));
        assert_eq!(moved(0, 17, Key::Down, 5), Some(1));
        assert_eq!(moved(16, 17, Key::Down, 5), Some(16));
        assert_eq!(moved(3, 17, Key::PageDown, 5), Some(8));
        assert_eq!(moved(14, 17, Key::PageDown, 5), Some(16));
        assert_eq!(moved(3, 17, Key::PageUp, 5), Some(0));
        assert_eq!(moved(9, 17, Key::PageUp, 5), Some(4));
        assert_eq!(moved(9, 17, Key::Home, 5), Some(0));
        assert_eq!(moved(0, 17, Key::End, 5), Some(16));
        assert_eq!(moved(0, 17, Key::PageDown, 0), Some(1), "before any frame");
        assert_eq!(moved(0, 0, Key::End, 5), Some(0), "an empty list");
        assert_eq!(moved(2, 17, Key::Enter, 5), None);
        assert_eq!(moved(2, 17, Key::Char('j'), 5), None);
    }

    #[test]
    fn a_pane_scrolls_a_page_less_a_line_and_stops_at_its_end() {
        let view = Viewport {
            list_rows: 4,
            pane_rows: 6,
            pane_lines: 14,
        };
        assert_eq!(view.pane_end(), 8);
        assert_eq!(pane_scrolled(0, PaneKey::Down, view), 5);
        assert_eq!(pane_scrolled(5, PaneKey::Down, view), 8);
        assert_eq!(pane_scrolled(8, PaneKey::Down, view), 8);
        assert_eq!(pane_scrolled(8, PaneKey::Up, view), 3);
        assert_eq!(pane_scrolled(3, PaneKey::Up, view), 0);
        // Further than the end (the text got shorter): up starts from the end.
        assert_eq!(pane_scrolled(40, PaneKey::Up, view), 3);
        let fits = Viewport {
            pane_lines: 4,
            ..view
        };
        assert_eq!(pane_scrolled(0, PaneKey::Down, fits), 0);
        let one_row = Viewport {
            pane_rows: 1,
            ..view
        };
        assert_eq!(pane_scrolled(0, PaneKey::Down, one_row), 1);
    }
}
