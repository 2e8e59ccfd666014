//! Pieces several screens draw: text fields with their caret, labelled lines, clipped text.

use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};

use super::theme::{DIM, focused};
use crate::wizard::Input;

/// A field showing `value` (a placeholder, or a choice) without a caret.
pub fn field<'a>(label: &'a str, value: String, focused: bool) -> Vec<Line<'a>> {
    caret_field(label, value, String::new(), focused)
}

/// A text input, its caret where the cursor is.
pub fn input_field<'a>(label: &'a str, input: &Input, focused: bool) -> Vec<Line<'a>> {
    let shown = input.display();
    let at = shown
        .char_indices()
        .nth(input.cursor())
        .map_or(shown.len(), |(i, _)| i);
    let (before, after) = shown.split_at(at);
    caret_field(label, before.to_string(), after.to_string(), focused)
}

fn caret_field<'a>(
    label: &'a str,
    before: String,
    after: String,
    has_focus: bool,
) -> Vec<Line<'a>> {
    let style = if has_focus {
        focused()
    } else {
        Style::default()
    };
    vec![
        Line::from(Span::raw(label).fg(DIM)),
        Line::from(vec![
            Span::styled(if has_focus { "> " } else { "  " }, style),
            Span::styled(before, style),
            Span::styled(if has_focus { "▏" } else { "" }, style),
            Span::styled(after, style),
        ]),
    ]
}

/// A dim label, then its value.
pub fn labelled<'a>(label: &'a str, value: String) -> Line<'a> {
    Line::from(vec![Span::raw(label).fg(DIM), Span::raw(value)])
}

/// A dim label, then its value; a value of several lines (commands) starts below the label,
/// one line each, so that no two ever run together.
pub fn labelled_lines<'a>(label: &'a str, value: &str) -> Vec<Line<'a>> {
    if value.lines().count() <= 1 {
        return vec![labelled(label, value.to_string())];
    }
    std::iter::once(Line::from(Span::raw(label).fg(DIM)))
        .chain(value.lines().map(|l| Line::from(l.to_string())))
        .collect()
}

/// At most `n` characters of `s`, an ellipsis ending what was cut.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// "12 ms" under a second, "1.25 s" above.
pub fn duration_text(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.2} s", ms as f64 / 1000.0)
    }
}
