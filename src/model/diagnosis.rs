use serde::Serialize;

/// What a person needs to know of a failure: what failed, the evidence, the likely cause and
/// the fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub summary: String,
    pub evidence: String,
    pub cause: String,
    pub fix: String,
}
