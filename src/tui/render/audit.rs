//! The audit screen: while the tenant is read, how far it has got; then the apps with mail
//! access, riskiest first, one to a row, and the selected one's findings and grants below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph};

use super::checks::{diagnosis, titled};
use super::scrolled::{ListBox, PaneBox, row, stacked};
use super::theme::{ACCENT, BAD, DIM, WARN, spinner};
use super::widgets::{clip, input_field};
use super::wrap::{labelled, plain};
use crate::model::audit::{Audit, AuditFile, AuditRow, LastSignIn, Reach};
use crate::model::printable;
use crate::wizard::{State, UnsavedForm, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let view = &s.audit;
    let width = usize::from(area.width.saturating_sub(2));
    if let Some(p) = &view.progress {
        let text = vec![
            Line::from(format!("Audit of {}", printable(&view.tenant))).bold(),
            Line::default(),
            Line::from(vec![
                Span::raw(spinner(s.frame)).fg(ACCENT),
                Span::raw(format!(" {p}")),
            ]),
            Line::from("Read-only: nothing in the tenant changes.").fg(DIM),
        ];
        f.render_widget(Paragraph::new(text), area);
        return Viewport::default();
    }
    if let Some(d) = &view.failed {
        let (title, lines) = diagnosis(d, width);
        let pane = PaneBox {
            lines,
            first: s.pane,
            block: titled(Block::bordered(), title),
            keys: "J/K",
        };
        let (pane_rows, pane_lines) = super::scrolled::pane(f, area, pane);
        return Viewport {
            list_rows: 0,
            pane_rows,
            pane_lines,
        };
    }
    let Some(a) = &view.audit else {
        return Viewport::default();
    };
    let area = match &view.export {
        Some(e) => {
            let [rest, field] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(2)]).areas(area);
            let label = match e.what {
                AuditFile::Report => "Write the report to (.md or .html):",
                AuditFile::Json => "Write the JSON to:",
            };
            // A long name scrolls sideways so that the caret stays in sight.
            let mut lines = input_field(label, &e.path, true);
            let typed = lines.pop().unwrap_or_default();
            let caret = 3 + e.path.cursor();
            let shift = caret.saturating_sub(usize::from(field.width));
            let [label_row, typed_row] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(field);
            f.render_widget(Paragraph::new(lines), label_row);
            f.render_widget(
                Paragraph::new(typed).scroll((0, u16::try_from(shift).unwrap_or(u16::MAX))),
                typed_row,
            );
            rest
        }
        None => area,
    };
    let area = match &view.unsaved {
        Some(u) => {
            let [rest, form] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(7)]).areas(area);
            f.render_widget(Paragraph::new(unsaved_form(u)), form);
            rest
        }
        None => area,
    };
    let head = heading(a, width);
    let [top, rest] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(0)]).areas(area);
    f.render_widget(Paragraph::new(head), top);
    if a.rows.is_empty() {
        return Viewport::default();
    }
    let name_width = width.saturating_sub(54).max(8);
    let items: Vec<ListItem> = a
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let selected = i == view.cursor;
            let marked = view.marked.contains(&i);
            row(row_line(r, selected, marked, name_width), selected)
        })
        .collect();
    let columns = format!(
        " {:>4} {:<name_width$} {:<23} {:<10} {:<9}",
        "RISK", "APPLICATION", "REACH", "EXPIRES", "SIGN-IN"
    );
    let list = ListBox {
        items,
        selected: view.cursor,
        block: Block::bordered().title(Line::from(columns).fg(DIM)),
    };
    let pane_wants = a
        .rows
        .iter()
        .map(|r| detail(r, width).len())
        .max()
        .unwrap_or(1)
        + 2;
    let selected = a.rows.get(view.cursor);
    let pane = PaneBox {
        lines: selected.map(|r| detail(r, width)).unwrap_or_default(),
        first: s.pane,
        block: Block::bordered().title(
            Line::from(format!(
                " {} ",
                clip(
                    &printable(selected.map(|r| r.facts.name.as_str()).unwrap_or("")),
                    width.saturating_sub(4).max(1)
                )
            ))
            .bold(),
        ),
        keys: "J/K",
    };
    stacked(f, rest, list, pane, pane_wants)
}

/// The tenant, its counts, and each part that could not be read.
fn heading(a: &Audit, width: usize) -> Vec<Line<'static>> {
    let mut out = plain(
        &format!(
            "Audit of {}: {} service principals read, {} with access to mail (riskiest first).",
            printable(&a.tenant),
            a.principals,
            a.rows.len()
        ),
        width + 2,
        Style::default().bold(),
    );
    for m in &a.missing {
        out.extend(plain(
            &format!("Not read: {}", printable(m)),
            width + 2,
            Style::default().fg(WARN),
        ));
    }
    out
}

fn row_line(r: &AuditRow, selected: bool, marked: bool, name_width: usize) -> Line<'static> {
    let reach_style = match r.reach {
        Reach::EveryMailbox => Style::default().fg(BAD),
        _ => Style::default(),
    };
    Line::from(vec![
        Span::raw(if selected { ">" } else { " " }).fg(ACCENT),
        Span::raw(if marked { "✓" } else { " " }).fg(ACCENT),
        Span::raw(format!(
            "{:>4} {:<name_width$} ",
            r.risk,
            clip(&printable(&r.facts.name), name_width)
        )),
        Span::styled(format!("{:<23}", r.reach.label()), reach_style),
        Span::raw(format!(" {:<10} {:<10}", expiry(r), last_sign_in(r))),
    ])
}

/// The end of the credential that ends first.
fn expiry(r: &AuditRow) -> String {
    match &r.facts.credentials {
        None => "elsewhere".into(),
        Some(c) if c.is_empty() => "none".into(),
        Some(c) => match c.iter().filter_map(|c| c.ends).min() {
            Some(end) => end.date().to_string(),
            None => "no end".into(),
        },
    }
}

fn last_sign_in(r: &AuditRow) -> String {
    match &r.facts.last_sign_in {
        Some(LastSignIn::At { at }) => at.date().to_string(),
        Some(LastSignIn::Never) => "never".into(),
        Some(LastSignIn::Unknown { .. }) | None => "unknown".into(),
    }
}

/// The selected app: its findings first, then what it was granted, its credentials and its
/// last sign-in.
fn detail(r: &AuditRow, width: usize) -> Vec<Line<'static>> {
    let f = &r.facts;
    let none = || "none".to_string();
    let list = |v: &[String]| {
        if v.is_empty() {
            none()
        } else {
            printable(&v.join(", "))
        }
    };
    let findings: Vec<String> = r.findings.iter().map(|x| x.text()).collect();
    let rbac: Vec<String> = f
        .rbac
        .iter()
        .map(|g| match &g.scope {
            Some(scope) => format!("{} on {scope}", g.role),
            None => format!("{} on the whole organisation", g.role),
        })
        .collect();
    let policies: Vec<String> = f
        .policies
        .iter()
        .map(|p| format!("{} {}", p.access_right, p.group))
        .collect();
    let credentials = match &f.credentials {
        None => "registered in another tenant: its credentials are not here".to_string(),
        Some(c) => list(
            &c.iter()
                .map(|c| match c.ends {
                    Some(end) => format!("{} {} ends {}", c.kind, c.name, end.date()),
                    None => format!("{} {} has no end", c.kind, c.name),
                })
                .collect::<Vec<_>>(),
        ),
    };
    let signed_in = match &f.last_sign_in {
        Some(LastSignIn::At { at }) => at.date().to_string(),
        Some(LastSignIn::Never) => "none in the sign-in report".into(),
        Some(LastSignIn::Unknown { why }) => format!("unknown: {}", printable(why)),
        None => "unknown".into(),
    };
    let style = Style::default();
    let labelled = |label: &str, text: &str, width: usize, style: Style| {
        labelled(&format!("{label:<15}"), text, width, style)
    };
    let risk = format!("{} ({})", r.risk, list(&findings));
    [
        labelled(
            "Risk",
            &risk,
            width,
            Style::default().fg(if r.risk > 0 { WARN } else { DIM }),
        ),
        labelled("Reach", r.reach.label(), width, style),
        labelled("App ID", &f.app_id, width, style),
        labelled("Graph roles", &list(&f.graph_roles), width, style),
        labelled("Exchange roles", &list(&f.exchange_roles), width, style),
        labelled("RBAC", &list(&rbac), width, style),
        labelled("Policies", &list(&policies), width, style),
        labelled("Mailboxes", &list(&f.mailbox_permissions), width, style),
        labelled("Credentials", &credentials, width, style),
        labelled("Last sign-in", &signed_in, width, style),
    ]
    .concat()
}

/// The fields asked of an app with no profile; the secret shows only as dots.
fn unsaved_form(u: &UnsavedForm) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(format!("{} (no profile here):", printable(&u.app))).bold()];
    let fields = [
        ("Its client secret's Value (never shown):", &u.secret),
        ("Mailboxes it must reach (commas between):", &u.mailboxes),
        ("A mailbox it must not reach:", &u.deny),
    ];
    for (i, (label, input)) in fields.into_iter().enumerate() {
        lines.extend(input_field(label, input, u.field == i));
    }
    lines
}
