//! Checking saved profiles: one profile's checks run again until they pass or the wait is over,
//! and the outcome is recorded; many profiles are checked together, a bounded number at a time,
//! and their outcomes come back in their order.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::delegated_checks::{self, UserSignIn};
use super::in_order::{Limits, Steps, in_order};
use super::{Env, record_check, run_checks};
use crate::model::{
    CheckEvent, CheckRow, CheckSpec, Profile, ProfileName, Secret, Status, Verdict, verdict,
};
use crate::store::StoreError;
use crate::vault::VaultError;

/// How many profiles are checked at once: a consultant's fleet in one wave.
const PROFILES_AT_ONCE: usize = 64;

/// Secrets read while profiles are checked, for the next ones: the keyring answers one read at
/// a time, so that more at once would come no sooner.
const SECRETS_AHEAD: usize = 8;

/// The longest pause between two rounds of a profile's checks.
const LONGEST_PAUSE: Duration = Duration::from_secs(60);

/// What checking one profile (or one profile file) came to.
pub enum Checked {
    /// The profile file could not be read: it stands in the profile's place.
    Unreadable(StoreError),
    /// No secret could be read for the profile, so nothing ran.
    NoSecret { profile: Profile, error: VaultError },
    /// The checks ran: the last round's rows, the profile with the outcome recorded, and how
    /// long the rounds took.
    Ran {
        profile: Profile,
        rows: Vec<CheckRow>,
        elapsed_ms: u64,
    },
}

/// What happens while checks run, told as it happens.
pub enum Note<'a> {
    /// A check of the first round started, passed, failed or was skipped.
    Check {
        spec: &'a CheckSpec,
        event: &'a CheckEvent,
    },
    NoSecret {
        profile: &'a Profile,
        error: &'a VaultError,
    },
    /// Checks still fail, perhaps as changes Exchange Online has not applied yet: they run
    /// again after `pause`, with `left` of the wait remaining.
    Retrying {
        profile: &'a ProfileName,
        failing: usize,
        pause: Duration,
        left: Duration,
    },
    /// The outcome could not be recorded on the profile.
    NotRecorded(&'a StoreError),
    /// Of many profiles, `done` of `total` are checked.
    Progress { done: usize, total: usize },
}

/// Where notes go.
pub type Tell<'a> = &'a (dyn Fn(Note<'_>) + Sync);

/// Checks one profile: its secret read, its checks run again until they pass or `wait` is
/// over, the outcome recorded on it.
pub async fn check_profile(
    env: &Env,
    p: Profile,
    wait: Duration,
    users: Option<&UserSignIn>,
    tell: Tell<'_>,
) -> Checked {
    match with_secret(env, p, tell).await {
        Ok((p, secret)) => {
            let ran = run_rounds(env, p, secret, wait, users, tell).await;
            recorded(env, ran, tell).await
        }
        Err(not_run) => not_run,
    }
}

/// The profile and its secret; without one, what stands in the profile's place.
async fn with_secret(env: &Env, p: Profile, tell: Tell<'_>) -> Result<(Profile, Secret), Checked> {
    match env.secret(&p).await {
        Ok(secret) => Ok((p, secret)),
        Err(error) => {
            tell(Note::NoSecret {
                profile: &p,
                error: &error,
            });
            Err(Checked::NoSecret { profile: p, error })
        }
    }
}

/// A profile whose checks ran, their outcome not recorded yet.
struct Unrecorded {
    profile: Profile,
    rows: Vec<CheckRow>,
    started: Instant,
}

/// The profile's checks, run again until they pass or `wait` is over.
async fn run_rounds(
    env: &Env,
    p: Profile,
    secret: Secret,
    wait: Duration,
    users: Option<&UserSignIn>,
    tell: Tell<'_>,
) -> Unrecorded {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + wait;
    let mut pause = Duration::from_secs(2);
    let mut first = true;
    let rows = loop {
        let rows = round(env, &p, secret.clone(), users, first.then_some(tell)).await;
        first = false;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if verdict(&rows) == Verdict::Passed || left < pause {
            break rows;
        }
        tell(Note::Retrying {
            profile: &p.name,
            failing: rows
                .iter()
                .filter(|r| matches!(r.status, Status::Failed | Status::Pending))
                .count(),
            pause,
            left,
        });
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    };
    Unrecorded {
        profile: p,
        rows,
        started,
    }
}

/// The outcome recorded on the profile.
async fn recorded(env: &Env, ran: Unrecorded, tell: Tell<'_>) -> Checked {
    let Unrecorded {
        profile: mut p,
        rows,
        started,
    } = ran;
    if let Err(e) = record_check(env, &mut p, &rows).await {
        tell(Note::NotRecorded(&e));
    }
    Checked::Ran {
        profile: p,
        rows,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Checks every profile listed (a file that could not be read stays in its place), a bounded
/// number at a time: the next starts as soon as any is done, with its secret read while the
/// others are checked, and recording an outcome takes no place. The outcomes come back in the
/// order listed.
pub async fn check_profiles(
    env: &Env,
    listed: Vec<Result<Profile, StoreError>>,
    wait: Duration,
    users: Option<&UserSignIn>,
    tell: Tell<'_>,
) -> Vec<Checked> {
    let total = listed.len();
    let steps = Steps {
        prepare: |r: Result<Profile, StoreError>| async move {
            match r {
                Ok(p) => with_secret(env, p, tell).await,
                Err(e) => Err(Checked::Unreadable(e)),
            }
        },
        work: |ready: Result<(Profile, Secret), Checked>| async move {
            let (p, secret) = ready?;
            Ok(run_rounds(env, p, secret, wait, users, tell).await)
        },
        then: |ran: Result<Unrecorded, Checked>| async move {
            match ran {
                Ok(ran) => recorded(env, ran, tell).await,
                Err(not_run) => not_run,
            }
        },
    };
    let limits = Limits {
        at_once: PROFILES_AT_ONCE,
        ahead: SECRETS_AHEAD,
    };
    in_order(listed, limits, steps, |done| {
        tell(Note::Progress { done, total })
    })
    .await
}

/// One round of a profile's checks; each check's events told when `tell` is given.
async fn round(
    env: &Env,
    p: &Profile,
    secret: Secret,
    users: Option<&UserSignIn>,
    tell: Option<Tell<'_>>,
) -> Vec<CheckRow> {
    let Some(tell) = tell else {
        return run_checks(env, p, secret, users, None).await;
    };
    let specs = delegated_checks::plan(p, users);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let told = async {
        while let Some((i, event)) = rx.recv().await {
            tell(Note::Check {
                spec: &specs[i],
                event: &event,
            });
        }
    };
    let (rows, ()) = tokio::join!(run_checks(env, p, secret, users, Some(tx)), told);
    rows
}

/// The profiles whose secret expires within `days`, with the days left.
pub fn expiring_within<'a>(
    profiles: impl IntoIterator<Item = &'a Profile>,
    days: u32,
) -> Vec<(&'a ProfileName, i64)> {
    let today = time::OffsetDateTime::now_utc().date();
    profiles
        .into_iter()
        .filter_map(|p| {
            let (left, _) = p.expiry(today)?;
            (left <= i64::from(days)).then_some((&p.name, left))
        })
        .collect()
}
