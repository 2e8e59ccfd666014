//! A profile's check report: the text table, the JSON object, and the rows that stand in for
//! checks that could not run.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::app::{self, Env};
use crate::model::{CheckEvent, CheckRow, CheckSpec, Profile, Status, Verdict};
use crate::store::StoreError;

/// The line that tells, on a terminal, how far `check --all` is.
pub fn fleet_progress(done: usize, total: usize) -> String {
    format!("checked {done}/{total} profiles…")
}

/// One line of live progress; none for a check that only started.
pub fn progress_line(spec: &CheckSpec, event: &CheckEvent) -> Option<String> {
    let (what, target) = spec.columns();
    Some(match event {
        CheckEvent::Started => return None,
        CheckEvent::Passed { detail, .. } => format!("✔ {what} {target}  {detail}"),
        CheckEvent::Failed { diagnosis, .. } => {
            format!("✘ {what} {target}  {}", diagnosis.summary)
        }
        CheckEvent::Skipped { reason } => format!("- {what} {target}  {reason}"),
        CheckEvent::Pending { diagnosis, .. } => {
            format!("◷ {what} {target}  {}", diagnosis.summary)
        }
    })
}

fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✔",
        Status::Failed => "✘",
        Status::Skipped => "-",
        Status::Pending => "◷",
        Status::Queued | Status::Running => "…",
    }
}

fn ready_to_hand_over(p: &Profile, verdict: Verdict) -> bool {
    crate::scope::ready_to_hand_over(
        p.scope.as_ref(),
        &p.access,
        p.deny_mailbox.is_some(),
        verdict == Verdict::Passed,
    )
}

pub fn text(env: &Env, p: &Profile, rows: &[CheckRow], verdict: Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Checks for {} (tenant {}, client {}):",
        p.name, p.tenant, p.client_id
    );
    for r in rows {
        let (what, target) = r.spec.columns();
        let ms = r
            .elapsed_ms
            .map(|m| format!("{:.2} s", m as f64 / 1000.0))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<7} {:<24} {:>7}  {}",
            status_mark(r.status),
            what,
            target,
            ms,
            r.detail.as_deref().unwrap_or("")
        );
        if let Some(d) = &r.diagnosis {
            let _ = writeln!(
                out,
                "      evidence: {}\n      cause:    {}\n      fix:      {}",
                d.evidence, d.cause, d.fix
            );
        }
    }
    let word = match verdict {
        Verdict::Passed => "all checks passed",
        Verdict::Failed => "a check failed",
        Verdict::Unavailable => "a service could not be reached",
        Verdict::Pending => {
            "nothing failed; a check waits for a change Microsoft has not applied yet (`check --wait 2h` checks again until it passes)"
        }
    };
    let _ = writeln!(out, "Result: {word}.");
    if p.scope.is_some() {
        let _ = writeln!(
            out,
            "{}",
            if ready_to_hand_over(p, verdict) {
                "Ready to hand over: every intended mailbox works on every chosen protocol and the out-of-scope mailbox is refused."
            } else {
                "Not ready to hand over yet: scoped setups are ready when every intended mailbox passes and the out-of-scope one is refused (Exchange Online can take up to 2 hours to apply RBAC and policy changes: `check --wait 2h`)."
            }
        );
    }
    if verdict == Verdict::Passed {
        let _ = writeln!(out, "Settings for the consuming application:");
        for (k, v) in app::app_settings(env, p) {
            let _ = writeln!(out, "  {k:<16} {v}");
        }
    }
    crate::model::printable(&out)
}

pub fn json(env: &Env, p: &Profile, rows: &[CheckRow], verdict: Verdict, elapsed_ms: u64) -> Value {
    let settings: serde_json::Map<String, Value> = app::app_settings(env, p)
        .into_iter()
        .map(|(k, v)| (json_key(k), Value::String(v)))
        .collect();
    json!({
        "profile": p.name,
        "sandbox": p.sandbox,
        "tenant": p.tenant,
        "tenant_id": p.tenant_id,
        "client_id": p.client_id,
        "access": p.access,
        "verdict": verdict,
        "scope": p.scope,
        "ready_to_hand_over": ready_to_hand_over(p, verdict),
        "secret_expires": p.secret_expires,
        "secret_expires_in_days": p.expiry(time::OffsetDateTime::now_utc().date()).map(|(d, _)| d),
        "at": p.last_check.as_ref().map(|c| c.at.clone()),
        "elapsed_ms": elapsed_ms,
        "checks": rows,
        "settings": settings,
    })
}

/// A profile file that could not be read, in place of its report.
pub fn unreadable_json(e: &StoreError) -> Value {
    json!({
        "profile": null,
        "verdict": Verdict::Failed,
        "checks": [failed_row(
            "profile",
            &e.to_string(),
            "A profile file could not be read.",
            "The file was edited by hand or damaged.",
            "Fix the line named, or remove the file and add the profile again.",
        )],
    })
}

/// A failed row of the report that is not one of the plan's checks (`id` is also its kind).
pub fn failed_row(id: &str, evidence: &str, summary: &str, cause: &str, fix: &str) -> Value {
    json!({
        "id": id, "kind": id, "mailbox": null, "status": "failed",
        "elapsed_ms": null, "detail": evidence,
        "diagnosis": { "summary": summary, "evidence": evidence, "cause": cause, "fix": fix },
    })
}

/// `Scope (Graph)` → `scope_graph`.
fn json_key(label: &str) -> String {
    label
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}
