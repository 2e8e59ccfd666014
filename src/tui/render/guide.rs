//! The guided path: the portal steps on the left; the selected one's instructions, what to
//! paste back, and its PowerShell on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::strings;
use super::theme::{DIM, step_mark};
use super::widgets::{clip, input_field};
use crate::plan::{PlanStep, StepKind};
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(area);
    let steps = s.setup.guided_steps();
    let at = steps.iter().position(|i| *i == s.setup.guide).unwrap_or(0);
    let list: Vec<Line> = steps
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let title = short_title(&s.setup.plan[*i]);
            let (mark, style) = step_mark(n == at, n < at);
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(clip(&title, 25), style),
            ])
        })
        .collect();
    f.render_widget(
        Paragraph::new(list).block(Block::bordered().title(strings::IN_THE_PORTAL)),
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
        _ => lines.push(Line::from(strings::PRESS_ENTER_WHEN_DONE).fg(DIM)),
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
