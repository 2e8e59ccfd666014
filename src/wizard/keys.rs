//! The keys the wizard understands, and the hints each screen shows (built from the same
//! state `update` reads, so the help line cannot promise a key that does nothing).

use super::{Journey, Screen, State, Step};
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
    Tab,
    BackTab,
    /// Ctrl-C: leave now, keeping what was typed as a draft.
    Interrupt,
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
    let mut out = Vec::new();
    match s.screen {
        Screen::Home if s.home.filtering => {
            out.push(h("type", "filter"));
            out.push(h("enter", "keep"));
            out.push(h("esc", "clear"));
        }
        Screen::Home if s.home.choosing_lifetime.is_some() => {
            out.push(h("←→", "lifetime"));
            out.push(h("enter", "sign in and make it"));
            out.push(h("any other key", "cancel"));
        }
        Screen::Home if s.home.forgetting.is_some() => {
            out.push(h("y", "forget it"));
            out.push(h("any other key", "keep it"));
        }
        Screen::Home => {
            out.push(h("n", "set up a new app"));
            out.push(h("c", "check an existing app"));
            if !s.home.profiles.is_empty() {
                out.push(h("↑↓", "move"));
                out.push(h("enter", "re-check"));
                out.push(h("s", "new secret"));
                out.push(h("k", "certificate"));
                out.push(h("x", "read expiry"));
                out.push(h("e", "export"));
                out.push(h("f", "forget"));
                out.push(h("/", "filter"));
                out.push(h("o", "sort"));
            }
            if s.home.draft.is_some() {
                out.push(h("d", "resume draft"));
            }
            out.push(h("q", "quit"));
        }
        Screen::Form(step) => {
            match step {
                Step::Tenant if s.sandbox.is_none() => out.push(h("↑↓", "cloud")),
                Step::Secret if s.sandbox.is_some() => out.push(h("F2", "sandbox secret")),
                Step::Access => {
                    out.push(h("space", "toggle"));
                    out.push(h("↑↓", "move"));
                }
                Step::Mailboxes => out.push(h("tab", "next field")),
                Step::Scope => {
                    if s.form.scope_field == 0 {
                        out.push(h("↑↓", "choose"));
                        out.push(h(
                            "p",
                            if s.form.exchange_script {
                                "do the Exchange part for me"
                            } else {
                                "Exchange part as a script"
                            },
                        ));
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
            out.push(h(
                "enter",
                match (step, s.form.journey) {
                    (Step::Secret, _) if s.reentry.is_some() => "store & re-check",
                    (Step::Name, Journey::Check) => "save & check",
                    (Step::Name, Journey::Setup) => "sign in",
                    _ => "next",
                },
            ));
            out.push(h("esc", "back"));
            out.push(h(
                "ctrl-c",
                if s.reentry.is_some() {
                    "quit"
                } else {
                    "quit (keeps a draft)"
                },
            ));
        }
        Screen::Guide => {
            let kind = s.setup.plan.get(s.setup.guide).map(|p| p.kind);
            if matches!(kind, Some(StepKind::CreateApp | StepKind::AddSecret)) {
                out.push(h("tab", "next field"));
            }
            if kind == Some(StepKind::AddSecret) && s.sandbox.is_some() {
                out.push(h("F2", "sandbox secret"));
            }
            let last = s.setup.guided_steps().last() == Some(&s.setup.guide);
            out.push(h("enter", if last { "save & check" } else { "done, next" }));
            out.push(h("esc", "back"));
            out.push(h("ctrl-c", "quit"));
        }
        Screen::SignIn => {
            if s.sign_in.renewing.is_none() {
                out.push(h("g", "guided instead"));
            }
            if s.sign_in.code.is_some() {
                out.push(h("o", "browser"));
                if s.sandbox.is_some() {
                    out.push(h("a", "approve (sandbox)"));
                }
            } else if s.error.is_some() {
                out.push(h("n", "new code"));
            }
            out.push(h("esc", "back"));
            out.push(h("ctrl-c", "quit"));
        }
        Screen::Plan => {
            out.push(h("↑↓", "select"));
            if s.sign_in
                .signed_in
                .as_ref()
                .is_some_and(|si| !si.lacks_rights)
            {
                out.push(h("enter", "run the plan"));
            }
            out.push(h("g", "guided instead"));
            out.push(h("esc", "back"));
        }
        Screen::Progress => {
            if !s.setup.running {
                if s.error.is_some() {
                    out.push(h("r", "resume"));
                }
                out.push(h("esc", "home"));
                out.push(h("q", "quit"));
            }
        }
        Screen::Checks => {
            out.push(h("↑↓", "select"));
            if !s.checks.running {
                out.push(h(
                    "r",
                    if s.checks.waiting.is_some() {
                        "check now"
                    } else {
                        "re-run"
                    },
                ));
                out.push(h("enter", "summary"));
            }
            out.push(h(
                "esc",
                if s.checks.waiting.is_some() {
                    "home (stop waiting)"
                } else {
                    "home"
                },
            ));
            out.push(h("q", "quit"));
        }
        Screen::Summary => {
            out.push(h("esc", "back to checks"));
            out.push(h("enter", "home"));
            out.push(h("q", "quit"));
        }
    }
    out
}
