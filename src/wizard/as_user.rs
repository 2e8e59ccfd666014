//! The delegated style's live check as a mailbox user: a small form (which user, and whether
//! the user signs in with a device code or the password flow), then a run of the checks whose
//! delegated rows are that user's, with the user's device code shown while it waits.

use super::{CodeView, Effect, Input, Key, Screen, SecretBox, State};
use crate::model::{CheckEvent, CheckKind, Mailbox, Profile, Secret, check_plan_as};

/// The form: who signs in and how. The password lives here only while it is typed.
#[derive(Debug)]
pub struct AsUserForm {
    pub user: Input,
    pub password_flow: bool,
    pub password: Input,
    /// 0: the user; 1: how the user signs in; 2: the password (password flow only).
    pub field: usize,
    /// The form was opened from the home screen (esc goes back there), else from the checks.
    pub from_home: bool,
}

impl Default for AsUserForm {
    fn default() -> AsUserForm {
        AsUserForm {
            user: Input::default(),
            password_flow: false,
            password: Input::masked(),
            field: 0,
            from_home: false,
        }
    }
}

/// The run of the checks as a mailbox user, while it lasts and after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRun {
    pub user: Mailbox,
    pub password_flow: bool,
    /// The user's device code, until the user's sign-in ends.
    pub code: Option<CodeView>,
}

/// What the executor needs to sign the user in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserCheck {
    pub user: Mailbox,
    /// The password flow's password; none: a device code.
    pub password: Option<SecretBox>,
}

/// Whether the profile has a delegated part to check as a mailbox user.
pub fn can_check_as_user(p: &Profile) -> bool {
    p.delegated.is_some()
}

/// Opens the form for `profile`, its first delegated user filled in.
pub(super) fn open(s: &mut State, profile: Profile, from_home: bool) -> Vec<Effect> {
    let first = profile
        .delegated
        .as_ref()
        .and_then(|d| d.users.first())
        .map(|m| m.to_string())
        .unwrap_or_default();
    if s.checks.profile.as_ref().map(|p| &p.name) != Some(&profile.name) {
        s.checks.secret = None;
        s.checks.unverified.clear();
    }
    s.checks.profile = Some(profile);
    s.checks.as_user = AsUserForm {
        user: Input::new(&first),
        from_home,
        ..AsUserForm::default()
    };
    s.error = None;
    s.notice = None;
    s.screen = Screen::AsUser;
    Vec::new()
}

/// The text field that has the cursor on the form, if any.
pub(super) fn focused_input(s: &mut State) -> Option<&mut Input> {
    let f = &mut s.checks.as_user;
    match f.field {
        0 => Some(&mut f.user),
        2 => Some(&mut f.password),
        _ => None,
    }
}

pub(super) fn typing(s: &State) -> bool {
    s.screen == Screen::AsUser && s.checks.as_user.field != 1
}

fn fields(f: &AsUserForm) -> usize {
    if f.password_flow { 3 } else { 2 }
}

pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    if super::editing::edit(s, k) {
        return Vec::new();
    }
    let f = &mut s.checks.as_user;
    match k {
        Key::Tab | Key::Down => f.field = (f.field + 1) % fields(f),
        Key::BackTab | Key::Up => f.field = (f.field + fields(f) - 1) % fields(f),
        Key::Left | Key::Right | Key::Char(' ') if f.field == 1 => {
            f.password_flow = !f.password_flow;
            if !f.password_flow {
                f.password.clear();
            }
        }
        Key::Esc => {
            f.password.clear();
            s.error = None;
            if f.from_home {
                s.screen = Screen::Home;
                return vec![Effect::LoadProfiles];
            }
            s.screen = Screen::Checks;
        }
        Key::Enter => return submit(s),
        _ => {}
    }
    Vec::new()
}

/// Checks the answers; on a mistake the message says which, and everything typed stays.
fn submit(s: &mut State) -> Vec<Effect> {
    let f = &mut s.checks.as_user;
    let user = match Mailbox::parse(f.user.text()) {
        Ok(u) => u,
        Err(e) => {
            f.field = 0;
            s.error = Some(format!("The mailbox user: {e}."));
            return Vec::new();
        }
    };
    let password = if f.password_flow {
        if f.password.text().is_empty() {
            f.field = 2;
            s.error = Some(format!(
                "Type {user}'s password, or choose the device code (← → on \"Signs in with\")."
            ));
            return Vec::new();
        }
        let p = Secret::new(f.password.text());
        f.password.clear();
        Some(SecretBox(p))
    } else {
        None
    };
    start(s, UserCheck { user, password })
}

/// Runs the profile's checks with `check`'s user signing in for the delegated rows.
fn start(s: &mut State, check: UserCheck) -> Vec<Effect> {
    let Some(p) = s.checks.profile.clone() else {
        return Vec::new();
    };
    let users = [check.user.clone()];
    let specs = check_plan_as(&p, Some(&users));
    s.checks.waiting = None;
    super::checks::run(s, p, specs, Some(check))
}

/// The user's device code, to show while the user signs in.
pub(super) fn code(s: &mut State, code: CodeView) -> Vec<Effect> {
    if let Some(run) = s.checks.user_run.as_mut()
        && s.checks.running
    {
        run.code = Some(code);
    }
    Vec::new()
}

/// A row's event: once the user's sign-in has ended, its code goes from the screen.
pub(super) fn event(s: &mut State, i: usize, ev: &CheckEvent) {
    let ended = matches!(
        ev,
        CheckEvent::Passed { .. } | CheckEvent::Failed { .. } | CheckEvent::Skipped { .. }
    );
    let token_row = s
        .checks
        .rows
        .get(i)
        .is_some_and(|r| r.spec.kind == CheckKind::UserToken);
    if ended
        && token_row
        && let Some(run) = s.checks.user_run.as_mut()
    {
        run.code = None;
    }
}

/// Esc while a user's check runs: the run stops (its sign-in too), nothing is recorded, and
/// the rows not reached say so.
pub(super) fn cancel(s: &mut State) -> Vec<Effect> {
    s.checks.running = false;
    let user = match s.checks.user_run.as_mut() {
        Some(run) => {
            run.code = None;
            run.user.to_string()
        }
        None => String::new(),
    };
    for r in s.checks.rows.iter_mut().filter(|r| !r.done()) {
        r.apply(CheckEvent::Skipped {
            reason: "not run: the check was cancelled".into(),
        });
    }
    s.notice = Some(format!(
        "The check as {user} was cancelled: nothing was recorded. Esc goes home."
    ));
    vec![Effect::CancelChecks]
}
