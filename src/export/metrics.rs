//! `check --all --format prometheus`: the fleet's outcome in the Prometheus text format that
//! node_exporter's textfile collector reads (docs/monitoring.md). Pure: the outcomes in, the
//! text out.

use std::fmt::Write;

use crate::model::{CheckKind, CheckVerdict, Status, Verdict};

/// One profile's outcome as the fleet's exports see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetEntry {
    pub profile: String,
    pub verdict: Verdict,
    pub checks: Vec<CheckOutcome>,
    /// Days until the credential expires (negative when past), when known.
    pub expiry_days: Option<i64>,
    /// The verdict recorded on the profile before this run, if it was ever checked.
    pub before: Option<CheckVerdict>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    pub kind: CheckKind,
    pub mailbox: Option<String>,
    pub status: Status,
}

/// The gauge value of a check's status: 1 passed, 0 failed, 2 pending, -1 skipped or not run.
pub fn status_value(s: Status) -> i8 {
    match s {
        Status::Passed => 1,
        Status::Failed => 0,
        Status::Pending => 2,
        Status::Skipped | Status::Queued | Status::Running => -1,
    }
}

/// The `check` label of a kind of check: its name in `check --json` (`graph-read`,
/// `exchange-token`, …).
pub fn kind_label(k: CheckKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Failed => "failed",
        Verdict::Pending => "pending",
        Verdict::Unavailable => "unavailable",
    }
}

const VERDICTS: [Verdict; 4] = [
    Verdict::Passed,
    Verdict::Failed,
    Verdict::Pending,
    Verdict::Unavailable,
];

/// A label value as the format wants it: backslash, double quote and line feed escaped; any
/// other control character replaced, never written raw.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A HELP text as the format wants it: backslash and line feed escaped, other control
/// characters replaced.
fn escape_help(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {}", escape_help(help));
    let _ = writeln!(out, "# TYPE {name} gauge");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: i64) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
        .collect();
    let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
}

/// The whole textfile: each profile's checks, verdict and credential expiry, and how many
/// profile files could not be read.
pub fn prometheus(entries: &[FleetEntry], unreadable: usize) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "m365mw_check_status",
        "Outcome of one live check of a profile: 1 passed, 0 failed, 2 pending (waits for a change Microsoft has not applied yet), -1 skipped or not run.",
    );
    for e in entries {
        for c in &e.checks {
            let mailbox = c.mailbox.as_deref().unwrap_or("");
            sample(
                &mut out,
                "m365mw_check_status",
                &[
                    ("profile", &e.profile),
                    ("check", &kind_label(c.kind)),
                    ("mailbox", mailbox),
                ],
                i64::from(status_value(c.status)),
            );
        }
    }
    family(
        &mut out,
        "m365mw_profile_verdict",
        "The profile's verdict: 1 on the series of its verdict (passed, failed, pending, unavailable), 0 on the others.",
    );
    for e in entries {
        for v in VERDICTS {
            sample(
                &mut out,
                "m365mw_profile_verdict",
                &[("profile", &e.profile), ("verdict", verdict_label(v))],
                i64::from(e.verdict == v),
            );
        }
    }
    family(
        &mut out,
        "m365mw_credential_expiry_days",
        "Days until the profile's client secret or certificate expires (negative when past); absent when not known.",
    );
    for e in entries {
        if let Some(days) = e.expiry_days {
            sample(
                &mut out,
                "m365mw_credential_expiry_days",
                &[("profile", &e.profile)],
                days,
            );
        }
    }
    family(
        &mut out,
        "m365mw_profiles_unreadable",
        "Profile files that could not be read, so were not checked.",
    );
    let _ = writeln!(out, "m365mw_profiles_unreadable {unreadable}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> FleetEntry {
        FleetEntry {
            profile: name.into(),
            verdict: Verdict::Pending,
            checks: vec![
                CheckOutcome {
                    kind: CheckKind::Token,
                    mailbox: None,
                    status: Status::Passed,
                },
                CheckOutcome {
                    kind: CheckKind::GraphRead,
                    mailbox: Some("alice@contoso.example".into()),
                    status: Status::Pending,
                },
            ],
            expiry_days: Some(-3),
            before: None,
        }
    }

    #[test]
    fn label_values_escape_backslash_quote_and_line_feed_and_never_hold_control_characters() {
        assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
        let odd = escape_label("t\tr\re\u{1b}[31m\u{7f}");
        assert!(!odd.chars().any(char::is_control), "{odd:?}");
        assert_eq!(escape_label("plain-name.ü"), "plain-name.ü");
        assert_eq!(escape_help("a\\b\nc"), "a\\\\b\\nc");
    }

    #[test]
    fn every_family_has_help_and_type_before_its_samples() {
        let text = prometheus(&[entry("one"), entry("t\"w\\o\n")], 2);
        let lines: Vec<&str> = text.lines().collect();
        for name in [
            "m365mw_check_status",
            "m365mw_profile_verdict",
            "m365mw_credential_expiry_days",
            "m365mw_profiles_unreadable",
        ] {
            let help = lines
                .iter()
                .position(|l| l.starts_with(&format!("# HELP {name} ")))
                .unwrap_or_else(|| panic!("HELP of {name}: {text}"));
            assert_eq!(lines[help + 1], format!("# TYPE {name} gauge"));
            let first = lines
                .iter()
                .position(|l| l.starts_with(name))
                .expect("a sample");
            assert!(first > help + 1, "{text}");
        }
        assert!(text.ends_with('\n'));
        assert!(text.contains(
            "m365mw_check_status{profile=\"one\",check=\"graph-read\",mailbox=\"alice@contoso.example\"} 2\n"
        ));
        assert!(
            text.contains("m365mw_check_status{profile=\"one\",check=\"token\",mailbox=\"\"} 1\n")
        );
        assert!(text.contains(
            "m365mw_profile_verdict{profile=\"t\\\"w\\\\o\\n\",verdict=\"pending\"} 1\n"
        ));
        assert!(text.contains("m365mw_profile_verdict{profile=\"one\",verdict=\"passed\"} 0\n"));
        assert!(text.contains("m365mw_credential_expiry_days{profile=\"one\"} -3\n"));
        assert!(text.contains("m365mw_profiles_unreadable 2\n"));
        // Every line is a comment or a sample: no raw line feed inside a label.
        assert!(
            text.lines()
                .all(|l| l.starts_with("# ") || l.starts_with("m365mw_")),
            "{text}"
        );
    }

    #[test]
    fn status_values_keep_pending_apart_from_failed() {
        assert_eq!(status_value(Status::Passed), 1);
        assert_eq!(status_value(Status::Failed), 0);
        assert_eq!(status_value(Status::Pending), 2);
        assert_eq!(status_value(Status::Skipped), -1);
    }
}
