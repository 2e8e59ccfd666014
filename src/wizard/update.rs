//! The one entry point: each message goes to the handler of the screen it concerns.

use super::scroll::{self, PaneKey};
use super::setup::{guide, plan, progress};
use super::{
    Effect, Key, Msg, Screen, State, answers, as_user, audit, checks, drafts, editing, home,
    reentry, sign_in, steps, upkeep,
};

pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => checks::tick(s),
        Msg::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Msg::Viewport(v) => {
            s.viewport = v;
            s.pane = s.pane.min(v.pane_end());
            Vec::new()
        }
        Msg::Profiles(rows, broken) => home::loaded(s, rows, broken),
        Msg::Key(Key::Interrupt) | Msg::Terminate => interrupt(s),
        Msg::Migrations(found) => {
            s.home.migrations = found.into_iter().collect();
            Vec::new()
        }
        Msg::DraftLoaded(draft, unfinished) => home::draft_loaded(s, draft.map(|d| *d), unfinished),
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
        Msg::UserCode(code) => as_user::code(s, code),
        Msg::BrowserSignIn(view) => sign_in::browser(s, view),
        Msg::DeviceCodeBlocked(why) => sign_in::blocked(s, why),
        Msg::SignedIn(Ok(si)) if s.sign_in.renewing.is_some() => upkeep::signed_in(s, si),
        Msg::SignedIn(result) => sign_in::signed_in(s, result),
        Msg::ExchangeCode(code) => sign_in::exchange_code(s, code),
        Msg::SignInExpired => sign_in::expired(s),
        Msg::AppNameTaken { client_id } => progress::name_taken(s, client_id),
        Msg::SecretsForbidden { policy, diagnosis } => {
            progress::secrets_forbidden(s, policy, diagnosis)
        }
        Msg::SetupStep(i, status) => progress::step(s, i, status),
        Msg::SetupDone(result) => progress::done(s, result),
        Msg::GuideChecked(i, verdict) => guide::checked(s, i, verdict),
        Msg::Exported(result) => home::exported(s, result),
        Msg::Forgotten(result) => home::forgotten(s, result),
        Msg::Renewed(result) => upkeep::renewed(s, result),
        Msg::UpkeepPlan(profile, what, plan) => upkeep::planned(s, *profile, what, plan),
        Msg::UpkeepProgress(text) => upkeep::progress(s, text),
        Msg::AuditProgress(text) => audit::progress(s, text),
        Msg::Audited(result) => audit::done(s, result),
        Msg::AuditWritten(result) => audit::written(s, result),
        Msg::UnsavedHeld(app, result) => super::unsaved::held(s, app, result),
        Msg::NewSecret(name, value) => upkeep::new_secret(s, name, value),
    }
}

fn key(s: &mut State, k: Key) -> Vec<Effect> {
    if s.help {
        s.help = false;
        return Vec::new();
    }
    // A secret on the screen goes with the next key, whatever it is.
    if s.screen == Screen::Home && matches!(s.home.show_once, Some(super::ShowOnce::Shown(..))) {
        return home::key(s, k);
    }
    let typing = editing::typing(s);
    match k {
        Key::Help => {
            s.help = true;
            return Vec::new();
        }
        Key::Char('?') if !typing => {
            s.help = true;
            return Vec::new();
        }
        Key::Char('q') if !typing => return interrupt(s),
        _ => {}
    }
    if let Some(way) = pane_key(s, k) {
        s.pane = scroll::pane_scrolled(s.pane, way, s.viewport);
        return Vec::new();
    }
    let before = selection(s);
    let fx = match s.screen {
        Screen::Home => home::key(s, k),
        Screen::Form(step) => steps::key(s, step, k),
        Screen::SignIn => sign_in::key(s, k),
        Screen::Plan => plan::key(s, k),
        Screen::Progress => progress::key(s, k),
        Screen::Guide => guide::key(s, k),
        Screen::Checks => checks::key(s, k),
        Screen::Summary => checks::summary_key(s, k),
        Screen::Audit => audit::key(s, k),
        Screen::AsUser => as_user::key(s, k),
    };
    if selection(s) != before {
        s.pane = 0;
    }
    fx
}

/// The keys that scroll the detail pane of the screens that have one: shift-↑↓ everywhere,
/// J/K beside a list (those screens have no text field), PgUp/PgDn on the guided path (whose
/// step list the keys do not move; its text fields take letters).
fn pane_key(s: &State, k: Key) -> Option<PaneKey> {
    let list_beside = matches!(
        s.screen,
        Screen::Plan | Screen::Progress | Screen::Checks | Screen::Audit
    ) && !editing::typing(s);
    let guide = s.screen == Screen::Guide;
    match k {
        Key::ShiftUp if list_beside || guide => Some(PaneKey::Up),
        Key::ShiftDown if list_beside || guide => Some(PaneKey::Down),
        Key::Char('K') if list_beside => Some(PaneKey::Up),
        Key::Char('J') if list_beside => Some(PaneKey::Down),
        Key::PageUp if guide => Some(PaneKey::Up),
        Key::PageDown if guide => Some(PaneKey::Down),
        _ => None,
    }
}

/// What the detail pane shows depends on: the screen and the selection in its list.
fn selection(s: &State) -> (Screen, [usize; 6]) {
    (
        s.screen,
        [
            s.home.cursor,
            s.setup.plan_cursor,
            s.setup.progress_cursor,
            s.setup.guide,
            s.checks.cursor,
            s.audit.cursor,
        ],
    )
}

/// Leaving, by ctrl-c, q, esc on the home screen or a signal: every way out goes through here,
/// keeping a draft of the work under way.
pub(super) fn interrupt(s: &mut State) -> Vec<Effect> {
    s.quit = true;
    let mut fx = Vec::new();
    if s.screen == Screen::SignIn {
        fx.push(Effect::CancelSignIn);
    }
    if let Some(d) = drafts::of(s) {
        fx.push(Effect::SaveDraft(Box::new(d)));
    }
    fx.extend(super::batch::abandon(s));
    fx.push(Effect::Quit);
    fx
}
