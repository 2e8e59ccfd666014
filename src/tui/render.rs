//! One render function per screen. Reads the state; changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, List, ListItem, Paragraph, Wrap};

use crate::catalog::catalog;
use crate::model::{AccessChoice, CheckVerdict, ExpiryLevel, KeyringBackend, Status, StepStatus};
use crate::wizard::{
    Input, Journey, MIN_HEIGHT, MIN_WIDTH, MailboxField, Screen, State, Step, hints,
};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const ACCENT: Color = Color::Cyan;
const GOOD: Color = Color::Green;
const BAD: Color = Color::Red;
const DIM: Color = Color::DarkGray;
const WARN: Color = Color::Yellow;

pub fn draw(f: &mut Frame, s: &State) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "The terminal is {}×{}; m365-mail-wizard needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\nEnlarge the window: nothing typed is lost. Ctrl-C quits.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let key_lines = hint_lines(s, area.width);
    let [top, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(status_rows(s, area.width)),
        Constraint::Length(key_lines.len().max(1) as u16),
    ])
    .areas(area);
    draw_top(f, s, top);
    match s.screen {
        Screen::Home => draw_home(f, s, body),
        Screen::Form(step) => draw_form(f, s, step, body),
        Screen::SignIn => draw_sign_in(f, s, body),
        Screen::Plan => draw_plan(f, s, body),
        Screen::Progress => draw_progress(f, s, body),
        Screen::Guide => draw_guide(f, s, body),
        Screen::Checks => draw_checks(f, s, body),
        Screen::Summary => draw_summary(f, s, body),
    }
    draw_status(f, s, status);
    f.render_widget(Paragraph::new(key_lines), keys);
}

/// The first frame of `--sandbox`, while the sandbox tenant starts.
pub fn draw_starting(f: &mut Frame) {
    let text = vec![
        Line::from(" m365-mail-wizard").bold(),
        Line::default(),
        Line::from(" Starting the sandbox tenant (contoso.example) on this machine…").fg(ACCENT),
        Line::from(" Nothing here reaches Microsoft; its apps, mailboxes and secrets are made up.")
            .fg(DIM),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), f.area());
}

fn draw_top(f: &mut Frame, s: &State, area: Rect) {
    let right = match &s.sandbox {
        Some(sb) => format!("sandbox: {}", sb.tenant_domain),
        None => format!("cloud: {}", s.form.cloud.key()),
    };
    let title = match s.screen {
        Screen::Home => " m365-mail-wizard".to_string(),
        Screen::Form(_) if s.form.journey == Journey::Setup => " New setup".to_string(),
        Screen::Form(_) => " Check an existing app".to_string(),
        Screen::SignIn => " New setup · administrator sign-in".to_string(),
        Screen::Plan => " New setup · the plan".to_string(),
        Screen::Progress => " New setup · running".to_string(),
        Screen::Guide => " New setup · guided, in the portal".to_string(),
        Screen::Checks | Screen::Summary => format!(
            " Live checks · {}",
            s.checks
                .profile
                .as_ref()
                .map(|p| p.name.as_str())
                .unwrap_or("")
        ),
    };
    let [l, r] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(right.chars().count() as u16 + 1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(title).bold(), l);
    f.render_widget(Paragraph::new(right).fg(ACCENT), r);
}

/// Rows the message needs, word-wrapped at `width`: two at least, five at most.
fn status_rows(s: &State, width: u16) -> u16 {
    let text = s.busy.as_ref().or(s.error.as_ref()).or(s.notice.as_ref());
    let chars = text.map_or(0, |t| t.chars().count() + 3);
    let width = usize::from(width.max(1));
    // Wrapping at word boundaries leaves part of each row empty: one row of slack.
    let rows = chars.div_ceil(width) + usize::from(chars > width);
    rows.clamp(2, 5) as u16
}

fn draw_status(f: &mut Frame, s: &State, area: Rect) {
    let line = if let Some(b) = &s.busy {
        Line::from(vec![
            Span::raw(format!(" {} ", SPINNER[(s.frame % 10) as usize])).fg(ACCENT),
            Span::raw(b.clone()),
        ])
    } else if let Some(e) = &s.error {
        Line::from(vec![
            Span::raw(" ✘ ").fg(BAD).bold(),
            Span::raw(e.clone()).fg(BAD),
        ])
    } else if let Some(n) = &s.notice {
        Line::from(vec![Span::raw(" ✔ ").fg(GOOD), Span::raw(n.clone())])
    } else {
        Line::default()
    };
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

/// The help line: every key of the screen, a hint never split, on as many lines as the width
/// needs.
fn hint_lines(s: &State, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mut lines = Vec::new();
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for h in hints(s) {
        let action = format!(" {}   ", h.action);
        let len = h.key.chars().count() + action.chars().count();
        if used + len > width && spans.len() > 1 {
            lines.push(Line::from(std::mem::replace(
                &mut spans,
                vec![Span::raw(" ")],
            )));
            used = 1;
        }
        spans.push(Span::raw(h.key).fg(ACCENT).bold());
        spans.push(Span::raw(action));
        used += len;
    }
    lines.push(Line::from(spans));
    lines
}

fn verdict_mark(v: CheckVerdict) -> Span<'static> {
    match v {
        CheckVerdict::Passed => Span::raw("✔").fg(GOOD),
        _ => Span::raw("✘").fg(BAD),
    }
}

fn profiles_title(s: &State) -> String {
    if s.home.profiles.is_empty() {
        return " Profiles ".into();
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

fn draw_home(f: &mut Frame, s: &State, area: Rect) {
    let rows = s.visible_profiles();
    let selected = rows.get(s.home.cursor);
    let details_rows = if selected.is_some() { 8 } else { 0 };
    // What is left below the list (at least three profile rows) for damaged files and the
    // sandbox's apps; the apps that do not fit are counted, not silently dropped.
    let room = area.height.saturating_sub(5 + details_rows) as usize;
    let mut lines: Vec<Line> = s
        .home
        .broken
        .iter()
        .map(|b| Line::from(format!(" ✘ {b}")).fg(BAD))
        .collect();
    if let Some(sb) = &s.sandbox {
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
    // One more row where the sandbox's mailbox line may wrap.
    let rest_rows = (lines.len() + usize::from(s.sandbox.is_some())).min(room) as u16;
    let [profiles_area, details_area, rest] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(details_rows),
        Constraint::Length(rest_rows),
    ])
    .areas(area);
    let items: Vec<ListItem> = if s.home.profiles.is_empty() {
        vec![ListItem::new(Line::from(
            "  No profiles yet. Press c to check an app you already registered.".fg(DIM),
        ))]
    } else {
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let item = ListItem::new(profile_line(s, &row.profile, i == s.home.cursor));
                if i == s.home.cursor {
                    item.add_modifier(Modifier::REVERSED)
                } else {
                    item
                }
            })
            .collect()
    };
    f.render_widget(
        List::new(items).block(Block::bordered().title(profiles_title(s))),
        profiles_area,
    );
    if let Some(row) = selected {
        f.render_widget(
            Paragraph::new(profile_details(s, &row.profile))
                .block(Block::bordered().title(format!(" {} ", row.profile.name))),
            details_area,
        );
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}

/// One dashboard row: name, tenant, access, days to expiry, last verdict and when.
fn profile_line(s: &State, p: &crate::model::Profile, selected: bool) -> Line<'static> {
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
                "expired".to_string()
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
        None => spans.push(Span::raw("not checked").fg(DIM)),
    }
    Line::from(spans)
}

/// The selected profile in full.
fn profile_details(s: &State, p: &crate::model::Profile) -> Vec<Line<'static>> {
    let row =
        |k: &str, v: String| Line::from(vec![Span::raw(format!("{k:<11}")).fg(DIM), Span::raw(v)]);
    let credential = match &p.credential {
        crate::model::Credential::Secret => "secret".to_string(),
        crate::model::Credential::Certificate { thumbprint } => {
            format!("certificate {}…", thumbprint.get(..8).unwrap_or(thumbprint))
        }
    };
    let expiry = match (p.expiry(s.today), &p.secret_expires) {
        (Some((days, _)), Some(date)) if days < 0 => format!(
            "expired on {date}: {} makes a new one",
            if p.credential.is_secret() { "s" } else { "k" }
        ),
        (Some((days, _)), Some(date)) => format!("{date} ({days} days)"),
        _ => "unknown: x reads it from the app registration".to_string(),
    };
    let scope = match &p.scope {
        Some(sc) => match &sc.group {
            Some(g) => format!("{} · group {g}", sc.kind.key()),
            None => sc.kind.key().to_string(),
        },
        None => "not recorded (app added, not set up here)".to_string(),
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
        None => "never".to_string(),
    };
    vec![
        row(
            "Tenant",
            format!("{} · {} cloud · {}", p.tenant, p.cloud.key(), p.tenant_id),
        ),
        row("App", format!("{} · {credential}", p.client_id)),
        row("Expires", expiry),
        row(
            "Access",
            format!(
                "{} · scope {scope}",
                p.access
                    .iter()
                    .map(|a| a.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        row("Mailboxes", mailboxes.join(", ")),
        row("Last check", last),
    ]
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn question(step: Step) -> &'static str {
    match step {
        Step::Tenant => " Which tenant? ",
        Step::ClientId => " Which app registration? ",
        Step::Secret => " The client secret ",
        Step::Access => " What does the application use? ",
        Step::Mailboxes => " Which mailboxes? ",
        Step::Scope => " Which mailboxes may the app reach? ",
        Step::AppDetails => " The new app and its secret ",
        Step::Name => " Name this profile ",
    }
}

fn field<'a>(label: &'a str, value: String, focused: bool) -> Vec<Line<'a>> {
    caret_field(label, value, String::new(), focused)
}

/// A text input, its caret where the cursor is.
fn input_field<'a>(label: &'a str, input: &Input, focused: bool) -> Vec<Line<'a>> {
    let shown = input.display();
    let at = shown
        .char_indices()
        .nth(input.cursor())
        .map_or(shown.len(), |(i, _)| i);
    let (before, after) = shown.split_at(at);
    caret_field(label, before.to_string(), after.to_string(), focused)
}

fn caret_field<'a>(label: &'a str, before: String, after: String, focused: bool) -> Vec<Line<'a>> {
    let style = if focused {
        Style::default().fg(ACCENT).add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    vec![
        Line::from(Span::raw(label).fg(DIM)),
        Line::from(vec![
            Span::styled(if focused { "> " } else { "  " }, style),
            Span::styled(before, style),
            Span::styled(if focused { "▏" } else { "" }, style),
            Span::styled(after, style),
        ]),
    ]
}

fn draw_form(f: &mut Frame, s: &State, step: Step, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Length(22), Constraint::Min(40)]).areas(area);
    let tail: [&str; 2] = match s.form.journey {
        Journey::Check => [" ○ Save & check", " ○ Summary"],
        Journey::Setup => [" ○ Sign in & plan", " ○ Run & check"],
    };
    let steps: Vec<Line> = Step::of(s.form.journey)
        .iter()
        .map(|st| {
            let (mark, style) = if *st == step {
                ("●", Style::default().fg(ACCENT).bold())
            } else if s.step_done(*st) {
                ("✔", Style::default().fg(GOOD))
            } else {
                ("○", Style::default().fg(DIM))
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(st.title(), style),
            ])
        })
        .chain(tail.map(|t| Line::from(t).fg(DIM)))
        .collect();
    f.render_widget(
        Paragraph::new(steps).block(Block::bordered().title(" Steps ")),
        left,
    );
    let form = &s.form;
    let mut lines: Vec<Line> = Vec::new();
    match step {
        Step::Tenant => {
            match &s.sandbox {
                Some(_) => lines.push(Line::from("Cloud: built-in sandbox tenant").fg(DIM)),
                None => {
                    lines.push(Line::from(vec![
                        Span::raw("Cloud: ").fg(DIM),
                        Span::raw(format!("‹ {} ›", form.cloud.label())).fg(ACCENT),
                    ]));
                }
            }
            lines.push(Line::default());
            lines.extend(input_field(
                "Tenant ID (a GUID) or a verified domain",
                &form.tenant,
                true,
            ));
            lines.push(Line::default());
            if let Some(id) = form.tenant_id {
                lines.push(Line::from(format!("Resolved: tenant ID {id}")).fg(GOOD));
            }
            lines.push(Line::from(
                "A domain is looked up through the tenant's OpenID discovery document. The tenant ID is on Entra admin center › Overview.",
            ).fg(DIM));
        }
        Step::ClientId => {
            lines.extend(input_field(
                "Application (client) ID",
                &form.client_id,
                true,
            ));
            lines.push(Line::default());
            lines.push(Line::from(
                "Entra admin center › App registrations › the app › Overview shows it as \"Application (client) ID\". The \"Object ID\" beside it is a different value.",
            ).fg(DIM));
        }
        Step::Secret => {
            lines.extend(input_field(
                "Client secret Value (hidden as you type)",
                &form.secret,
                true,
            ));
            lines.push(Line::default());
            lines.push(Line::from(
                "Paste the secret's Value, not its Secret ID. It goes to the OS keyring only, never to a file, and is not shown again.",
            ).fg(DIM));
        }
        Step::Access => {
            for (i, a) in form.choices().iter().enumerate() {
                let on = form.access.contains(a);
                let cur = form.access_cursor == i;
                let style = if cur {
                    Style::default().fg(ACCENT).bold()
                } else {
                    Style::default()
                };
                lines.push(Line::styled(
                    format!(
                        "{} [{}] {}",
                        if cur { ">" } else { " " },
                        if on { "x" } else { " " },
                        a.label()
                    ),
                    style,
                ));
            }
            let cur = form.access_cursor == form.choices().len();
            let style = if cur {
                Style::default().fg(ACCENT).bold()
            } else {
                Style::default()
            };
            lines.push(Line::styled(
                format!(
                    "{} [{}] Send a test message from each mailbox to itself (opt-in)",
                    if cur { ">" } else { " " },
                    if form.send_test { "x" } else { " " }
                ),
                style,
            ));
            lines.push(Line::default());
            if let Some(a) = form.choices().get(form.access_cursor) {
                let req = catalog().requirement(*a);
                let tone = if *a == AccessChoice::Ews { WARN } else { DIM };
                lines.push(Line::from(req.explain.clone()).fg(tone));
                lines.push(Line::from(req.scope.clone()).fg(DIM));
            } else {
                lines.push(Line::from("Graph sends through the sendMail call; SMTP sends the test message by SMTP submission.").fg(DIM));
            }
        }
        Step::Scope => {
            use crate::model::ScopeKind;
            use crate::scope::{needs_mailbox_permission, scoped_by_group};
            let chosen = form.scope();
            for (i, k) in ScopeKind::ALL.iter().enumerate() {
                let on = i == form.scope_kind;
                let style = if on && form.scope_field == 0 {
                    Style::default().fg(ACCENT).bold()
                } else if on {
                    Style::default().bold()
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![
                    Span::styled(if on { " (•) " } else { " ( ) " }, style),
                    Span::styled(k.label(), style),
                ]));
            }
            lines.push(Line::default());
            let tone = if chosen == ScopeKind::AllMailboxes {
                WARN
            } else {
                DIM
            };
            lines.push(Line::from(chosen.explain()).fg(tone));
            if chosen == ScopeKind::Rbac && scoped_by_group(&form.access) {
                lines.push(Line::from("The plan leaves out the tenant-wide Graph/EWS permission: it would bypass the scope.").fg(DIM));
            }
            if needs_mailbox_permission(&form.access) {
                lines.push(Line::from("IMAP, POP and SMTP are limited by FullAccess on each listed mailbox, whatever is chosen here.").fg(DIM));
            }
            lines.push(Line::default());
            if chosen == ScopeKind::AllMailboxes {
                lines.extend(input_field(
                    "Type \"all mailboxes\" to confirm",
                    &form.confirm_all,
                    form.scope_field == 1,
                ));
            } else {
                let placeholder = match form.name.text().trim() {
                    "" => "m365mw-<profile name> (the default)".to_string(),
                    n => format!("m365mw-{n}"),
                };
                let label = "Mail-enabled security group for the mailboxes (name or address; made if missing)";
                lines.extend(if form.group.text().is_empty() && form.scope_field != 1 {
                    field(label, placeholder, false)
                } else {
                    input_field(label, &form.group, form.scope_field == 1)
                });
            }
            lines.push(
                Line::from(if form.exchange_script {
                    "Exchange part: a PowerShell script to run (p: done for me)"
                } else {
                    "Exchange part: done for me after a second sign-in (p: a script)"
                })
                .fg(ACCENT),
            );
        }
        Step::AppDetails => {
            let label = "Display name of the new app registration";
            lines.extend(if form.app_name.text().is_empty() && form.app_field != 0 {
                field(
                    label,
                    format!("m365-mail-wizard {}", form.name.text()),
                    false,
                )
            } else {
                input_field(label, &form.app_name, form.app_field == 0)
            });
            lines.push(Line::default());
            let months = crate::plan::SECRET_MONTHS;
            let choice: Vec<Span> = months
                .iter()
                .enumerate()
                .flat_map(|(i, m)| {
                    let text = format!(" {m} months ");
                    let span = if i == form.months {
                        Span::styled(text, Style::default().fg(ACCENT).bold().reversed())
                    } else {
                        Span::raw(text)
                    };
                    [span, Span::raw(" ")]
                })
                .collect();
            lines.push(Line::from(Span::raw("Client secret lifetime").fg(DIM)));
            lines.push(Line::from(
                [
                    vec![Span::raw(if form.app_field == 1 { "> " } else { "  " })],
                    choice,
                ]
                .concat(),
            ));
            lines.push(Line::default());
            lines.push(Line::from(
                "Empty name: \"m365-mail-wizard <profile>\". The portal recommends 6 months; renew before it runs out. Nothing is created before you have seen the plan.",
            ).fg(DIM));
        }
        Step::Mailboxes => {
            lines.extend(input_field(
                "Mailboxes the application must reach (separate with commas)",
                &form.mailboxes,
                form.mailbox_field == MailboxField::Reach,
            ));
            lines.push(Line::default());
            lines.extend(input_field(
                "One mailbox it must NOT reach (optional; proves the scope)",
                &form.deny,
                form.mailbox_field == MailboxField::Deny,
            ));
            lines.push(Line::default());
            if let Some(sb) = &s.sandbox {
                lines.push(
                    Line::from(format!("Sandbox mailboxes: {}", sb.mailboxes.join(", "))).fg(DIM),
                );
            }
        }
        Step::Name => {
            lines.extend(input_field(
                "Profile name (letters, digits, . _ -)",
                &form.name,
                true,
            ));
            lines.push(Line::default());
            lines.push(Line::from("Enter stores the secret in the keyring, saves the profile and runs the live checks.").fg(DIM));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(question(step))),
        right,
    );
}

fn status_span(s: &State, st: Status) -> Span<'static> {
    match st {
        Status::Pending => Span::raw("○").fg(DIM),
        Status::Running => Span::raw(SPINNER[(s.frame % 10) as usize]).fg(ACCENT),
        Status::Passed => Span::raw("✔").fg(GOOD),
        Status::Failed => Span::raw("✘").fg(BAD),
        Status::Skipped => Span::raw("–").fg(DIM),
    }
}

fn draw_checks(f: &mut Frame, s: &State, area: Rect) {
    let done = s.checks.rows.iter().filter(|r| r.done()).count();
    let total = s.checks.rows.len().max(1);
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
                    s.checks.rows.len(),
                    w.seconds_left()
                ),
                None => format!("{done}/{}", s.checks.rows.len()),
            }),
        gauge,
    );
    let width = list.width.saturating_sub(4) as usize;
    let items: Vec<ListItem> = s
        .checks
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (what, target) = r.spec.columns();
            let secs = r.elapsed_ms.map(duration_text).unwrap_or_default();
            let detail = match r.status {
                Status::Running => "checking…".to_string(),
                _ => r.detail.clone().unwrap_or_default(),
            };
            let head = format!(" {what:<7} {:<16} {secs:>7}  ", clip(&target, 16));
            let room = width.saturating_sub(head.chars().count() + 2);
            let line = Line::from(vec![
                Span::raw(if i == s.checks.cursor { ">" } else { " " }).fg(ACCENT),
                status_span(s, r.status),
                Span::raw(head),
                Span::raw(clip(&detail, room.max(1))),
            ]);
            let item = ListItem::new(line);
            if i == s.checks.cursor {
                item.add_modifier(Modifier::REVERSED)
            } else {
                item
            }
        })
        .collect();
    f.render_widget(List::new(items).block(Block::bordered()), list);
    let sel = s.checks.rows.get(s.checks.cursor);
    let text: Vec<Line> = match sel.and_then(|r| r.diagnosis.as_ref()) {
        Some(d) => vec![
            Line::from(d.summary.clone()).fg(BAD).bold(),
            Line::from(vec![
                Span::raw("Evidence: ").fg(DIM),
                Span::raw(d.evidence.clone()),
            ]),
            Line::from(vec![
                Span::raw("Cause: ").fg(DIM),
                Span::raw(d.cause.clone()),
            ]),
            Line::from(vec![Span::raw("Fix: ").fg(DIM), Span::raw(d.fix.clone())]),
        ],
        None => match sel {
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
                r.detail.clone().unwrap_or_else(|| "waiting…".into())
            ))],
            None => vec![],
        },
    };
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().borders(Borders::ALL)),
        detail,
    );
}

fn draw_summary(f: &mut Frame, s: &State, area: Rect) {
    let Some(p) = &s.checks.profile else {
        return;
    };
    let passed = s
        .checks
        .rows
        .iter()
        .filter(|r| r.status == Status::Passed)
        .count();
    let failed = s
        .checks
        .rows
        .iter()
        .filter(|r| r.status == Status::Failed)
        .count();
    let mut lines = vec![
        if failed == 0 {
            Line::from(format!(
                "All {passed} checks passed.{}",
                match &s.checks.profile {
                    Some(p)
                        if crate::scope::ready_to_hand_over(
                            p.scope.as_ref(),
                            &p.access,
                            p.deny_mailbox.is_some(),
                            true,
                        ) =>
                        " Ready to hand over: the out-of-scope mailbox is refused.",
                    _ => "",
                }
            ))
            .fg(GOOD)
            .bold()
        } else {
            Line::from(format!("{failed} check(s) failed, {passed} passed: see the checks (esc) for each diagnosis.")).fg(BAD).bold()
        },
        Line::default(),
        Line::from("Settings for the consuming application:"),
    ];
    let settings = summary_settings(s, p);
    for (k, v) in settings {
        lines.push(Line::from(vec![
            Span::raw(format!("  {k:<16} ")).fg(DIM),
            Span::raw(v),
        ]));
    }
    lines.push(Line::default());
    let saved = if p.keyring == KeyringBackend::SessionMemory {
        format!(
            "Profile \"{}\" is saved, its secret only in this session's memory: re-check it here (esc, r) before you quit.",
            p.name
        )
    } else {
        format!(
            "Profile \"{}\" is saved; re-check any time with: m365-mail-wizard{} check {}",
            p.name,
            if s.sandbox.is_some() {
                " --sandbox"
            } else {
                ""
            },
            p.name
        )
    };
    lines.push(Line::from(saved).fg(DIM));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Summary ")),
        area,
    );
}

fn summary_settings(s: &State, p: &crate::model::Profile) -> Vec<(&'static str, String)> {
    match &s.sandbox {
        Some(sb) => p.app_settings(&sb.endpoints, crate::vault::SANDBOX_SERVICE),
        None => p.app_settings(&p.cloud().endpoints, crate::vault::SERVICE),
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

fn draw_sign_in(f: &mut Frame, s: &State, area: Rect) {
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::default());
    match &s.sign_in.code {
        Some(c) => {
            lines.push(Line::from("  Sign in as an administrator of the tenant:"));
            lines.push(Line::default());
            lines.push(Line::from(vec![
                Span::raw("  1. Open   "),
                Span::styled(c.uri.clone(), Style::default().fg(ACCENT).bold()),
            ]));
            lines.push(Line::from(vec![
                Span::raw("  2. Enter  "),
                Span::styled(
                    format!(" {} ", c.user_code),
                    Style::default().fg(ACCENT).bold().reversed(),
                ),
            ]));
            lines.push(Line::default());
            lines.push(
                Line::from(format!(
                    "  The code is valid for {} minutes. Waiting for the sign-in {}",
                    c.expires_in / 60,
                    SPINNER[(s.frame % 10) as usize]
                ))
                .fg(DIM),
            );
            lines.push(
                Line::from(
                    "  The wizard asks for: create apps, assign app roles (admin consent), grant delegated permissions.",
                )
                .fg(DIM),
            );
            if s.sandbox.is_some() {
                lines.push(Line::default());
                lines.push(
                    Line::from("  Sandbox: press a to approve as the sandbox's administrator.")
                        .fg(WARN),
                );
            }
        }
        None if s.error.is_none() => {
            lines.push(Line::from("  Asking for a sign-in code…").fg(DIM));
        }
        None => {}
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Administrator sign-in (device code) ")),
        area,
    );
}

fn draw_plan(f: &mut Frame, s: &State, area: Rect) {
    let [list, detail] = Layout::vertical([
        Constraint::Length(s.setup.plan.len() as u16 + 2),
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
    let items: Vec<ListItem> = s
        .setup
        .plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let style = if i == s.setup.plan_cursor {
                Style::default().fg(ACCENT).bold()
            } else {
                Style::default()
            };
            ListItem::new(Line::styled(
                format!(
                    "{} {:>2}. {}",
                    if i == s.setup.plan_cursor { ">" } else { " " },
                    i + 1,
                    p.title
                ),
                style,
            ))
        })
        .collect();
    f.render_widget(List::new(items).block(Block::bordered().title(who)), list);
    if let Some(p) = s.setup.plan.get(s.setup.plan_cursor) {
        let lines = vec![
            Line::from("Nothing has changed yet: enter runs every step, in this order.").fg(DIM),
            Line::from(vec![
                Span::raw("Graph:      ").fg(DIM),
                Span::raw(p.graph.clone()),
            ]),
            Line::from(vec![
                Span::raw("PowerShell: ").fg(DIM),
                Span::raw(p.powershell.clone()),
            ]),
            Line::from(vec![
                Span::raw("Changes:    ").fg(DIM),
                Span::raw(p.changes.clone()),
            ]),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered()),
            detail,
        );
    }
}

fn draw_progress(f: &mut Frame, s: &State, area: Rect) {
    let [list, detail] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
    let items: Vec<ListItem> = s
        .setup
        .rows
        .iter()
        .map(|r| {
            let (mark, style, text) = match &r.status {
                _ if r.pending => ("○".to_string(), Style::default().fg(DIM), String::new()),
                StepStatus::Running => (
                    SPINNER[(s.frame % 10) as usize].to_string(),
                    Style::default().fg(ACCENT),
                    "…".to_string(),
                ),
                StepStatus::Done(d) => ("✔".to_string(), Style::default().fg(GOOD), d.clone()),
                StepStatus::Failed(d) => {
                    ("✘".to_string(), Style::default().fg(BAD), d.summary.clone())
                }
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::raw(r.title.clone()),
                Span::raw(if text.is_empty() {
                    String::new()
                } else {
                    format!(" — {text}")
                })
                .fg(DIM),
            ]))
        })
        .collect();
    f.render_widget(List::new(items).block(Block::bordered()), list);
    let failed = s.setup.rows.iter().find_map(|r| match &r.status {
        StepStatus::Failed(d) => Some(d.clone()),
        _ => None,
    });
    if let Some(d) = failed {
        let lines = vec![
            Line::from(d.summary.clone()).fg(BAD),
            Line::from(format!("Evidence: {}", d.evidence)),
            Line::from(format!("Cause: {}", d.cause)),
            Line::from(format!("Fix: {}", d.fix)),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::bordered()),
            detail,
        );
    }
}

fn draw_guide(f: &mut Frame, s: &State, area: Rect) {
    use crate::plan::StepKind;
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(area);
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    let list: Vec<Line> = steps
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let title = match (
                s.setup.plan[*i].kind,
                s.setup.plan[*i].permission.as_deref(),
            ) {
                (StepKind::Exchange | StepKind::ExchangeTest, _) => {
                    format!("Exchange: {}", s.setup.plan[*i].title)
                }
                (_, Some(p)) => format!("Consent: {p}"),
                (StepKind::CreateApp, _) => "Register the app".into(),
                (StepKind::DelegatedConsent, _) => "Consent: delegated".into(),
                _ => "Add a secret".into(),
            };
            let (mark, style) = match n.cmp(&at) {
                std::cmp::Ordering::Less => ("✔", Style::default().fg(GOOD)),
                std::cmp::Ordering::Equal => ("●", Style::default().fg(ACCENT).bold()),
                std::cmp::Ordering::Greater => ("○", Style::default().fg(DIM)),
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(clip(&title, 25), style),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(list).block(Block::bordered().title(" In the portal ")),
        left,
    );
    let Some(step) = s.setup.plan.get(s.setup.guide) else {
        return;
    };
    let mut lines: Vec<Line> = step
        .portal
        .iter()
        .enumerate()
        .map(|(n, l)| Line::from(format!("{}. {l}", n + 1)))
        .collect();
    lines.push(Line::default());
    let form = &s.form;
    match step.kind {
        StepKind::CreateApp => {
            lines.extend(input_field(
                "Application (client) ID",
                &form.client_id,
                form.guide_field == 0,
            ));
            lines.extend(input_field(
                "Directory (tenant) ID",
                &form.guide_tenant,
                form.guide_field == 1,
            ));
        }
        StepKind::AddSecret => {
            lines.extend(input_field(
                "Secret Value (hidden as you type)",
                &form.secret,
                true,
            ));
        }
        _ => lines.push(Line::from("Press enter when it is done.").fg(DIM)),
    }
    lines.push(Line::default());
    lines.push(Line::from(format!("PowerShell instead: {}", step.powershell)).fg(DIM));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" {} ", step.title))),
        right,
    );
}
