//! The home screen: the profiles as a dashboard, and the journeys as keys.

use super::upkeep::{choose_lifetime, upkeep_sign_in};
use super::{
    Effect, Input, Journey, Key, Screen, State, Step, Upkeep, checks, drafts, scroll, update,
};
use crate::model::{CheckVerdict, Draft, Profile, ProfileName};

/// What the home screen owns.
#[derive(Debug, Default)]
pub struct Home {
    pub profiles: Vec<ProfileRow>,
    /// Profile files that could not be read, with the reason.
    pub broken: Vec<String>,
    pub cursor: usize,
    pub sort: HomeSort,
    /// Profiles whose name, tenant or client ID contain it.
    pub filter: Input,
    pub filtering: bool,
    /// The profile `f` asked to forget, until `y` confirms (any other key keeps it).
    pub forgetting: Option<ProfileName>,
    /// `s` or `k` asked for a new credential: its lifetime is being chosen before the sign-in.
    pub choosing_lifetime: Option<(Profile, Upkeep)>,
    /// `R`, `m` or `U`: the plan is shown until `y` carries it out.
    pub confirming: Option<(Profile, Upkeep)>,
    /// The draft on disk, offered until resumed.
    pub draft: Option<Draft>,
    /// What the draft's setup made before it was interrupted (from its journal).
    pub unfinished: Option<String>,
    /// The draft's row (above the profiles) has the cursor: enter resumes it.
    pub on_draft: bool,
    /// `f` on the draft's row asked to discard it, until `y` confirms.
    pub discarding: bool,
    /// A renewal's new secret, until shown once and cleared.
    pub show_once: Option<super::ShowOnce>,
    /// The audit's marked apps, migrated one after the other.
    pub batch: Option<super::batch::Batch>,
    /// The profiles with a migration journal (`U` is offered for them).
    pub migrations: std::collections::BTreeMap<ProfileName, super::Migrating>,
}

impl Home {
    pub fn profile_names(&self) -> Vec<ProfileName> {
        self.profiles
            .iter()
            .map(|p| p.profile.name.clone())
            .collect()
    }
}

/// The order of the home screen's profiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HomeSort {
    #[default]
    Name,
    Tenant,
    /// Soonest-expiring secret first.
    Expiry,
    /// Failed checks first, then the oldest check.
    LastCheck,
}

impl HomeSort {
    pub fn label(self) -> &'static str {
        match self {
            HomeSort::Name => "name",
            HomeSort::Tenant => "tenant",
            HomeSort::Expiry => "expiry",
            HomeSort::LastCheck => "last check",
        }
    }

    fn next(self) -> HomeSort {
        match self {
            HomeSort::Name => HomeSort::Tenant,
            HomeSort::Tenant => HomeSort::Expiry,
            HomeSort::Expiry => HomeSort::LastCheck,
            HomeSort::LastCheck => HomeSort::Name,
        }
    }
}

/// What the home screen shows of a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    pub profile: Profile,
}

impl State {
    /// The home screen's profiles: filtered, then sorted.
    pub fn visible_profiles(&self) -> Vec<&ProfileRow> {
        let needle = self.home.filter.text().trim().to_ascii_lowercase();
        let mut rows: Vec<&ProfileRow> = self
            .home
            .profiles
            .iter()
            .filter(|r| {
                let p = &r.profile;
                needle.is_empty()
                    || p.name.as_str().to_ascii_lowercase().contains(&needle)
                    || p.tenant.to_ascii_lowercase().contains(&needle)
                    || p.client_id.to_string().contains(&needle)
            })
            .collect();
        let today = self.today;
        match self.home.sort {
            HomeSort::Name => rows.sort_by(|a, b| a.profile.name.cmp(&b.profile.name)),
            HomeSort::Tenant => rows.sort_by(|a, b| {
                (&a.profile.tenant, &a.profile.name).cmp(&(&b.profile.tenant, &b.profile.name))
            }),
            HomeSort::Expiry => {
                rows.sort_by_key(|r| r.profile.expiry(today).map(|(d, _)| d).unwrap_or(i64::MAX))
            }
            HomeSort::LastCheck => rows.sort_by_key(|r| match &r.profile.last_check {
                None => (0, ""),
                Some(c) if c.verdict != CheckVerdict::Passed => (1, c.at.as_str()),
                Some(c) => (2, c.at.as_str()),
            }),
        }
        rows
    }

    /// The profile under the home screen's cursor (none while the draft's row has it).
    pub fn selected_profile(&self) -> Option<&ProfileRow> {
        if self.home.on_draft {
            return None;
        }
        self.visible_profiles().get(self.home.cursor).copied()
    }
}

pub(super) fn loaded(s: &mut State, rows: Vec<ProfileRow>, broken: Vec<String>) -> Vec<Effect> {
    s.home.profiles = rows;
    s.home.broken = broken;
    s.home.cursor = s.home.cursor.min(s.home.profiles.len().saturating_sub(1));
    Vec::new()
}

/// The draft on disk (read again whenever the profiles are), and what its setup made.
pub(super) fn draft_loaded(
    s: &mut State,
    draft: Option<Draft>,
    unfinished: Option<String>,
) -> Vec<Effect> {
    if s.home.draft.is_none() && draft.is_some() {
        s.home.on_draft = true;
    }
    s.home.on_draft &= draft.is_some();
    s.home.draft = draft;
    s.home.unfinished = unfinished;
    Vec::new()
}

pub(super) fn forgotten(s: &mut State, result: Result<String, String>) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(note) => s.notice = Some(note),
        Err(m) => s.error = Some(m),
    }
    vec![Effect::LoadProfiles]
}

pub(super) fn exported(s: &mut State, result: Result<String, String>) -> Vec<Effect> {
    s.busy = None;
    match result {
        Ok(dir) => s.notice = Some(format!("Exported (no secret in any file) to {dir}")),
        Err(m) => s.error = Some(m),
    }
    Vec::new()
}

pub(super) fn key(s: &mut State, k: Key) -> Vec<Effect> {
    s.error = None;
    if s.home.filtering {
        return filter_key(s, k);
    }
    if let Some(fx) = super::upkeep::show_once_key(s, k) {
        return fx;
    }
    if let Some((profile, upkeep)) = s.home.choosing_lifetime.take() {
        return lifetime_key(s, profile, upkeep, k);
    }
    if let Some((profile, upkeep)) = s.home.confirming.take() {
        return super::upkeep::confirm_key(s, profile, upkeep, k);
    }
    if let Some(name) = s.home.forgetting.take() {
        return forget_key(s, name, k);
    }
    if std::mem::take(&mut s.home.discarding) {
        return discard_key(s, k);
    }
    // The draft's row sits above the profiles: up from the first profile reaches it.
    let onto_draft = matches!(k, Key::Up | Key::PageUp | Key::Home);
    if s.home.on_draft && matches!(k, Key::Down | Key::PageDown | Key::End) {
        s.home.on_draft = false;
        return Vec::new();
    }
    if !s.home.on_draft && onto_draft && s.home.cursor == 0 && s.home.draft.is_some() {
        s.home.on_draft = true;
        return Vec::new();
    }
    let (len, page) = (s.visible_profiles().len(), s.viewport.list_rows);
    if !s.home.on_draft && scroll::move_by(&mut s.home.cursor, len, k, page) {
        return Vec::new();
    }
    match k {
        Key::Char('f') if s.home.on_draft => {
            s.notice = None;
            s.error = Some(match s.home.unfinished {
                Some(_) => "Discard the draft of this unfinished setup? What it made stays in the tenant. y discards it, any other key keeps it.".into(),
                None => "Discard the draft? y discards it, any other key keeps it.".into(),
            });
            s.home.discarding = true;
            Vec::new()
        }
        Key::Enter if s.home.on_draft => drafts::resume(s),
        Key::Char('f') => match s.selected_profile() {
            Some(row) => {
                let name = row.profile.name.clone();
                s.notice = None;
                s.error = Some(format!(
                    "Forget {name}? Its profile file and keyring entry go; the app registration in the tenant stays. y forgets it, any other key keeps it."
                ));
                s.home.forgetting = Some(name);
                Vec::new()
            }
            None => Vec::new(),
        },
        Key::Char('/') if !s.home.profiles.is_empty() => {
            s.home.filtering = true;
            Vec::new()
        }
        Key::Char('o') if !s.home.profiles.is_empty() => {
            s.home.sort = s.home.sort.next();
            s.home.cursor = 0;
            Vec::new()
        }
        Key::Esc => update::interrupt(s),
        Key::Char(c @ ('c' | 'n' | 'g')) => {
            s.notice = None;
            s.form.set_journey(if c == 'c' {
                Journey::Check
            } else {
                Journey::Setup
            });
            s.form.guided = c == 'g';
            s.screen = Screen::Form(Step::Tenant);
            Vec::new()
        }
        Key::Char('d') => drafts::resume(s),
        Key::Char('e') => match s.selected_profile().cloned() {
            Some(row) => {
                s.busy = Some(format!("Exporting {}…", row.profile.name));
                vec![Effect::ExportAll(Box::new(row.profile.clone()))]
            }
            None => Vec::new(),
        },
        Key::Char('k') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                choose_lifetime(s, profile, Upkeep::Certificate { months: 12 })
            }
            None => Vec::new(),
        },
        Key::Char(c @ ('w' | 'W')) => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => super::upkeep::finish_renewal(s, profile, c == 'W'),
            None => Vec::new(),
        },
        Key::Char('R') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                upkeep_sign_in(s, profile, Upkeep::Offboard { go: false })
            }
            None => Vec::new(),
        },
        Key::Char('m') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                upkeep_sign_in(s, profile, Upkeep::Migrate { go: false })
            }
            None => Vec::new(),
        },
        Key::Char('U') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => super::upkeep::undo_migration(s, profile),
            None => Vec::new(),
        },
        Key::Char('a') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => upkeep_sign_in(s, profile, Upkeep::Audit),
            None => Vec::new(),
        },
        Key::Char('u') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) if super::can_check_as_user(&profile) => {
                super::as_user::open(s, profile, true)
            }
            Some(_) => {
                s.error = Some("This profile has no delegated part (IMAP and SMTP as a mailbox user): there is no user to sign in as.".into());
                Vec::new()
            }
            None => Vec::new(),
        },
        Key::Char('x') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => upkeep_sign_in(s, profile, Upkeep::ReadExpiry),
            None => Vec::new(),
        },
        Key::Char('s') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) if profile.credential.is_secret() => {
                choose_lifetime(s, profile, Upkeep::Secret { months: 6 })
            }
            Some(_) => {
                s.error = Some("This profile signs in with a certificate: k makes a new one and proves it; w then removes the old one.".into());
                Vec::new()
            }
            None => Vec::new(),
        },
        Key::Enter | Key::Char('r') => match s.selected_profile().cloned() {
            Some(ProfileRow { profile }) => {
                s.checks.profile = Some(profile);
                s.checks.secret = None;
                s.checks.unverified.clear();
                s.notice = None;
                checks::start(s)
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn filter_key(s: &mut State, k: Key) -> Vec<Effect> {
    match k {
        Key::Enter => s.home.filtering = false,
        Key::Esc => {
            s.home.filtering = false;
            s.home.filter.clear();
        }
        Key::Char(c) => s.home.filter.insert(&c.to_string()),
        Key::Backspace => s.home.filter.backspace(),
        _ => {}
    }
    s.home.cursor = 0;
    Vec::new()
}

/// A key while the new credential's lifetime is asked: ←→ change it, enter signs in.
fn lifetime_key(s: &mut State, profile: Profile, upkeep: Upkeep, k: Key) -> Vec<Effect> {
    match k {
        Key::Left | Key::Right => {
            let upkeep = upkeep.step_months(if k == Key::Right { 1 } else { -1 });
            choose_lifetime(s, profile, upkeep)
        }
        Key::Enter => upkeep_sign_in(s, profile, upkeep),
        _ => {
            s.notice = Some("Nothing changed.".into());
            Vec::new()
        }
    }
}

/// A key after `f`: only `y` forgets the profile.
fn forget_key(s: &mut State, name: ProfileName, k: Key) -> Vec<Effect> {
    let row = s.home.profiles.iter().find(|r| r.profile.name == name);
    match (k, row) {
        (Key::Char('y'), Some(row)) => {
            s.busy = Some(format!("Forgetting {name}…"));
            vec![Effect::Forget(Box::new(row.profile.clone()))]
        }
        _ => {
            s.notice = Some(format!("{name} is kept."));
            Vec::new()
        }
    }
}

/// A key after `f` on the draft's row: only `y` discards the draft.
fn discard_key(s: &mut State, k: Key) -> Vec<Effect> {
    if k != Key::Char('y') {
        s.notice = Some("The draft is kept.".into());
        return Vec::new();
    }
    s.home.draft = None;
    s.home.unfinished = None;
    s.home.on_draft = false;
    s.notice = Some("Draft discarded.".into());
    vec![Effect::ClearDraft]
}
