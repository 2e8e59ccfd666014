//! Pasting a profile's secret again when the keyring holds none for it: the secret step
//! alone, over the form, which comes back as it was when this ends.

use crate::model::KeyringBackend;

use super::{
    Effect, Form, Input, Journey, Key, Saved, Screen, SecretBox, State, Step, answers, checks,
};

/// The checks found no secret for the profile: on the checks screen, the secret step asks for
/// it; anywhere else the news is only told.
pub(super) fn secret_missing(s: &mut State, store: String) -> Vec<Effect> {
    s.checks.waiting = None;
    s.checks.running = false;
    if s.screen != Screen::Checks || s.reentry.is_some() {
        // The checks screen was left meanwhile: say it, but take nobody anywhere.
        s.error = Some(format!(
            "The {store} holds no secret for {}: re-check it to paste the secret again.",
            s.checks
                .profile
                .as_ref()
                .map_or("the profile", |p| p.name.as_str())
        ));
        return Vec::new();
    }
    match &s.checks.profile {
        Some(p) if !p.credential.is_secret() => {
            s.screen = Screen::Home;
            s.error = Some(format!(
                "The {store} holds no private key for {}: press k to make and register a new certificate.",
                p.name
            ));
        }
        Some(p) => {
            let mut form = Form {
                client_id: Input::new(&p.client_id.to_string()),
                ..Form::default()
            };
            form.set_journey(Journey::Check);
            s.reentry = Some(Box::new(std::mem::replace(&mut s.form, form)));
            s.screen = Screen::Form(Step::Secret);
            s.error = Some(if p.keyring == KeyringBackend::SessionMemory {
                format!(
                    "{}'s secret was kept only in the memory of an earlier run (no keyring was reachable then). Paste the secret's Value to store it again, or esc to go back.",
                    p.name
                )
            } else {
                format!(
                    "The {store} holds no secret for {} (removed, or another machine). Paste the secret's Value to store it again, or esc to go back.",
                    p.name
                )
            });
        }
        None => s.error = Some(format!("The {store} holds no secret for this profile.")),
    }
    Vec::new()
}

/// Enter or esc on the secret step when it stores a missing secret again.
pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    s.error = None;
    s.notice = None;
    let Some(profile) = s.checks.profile.clone().filter(|_| k == Key::Enter) else {
        if let Some(form) = s.reentry.take() {
            s.form = *form;
        }
        s.checks.secret = None;
        s.screen = Screen::Home;
        return Vec::new();
    };
    let Some(secret) = answers::pasted_secret(s) else {
        return Vec::new();
    };
    // The re-entry ends when the save has worked: a failed one can be tried again.
    s.busy = Some("Saving the secret to the keyring…".into());
    s.checks.secret = Some(secret.clone());
    vec![Effect::Save {
        profile: Box::new(profile),
        secret: SecretBox(secret),
    }]
}

/// The secret is stored again: the form comes back and the checks run again.
pub(super) fn saved(s: &mut State, saved: Saved) -> Vec<Effect> {
    s.busy = None;
    answers::note_store(s, &saved);
    s.notice = Some(
        saved
            .note
            .unwrap_or_else(|| format!("Secret stored in the {}; checking again.", saved.store)),
    );
    if let Some(form) = s.reentry.take() {
        s.form = *form;
    }
    checks::start(s)
}
