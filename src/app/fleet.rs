//! The fleet's outcome after `check --all`, for the exports that watch it: the metrics and
//! the change summary a webhook is told (`--notify`).

use std::time::Duration;

use super::profile_checks::Checked;
use crate::cloud::webhook;
use crate::export::{CheckOutcome, FleetEntry, Summary};
use crate::model::{CheckVerdict, Profile, Verdict, verdict};
use crate::vault::VaultError;

/// The verdict each listed profile had recorded before the run (none for a profile never
/// checked or a file that could not be read), in the listed order.
pub fn recorded_before(
    listed: &[Result<Profile, crate::store::StoreError>],
) -> Vec<Option<CheckVerdict>> {
    listed
        .iter()
        .map(|r| {
            r.as_ref()
                .ok()
                .and_then(|p| p.last_check.as_ref())
                .map(|l| l.verdict)
        })
        .collect()
}

/// Each checked profile's entry (files that could not be read have none), with `before` as
/// `recorded_before` gave it, in the same order.
pub fn entries(checked: &[Checked], before: &[Option<CheckVerdict>]) -> Vec<FleetEntry> {
    let today = time::OffsetDateTime::now_utc().date();
    checked
        .iter()
        .zip(before.iter().copied().chain(std::iter::repeat(None)))
        .filter_map(|(c, before)| {
            let (profile, verdict, checks) = match c {
                Checked::Unreadable(_) => return None,
                Checked::NoSecret { profile, error } => (
                    profile,
                    match error {
                        VaultError::NotFound(..) => Verdict::Failed,
                        _ => Verdict::Unavailable,
                    },
                    Vec::new(),
                ),
                Checked::Ran { profile, rows, .. } => (
                    profile,
                    verdict(rows),
                    rows.iter()
                        .map(|r| CheckOutcome {
                            kind: r.kind,
                            mailbox: r.mailbox.as_ref().map(|m| m.to_string()),
                            status: r.status,
                        })
                        .collect(),
                ),
            };
            Some(FleetEntry {
                profile: profile.name.to_string(),
                verdict,
                checks,
                expiry_days: profile.expiry(today).map(|(days, _)| days),
                before,
            })
        })
        .collect()
}

/// What telling the webhook came to.
pub enum Notified {
    /// Nothing changed and no credential is close to its expiry: nothing was sent.
    Quiet,
    Sent,
}

/// Posts the summary to `url` (bounded by `timeout`) unless it has nothing to say.
pub async fn notify(
    url: &str,
    summary: &Summary,
    timeout: Duration,
) -> Result<Notified, webhook::WebhookError> {
    if summary.is_quiet() {
        return Ok(Notified::Quiet);
    }
    let body = summary.json(&super::now_rfc3339());
    webhook::post(url, &body, timeout).await?;
    Ok(Notified::Sent)
}
