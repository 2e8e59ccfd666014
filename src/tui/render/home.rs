//! The home screen: the profiles as a dashboard, the selected one in full, and below them the
//! damaged profile files and the sandbox's apps.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem, Paragraph, Wrap};

use super::scrolled::{self, ListBox};
use super::strings;
use super::theme::{ACCENT, BAD, DIM, GOOD, WARN};
use super::widgets::clip;
use super::wrap::labelled;
use crate::model::{CheckVerdict, Credential, ExpiryLevel, Profile};
use crate::wizard::{SandboxView, State, Viewport};

/// Rows of the profile list between its borders, at least, while there is room.
const LIST_AT_LEAST: u16 = 3;

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    if let Some(crate::wizard::ShowOnce::Shown(name, value)) = &s.home.show_once {
        super::show_once::draw(f, name, value, area);
        return Viewport::default();
    }
    let area = match s.home.draft_line() {
        Some(text) => {
            let rows = if text.chars().count() + 2 > area.width as usize {
                2
            } else {
                1
            };
            let [line, rest] =
                Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
            draw_draft(f, s, text, line);
            rest
        }
        None => area,
    };
    let rows = s.visible_profiles();
    let cursor = (!s.home.on_draft).then_some(s.home.cursor);
    let selected = cursor.and_then(|c| rows.get(c));
    let details = selected
        .map(|row| profile_details(s, &row.profile, usize::from(area.width.saturating_sub(2))))
        .unwrap_or_default();
    let details_rows = if details.is_empty() {
        0
    } else {
        details.len() as u16 + 2
    };
    // What the list leaves below itself for damaged files and the sandbox's apps: the list
    // comes first, as many rows as it has; the apps that do not fit are counted, not dropped.
    let list_wants = (rows.len() as u16).max(LIST_AT_LEAST) + 2;
    let room = area
        .height
        .saturating_sub(details_rows + list_wants.min(area.height / 2).max(LIST_AT_LEAST + 2))
        as usize;
    let mut lines: Vec<Line> = s
        .home
        .broken
        .iter()
        .map(|b| Line::from(format!(" ✘ {b}")).fg(BAD))
        .collect();
    if let Some(sb) = &s.sandbox {
        sandbox_lines(sb, room, &mut lines);
    }
    // One more row where the sandbox's mailbox line may wrap.
    let rest_rows = (lines.len() + usize::from(s.sandbox.is_some())).min(room) as u16;
    let [profiles_area, details_area, rest] = Layout::vertical([
        Constraint::Min(LIST_AT_LEAST + 2),
        Constraint::Length(details_rows),
        Constraint::Length(rest_rows),
    ])
    .areas(area);
    let items: Vec<ListItem> = if s.home.profiles.is_empty() {
        vec![ListItem::new(Line::from(strings::NO_PROFILES.fg(DIM)))]
    } else {
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                let selected = Some(i) == cursor;
                scrolled::row(profile_line(s, &r.profile, selected), selected)
            })
            .collect()
    };
    let list = ListBox {
        items,
        selected: s.home.cursor,
        block: Block::bordered().title(profiles_title(s)),
    };
    let list_rows = scrolled::list(f, profiles_area, list);
    if let Some(row) = selected {
        f.render_widget(
            Paragraph::new(details)
                .block(Block::bordered().title(format!(" {} ", row.profile.name))),
            details_area,
        );
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
    Viewport {
        list_rows,
        ..Viewport::default()
    }
}

/// The draft's row, above the profiles (two lines where one is too short): an unfinished
/// setup stands out.
fn draw_draft(f: &mut Frame, s: &State, text: String, area: Rect) {
    let tone = if s.home.unfinished.is_some() {
        WARN
    } else {
        ACCENT
    };
    let mark = if s.home.on_draft { "> " } else { "  " };
    let line = Line::from(vec![Span::raw(mark).fg(ACCENT), Span::raw(text).fg(tone)]);
    let line = if s.home.on_draft {
        line.add_modifier(Modifier::REVERSED)
    } else {
        line
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

/// The sandbox's apps (as many as `room` leaves space for) and its mailboxes.
fn sandbox_lines(sb: &SandboxView, room: usize, lines: &mut Vec<Line>) {
    lines.push(Line::from(format!(
        " Sandbox apps in {} (client IDs; F2 fills a sandbox app's secret):",
        sb.tenant_domain
    )));
    let fits = room.saturating_sub(lines.len() + 2).min(sb.apps.len());
    let shown = if fits < sb.apps.len() {
        fits.saturating_sub(1)
    } else {
        fits
    };
    for a in &sb.apps[..shown] {
        lines.push(Line::from(vec![
            Span::raw(format!("   {:<36} ", a.client_id)).fg(ACCENT),
            Span::raw(a.name.clone()),
        ]));
    }
    if shown < sb.apps.len() {
        lines.push(
            Line::from(format!(
                "   … {} more (a taller terminal shows them; `sandbox serve` prints them all)",
                sb.apps.len() - shown
            ))
            .fg(DIM),
        );
    }
    let short: Vec<&str> = sb
        .mailboxes
        .iter()
        .map(|m| m.split('@').next().unwrap_or(m))
        .collect();
    let text = format!(" Mailboxes (@{}): {}", sb.tenant_domain, short.join(" "));
    lines.push(Line::from(text).fg(DIM));
}

fn profiles_title(s: &State) -> String {
    if s.home.profiles.is_empty() {
        return strings::PROFILES.into();
    }
    let filter = s.home.filter.text();
    match (filter.is_empty(), s.home.filtering) {
        (true, false) => format!(" Profiles · sorted by {} ", s.home.sort.label()),
        _ => format!(
            " Profiles · sorted by {} · filter: {filter}{} ",
            s.home.sort.label(),
            if s.home.filtering { "▏" } else { "" }
        ),
    }
}

/// One dashboard row: name, tenant, access, days to expiry, last verdict and when.
fn profile_line(s: &State, p: &Profile, selected: bool) -> Line<'static> {
    let access: Vec<&str> = p.access.iter().map(|a| a.key()).collect();
    let mut spans = vec![
        Span::raw(if selected { "> " } else { "  " }).fg(ACCENT),
        Span::raw(format!("{:<16} ", clip(p.name.as_str(), 16))).bold(),
        Span::raw(format!("{:<18} ", clip(&p.tenant, 18))),
        Span::raw(format!("{:<14} ", clip(&access.join(","), 14))),
    ];
    spans.push(match p.expiry(s.today) {
        Some((days, level)) => {
            let tone = match level {
                ExpiryLevel::Fine => DIM,
                ExpiryLevel::Soon => WARN,
                ExpiryLevel::Urgent => BAD,
            };
            let text = if days < 0 {
                strings::EXPIRED.to_string()
            } else {
                format!("{days} d")
            };
            Span::raw(format!("{text:>7}  ")).fg(tone)
        }
        None => Span::raw(format!("{:>7}  ", "?")).fg(DIM),
    });
    match &p.last_check {
        Some(c) => {
            spans.push(verdict_mark(c.verdict));
            spans.push(
                Span::raw(format!(
                    " {}",
                    c.at.get(5..16).unwrap_or(&c.at).replace('T', " ")
                ))
                .fg(DIM),
            );
        }
        None => spans.push(Span::raw(strings::NOT_CHECKED).fg(DIM)),
    }
    Line::from(spans)
}

fn verdict_mark(v: CheckVerdict) -> Span<'static> {
    match v {
        CheckVerdict::Passed => Span::raw("✔").fg(GOOD),
        _ => Span::raw("✘").fg(BAD),
    }
}

/// The selected profile in full, in lines of `width`: a value too long for its line goes on
/// below its label.
fn profile_details(s: &State, p: &Profile, width: usize) -> Vec<Line<'static>> {
    let row = |k: &str, v: String| labelled(&format!("{k:<11}"), &v, width, Style::default());
    let credential = match &p.credential {
        Credential::Secret => "secret".to_string(),
        Credential::Certificate { thumbprint } => {
            format!("certificate {}…", thumbprint.get(..8).unwrap_or(thumbprint))
        }
    };
    let expiry = match (p.expiry(s.today), &p.secret_expires) {
        (Some((days, _)), Some(date)) if days < 0 => format!(
            "expired on {date}: {} makes a new one",
            if p.credential.is_secret() { "s" } else { "k" }
        ),
        (Some((days, _)), Some(date)) => format!("{date} ({days} days)"),
        _ => strings::EXPIRY_UNKNOWN.to_string(),
    };
    let scope = match &p.scope {
        Some(sc) => match &sc.group {
            Some(g) => format!("{} · group {g}", sc.kind.key()),
            None => sc.kind.key().to_string(),
        },
        None => strings::SCOPE_NOT_RECORDED.to_string(),
    };
    let mut mailboxes: Vec<String> = p.mailboxes.iter().map(|m| m.to_string()).collect();
    if let Some(d) = &p.deny_mailbox {
        mailboxes.push(format!("denied: {d}"));
    }
    let last = match &p.last_check {
        Some(c) => format!(
            "{} {} ({} passed, {} failed)",
            match c.verdict {
                CheckVerdict::Passed => "passed",
                CheckVerdict::Failed => "failed",
                CheckVerdict::Waiting => "waiting for Exchange",
            },
            c.at.get(..16).unwrap_or(&c.at).replace('T', " "),
            c.passed,
            c.failed
        ),
        None => strings::NEVER_CHECKED.to_string(),
    };
    let access: Vec<&str> = p.access.iter().map(|a| a.key()).collect();
    let cloud = if p.sandbox {
        strings::SANDBOX_TENANT.to_string()
    } else {
        format!("{} cloud", p.cloud.key())
    };
    [
        row(
            "Tenant",
            format!("{} · {cloud} · {}", p.tenant, p.tenant_id),
        ),
        row("App", format!("{} · {credential}", p.client_id)),
        row("Expires", expiry),
        row("Access", format!("{} · scope {scope}", access.join(", "))),
        row("Mailboxes", mailboxes.join(", ")),
        row("Last check", last),
    ]
    .concat()
}
