use super::diagnosis::Diagnosis;

/// Where one step of a setup run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepStatus {
    Running,
    Done(String),
    Failed(Diagnosis),
}
