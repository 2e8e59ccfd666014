//! The guided path: the portal steps on the left; the selected one's instructions, what to
//! paste back, and its PowerShell on the right, scrolled by PgUp/PgDn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, ListItem};

use super::scrolled::{self, ListBox, PaneBox};
use super::strings;
use super::theme::{DIM, step_mark};
use super::widgets::{clip, input_field};
use super::wrap::{labelled, plain};
use crate::plan::{PlanStep, StepKind};
use crate::wizard::{State, Viewport};

pub fn draw(f: &mut Frame, s: &State, area: Rect) -> Viewport {
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(area);
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    let items: Vec<ListItem> = steps
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let title = short_title(&s.setup.plan[*i]);
            let (mark, style) = step_mark(n == at, n < at);
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
/// into, and the PowerShell that does the same, each command on a line of its own.
fn step_lines(s: &State, step: &PlanStep, width: usize) -> Vec<Line<'static>> {
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
        }
        StepKind::AddSecret => {
            lines.extend(input_field(strings::SECRET_PASTED, &form.secret, true));
        }
        _ => lines.extend(plain(
            strings::PRESS_ENTER_WHEN_DONE,
            width,
            Style::default().fg(DIM),
        )),
    }
    lines.push(Line::default());
    lines.extend(labelled(
        strings::POWERSHELL_INSTEAD,
        &step.powershell,
        width,
        Style::default().fg(DIM),
    ));
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
