use super::diagnosis::Diagnosis;

/// Where one step of a setup run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    Running,
    Done(String),
    /// Nothing could read whether it was done (why, in words): not a ✔.
    Unverified(String),
    Failed(Diagnosis),
}
