//! The plan screen: every step with its Graph call and PowerShell, before anything changes.

use super::{guide, progress};
use crate::model::AccessChoice;
use crate::wizard::{Effect, Key, Screen, State, Step, answers, scroll};

pub(in crate::wizard) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let page = s.viewport.list_rows;
    if scroll::move_by(&mut s.setup.plan_cursor, s.setup.plan.len(), k, page) {
        return Vec::new();
    }
    match k {
        // The administrator stays signed in: coming forward again asks for no new code.
        Key::Esc => {
            s.error = None;
            s.screen = Screen::Form(Step::Name);
        }
        Key::Enter
            if s.sign_in
                .signed_in
                .as_ref()
                .is_some_and(|si| !si.lacks_rights) =>
        {
            return progress::run(s);
        }
        // The administrator declines (or takes back) adding the app to an enforced EWS allow
        // list: the plan is made again and says what follows.
        Key::Char('l') if s.form.access.contains(&AccessChoice::Ews) => {
            s.form.decline_ews_allow_list = !s.form.decline_ews_allow_list;
            if let Err(fx) = answers::build_order(s) {
                return fx;
            }
        }
        Key::Char('g') => {
            let mut fx = vec![Effect::CancelSignIn];
            fx.extend(guide::start(s));
            return fx;
        }
        _ => {}
    }
    Vec::new()
}
