//! A profile's upkeep from the home screen: a new secret or certificate, or its expiry read,
//! each after an administrator's sign-in.

use super::{Effect, Key, Screen, SecretBox, SignedIn, State};
use crate::model::{AdminPurpose, Diagnosis, Profile, ProfileName};
use crate::plan::SECRET_MONTHS;

/// What an admin sign-in from the dashboard is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Upkeep {
    /// A new client secret, valid this many months.
    Secret { months: u32 },
    /// A new certificate, valid this many months.
    Certificate { months: u32 },
    /// Read when the credential expires.
    #[default]
    ReadExpiry,
    /// The second phase of a renewal: the old credential removed; `force` even if the sign-in
    /// logs show it was used within a day.
    FinishRenewal { force: bool },
    /// `remove --from-tenant`: the plan read (`go` false), then carried out once confirmed.
    Offboard { go: bool },
    /// `migrate --to rbac`: the plan read, then carried out (or resumed) once confirmed.
    Migrate { go: bool },
    /// `migrate --undo`: what the migration's journal says was done, read, then put back once
    /// confirmed (or gone on with, after waiting for a policy made again).
    UndoMigration { go: bool },
    /// `audit`: the tenant's apps with mail access read, on the audit screen.
    Audit,
}

/// How far a profile's migration to RBAC for Applications got, as its journal says: what `m`
/// goes on with and `U` undoes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migrating {
    UnderWay { done: usize, of: usize },
    Finished,
}

/// A renewal's new secret Value, which the administrator sees once, on a key press, as in the
/// portal; the next key clears it from the screen for good.
#[derive(Debug)]
pub enum ShowOnce {
    /// Made and stored; `v` shows it.
    Ready(ProfileName, SecretBox),
    /// On the screen until the next key.
    Shown(ProfileName, SecretBox),
}

impl Upkeep {
    /// The lifetime, for the kinds that make a credential.
    pub fn months(self) -> Option<u32> {
        match self {
            Upkeep::Secret { months } | Upkeep::Certificate { months } => Some(months),
            _ => None,
        }
    }

    /// What the sign-in for it asks for: reading the app registration, or changing it.
    pub fn purpose(self) -> AdminPurpose {
        match self {
            Upkeep::ReadExpiry => AdminPurpose::ReadApps,
            Upkeep::Secret { .. } | Upkeep::Certificate { .. } => AdminPurpose::WriteApps,
            Upkeep::FinishRenewal { .. } => AdminPurpose::FinishRenewal,
            Upkeep::Offboard { .. } => AdminPurpose::Offboard,
            Upkeep::Migrate { .. } | Upkeep::UndoMigration { .. } => AdminPurpose::Migrate,
            Upkeep::Audit => AdminPurpose::Audit,
        }
    }

    fn with_months(self, months: u32) -> Upkeep {
        match self {
            Upkeep::Secret { .. } => Upkeep::Secret { months },
            Upkeep::Certificate { .. } => Upkeep::Certificate { months },
            other => other,
        }
    }

    /// Another of the lifetimes the portal offers, `step` places along.
    pub fn step_months(self, step: isize) -> Upkeep {
        let all = SECRET_MONTHS;
        let Some(now) = self.months() else {
            return self;
        };
        let i = all.iter().position(|m| *m == now).unwrap_or(1);
        let j = i.saturating_add_signed(step).min(all.len() - 1);
        self.with_months(all[j])
    }
}

/// Asks how long the new secret or certificate is to be valid, before the sign-in.
pub(super) fn choose_lifetime(s: &mut State, profile: Profile, upkeep: Upkeep) -> Vec<Effect> {
    let what = match upkeep {
        Upkeep::Certificate { .. } => "certificate",
        _ => "secret",
    };
    let advice = match upkeep {
        Upkeep::Secret { .. } => " (the portal recommends 6; renew before it runs out)",
        _ => "",
    };
    s.notice = Some(format!(
        "New {what} for {}: valid for {} months{advice}. ←→ another lifetime, enter signs in and makes it, any other key cancels.",
        profile.name,
        upkeep.months().unwrap_or(6)
    ));
    s.home.choosing_lifetime = Some((profile, upkeep));
    Vec::new()
}

/// An admin sign-in for one profile's upkeep (none while an administrator of its tenant is
/// signed in with the permissions it needs); what follows it is `upkeep`.
pub(super) fn upkeep_sign_in(s: &mut State, profile: Profile, upkeep: Upkeep) -> Vec<Effect> {
    let tenant_id = profile.tenant_id;
    let purpose = upkeep.purpose();
    let fx = vec![Effect::StartSignIn {
        cloud: profile.cloud,
        tenant_id,
        purpose,
    }];
    s.sign_in.renewing = Some(profile);
    s.sign_in.upkeep = upkeep;
    s.notice = None;
    if let Some(si) = s.sign_in.signed_in_for(tenant_id, purpose).cloned() {
        return signed_in(s, si);
    }
    s.sign_in.expect(tenant_id, purpose);
    s.screen = Screen::SignIn;
    fx
}

/// Signed in for `renewing`: its upkeep is carried out, back on the home screen.
pub(super) fn signed_in(s: &mut State, si: SignedIn) -> Vec<Effect> {
    let Some(profile) = s.sign_in.renewing.clone() else {
        return Vec::new();
    };
    if s.sign_in.upkeep == Upkeep::Audit {
        super::audit::started(s, &profile, &si.who);
        s.sign_in.signed_in = Some(si);
        return vec![Effect::Upkeep(Box::new(profile), Upkeep::Audit)];
    }
    let busy = match s.sign_in.upkeep {
        Upkeep::Certificate { .. } => "Making, registering and proving a certificate for",
        Upkeep::Secret { .. } => "Renewing the secret of",
        Upkeep::ReadExpiry => "Reading from the app registration when the credential expires, for",
        Upkeep::FinishRenewal { .. } => {
            "Reading the sign-in logs and removing the old credential of"
        }
        Upkeep::Offboard { .. } => "Reading what the setup made in the tenant, for",
        Upkeep::Migrate { .. } | Upkeep::Audit => {
            "Reading the app's roles and policies in the tenant, for"
        }
        Upkeep::UndoMigration { .. } => "Reading the migration's journal, for",
    };
    s.busy = Some(format!("{busy} {} as {}…", profile.name, si.who));
    s.sign_in.signed_in = Some(si);
    s.screen = Screen::Home;
    vec![Effect::Upkeep(Box::new(profile), s.sign_in.upkeep)]
}

/// The plan of a removal, a migration or its undo, read after the sign-in: shown until `y` carries it
/// out (the same upkeep with `go`), any other key cancels.
pub(super) fn planned(
    s: &mut State,
    profile: Profile,
    upkeep: Upkeep,
    plan: Result<String, Diagnosis>,
) -> Vec<Effect> {
    s.busy = None;
    let in_batch = super::batch::active(s);
    match plan {
        Ok(text) if in_batch => {
            let place = super::batch::place(s).unwrap_or_default();
            s.notice = Some(format!(
                "{place} {text} y carries it out, any other key skips it, esc skips the rest."
            ));
            s.home.confirming = Some((profile, Upkeep::Migrate { go: true }));
        }
        Err(d) if in_batch => {
            s.sign_in.renewing = None;
            s.error = Some(format!("{} {}", d.summary, d.fix));
            super::batch::record(s, profile.name.as_str(), format!("refused: {}", d.summary));
            return super::batch::next(s);
        }
        Ok(text) => {
            s.notice = Some(format!("{text} y carries it out, any other key cancels."));
            let go = match upkeep {
                Upkeep::Offboard { .. } => Upkeep::Offboard { go: true },
                Upkeep::Migrate { .. } => Upkeep::Migrate { go: true },
                Upkeep::UndoMigration { .. } => Upkeep::UndoMigration { go: true },
                other => other,
            };
            s.home.confirming = Some((profile, go));
        }
        Err(d) => {
            s.sign_in.renewing = None;
            s.error = Some(format!("{} {}", d.summary, d.fix));
        }
    }
    Vec::new()
}

/// `U`: the undo of the profile's migration, for a profile with a migration journal.
pub(super) fn undo_migration(s: &mut State, profile: Profile) -> Vec<Effect> {
    if !s.home.migrations.contains_key(&profile.name) {
        s.error = Some(format!(
            "{} has no migration to undo: it was never migrated here, or was put back already (m migrates it).",
            profile.name
        ));
        return Vec::new();
    }
    upkeep_sign_in(s, profile, Upkeep::UndoMigration { go: false })
}

/// A key while a plan waits for confirmation: `y` carries it out, as the administrator signed
/// in for it.
pub(super) fn confirm_key(s: &mut State, profile: Profile, upkeep: Upkeep, k: Key) -> Vec<Effect> {
    if k != Key::Char('y') {
        s.notice = Some("Nothing changed.".into());
        s.sign_in.renewing = None;
        if super::batch::active(s) {
            super::batch::record(s, profile.name.as_str(), "skipped".into());
            if k == Key::Esc {
                super::batch::skip_rest(s);
            }
            return super::batch::next(s);
        }
        return Vec::new();
    }
    s.notice = None;
    s.busy = Some(match upkeep {
        Upkeep::Offboard { .. } => format!("Removing {} from the tenant…", profile.name),
        Upkeep::UndoMigration { .. } => format!(
            "Putting {} back as it was before the migration…",
            profile.name
        ),
        _ => format!("Migrating {} to RBAC for Applications…", profile.name),
    });
    s.sign_in.upkeep = upkeep;
    vec![Effect::Upkeep(Box::new(profile), upkeep)]
}

/// A step of a removal or migration settled: the busy line says which.
pub(super) fn progress(s: &mut State, text: String) -> Vec<Effect> {
    if s.busy.is_some() {
        s.busy = Some(text);
    }
    Vec::new()
}

pub(super) fn renewed(s: &mut State, result: Result<String, Diagnosis>) -> Vec<Effect> {
    s.busy = None;
    let in_batch = super::batch::active(s);
    if in_batch && let Some(p) = &s.sign_in.renewing {
        let name = p.name.to_string();
        super::batch::record(s, &name, super::batch::outcome(&result));
    }
    s.sign_in.renewing = None;
    s.sign_in.upkeep = Upkeep::default();
    match result {
        Ok(note) => s.notice = Some(note),
        Err(d) => s.error = Some(format!("{} {}", d.summary, d.fix)),
    }
    let mut fx = vec![Effect::LoadProfiles];
    if in_batch {
        fx.extend(super::batch::next(s));
    }
    fx
}

/// `w` (`W`: even if used within a day): the renewal's second phase, for a profile with an old
/// credential awaiting removal.
pub(super) fn finish_renewal(s: &mut State, profile: Profile, force: bool) -> Vec<Effect> {
    match &profile.rotation {
        Some(r) if r.awaits_removal() => {
            upkeep_sign_in(s, profile, Upkeep::FinishRenewal { force })
        }
        Some(r) if r.finished.is_some() => {
            s.error = Some(format!(
                "The renewal of {} was already finished at {}: nothing to remove.",
                profile.name,
                r.finished.as_deref().unwrap_or_default()
            ));
            Vec::new()
        }
        _ => {
            s.error = Some(format!(
                "Nothing to remove: {} has no renewal waiting (s or k adds a newer credential first).",
                profile.name
            ));
            Vec::new()
        }
    }
}

/// A new secret arrived from a renewal: kept, hidden, until `v`.
pub(super) fn new_secret(s: &mut State, name: ProfileName, value: SecretBox) -> Vec<Effect> {
    s.home.show_once = Some(ShowOnce::Ready(name, value));
    Vec::new()
}

/// The keys of the show-once: `v` shows a ready secret; once shown, any key clears it for good.
/// None when the key is not the show-once's.
pub(super) fn show_once_key(s: &mut State, k: Key) -> Option<Vec<Effect>> {
    match s.home.show_once.take() {
        Some(ShowOnce::Shown(name, _)) => {
            s.notice = Some(format!(
                "Cleared; the new secret will not be shown again. If the application lacks it: m365-mail-wizard export {name} --format env --with-secret --output FILE"
            ));
            Some(Vec::new())
        }
        Some(ShowOnce::Ready(name, value)) if k == Key::Char('v') => {
            s.notice = None;
            s.home.show_once = Some(ShowOnce::Shown(name, value));
            Some(Vec::new())
        }
        other => {
            s.home.show_once = other;
            None
        }
    }
}
