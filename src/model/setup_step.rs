use super::diagnosis::Diagnosis;

/// Where one step of a setup run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    Running,
    /// Still running, waiting for the directory to show an object made moments before (what,
    /// in words, with the time waited so far).
    Waiting(String),
    Done(String),
    /// Nothing could read whether it was done (why, in words): not a ✔.
    Unverified(String),
    Failed(Diagnosis),
}
