//! What apply reports as it goes: typed events, drawn by an observer (the
//! text lines, the progress bar and the JSON events are in `render/`).

use std::time::Duration;

use super::{Outcome, StackSetError};
use crate::cloud::{CloudError, OperationInfo, OperationResult};
use crate::model::Address;
use crate::plan::{Change, Plan, StackSetPlan, StackSetStep};

#[derive(Debug, Clone, Copy)]
pub enum ApplyEvent<'a> {
    /// Before the first step: the plan being applied.
    Starting(&'a Plan),
    ChangeStarted(&'a Change),
    ChangeFinished {
        change: &'a Change,
        elapsed: Duration,
    },
    ChangeFailed {
        change: &'a Change,
        error: &'a CloudError,
    },
    /// Not run: `failed`, which it depends on (maybe through others), failed.
    ChangeSkipped {
        change: &'a Change,
        failed: &'a Address,
    },
    /// An interrupt came: the changes in flight finish, no more start.
    Interrupted {
        in_flight: usize,
    },
    StepStarted {
        stackset: &'a StackSetPlan,
        step: &'a StackSetStep,
    },
    StepFinished {
        stackset: &'a StackSetPlan,
        step: &'a StackSetStep,
        elapsed: Duration,
    },
    StepFailed {
        stackset: &'a StackSetPlan,
        step: &'a StackSetStep,
        error: &'a StackSetError,
    },
    /// An account and region whose instance failed in an ended operation.
    InstanceFailed {
        stackset: &'a str,
        result: &'a OperationResult,
    },
    /// Accounts done and failed so far in one region of a running operation.
    Progress {
        stackset: &'a str,
        operation: &'a str,
        region: &'a str,
        done: usize,
        failed: usize,
        total: usize,
    },
    /// Waiting for an operation another run started (StackSets run one at a time).
    WaitingForOther {
        stackset: &'a str,
        operation: &'a OperationInfo,
    },
    /// Waiting for the operation an earlier run started and did not see end.
    WaitingForPending {
        stackset: &'a str,
        operation: &'a str,
    },
    /// The run ended: what was done, failed, skipped or not started.
    Finished {
        plan: &'a Plan,
        outcome: &'a Outcome,
    },
}

/// Receives apply's events as they happen.
pub trait Observer: Sync {
    fn event(&self, event: ApplyEvent<'_>);
}
