//! The summary after the checks: the verdict, the consuming application's settings, and how
//! to check again.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::strings;
use super::theme::{BAD, DIM, GOOD, WARN};
use crate::model::{KeyringBackend, Profile, Status};
use crate::scope::ready_to_hand_over;
use crate::vault::service;
use crate::wizard::State;

pub fn draw(f: &mut Frame, s: &State, area: Rect) {
    let Some(p) = &s.checks.profile else {
        return;
    };
    let count = |status: Status| s.checks.rows.iter().filter(|r| r.status == status).count();
    let (passed, failed) = (count(Status::Passed), count(Status::Failed));
    let verdict = if failed == 0 {
        let handover =
            ready_to_hand_over(p.scope.as_ref(), &p.access, p.deny_mailbox.is_some(), true);
        Line::from(format!(
            "All {passed} checks passed.{}",
            if handover {
                strings::READY_TO_HAND_OVER
            } else {
                ""
            }
        ))
        .fg(GOOD)
        .bold()
    } else {
        Line::from(format!(
            "{failed} check(s) failed, {passed} passed: see the checks (esc) for each diagnosis."
        ))
        .fg(BAD)
        .bold()
    };
    let mut lines = vec![verdict];
    if !s.checks.unverified.is_empty() {
        lines.push(
            Line::from(format!(
                "{}{}",
                strings::NOT_VERIFIED_IN_GUIDE,
                s.checks.unverified.join("; ")
            ))
            .fg(WARN),
        );
    }
    lines.extend([Line::default(), Line::from(strings::SETTINGS)]);
    for (k, v) in settings(s, p) {
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
            .block(Block::bordered().title(strings::SUMMARY)),
        area,
    );
}

fn settings(s: &State, p: &Profile) -> Vec<(&'static str, String)> {
    match &s.sandbox {
        Some(sb) => p.app_settings(&sb.endpoints, service(true)),
        None => p.app_settings(&p.cloud().endpoints, service(false)),
    }
}
