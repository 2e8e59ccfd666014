//! What the commands print that more than one of them prints: errors (`error`, as JSON too),
//! diagnoses, the plan, pretty JSON, and the check report (`report`).

pub mod error;
pub mod report;

use serde_json::{Map, Value, json};

use super::Exit;
use crate::app::SaveError;
use crate::model::Diagnosis;
use crate::plan::PlanStep;
use crate::store::StoreError;
use crate::vault::VaultError;

pub use error::{
    Code, answer_in_json, diagnosis_error, error, error_with, in_json, print_diagnosis,
};

/// A usage error: bad arguments or input.
pub fn usage(msg: impl std::fmt::Display) -> Exit {
    error(Code::Usage, Exit::Usage, msg)
}

/// A diagnosis told; the exit of a failure (`unavailable`: a service could not be reached).
pub fn failed(d: &Diagnosis, unavailable: bool) -> Exit {
    failed_with(d, unavailable, Map::new())
}

/// As `failed`, with more fields for the JSON object.
pub fn failed_with(d: &Diagnosis, unavailable: bool, extra: Map<String, Value>) -> Exit {
    if unavailable {
        diagnosis_error(Code::Unavailable, Exit::Unavailable, d, extra)
    } else {
        diagnosis_error(Code::Failed, Exit::CheckFailed, d, extra)
    }
}

/// A profile or directory that could not be read: a configuration error.
pub fn store_error(e: StoreError) -> Exit {
    error(store_code(&e), Exit::Usage, e)
}

pub fn store_code(e: &StoreError) -> Code {
    match e {
        StoreError::NotFound(_) => Code::NotFound,
        StoreError::Corrupt { .. } => Code::Corrupt,
        StoreError::Io { .. } | StoreError::NoHome => Code::Config,
    }
}

/// A profile that could not be saved or forgotten: a keyring out of reach is exit 3.
pub fn save_error(e: SaveError) -> Exit {
    match e {
        SaveError::Vault(e @ VaultError::Unavailable(_)) => {
            error(Code::Keyring, Exit::Unavailable, e)
        }
        SaveError::Vault(e) => error(Code::Keyring, Exit::Usage, e),
        SaveError::Store(e) => store_error(e),
        e @ SaveError::KeyringLeft(VaultError::Unavailable(_)) => {
            error(Code::Keyring, Exit::Unavailable, e)
        }
        e @ SaveError::KeyringLeft(_) => error(Code::Keyring, Exit::Usage, e),
    }
}

/// `v` on stdout, indented.
pub fn print_json(v: &Value) {
    println!("{}", crate::model::pretty_json(v));
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
