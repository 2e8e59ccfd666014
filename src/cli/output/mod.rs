//! What the commands print that more than one of them prints: usage errors, diagnoses, the
//! plan, pretty JSON, and the check report (`report`).

pub mod report;

use serde_json::{Value, json};

use super::Exit;
use crate::app::SaveError;
use crate::model::Diagnosis;
use crate::plan::PlanStep;
use crate::vault::VaultError;

/// A usage or configuration error, told on stderr.
pub fn usage(msg: impl std::fmt::Display) -> Exit {
    eprintln!("error: {msg}");
    Exit::Usage
}

pub fn print_diagnosis(d: &Diagnosis) {
    eprintln!(
        "error: {}\n  evidence: {}\n  cause:    {}\n  fix:      {}",
        d.summary, d.evidence, d.cause, d.fix
    );
}

/// A diagnosis told; the exit of a failure (`unavailable`: a service could not be reached).
pub fn failed(d: &Diagnosis, unavailable: bool) -> Exit {
    print_diagnosis(d);
    if unavailable {
        Exit::Unavailable
    } else {
        Exit::CheckFailed
    }
}

/// A profile that could not be saved or forgotten: a keyring out of reach is exit 3.
pub fn save_error(e: SaveError) -> Exit {
    eprintln!("error: {e}");
    match e {
        SaveError::Vault(VaultError::Unavailable(_)) => Exit::Unavailable,
        _ => Exit::Usage,
    }
}

/// `v` on stdout, indented.
pub fn print_json(v: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON serialises")
    );
}

pub fn print_plan(steps: &[PlanStep], json_out: bool) {
    if json_out {
        print_json(&json!({ "plan": steps }));
        return;
    }
    println!("The plan (nothing is changed until you run it with --yes):");
    for (i, s) in steps.iter().enumerate() {
        println!("{:>2}. {}", i + 1, s.title);
        println!("      Graph:      {}", s.graph);
        println!("      PowerShell: {}", s.powershell);
        println!("      Changes:    {}", s.changes);
    }
}
