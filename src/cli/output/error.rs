//! How a command that ends in an error says so: `error: …` on stderr, or — once the command
//! line asked for `--json` — one object `{"error": {"code", "exit", "message", …}}` on stdout,
//! so that whoever reads the JSON always gets JSON.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

use crate::cli::Exit;
use crate::model::Diagnosis;

/// What kind of error ended the command, as `--json` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Bad arguments or input.
    Usage,
    /// No profile by that name.
    NotFound,
    /// `check` of every profile, and there is none.
    NoProfiles,
    /// A file (a profile, the saved sandbox tenant) that cannot be read.
    Corrupt,
    /// A file or directory that could not be read or written.
    Config,
    /// The keyring refused, could not be reached or is locked.
    Keyring,
    /// A network service (Microsoft's, or the sandbox) could not be reached.
    Unavailable,
    /// A step failed: the diagnosis says why.
    Failed,
}

impl Code {
    fn key(self) -> &'static str {
        match self {
            Code::Usage => "usage",
            Code::NotFound => "not_found",
            Code::NoProfiles => "no_profiles",
            Code::Corrupt => "corrupt",
            Code::Config => "config",
            Code::Keyring => "keyring",
            Code::Unavailable => "unavailable",
            Code::Failed => "failed",
        }
    }
}

static JSON: AtomicBool = AtomicBool::new(false);

/// From here on, errors are answered as JSON on stdout: the command line asked for `--json`.
pub fn answer_in_json() {
    JSON.store(true, Ordering::Relaxed);
}

pub fn in_json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// An error that ends the command, told; its exit.
pub fn error(code: Code, exit: Exit, message: impl std::fmt::Display) -> Exit {
    error_with(code, exit, message, Map::new())
}

/// As `error`, with more fields for the JSON object (the text says only the message).
pub fn error_with(
    code: Code,
    exit: Exit,
    message: impl std::fmt::Display,
    extra: Map<String, Value>,
) -> Exit {
    if in_json() {
        println!("{}", error_json(code, exit, &message.to_string(), extra));
    } else {
        eprintln!("error: {}", crate::model::printable(&message.to_string()));
    }
    exit
}

/// A diagnosis that ends the command, told whole; `extra` goes into the JSON object only.
pub fn diagnosis_error(code: Code, exit: Exit, d: &Diagnosis, extra: Map<String, Value>) -> Exit {
    if in_json() {
        let mut fields = extra;
        fields.insert("diagnosis".into(), json!(d));
        println!("{}", error_json(code, exit, &d.summary, fields));
    } else {
        print_diagnosis(d);
    }
    exit
}

pub fn print_diagnosis(d: &Diagnosis) {
    let p = crate::model::printable;
    eprintln!(
        "error: {}\n  evidence: {}\n  cause:    {}\n  fix:      {}",
        p(&d.summary),
        p(&d.evidence),
        p(&d.cause),
        p(&d.fix)
    );
}

fn error_json(code: Code, exit: Exit, message: &str, extra: Map<String, Value>) -> String {
    let mut error = error_fields(code, exit, message);
    error.extend(extra);
    crate::model::pretty_json(&json!({ "error": error }))
}

/// The inside of an error object, for a JSON answer that carries one beside other results.
pub fn error_fields(code: Code, exit: Exit, message: &str) -> Map<String, Value> {
    let mut error = Map::new();
    error.insert("code".into(), json!(code.key()));
    error.insert("exit".into(), json!(exit as u8));
    error.insert("message".into(), json!(message));
    error
}

/// Clap's refusal of the command line, when `--json` was on it: the error line and its tips,
/// without the usage block and the pointer to --help.
pub fn parse_error_json(rendered: &str) -> String {
    let end = ["\n\nUsage:", "\n\nFor more information"]
        .iter()
        .filter_map(|tail| rendered.find(tail))
        .min()
        .unwrap_or(rendered.len());
    let text = rendered[..end].trim().trim_start_matches("error: ");
    error_json(Code::Usage, Exit::Usage, text, Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_usage_object() {
        let v: Value = serde_json::from_str(&parse_error_json(
            "error: invalid value 'x' for '--timeout <TIMEOUT>': invalid digit\n\nFor more information, try '--help'.\n",
        ))
        .unwrap();
        assert_eq!(v["error"]["code"], "usage");
        assert_eq!(v["error"]["exit"], 2);
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("invalid value 'x'"), "{message}");
        assert!(!message.contains("For more information"), "{message}");
        let v: Value = serde_json::from_str(&parse_error_json(
            "error: unexpected argument '--jsn' found\n\n  tip: a similar argument exists: '--json'\n\nUsage: m365-mail-wizard check --json\n",
        ))
        .unwrap();
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("tip: a similar argument exists: '--json'"),
            "{message}"
        );
        assert!(!message.contains("Usage:"), "{message}");
    }
}
