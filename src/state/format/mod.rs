//! The state file's formats: each version its own types, converted from and
//! to the in-memory `State`, so that a change of the model is not a change
//! of the file. A new version is added beside the others, which keep
//! reading what they wrote (tests/fixtures/state-format-*.json).

mod v1;

pub(super) use v1::StateFileV1;

/// The state format this orgrole writes (and the newest it reads); a newer
/// one is refused.
pub const FORMAT_VERSION: u32 = 1;
