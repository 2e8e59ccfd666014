//! The guided path: the portal steps on the left; the selected one's instructions, what to
//! paste back, what reading it back found, and its PowerShell on the right, scrolled by
//! PgUp/PgDn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem};

use super::scrolled::{self, ListBox, PaneBox};
use super::strings;
use super::theme::{DIM, GOOD, NOT_VERIFIED, WARN, step_mark};
use super::widgets::{clip, input_field};
use super::wrap::{labelled, plain};
use crate::model::StepStatus;
use crate::plan::{PlanStep, StepKind};
use crate::wizard::{State, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(area);
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    let items: Vec<ListItem> = steps
        .iter()
        .map(|i| {
            let title = short_title(&s.setup.plan[*i]);
            let (mark, style) = match s.setup.verified.get(i) {
                _ if *i == s.setup.guide => step_mark(true, false),
                Some(StepStatus::Done(_)) => step_mark(false, true),
                Some(StepStatus::Unverified(_)) => (NOT_VERIFIED, Style::default().fg(WARN)),
                _ => step_mark(false, false),
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(clip(&title, 25), style),
            ]))
        })
        .collect();
    let list = ListBox {
        items,
        selected: at,
        block: Block::bordered().title(strings::IN_THE_PORTAL),
    };
    let list_rows = scrolled::list(f, left, list);
    let Some(step) = s.setup.plan.get(s.setup.guide) else {
        return Viewport::default();
    };
    let width = usize::from(right.width.saturating_sub(2));
    let pane = PaneBox {
        lines: step_lines(s, step, width),
        first: s.pane,
        block: Block::bordered().title(format!(" {} ", step.title)),
        keys: "PgUp/PgDn",
    };
    let (pane_rows, pane_lines) = scrolled::pane(f, right, pane);
    Viewport {
        list_rows,
        pane_rows,
        pane_lines,
    }
}

/// The step in full, in lines of `width`: the portal's instructions, the fields to paste
/// into, what reading it back found, and the PowerShell that does the same, each command on
/// a line of its own.
fn step_lines(s: &State, step: &PlanStep, width: usize) -> Vec<Line<'static>> {
    let dim = Style::default().fg(DIM);
    let warn = Style::default().fg(WARN);
    let mut lines: Vec<Line> = step
        .portal
        .iter()
        .enumerate()
        .flat_map(|(n, l)| labelled(&format!("{}. ", n + 1), l, width, Style::default()))
        .collect();
    lines.push(Line::default());
    let form = &s.form;
    match step.kind {
        StepKind::CreateApp => {
            lines.extend(input_field(
                strings::CLIENT_ID,
                &form.client_id,
                form.guide_field == 0,
            ));
            lines.extend(input_field(
                strings::DIRECTORY_ID,
                &form.guide_tenant,
                form.guide_field == 1,
            ));
            if !s.guide_can_verify() {
                lines.extend(plain(strings::APP_READ_BY_SECRET, width, dim));
            }
        }
        StepKind::AddSecret => {
            lines.extend(input_field(strings::SECRET_PASTED, &form.secret, true));
        }
        _ if s.guide_can_verify() => {
            lines.extend(plain(strings::PRESS_ENTER_WHEN_DONE, width, dim))
        }
        _ => lines.extend(plain(strings::PRESS_ENTER_UNVERIFIED, width, warn)),
    }
    match s.setup.verified.get(&s.setup.guide) {
        Some(StepStatus::Done(what)) => lines.extend(plain(
            &format!("{}{what}", strings::READ_BACK),
            width,
            Style::default().fg(GOOD),
        )),
        Some(StepStatus::Unverified(why)) => lines.extend(plain(
            &format!("{}{why}", strings::NOT_VERIFIED),
            width,
            warn,
        )),
        _ => {}
    }
    // The Exchange Online steps are their commands already; the others have an equivalent.
    if !matches!(step.kind, StepKind::Exchange | StepKind::ExchangeTest) {
        lines.push(Line::default());
        lines.extend(labelled(
            strings::POWERSHELL_INSTEAD,
            &step.powershell,
            width,
            dim,
        ));
    }
    lines
}

/// A plan step as the list of portal steps names it.
fn short_title(step: &PlanStep) -> String {
    match (step.kind, step.permission.as_deref()) {
        (StepKind::Exchange | StepKind::ExchangeTest, _) => format!("Exchange: {}", step.title),
        (_, Some(p)) => format!("Consent: {p}"),
        (StepKind::CreateApp, _) => strings::REGISTER_THE_APP.into(),
        (StepKind::DelegatedConsent, _) => strings::DELEGATED_CONSENT.into(),
        _ => strings::ADD_A_SECRET.into(),
    }
}
