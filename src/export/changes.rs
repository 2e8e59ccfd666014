//! `check --notify URL`: what changed since the last run, as the JSON an incoming webhook
//! takes (a `text` field, plus the same facts as structured fields). Pure; names profiles,
//! checks and mailboxes, never a secret.

use serde_json::{Value, json};

use super::metrics::{FleetEntry, kind_label, verdict_label};
use crate::model::{CheckVerdict, Status, Verdict};

/// A profile whose outcome changed since the run before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub profile: String,
    /// passed, failed or waiting; none when it was never checked.
    pub before: Option<&'static str>,
    pub after: Verdict,
    /// The checks that did not pass (check and mailbox), for a profile that stopped passing.
    pub not_passing: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Summary {
    /// Passed before (or never checked) and does not pass now.
    pub stopped_passing: Vec<Change>,
    /// Did not pass before and passes now.
    pub recovered: Vec<Change>,
    /// Credentials expiring within the window: profile and days left.
    pub expiring: Vec<(String, i64)>,
    pub window_days: u32,
    pub checked: usize,
    pub passing: usize,
}

impl Summary {
    /// Nothing worth a message: no change and no credential close to its expiry.
    pub fn is_quiet(&self) -> bool {
        self.stopped_passing.is_empty() && self.recovered.is_empty() && self.expiring.is_empty()
    }

    /// One line a person reads in the chat.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        let names = |cs: &[Change]| {
            cs.iter()
                .map(|c| format!("{} ({})", c.profile, verdict_label(c.after)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.stopped_passing.is_empty() {
            parts.push(format!(
                "{} profile(s) no longer pass: {}",
                self.stopped_passing.len(),
                names(&self.stopped_passing)
            ));
        }
        if !self.recovered.is_empty() {
            parts.push(format!(
                "{} profile(s) pass again: {}",
                self.recovered.len(),
                names(&self.recovered)
            ));
        }
        if !self.expiring.is_empty() {
            let list: Vec<String> = self
                .expiring
                .iter()
                .map(|(p, d)| format!("{p} ({d} days)"))
                .collect();
            parts.push(format!(
                "credentials expiring within {} days: {}",
                self.window_days,
                list.join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push("no change".into());
        }
        format!(
            "m365-mail-wizard check: {}. {}/{} profiles pass.",
            parts.join("; "),
            self.passing,
            self.checked
        )
    }

    /// The webhook's body; `at` is when the run ended (RFC 3339).
    pub fn json(&self, at: &str) -> Value {
        let change = |c: &Change| {
            json!({
                "profile": c.profile,
                "before": c.before,
                "after": verdict_label(c.after),
                "not_passing": c.not_passing,
            })
        };
        json!({
            "text": self.text(),
            "source": "m365-mail-wizard",
            "at": at,
            "checked": self.checked,
            "passing": self.passing,
            "stopped_passing": self.stopped_passing.iter().map(change).collect::<Vec<_>>(),
            "recovered": self.recovered.iter().map(change).collect::<Vec<_>>(),
            "expiring": self.expiring.iter().map(|(p, d)| json!({"profile": p, "days": d})).collect::<Vec<_>>(),
            "expiring_window_days": self.window_days,
        })
    }
}

fn before_label(v: CheckVerdict) -> &'static str {
    match v {
        CheckVerdict::Passed => "passed",
        CheckVerdict::Failed => "failed",
        CheckVerdict::Waiting => "waiting",
    }
}

/// What changed between each profile's recorded verdict and this run's, and which credentials
/// expire within `window_days`.
pub fn summarize(entries: &[FleetEntry], window_days: u32) -> Summary {
    let mut s = Summary {
        window_days,
        checked: entries.len(),
        ..Summary::default()
    };
    for e in entries {
        let passes = e.verdict == Verdict::Passed;
        s.passing += usize::from(passes);
        let passed_before = match e.before {
            Some(CheckVerdict::Passed) => Some(true),
            Some(_) => Some(false),
            None => None,
        };
        let change = || Change {
            profile: e.profile.clone(),
            before: e.before.map(before_label),
            after: e.verdict,
            not_passing: e
                .checks
                .iter()
                .filter(|c| !matches!(c.status, Status::Passed | Status::Skipped))
                .map(|c| match &c.mailbox {
                    Some(m) => format!("{}:{m}", kind_label(c.kind)),
                    None => kind_label(c.kind),
                })
                .collect(),
        };
        match (passed_before, passes) {
            (Some(true) | None, false) => s.stopped_passing.push(change()),
            (Some(false), true) => s.recovered.push(change()),
            _ => {}
        }
        if let Some(days) = e.expiry_days.filter(|d| *d <= i64::from(window_days)) {
            s.expiring.push((e.profile.clone(), days));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::metrics::CheckOutcome;
    use crate::model::CheckKind;

    /// A profile whose token passed and whose IMAP check of bob@ came out as the verdict says.
    fn e(name: &str, before: Option<CheckVerdict>, after: Verdict) -> FleetEntry {
        let imap = match after {
            Verdict::Passed => Status::Passed,
            _ => Status::Failed,
        };
        let checks = [
            (CheckKind::Token, None, Status::Passed),
            (CheckKind::Imap, Some("bob@contoso.example"), imap),
        ]
        .into_iter()
        .map(|(kind, mailbox, status)| CheckOutcome {
            kind,
            mailbox: mailbox.map(String::from),
            status,
        })
        .collect();
        FleetEntry {
            profile: name.into(),
            verdict: after,
            checks,
            expiry_days: None,
            before,
        }
    }

    #[test]
    fn profiles_that_stopped_passing_and_those_that_pass_again_are_told_apart() {
        let mut soon = e("soon", Some(CheckVerdict::Passed), Verdict::Passed);
        soon.expiry_days = Some(12);
        let mut later = e("later", Some(CheckVerdict::Passed), Verdict::Passed);
        later.expiry_days = Some(200);
        let s = summarize(
            &[
                e("broke", Some(CheckVerdict::Passed), Verdict::Failed),
                e("waits", Some(CheckVerdict::Passed), Verdict::Pending),
                e("new-bad", None, Verdict::Unavailable),
                e("new-good", None, Verdict::Passed),
                e("still-bad", Some(CheckVerdict::Failed), Verdict::Failed),
                e("fixed", Some(CheckVerdict::Waiting), Verdict::Passed),
                soon,
                later,
            ],
            30,
        );
        let names = |cs: &[Change]| cs.iter().map(|c| c.profile.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&s.stopped_passing),
            ["broke", "waits", "new-bad"].map(String::from)
        );
        assert_eq!(names(&s.recovered), ["fixed".to_string()]);
        assert_eq!(s.expiring, vec![("soon".to_string(), 12)]);
        assert_eq!(
            s.stopped_passing[0].not_passing,
            ["imap:bob@contoso.example"]
        );
        assert_eq!((s.checked, s.passing), (8, 4));
        assert!(!s.is_quiet());

        let v = s.json("2026-01-01T00:00:00Z");
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("3 profile(s) no longer pass: broke (failed)"),
            "{text}"
        );
        assert!(text.contains("fixed (passed)"), "{text}");
        assert!(text.contains("soon (12 days)"), "{text}");
        assert_eq!(v["stopped_passing"][0]["before"], "passed");
        assert_eq!(v["stopped_passing"][2]["before"], Value::Null);
        assert_eq!(v["recovered"][0]["before"], "waiting");
        assert_eq!(v["expiring"][0]["days"], 12);
    }

    #[test]
    fn a_run_where_nothing_changed_is_quiet() {
        let s = summarize(
            &[
                e("a", Some(CheckVerdict::Passed), Verdict::Passed),
                e("b", Some(CheckVerdict::Failed), Verdict::Failed),
            ],
            30,
        );
        assert!(s.is_quiet());
        assert!(s.text().contains("no change"));
    }
}
