//! The keys the wizard understands, and the hints each screen shows (built from the same
//! state `update` reads, so neither the bottom line nor the help can promise a key that does
//! nothing).

use super::{Journey, Screen, State, Step, editing};
use crate::model::AccessChoice;
use crate::model::SignInMethod;
use crate::plan::StepKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    /// Shift-↑ and shift-↓: scroll the detail pane.
    ShiftUp,
    ShiftDown,
    Tab,
    BackTab,
    /// Ctrl-C: leave now, keeping what was typed as a draft.
    Interrupt,
    /// F1: the help of the current screen.
    Help,
    /// F2: in the sandbox, fill in the secret of the sandbox app whose client id was typed.
    FillSandboxSecret,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    pub key: &'static str,
    pub action: &'static str,
}

const fn h(key: &'static str, action: &'static str) -> Hint {
    Hint { key, action }
}

pub fn hints(s: &State) -> Vec<Hint> {
    let typing = editing::typing(s);
    let mut out = Vec::new();
    match s.screen {
        Screen::Home if s.home.filtering => {
            out.extend([h("type", "filter"), h("enter", "keep"), h("esc", "clear")]);
        }
        Screen::Home if s.home.choosing_lifetime.is_some() => out.extend([
            h("←→", "lifetime"),
            h("enter", "sign in and make it"),
            h("any other key", "cancel"),
        ]),
        Screen::Home if s.home.forgetting.is_some() => {
            out.extend([h("y", "forget it"), h("any other key", "keep it")]);
        }
        Screen::Home if s.home.confirming.is_some() => {
            out.extend([h("y", "carry it out"), h("any other key", "cancel")]);
        }
        Screen::Home if s.home.discarding => {
            out.extend([h("y", "discard it"), h("any other key", "keep it")]);
        }
        Screen::Home if matches!(s.home.show_once, Some(super::ShowOnce::Shown(..))) => {
            // Every key, q and ? too, only clears the secret from the screen.
            return vec![h("any key", "clear it")];
        }
        Screen::Home => {
            out.extend([
                h("n", "set up a new app"),
                h("g", "guided setup"),
                h("c", "check an existing app"),
            ]);
            if s.home.on_draft {
                out.extend([h("enter", "resume draft"), h("f", "discard draft")]);
                if !s.home.profiles.is_empty() {
                    out.push(h("↓", "profiles"));
                }
            } else {
                if matches!(s.home.show_once, Some(super::ShowOnce::Ready(..))) {
                    out.push(h("v", "show new secret once"));
                }
                if s.selected_profile()
                    .and_then(|r| r.profile.rotation.as_ref())
                    .is_some_and(|r| r.awaits_removal())
                {
                    out.push(h("w", "remove old secret"));
                }
                if !s.home.profiles.is_empty() {
                    out.extend(PROFILE_KEYS);
                }
                if s.selected_profile()
                    .is_some_and(|r| super::can_check_as_user(&r.profile))
                {
                    out.push(AS_USER);
                }
                if s.selected_profile()
                    .is_some_and(|r| s.home.migrations.contains_key(&r.profile.name))
                {
                    out.push(h("U", "undo migration"));
                }
                if s.home.draft.is_some() {
                    out.push(h("d", "resume draft"));
                }
            }
        }
        Screen::Form(step) => {
            match step {
                Step::Tenant if s.sandbox.is_none() => out.push(h("↑↓", "cloud")),
                Step::Secret if s.sandbox.is_some() => out.push(h("F2", "sandbox secret")),
                Step::Access => out.extend([h("space", "toggle"), h("↑↓", "move")]),
                Step::Mailboxes => out.push(h("tab", "next field")),
                Step::Scope => {
                    if s.form.scope_field == 0 {
                        let p_does = if s.form.exchange_script {
                            "do the Exchange part for me"
                        } else {
                            "Exchange part as a script"
                        };
                        out.extend([h("↑↓", "choose"), h("p", p_does)]);
                    }
                    out.push(h("tab", "next field"));
                }
                Step::Delegated => {
                    if s.form.delegated_field == 0 {
                        let o_does = if s.form.openid {
                            "leave openid out"
                        } else {
                            "ask openid too"
                        };
                        let p_does = if s.form.exchange_script {
                            "do the Exchange part for me"
                        } else {
                            "Exchange part as a script"
                        };
                        out.extend([h("←→", "sign-in flow"), h("o", o_does), h("p", p_does)]);
                    }
                    out.push(h("tab", "next field"));
                }
                Step::AppDetails => {
                    out.push(h("tab", "next field"));
                    if s.form.app_field == 1 {
                        out.push(h("←→", "lifetime"));
                    }
                }
                _ => {}
            }
            let enter_does = match (step, s.form.journey) {
                (Step::Secret, _) if s.reentry.is_some() => "store & re-check",
                (Step::Name, Journey::Check) => "save & check",
                (Step::Name, Journey::Setup) if s.form.guided => "to the portal steps",
                (Step::Name, Journey::Setup) => "sign in",
                (Step::AppDetails, _) if s.setup.renaming => "run the setup again",
                _ => "next",
            };
            out.extend([h("enter", enter_does), h("esc", "back")]);
        }
        Screen::Guide => {
            let kind = s.setup.plan.get(s.setup.guide).map(|p| p.kind);
            if matches!(kind, Some(StepKind::CreateApp | StepKind::AddSecret)) {
                out.push(h("tab", "next field"));
            }
            if kind == Some(StepKind::AddSecret) && s.sandbox.is_some() {
                out.push(h("F2", "sandbox secret"));
            }
            out.push(h("PgUp/PgDn", "scroll"));
            let last = s.setup.guided_steps().last() == Some(&s.setup.guide);
            let enter_does = match (s.guide_can_verify(), last) {
                (true, false) => "verify, next",
                (true, true) => "verify, save & check",
                (false, false) => "next (not verified)",
                (false, true) => "save & check (not verified)",
            };
            out.push(h("enter", enter_does));
            out.push(h("esc", "back"));
        }
        Screen::SignIn => {
            if s.sign_in.renewing.is_none() {
                out.push(h("g", "guided instead"));
            }
            if s.sign_in.code.is_some() || s.sign_in.browser.is_some() {
                out.push(h("o", "browser"));
                if s.sandbox.is_some() {
                    out.push(h("a", "approve (sandbox)"));
                }
            } else if s.error.is_some() {
                out.push(h("n", "new code"));
            }
            out.push(match s.sign_in.method {
                SignInMethod::DeviceCode => h("b", "browser sign-in"),
                SignInMethod::Browser => h("d", "device code instead"),
            });
            out.push(h("esc", "back"));
        }
        Screen::Plan => {
            out.extend([MOVE, SCROLL]);
            if s.sign_in
                .signed_in
                .as_ref()
                .is_some_and(|si| !si.lacks_rights)
            {
                out.push(h("enter", "run the plan"));
            }
            if s.form.access.contains(&AccessChoice::Ews) {
                out.push(if s.form.decline_ews_allow_list {
                    h("l", "add to EWS allow list")
                } else {
                    h("l", "decline EWS allow list")
                });
            }
            out.extend([h("g", "guided instead"), h("esc", "back")]);
        }
        Screen::Progress => {
            out.extend([MOVE, SCROLL]);
            if !s.setup.running && s.setup.secrets_forbidden.is_some() {
                out.extend([h("c", "certificate instead"), h("r", "resume")]);
                out.push(h("esc", "home"));
            } else if !s.setup.running && s.setup.name_taken.is_some() {
                out.extend([h("u", "use the existing app"), h("e", "another name")]);
                out.push(h("esc", "home"));
            } else if !s.setup.running {
                if s.error.is_some() {
                    out.push(h("r", "resume"));
                }
                out.push(h("esc", "home"));
            }
        }
        Screen::Checks => {
            let (r_does, esc_does) = match s.checks.waiting {
                Some(_) => ("check now", "home (stop waiting)"),
                None => ("re-run", "home"),
            };
            out.extend([MOVE, SCROLL]);
            let user_run = s.checks.user_run.as_ref();
            if s.sandbox.is_some() && user_run.is_some_and(|r| r.code.is_some()) {
                out.push(h("a", "approve as the user (sandbox)"));
            }
            if !s.checks.running {
                out.extend([h("r", r_does), h("enter", "summary")]);
                if s.checks
                    .profile
                    .as_ref()
                    .is_some_and(super::can_check_as_user)
                {
                    out.push(AS_USER);
                }
            }
            if s.checks.running && user_run.is_some() {
                out.push(h("esc", "cancel the check"));
            } else {
                out.push(h("esc", esc_does));
            }
        }
        Screen::AsUser => {
            out.push(h("tab", "next field"));
            if s.checks.as_user.field == 1 {
                out.push(h("←→", "how the user signs in"));
            }
            out.extend([h("enter", "check as this user"), h("esc", "back")]);
        }
        Screen::Summary => out.extend([h("esc", "back to checks"), h("enter", "home")]),
        Screen::Audit if s.audit.export.is_some() => out.extend([
            h("type", "file name"),
            h("enter", "write it"),
            h("esc", "write nothing"),
        ]),
        Screen::Audit if s.audit.unsaved.is_some() => out.extend([
            h("type", "secret or mailboxes"),
            h("tab", "next field"),
            h("enter", "next, then migrate"),
            h("esc", "skip this app"),
        ]),
        Screen::Audit => {
            if s.audit.audit.as_ref().is_some_and(|a| !a.rows.is_empty()) {
                out.extend([MOVE, SCROLL]);
            }
            if s.audit.audit.as_ref().is_some_and(|a| !a.rows.is_empty()) {
                out.push(h("space", "mark for migration"));
            }
            if !s.audit.marked.is_empty() {
                out.push(h("M", "migrate marked"));
            }
            if s.audit.audit.is_some() {
                out.extend([h("w", "write report"), h("j", "write JSON")]);
            }
            out.push(h("esc", "home"));
        }
    }
    let filtering = s.screen == Screen::Home && s.home.filtering;
    if !filtering {
        out.push(quit_hint(s, typing));
    }
    out.push(if typing {
        h("F1", "help")
    } else {
        h("?", "help")
    });
    out
}

/// `q` where keys are not text, else ctrl-c; both leave the same way.
fn quit_hint(s: &State, typing: bool) -> Hint {
    let key = if typing { "ctrl-c" } else { "q" };
    // Re-entering a missing secret is no journey a draft could resume.
    match s.screen {
        Screen::Form(_) if s.reentry.is_none() => h(key, "quit (keeps a draft)"),
        _ => h(key, "quit"),
    }
}

/// The check of a profile's delegated part as one of its mailbox users.
const AS_USER: Hint = h("u", "check as a mailbox user");

/// A list's keys, and the detail pane's below it.
const MOVE: Hint = h("↑↓", "select");
const SCROLL: Hint = h("J/K", "scroll");

/// What the home screen offers for the profile under the cursor.
const PROFILE_KEYS: [Hint; 12] = [
    h("↑↓", "move"),
    h("enter", "re-check"),
    h("s", "new secret"),
    h("k", "certificate"),
    h("x", "read expiry"),
    h("e", "export"),
    h("m", "migrate to RBAC"),
    h("R", "remove from tenant"),
    h("a", "audit tenant"),
    h("f", "forget"),
    h("/", "filter"),
    h("o", "sort"),
];
