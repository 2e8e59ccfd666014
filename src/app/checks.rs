//! Running a profile's live checks and recording their outcome.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;

use super::Env;
use super::delegated_checks::{self, UserSignIn};
use crate::checks;
use crate::model::{
    CheckEvent, CheckRow, CheckSpec, CheckVerdict, LastCheck, Profile, Secret, Status, Verdict,
    verdict,
};
use crate::scope;
use crate::store::{Journal, StoreError};

/// Runs the profile's checks with `secret`, streaming each row's events, and returns the rows;
/// with `users`, the delegated part's rows as the mailbox users who sign in.
pub async fn run_checks(
    env: &Env,
    profile: &Profile,
    secret: Secret,
    users: Option<&UserSignIn>,
    events: Option<mpsc::UnboundedSender<(usize, CheckEvent)>>,
) -> Vec<CheckRow> {
    let specs: Vec<CheckSpec> = delegated_checks::plan(profile, users);
    let mut rows: Vec<CheckRow> = specs.iter().cloned().map(CheckRow::new).collect();
    let journal = env
        .dirs
        .journals(profile.sandbox)
        .load(&profile.name)
        .ok()
        .flatten();
    let input = checks::RunInput {
        http: env.http.clone(),
        endpoints: env.endpoints(profile),
        tenant: profile.tenant.clone(),
        tenant_id: profile.tenant_id,
        client_id: profile.client_id,
        secret: secret.clone(),
        access: profile.access.clone(),
        send_test: profile.send_test,
        timeouts: env.timeouts,
        connections: env.connections.clone(),
        omitted: profile
            .scope
            .as_ref()
            .map(|s| s.omitted(&profile.access))
            .unwrap_or_default(),
        certificate: match &profile.credential {
            crate::model::Credential::Certificate { thumbprint } => Some(thumbprint.sha256.clone()),
            crate::model::Credential::Secret => None,
        },
        ews: journal.as_ref().and_then(|j| j.ews.clone()),
    };
    let made = made_changes(journal.as_ref());
    let client_id = profile.client_id.to_string();
    let facts = scope::SetupFacts {
        scope: profile.scope.as_ref(),
        access: &profile.access,
        client_id: &client_id,
        sp_id: journal.as_ref().and_then(|j| j.sp_id.as_deref()),
        made: &made,
        now: OffsetDateTime::now_utc().unix_timestamp(),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runner = tokio::spawn(checks::run(input, specs.clone(), tx.clone()));
    let as_users = async {
        if let Some(users) = users {
            delegated_checks::run(env, profile, &secret, users, &specs, tx).await;
        }
    };
    let drain = async {
        while let Some((i, ev)) = rx.recv().await {
            let ev = scope::reclassify(&specs[i], ev, &facts);
            if let Some(out) = &events {
                let _ = out.send((i, ev.clone()));
            }
            rows[i].apply(ev);
        }
    };
    tokio::join!(as_users, drain);
    let _ = runner.await;
    rows
}

/// The changes a setup journal says were made, and when.
fn made_changes(journal: Option<&Journal>) -> Vec<scope::Made> {
    journal
        .map(|j| {
            j.made_at
                .iter()
                .filter_map(|(key, at)| {
                    let at = OffsetDateTime::parse(at, &Rfc3339).ok()?;
                    scope::Made::from_key(key, at.unix_timestamp())
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Records the outcome on the profile (not the secret) and saves it, off the async threads
/// (the write is synced to disk).
pub async fn record_check(
    env: &Env,
    profile: &mut Profile,
    rows: &[CheckRow],
) -> Result<(), StoreError> {
    let count = |s| rows.iter().filter(|r| r.status == s).count() as u32;
    for r in rows.iter().filter(|r| r.status == Status::Failed) {
        if let Some(d) = &r.diagnosis {
            tracing::info!(profile = %profile.name, check = %r.id, summary = %d.summary, evidence = %d.evidence, "check failed");
        }
    }
    tracing::info!(
        profile = %profile.name,
        verdict = ?verdict(rows),
        passed = count(Status::Passed),
        failed = count(Status::Failed),
        "checks done"
    );
    profile.last_check = Some(LastCheck {
        at: now_rfc3339(),
        verdict: match verdict(rows) {
            Verdict::Passed => CheckVerdict::Passed,
            Verdict::Pending => CheckVerdict::Waiting,
            _ => CheckVerdict::Failed,
        },
        passed: count(Status::Passed),
        failed: count(Status::Failed),
        rows: rows
            .iter()
            .map(|r| crate::model::LastRow {
                id: r.id.clone(),
                status: match r.status {
                    Status::Passed => "passed",
                    Status::Failed => "failed",
                    Status::Skipped => "skipped",
                    Status::Pending => "pending",
                    Status::Queued | Status::Running => "not run",
                }
                .into(),
                elapsed_ms: r.elapsed_ms,
                detail: r.detail.clone().unwrap_or_default(),
            })
            .collect(),
    });
    let store = env.profiles();
    let last = profile.last_check.clone();
    let name = profile.name.clone();
    // The file may have changed while the checks ran (a renewal, say): only the result is new.
    // A profile forgotten meanwhile stays gone, and a damaged file is left as it is.
    tokio::task::spawn_blocking(move || match store.load(&name) {
        Ok(mut current) => {
            current.last_check = last;
            store.save(&current)
        }
        Err(StoreError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    })
    .await
    .unwrap_or_else(|e| {
        Err(StoreError::Io {
            path: String::new(),
            source: std::io::Error::other(e.to_string()),
        })
    })
}
