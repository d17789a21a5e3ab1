//! The saved plan file's formats: each version its own types, converted
//! from and to `SavedPlan` and the in-memory `Plan`, so that a change of
//! the model is not a change of the file. A new version is added beside
//! the others, which keep reading what they wrote
//! (tests/fixtures/saved-plan-format-*.json).
//!
//! A saved plan holds what `apply` needs and what `show` renders. It holds
//! no conflicts (of resources or of the stack set) and no unreachable
//! accounts: `plan --out` refuses a plan that has any, so none was ever
//! saved, and a plan read back has none.

mod v1;
mod v3;

pub(super) use v1::{SavedPlanV1, UnknownSkipReason};
pub(super) use v3::SavedPlanV3;

/// The saved plan format this orgrole writes (and the newest it reads).
pub const SAVED_PLAN_VERSION: u32 = 3;

/// Each converted.
fn all<A: Into<B>, B>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(Into::into).collect()
}
