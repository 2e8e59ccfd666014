//! The one entry point: each message goes to the handler of the screen it concerns.

use super::setup::{guide, plan, progress};
use super::{
    Effect, Key, Msg, Screen, State, answers, checks, editing, home, reentry, sign_in, steps,
    upkeep,
};

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => checks::tick(s),
        Msg::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Msg::Profiles(rows, broken) => home::loaded(s, rows, broken),
        Msg::Key(Key::Interrupt) => interrupt(s),
        // Behind the "terminal too small" screen nothing can be seen: only leaving acts.
        Msg::Key(Key::Char('q')) if s.too_small() => interrupt(s),
        Msg::Key(_) | Msg::Paste(_) if s.too_small() => Vec::new(),
        Msg::Key(_) | Msg::Paste(_) if s.busy.is_some() => Vec::new(),
        Msg::Paste(text) => {
            editing::paste(s, &text);
            Vec::new()
        }
        Msg::Key(k) => key(s, k),
        Msg::TenantResolved(result) => steps::tenant_resolved(s, result),
        Msg::SandboxSecret(result) => steps::sandbox_secret(s, result),
        Msg::Saved(Ok(saved)) if s.reentry.is_some() => reentry::saved(s, saved),
        Msg::Saved(result) => answers::saved(s, result),
        Msg::SecretMissing(store) => reentry::secret_missing(s, store),
        Msg::CheckEvent(i, ev) => checks::event(s, i, ev),
        Msg::ChecksDone => checks::done(s),
        Msg::CheckFailedToStart(m) => checks::failed_to_start(s, m),
        Msg::DeviceCode(result) => sign_in::device_code(s, result),
        Msg::SignedIn(Ok(si)) if s.sign_in.renewing.is_some() => upkeep::signed_in(s, si),
        Msg::SignedIn(result) => sign_in::signed_in(s, result),
        Msg::ExchangeCode(code) => sign_in::exchange_code(s, code),
        Msg::SetupStep(i, status) => progress::step(s, i, status),
        Msg::SetupDone(result) => progress::done(s, result),
        Msg::GuideChecked(i, verdict) => guide::checked(s, i, verdict),
        Msg::Exported(result) => home::exported(s, result),
        Msg::Forgotten(result) => home::forgotten(s, result),
        Msg::Renewed(result) => upkeep::renewed(s, result),
    }
}

fn key(s: &mut State, k: Key) -> Vec<Effect> {
    match s.screen {
        Screen::Home => home::key(s, k),
        Screen::Form(step) => steps::key(s, step, k),
        Screen::SignIn => sign_in::key(s, k),
        Screen::Plan => plan::key(s, k),
        Screen::Progress => progress::key(s, k),
        Screen::Guide => guide::key(s, k),
        Screen::Checks => checks::key(s, k),
        Screen::Summary => checks::summary_key(s, k),
    }
}

fn interrupt(s: &mut State) -> Vec<Effect> {
    s.quit = true;
    let mut fx = Vec::new();
    if s.screen == Screen::SignIn {
        fx.push(Effect::CancelSignIn);
    }
    if matches!(s.screen, Screen::Form(_)) && s.reentry.is_none() && s.form.touched() {
        fx.push(Effect::SaveDraft(s.form.draft()));
    }
    fx.push(Effect::Quit);
    fx
}

pub(super) fn quit(s: &mut State) -> Vec<Effect> {
    s.quit = true;
    vec![Effect::Quit]
}
