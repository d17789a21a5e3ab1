use crate::cloud::CloudError;

/// What a run did, by index into the plan's changes.
#[derive(Debug, Default)]
pub struct Outcome {
    pub completed: Vec<usize>,
    pub failed: Vec<(usize, CloudError)>,
    /// (change, the change it depends on that failed).
    pub skipped: Vec<(usize, usize)>,
    pub not_started: usize,
    pub interrupted: bool,
    pub stackset: super::StackSetOutcome,
}

impl Outcome {
    /// Everything planned was done.
    pub fn complete(&self) -> bool {
        self.failed.is_empty()
            && !self.interrupted
            && self.stackset.error.is_none()
            && self.stackset.timed_out.is_none()
    }
}
