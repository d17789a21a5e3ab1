//! The plan: a pure function of (Desired, Observed, State) and the value
//! types it returns. No I/O here: a Plan can be rendered, saved and applied.

mod build;
mod configured;
mod diff;
mod fingerprint;
mod refusal;
mod stack_drift;
mod stackset;
mod types;

pub(crate) use build::{found, own_policy_arn};
pub use build::{plan, PlanOptions};
#[cfg(test)]
pub use diff::reasons as diff_reasons;
pub use diff::tag_changes;
pub use fingerprint::{fingerprint, parameters_fingerprint};
pub use refusal::{refusal, Refusal};
pub use stackset::{
    plan_stackset, InstanceView, StackSetAction, StackSetConflict, StackSetPlan, StackSetReason,
    StackSetStep, StackSetWanted, Will,
};
pub use types::{Action, Change, Conflict, Kept, Plan, Reason, ResourceValue, Summary, Unreachable};

#[cfg(test)]
mod tests;
