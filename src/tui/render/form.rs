//! The form screen: the journey's steps on the left, one question on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::strings;
use super::theme::{ACCENT, DIM, GOOD, WARN, focused, step_mark};
use super::widgets::{field, input_field};
use crate::catalog::catalog;
use crate::model::{AccessChoice, ScopeKind};
use crate::plan::SECRET_MONTHS;
use crate::scope::{needs_mailbox_permission, scoped_by_group_under};
use crate::wizard::{Form, Journey, MailboxField, State, Step};

pub fn draw(f: &mut Frame, s: &State, step: Step, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Length(22), Constraint::Min(40)]).areas(area);
    let tail = match s.form.journey {
        Journey::Check => strings::CHECK_TAIL,
        Journey::Setup if s.form.guided => strings::GUIDED_TAIL,
        Journey::Setup => strings::SETUP_TAIL,
    };
    let steps: Vec<Line> = Step::asked(&s.form)
        .iter()
        .map(|st| {
            let (mark, style) = step_mark(*st == step, s.step_done(*st));
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(st.title(), style),
            ])
        })
        .chain(tail.map(|t| Line::from(t).fg(DIM)))
        .collect();
    f.render_widget(
        Paragraph::new(steps).block(Block::bordered().title(strings::STEPS)),
        left,
    );
    let form = &s.form;
    let lines = match step {
        Step::Tenant => tenant(s, form),
        Step::ClientId => with_help(
            input_field(strings::CLIENT_ID, &form.client_id, true),
            strings::CLIENT_ID_HELP,
        ),
        Step::Secret => with_help(
            input_field(strings::SECRET_VALUE, &form.secret, true),
            strings::SECRET_HELP,
        ),
        Step::Access => access(form),
        Step::Scope => scope(form),
        Step::Delegated => delegated(s, form),
        Step::AppDetails => app_details(form),
        Step::Mailboxes => mailboxes(s, form),
        Step::Name => with_help(
            input_field(strings::PROFILE_NAME, &form.name, true),
            match form.journey {
                Journey::Check => strings::NAME_HELP_CHECK,
                Journey::Setup => strings::NAME_HELP_SETUP,
            },
        ),
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(strings::question(step))),
        right,
    );
}

/// A field, an empty line, and a dim line of help under it.
fn with_help<'a>(mut lines: Vec<Line<'a>>, help: &'a str) -> Vec<Line<'a>> {
    lines.push(Line::default());
    lines.push(Line::from(help).fg(DIM));
    lines
}

fn tenant<'a>(s: &State, form: &'a Form) -> Vec<Line<'a>> {
    let mut lines = vec![match &s.sandbox {
        Some(_) => Line::from(strings::SANDBOX_CLOUD).fg(DIM),
        None => Line::from(vec![
            Span::raw(strings::CLOUD).fg(DIM),
            Span::raw(format!("‹ {} ›", form.cloud.label())).fg(ACCENT),
        ]),
    }];
    lines.push(Line::default());
    lines.extend(input_field(strings::TENANT, &form.tenant, true));
    lines.push(Line::default());
    if let Some(id) = form.tenant_id {
        lines.push(Line::from(format!("Resolved: tenant ID {id}")).fg(GOOD));
    }
    lines.push(Line::from(strings::TENANT_HELP).fg(DIM));
    lines
}

/// One row of a list of options to tick: the cursor, the box, the text.
fn tick_row(under_cursor: bool, on: bool, text: &str) -> Line<'static> {
    Line::styled(
        format!(
            "{} [{}] {text}",
            if under_cursor { ">" } else { " " },
            if on { "x" } else { " " },
        ),
        if under_cursor {
            focused()
        } else {
            Style::default()
        },
    )
}

fn access(form: &Form) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = form
        .choices()
        .iter()
        .enumerate()
        .map(|(i, a)| tick_row(form.access_cursor == i, form.access.contains(a), a.label()))
        .collect();
    lines.push(tick_row(
        form.access_cursor == form.choices().len(),
        form.send_test,
        strings::SEND_TEST,
    ));
    lines.push(Line::default());
    match form.choices().get(form.access_cursor) {
        Some(a) => {
            let req = catalog().requirement(*a);
            let tone = if *a == AccessChoice::Ews { WARN } else { DIM };
            lines.push(Line::from(req.explain.clone()).fg(tone));
            lines.push(Line::from(req.scope.clone()).fg(DIM));
        }
        None => lines.push(Line::from(strings::SEND_TEST_HELP).fg(DIM)),
    }
    lines
}

fn scope(form: &Form) -> Vec<Line<'_>> {
    let chosen = form.scope();
    let mut lines: Vec<Line> = ScopeKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let on = i == form.scope_kind;
            let style = if on && form.scope_field == 0 {
                focused()
            } else if on {
                Style::default().bold()
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(if on { " (•) " } else { " ( ) " }, style),
                Span::styled(k.label(), style),
            ])
        })
        .collect();
    lines.push(Line::default());
    let tone = if chosen == ScopeKind::AllMailboxes {
        WARN
    } else {
        DIM
    };
    lines.push(Line::from(chosen.explain()).fg(tone));
    if chosen == ScopeKind::Rbac && scoped_by_group_under(chosen, &form.access) {
        lines.push(Line::from(strings::RBAC_LEAVES_OUT).fg(DIM));
    }
    if needs_mailbox_permission(chosen, &form.access) {
        lines.push(Line::from(strings::FULL_ACCESS_ANYWAY).fg(DIM));
    }
    lines.push(Line::default());
    if chosen == ScopeKind::AllMailboxes {
        lines.extend(input_field(
            strings::CONFIRM_ALL,
            &form.confirm_all,
            form.scope_field == 1,
        ));
    } else if form.group.text().is_empty() && form.scope_field != 1 {
        let placeholder = match form.name.text().trim() {
            "" => strings::DEFAULT_GROUP.to_string(),
            n => format!("m365mw-{n}"),
        };
        lines.extend(field(strings::GROUP, placeholder, false));
    } else {
        lines.extend(input_field(
            strings::GROUP,
            &form.group,
            form.scope_field == 1,
        ));
    }
    lines.push(exchange_part(form));
    lines
}

/// Whether the Exchange part is made or written as a script (`p`).
fn exchange_part(form: &Form) -> Line<'static> {
    Line::from(if form.exchange_script {
        strings::EXCHANGE_AS_SCRIPT
    } else {
        strings::EXCHANGE_DONE_FOR_ME
    })
    .fg(ACCENT)
}

fn app_details(form: &Form) -> Vec<Line<'_>> {
    let mut lines = if form.app_name.text().is_empty() && form.app_field != 0 {
        field(
            strings::APP_NAME,
            format!("m365-mail-wizard {}", form.name.text()),
            false,
        )
    } else {
        input_field(strings::APP_NAME, &form.app_name, form.app_field == 0)
    };
    lines.push(Line::default());
    let choice: Vec<Span> = SECRET_MONTHS
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            let text = format!(" {m} months ");
            let span = if i == form.months {
                Span::styled(text, focused().reversed())
            } else {
                Span::raw(text)
            };
            [span, Span::raw(" ")]
        })
        .collect();
    lines.push(Line::from(Span::raw(strings::SECRET_LIFETIME).fg(DIM)));
    lines.push(Line::from(
        [
            vec![Span::raw(if form.app_field == 1 { "> " } else { "  " })],
            choice,
        ]
        .concat(),
    ));
    lines.push(Line::default());
    lines.push(Line::from(strings::APP_DETAILS_HELP).fg(DIM));
    lines
}

fn mailboxes<'a>(s: &State, form: &'a Form) -> Vec<Line<'a>> {
    let mut lines = input_field(
        strings::REACH,
        &form.mailboxes,
        form.mailbox_field == MailboxField::Reach,
    );
    lines.push(Line::default());
    lines.extend(input_field(
        strings::DENY,
        &form.deny,
        form.mailbox_field == MailboxField::Deny,
    ));
    lines.push(Line::default());
    if let Some(sb) = &s.sandbox {
        lines.push(Line::from(format!("Sandbox mailboxes: {}", sb.mailboxes.join(", "))).fg(DIM));
    }
    lines
}

fn delegated<'a>(s: &State, form: &'a Form) -> Vec<Line<'a>> {
    let flow = form.sign_in_key();
    let on_flow = form.delegated_field == 0;
    let mut lines = vec![Line::from(vec![
        Span::raw(if on_flow { "> " } else { "  " }),
        Span::raw(strings::SIGN_IN_FLOW).fg(DIM),
        Span::styled(
            format!("‹ {flow} ›"),
            if on_flow {
                focused()
            } else {
                Style::default().fg(ACCENT)
            },
        ),
    ])];
    lines.push(Line::from(strings::flow_explained(flow)).fg(DIM));
    lines.push(tick_row(false, form.openid, strings::OPENID));
    lines.push(exchange_part(form));
    lines.push(Line::default());
    if flow == "authorization-code" {
        lines.extend(input_field(
            strings::REDIRECT_URI,
            &form.redirect_uri,
            form.delegated_field == 1,
        ));
        lines.push(Line::from(format!("e.g. {}", crate::model::REDIRECT_EXAMPLES)).fg(DIM));
    }
    lines.extend(input_field(
        strings::DELEGATED_USERS,
        &form.delegated_users,
        form.delegated_field == 2,
    ));
    lines.extend(input_field(
        strings::SHARED,
        &form.shared,
        form.delegated_field == 3,
    ));
    lines.push(Line::from(strings::DELEGATED_HELP).fg(DIM));
    if let Some(sb) = &s.sandbox {
        lines.push(Line::from(format!("Sandbox mailboxes: {}", sb.mailboxes.join(", "))).fg(DIM));
    }
    lines
}
