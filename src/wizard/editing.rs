//! Typing into the text field that has the cursor, on the form or the guided path.

use super::{Input, Key, MailboxField, Screen, State, Step};
use crate::model::ScopeKind;
use crate::plan::StepKind;

fn focused_input(s: &mut State) -> Option<&mut Input> {
    let f = &mut s.form;
    match s.screen {
        Screen::Form(Step::Tenant) => Some(&mut f.tenant),
        Screen::Form(Step::ClientId) => Some(&mut f.client_id),
        Screen::Form(Step::Secret) => Some(&mut f.secret),
        Screen::Form(Step::Mailboxes) => Some(match f.mailbox_field {
            MailboxField::Reach => &mut f.mailboxes,
            MailboxField::Deny => &mut f.deny,
        }),
        Screen::Form(Step::Name) => Some(&mut f.name),
        Screen::Form(Step::AppDetails) if f.app_field == 0 => Some(&mut f.app_name),
        Screen::Form(Step::Scope) if f.scope_field == 1 => {
            Some(if f.scope() == ScopeKind::AllMailboxes {
                &mut f.confirm_all
            } else {
                &mut f.group
            })
        }
        Screen::Guide => match s.setup.plan.get(s.setup.guide).map(|p| p.kind) {
            Some(StepKind::CreateApp) if f.guide_field == 0 => Some(&mut f.client_id),
            Some(StepKind::CreateApp) => Some(&mut f.guide_tenant),
            Some(StepKind::AddSecret) if f.guide_field == 0 => Some(&mut f.secret),
            Some(StepKind::AddSecret) => Some(&mut f.guide_expires),
            _ => None,
        },
        _ => None,
    }
}

fn after_edit(s: &mut State) {
    if s.screen == Screen::Form(Step::Tenant) {
        s.form.tenant_id = None;
    }
}

/// Editing keys shared by every text field; returns whether the key was one.
pub(super) fn edit(s: &mut State, k: Key) -> bool {
    let Some(input) = focused_input(s) else {
        return false;
    };
    match k {
        Key::Char(c) => input.insert(&c.to_string()),
        Key::Backspace => input.backspace(),
        Key::Delete => input.delete(),
        Key::Left => input.left(),
        Key::Right => input.right(),
        Key::Home => input.home(),
        Key::End => input.end(),
        _ => return false,
    }
    after_edit(s);
    true
}

/// Pasted text goes into the focused field, without the line break a paste may end with.
pub(super) fn paste(s: &mut State, text: &str) {
    if let Some(input) = focused_input(s) {
        input.insert(text.trim_end_matches(['\r', '\n']));
        after_edit(s);
    }
}
