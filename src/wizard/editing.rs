//! Typing into the text field that has the cursor, on the form or the guided path.

use super::{Form, Input, Key, MailboxField, Screen, State, Step};
use crate::model::ScopeKind;
use crate::plan::StepKind;

/// The text fields of the form and of the guided path.
#[derive(Clone, Copy)]
enum Field {
    Tenant,
    ClientId,
    Secret,
    Reach,
    Deny,
    Name,
    AppName,
    ConfirmAll,
    Group,
    GuideTenant,
    GuideExpires,
    RedirectUri,
    DelegatedUsers,
    Shared,
}

/// The text field that has the cursor, if any.
fn focused(s: &State) -> Option<Field> {
    let f = &s.form;
    match s.screen {
        Screen::Form(Step::Tenant) => Some(Field::Tenant),
        Screen::Form(Step::ClientId) => Some(Field::ClientId),
        Screen::Form(Step::Secret) => Some(Field::Secret),
        Screen::Form(Step::Mailboxes) => Some(match f.mailbox_field {
            MailboxField::Reach => Field::Reach,
            MailboxField::Deny => Field::Deny,
        }),
        Screen::Form(Step::Name) => Some(Field::Name),
        Screen::Form(Step::AppDetails) if f.app_field == 0 => Some(Field::AppName),
        Screen::Form(Step::Delegated) => match f.delegated_field {
            1 => Some(Field::RedirectUri),
            2 => Some(Field::DelegatedUsers),
            3 => Some(Field::Shared),
            _ => None,
        },
        Screen::Form(Step::Scope) if f.scope_field == 1 => {
            Some(if f.scope() == ScopeKind::AllMailboxes {
                Field::ConfirmAll
            } else {
                Field::Group
            })
        }
        Screen::Guide => match s.setup.plan.get(s.setup.guide).map(|p| p.kind) {
            Some(StepKind::CreateApp) if f.guide_field == 0 => Some(Field::ClientId),
            Some(StepKind::CreateApp) => Some(Field::GuideTenant),
            Some(StepKind::AddSecret) if f.guide_field == 0 => Some(Field::Secret),
            Some(StepKind::AddSecret) => Some(Field::GuideExpires),
            _ => None,
        },
        _ => None,
    }
}

fn input(f: &mut Form, field: Field) -> &mut Input {
    match field {
        Field::Tenant => &mut f.tenant,
        Field::ClientId => &mut f.client_id,
        Field::Secret => &mut f.secret,
        Field::Reach => &mut f.mailboxes,
        Field::Deny => &mut f.deny,
        Field::Name => &mut f.name,
        Field::AppName => &mut f.app_name,
        Field::ConfirmAll => &mut f.confirm_all,
        Field::Group => &mut f.group,
        Field::GuideTenant => &mut f.guide_tenant,
        Field::GuideExpires => &mut f.guide_expires,
        Field::RedirectUri => &mut f.redirect_uri,
        Field::DelegatedUsers => &mut f.delegated_users,
        Field::Shared => &mut f.shared,
    }
}

fn focused_input(s: &mut State) -> Option<&mut Input> {
    if s.screen == Screen::AsUser {
        return super::as_user::focused_input(s);
    }
    if s.screen == Screen::Audit && s.audit.unsaved.is_some() {
        return super::unsaved::focused_input(s);
    }
    if s.screen == Screen::Audit {
        return s.audit.export.as_mut().map(|e| &mut e.path);
    }
    focused(s).map(|field| input(&mut s.form, field))
}

/// Whether keys are text: a text field has the cursor, the home screen's filter is typed, or
/// the audit's file name.
pub(super) fn typing(s: &State) -> bool {
    focused(s).is_some()
        || (s.screen == Screen::Home && s.home.filtering)
        || super::as_user::typing(s)
        || (s.screen == Screen::Audit && (s.audit.export.is_some() || s.audit.unsaved.is_some()))
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
