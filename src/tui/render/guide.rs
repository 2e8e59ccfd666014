//! The guided path: the portal steps on the left; the selected one's instructions, what to
//! paste back, and its PowerShell on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::strings;
use super::theme::{DIM, GOOD, NOT_VERIFIED, WARN, step_mark};
use super::widgets::{clip, input_field, labelled_lines};
use crate::model::StepStatus;
use crate::plan::{PlanStep, StepKind};
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(40)]).areas(area);
    let steps = s.setup.guided_steps();
    let list: Vec<Line> = steps
        .iter()
        .map(|i| {
            let title = short_title(&s.setup.plan[*i]);
            let (mark, style) = match s.setup.verified.get(i) {
                _ if *i == s.setup.guide => step_mark(true, false),
                Some(StepStatus::Done(_)) => step_mark(false, true),
                Some(StepStatus::Unverified(_)) => (NOT_VERIFIED, Style::default().fg(WARN)),
                _ => step_mark(false, false),
            };
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
    let mut lines: Vec<Line> = Vec::new();
    for (n, item) in step.portal.iter().enumerate() {
        for (k, l) in item.lines().enumerate() {
            let head = if k == 0 {
                format!("{}. ", n + 1)
            } else {
                "   ".into()
            };
            lines.push(Line::from(format!("{head}{l}")));
        }
    }
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
                lines.push(Line::from(strings::APP_READ_BY_SECRET).fg(DIM));
            }
        }
        StepKind::AddSecret => {
            lines.extend(input_field(strings::SECRET_PASTED, &form.secret, true));
        }
        _ if s.guide_can_verify() => lines.push(Line::from(strings::PRESS_ENTER_WHEN_DONE).fg(DIM)),
        _ => lines.push(Line::from(strings::PRESS_ENTER_UNVERIFIED).fg(WARN)),
    }
    match s.setup.verified.get(&s.setup.guide) {
        Some(StepStatus::Done(what)) => {
            lines.push(Line::from(format!("{}{what}", strings::READ_BACK)).fg(GOOD))
        }
        Some(StepStatus::Unverified(why)) => {
            lines.push(Line::from(format!("{}{why}", strings::NOT_VERIFIED)).fg(WARN))
        }
        _ => {}
    }
    // The Exchange Online steps are their commands already; the others have an equivalent.
    if !matches!(step.kind, StepKind::Exchange | StepKind::ExchangeTest) {
        lines.push(Line::default());
        lines.extend(
            labelled_lines(strings::POWERSHELL_INSTEAD, &step.powershell)
                .into_iter()
                .map(|l| l.fg(DIM)),
        );
    }
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
