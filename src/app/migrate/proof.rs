//! The proofs of a migration: Exchange's own test of the new scope, then the live checks with
//! the scope alone. A refusal of an intended mailbox within the window Microsoft gives RBAC for
//! Applications to apply is pending, not failed (docs/propagation.md).

use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::Env;
use crate::app::setup::{TestReading, read_test};
use crate::cloud::CloudError;
use crate::cloud::exchange_admin::Cmdlets;
use crate::model::{CheckKind, CheckRow, Profile, ScopeKind, ScopeRecord, Status};
use crate::plan::migration::Plan;
use crate::store::MigrationJournal;

/// `Test-ServicePrincipalAuthorization` for every intended mailbox and the one outside: what
/// disagrees with the plan, or why an answer could not be read.
pub(super) async fn service_test(x: &Cmdlets<'_>, plan: &Plan) -> Result<Vec<String>, CloudError> {
    let mut wrong = Vec::new();
    let tested = plan
        .mailboxes
        .iter()
        .map(|m| (m, true))
        .chain([(&plan.deny_mailbox, false)]);
    for (m, intended) in tested {
        let params = json!({"Identity": plan.sp_id, "Resource": m});
        let rows = x
            .invoke("Test-ServicePrincipalAuthorization", params)
            .await?
            .rows;
        match read_test(ScopeKind::Rbac, &rows) {
            TestReading::InScope if intended => {}
            TestReading::OutOfScope if !intended => {}
            TestReading::InScope => wrong.push(format!("{m} is in scope but must be out")),
            TestReading::OutOfScope => wrong.push(format!("{m} is out of scope but must be in")),
            TestReading::Unreadable(raw) => {
                wrong.push(format!("{m}: Exchange's answer could not be read ({raw})"))
            }
        }
    }
    Ok(wrong)
}

/// The profile as it stands once migrated: scoped by RBAC for Applications on the plan's group,
/// checking the mailboxes the scope was made for and refusing the plan's outside one.
pub(super) fn migrated(p: &Profile, plan: &Plan) -> Profile {
    let mut out = p.clone();
    out.scope = Some(ScopeRecord {
        kind: ScopeKind::Rbac,
        group: Some(plan.group.clone()),
        app_name: plan.app_name.clone(),
    });
    out.deny_mailbox = crate::model::Mailbox::parse(&plan.deny_mailbox).ok();
    let scoped: Vec<_> = plan
        .mailboxes
        .iter()
        .filter_map(|m| crate::model::Mailbox::parse(m).ok())
        .collect();
    if !scoped.is_empty() {
        out.mailboxes = scoped;
    }
    out
}

/// What the live checks came to.
pub(super) enum Proof {
    Passed,
    /// Refused within the window: with how long ago the last change was made.
    Pending(String),
    Failed(Vec<String>),
}

pub(super) async fn live(env: &Env, p: &Profile, j: &MigrationJournal) -> Proof {
    let secret = match env.secret(p).await {
        Ok(s) => s,
        Err(e) => return Proof::Failed(vec![format!("the keyring entry could not be read: {e}")]),
    };
    let rows = crate::app::run_checks(env, &migrated(p, &j.plan), secret, None, None).await;
    judge(&rows, latest_change(j), OffsetDateTime::now_utc())
}

/// When the migration last changed something the scope depends on.
fn latest_change(j: &MigrationJournal) -> Option<OffsetDateTime> {
    j.made_at
        .values()
        .filter_map(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
        .max()
}

fn judge(rows: &[CheckRow], changed: Option<OffsetDateTime>, now: OffsetDateTime) -> Proof {
    let said = |r: &CheckRow| {
        let why = r
            .diagnosis
            .as_ref()
            .map(|d| d.summary.clone())
            .or_else(|| r.detail.clone())
            .unwrap_or_default();
        format!("{}: {why}", r.id)
    };
    let failed: Vec<&CheckRow> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Pending))
        .collect();
    if failed.is_empty() {
        return Proof::Passed;
    }
    let waitable = |r: &&CheckRow| {
        r.status == Status::Pending
            || (!r.unavailable
                && !matches!(
                    r.kind,
                    CheckKind::Token | CheckKind::ExchangeToken | CheckKind::Denied
                ))
    };
    let age = changed.map(|c| (now - c).whole_seconds());
    let within = age.is_some_and(|a| a < crate::scope::EXCHANGE_WINDOW_SECS);
    if within && failed.iter().all(waitable) {
        let mins = age.unwrap_or_default() / 60;
        return Proof::Pending(format!(
            "{} refused {mins} min after the change; Exchange applies RBAC for Applications within 2 hours",
            failed
                .iter()
                .map(|r| said(r))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Proof::Failed(failed.iter().map(|r| said(r)).collect())
}
