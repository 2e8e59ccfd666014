//! An app of the audit the wizard has no profile for, on its turn among the marked apps: its
//! client secret (masked), the mailboxes it must reach and the one it must not, asked on the
//! audit screen. Enter goes to the next field and on the last one migrates the app as for a
//! profile's; esc skips the app.

use super::batch;
use super::upkeep::upkeep_sign_in;
use super::{Effect, Input, Key, Screen, SecretBox, State, Upkeep, editing};
use crate::model::{ClientId, Mailbox, Profile, Secret};

/// What is asked of an app with no profile.
#[derive(Debug)]
pub struct UnsavedForm {
    /// The app's name, printable.
    pub app: String,
    pub client_id: ClientId,
    /// The client secret's Value: masked, never shown.
    pub secret: Input,
    pub mailboxes: Input,
    pub deny: Input,
    /// 0: the secret; 1: the mailboxes to reach; 2: the mailbox to refuse.
    pub field: usize,
}

/// The form of the app `app` (`client_id`), on the audit screen.
pub(super) fn ask(s: &mut State, app: String, client_id: ClientId) -> Vec<Effect> {
    let place = batch::place(s).unwrap_or_default();
    s.error = None;
    s.notice = Some(format!(
        "{place} {app} has no profile here: its live checks sign in as the app, so type its client secret (never shown, held in memory for this migration only), the mailboxes it must reach and one it must not. Esc skips it."
    ));
    s.audit.unsaved = Some(UnsavedForm {
        app,
        client_id,
        secret: Input::masked(),
        mailboxes: Input::default(),
        deny: Input::default(),
        field: 0,
    });
    s.screen = Screen::Audit;
    Vec::new()
}

/// The field being typed.
pub(super) fn focused_input(s: &mut State) -> Option<&mut Input> {
    let f = s.audit.unsaved.as_mut()?;
    Some(match f.field {
        0 => &mut f.secret,
        1 => &mut f.mailboxes,
        _ => &mut f.deny,
    })
}

/// A key while the form is open.
pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    let Some(f) = s.audit.unsaved.as_mut() else {
        return Vec::new();
    };
    match k {
        Key::Esc => {
            let app = f.app.clone();
            s.audit.unsaved = None;
            s.error = None;
            batch::record(s, &app, "skipped".into());
            s.screen = Screen::Home;
            batch::next(s)
        }
        Key::Tab => {
            f.field = (f.field + 1) % 3;
            Vec::new()
        }
        Key::BackTab => {
            f.field = (f.field + 2) % 3;
            Vec::new()
        }
        Key::Enter if f.field == 0 => {
            if let Some(why) = secret_problem(f) {
                s.error = Some(why);
            } else {
                f.field = 1;
                s.error = None;
            }
            Vec::new()
        }
        Key::Enter if f.field == 1 => {
            f.field = 2;
            Vec::new()
        }
        Key::Enter => submit(s),
        k => {
            if editing::edit(s, k) {
                s.error = None;
            }
            Vec::new()
        }
    }
}

/// Enter on the last field: each answer checked (a wrong one named, its field focused,
/// nothing typed lost), then the secret handed over to be held for the migration.
fn submit(s: &mut State) -> Vec<Effect> {
    let Some(f) = s.audit.unsaved.as_mut() else {
        return Vec::new();
    };
    if let Some(why) = secret_problem(f) {
        f.field = 0;
        s.error = Some(why);
        return Vec::new();
    }
    let (secret, _) = Secret::from_pasted(f.secret.text());
    let mailboxes = match Mailbox::parse_list(f.mailboxes.text()) {
        Ok(m) if !m.is_empty() => m,
        Ok(_) => {
            f.field = 1;
            s.error = Some(
                "Name the mailboxes the app must reach, separated by commas: the live checks prove it reaches them.".into(),
            );
            return Vec::new();
        }
        Err(e) => {
            f.field = 1;
            s.error = Some(format!("Mailboxes to reach: {e}"));
            return Vec::new();
        }
    };
    let deny = match Mailbox::parse(f.deny.text()) {
        Ok(m) => m,
        Err(e) => {
            f.field = 2;
            s.error = Some(format!(
                "Mailbox it must not reach: {e} (the live checks prove the app is refused there)"
            ));
            return Vec::new();
        }
    };
    let Some(like) = s.audit.base.clone() else {
        return Vec::new();
    };
    let (app, client_id) = (f.app.clone(), f.client_id);
    s.audit.unsaved = None;
    s.error = None;
    s.notice = None;
    s.screen = Screen::Home;
    s.busy = Some(format!("Holding the secret of {app} for its migration…"));
    vec![Effect::HoldUnsaved {
        app,
        like: Box::new(like),
        client_id,
        mailboxes,
        deny,
        secret: SecretBox(secret),
    }]
}

/// The app's unsaved profile made and its secret held: its migration signs in and shows the
/// plan; or why not, and the next app.
pub(super) fn held(
    s: &mut State,
    app: String,
    result: Result<Box<Profile>, String>,
) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(p) => {
            if let Some(b) = s.home.batch.as_mut() {
                b.held = Some(p.name.clone());
            }
            upkeep_sign_in(s, *p, Upkeep::Migrate { go: false })
        }
        Err(why) => {
            s.error = Some(why.clone());
            batch::record(s, &app, format!("stopped: {why}"));
            batch::next(s)
        }
    }
}

/// Why the secret typed cannot be a client secret's Value, naming the app.
fn secret_problem(f: &UnsavedForm) -> Option<String> {
    let (_, warnings) = Secret::from_pasted(f.secret.text());
    let w = warnings.into_iter().find(|w| w.blocks())?;
    Some(format!(
        "{} (the client secret of {}; what is typed is kept)",
        w.message(),
        f.app
    ))
}
