//! The live checks screen: a gauge, every check on its row, and the selected one explained —
//! a failure's fix first, then its cause and evidence.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, ListItem, Paragraph};

use super::scrolled::{ListBox, PaneBox, row, stacked};
use super::strings;
use super::theme::{ACCENT, BAD, DIM, GOOD, WARN, spinner};
use super::widgets::{clip, duration_text};
use super::wrap::{labelled, plain};
use crate::model::{CheckRow, Diagnosis, Status};
use crate::wizard::{State, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let rows = &s.checks.rows;
    let done = rows.iter().filter(|r| r.done()).count();
    let total = rows.len().max(1);
    let width = usize::from(area.width.saturating_sub(2));
    // The pane is as tall as the longest explanation, so that it keeps its size while the
    // selection moves.
    let pane_wants = rows
        .iter()
        .map(|r| explained(Some(r), width).1.len())
        .max()
        .unwrap_or(1)
        + 2;
    let code = s
        .checks
        .user_run
        .as_ref()
        .map(|run| super::as_user::code_lines(s, run))
        .unwrap_or_default();
    let code_rows = if code.is_empty() { 0 } else { code.len() + 2 };
    let [gauge, code_area, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(code_rows as u16),
        Constraint::Min(0),
    ])
    .areas(area);
    if !code.is_empty() {
        f.render_widget(
            Paragraph::new(code).block(Block::bordered().title(" The mailbox user's sign-in ")),
            code_area,
        );
    }
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
    let row_width = rest.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let selected = i == s.checks.cursor;
            row(row_line(s, r, selected, row_width), selected)
        })
        .collect();
    let list = ListBox {
        items,
        selected: s.checks.cursor,
        block: Block::bordered(),
    };
    let (title, lines) = explained(rows.get(s.checks.cursor), width);
    let pane = PaneBox {
        lines,
        first: s.pane,
        block: titled(Block::bordered(), title),
        keys: "J/K",
    };
    stacked(f, rest, list, pane, pane_wants)
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
        Status::Queued => Span::raw("○").fg(DIM),
        Status::Pending => Span::raw("◷").fg(WARN),
        Status::Running => Span::raw(spinner(s.frame)).fg(ACCENT),
        Status::Passed => Span::raw("✔").fg(GOOD),
        Status::Failed => Span::raw("✘").fg(BAD),
        Status::Skipped => Span::raw("–").fg(DIM),
    }
}

/// A diagnosis in lines of `width`, its fix first (what the admin needs when the pane is
/// short), then the cause and the evidence; the summary is the pane's title where it fits
/// there, else its first lines.
pub(super) fn diagnosis(
    d: &Diagnosis,
    width: usize,
) -> (Option<Line<'static>>, Vec<Line<'static>>) {
    diagnosis_in(d, width, BAD)
}

/// A diagnosis whose summary is in `colour` (a pending check's is a warning, not a failure).
fn diagnosis_in(
    d: &Diagnosis,
    width: usize,
    colour: ratatui::style::Color,
) -> (Option<Line<'static>>, Vec<Line<'static>>) {
    let style = Style::default().fg(colour).bold();
    let body = [
        labelled(strings::FIX, &d.fix, width, Style::default()),
        labelled(strings::CAUSE, &d.cause, width, Style::default()),
        labelled(strings::EVIDENCE, &d.evidence, width, Style::default()),
    ]
    .concat();
    if d.summary.chars().count() + 4 <= width {
        (Some(Line::styled(format!(" {} ", d.summary), style)), body)
    } else {
        (None, [plain(&d.summary, width, style), body].concat())
    }
}

/// `block`, with `title` if there is one.
pub(super) fn titled(block: Block<'static>, title: Option<Line<'static>>) -> Block<'static> {
    match title {
        Some(t) => block.title(t),
        None => block,
    }
}

/// The selected check, in lines of `width`: a failure's diagnosis, or what it found.
fn explained(
    selected: Option<&CheckRow>,
    width: usize,
) -> (Option<Line<'static>>, Vec<Line<'static>>) {
    if let Some(r) = selected
        && let Some(d) = &r.diagnosis
    {
        let colour = if r.status == Status::Pending {
            WARN
        } else {
            BAD
        };
        return diagnosis_in(d, width, colour);
    }
    let lines = match selected {
        Some(r) if r.status == Status::Passed => plain(
            &format!(
                "{} — passed: {}",
                r.id,
                r.detail.clone().unwrap_or_default()
            ),
            width,
            Style::default().fg(GOOD),
        ),
        Some(r) => plain(
            &format!(
                "{}: {}",
                r.id,
                r.detail.clone().unwrap_or_else(|| strings::WAITING.into())
            ),
            width,
            Style::default(),
        ),
        None => vec![],
    };
    (None, lines)
}
