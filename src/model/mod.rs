//! Value types shared by the desired state, the observed state, the plan and
//! the state file. Nothing here performs I/O or knows about the AWS SDK.

mod account;
mod address;
mod arn;
mod document;
mod other_policies;
mod resource;
mod role_settings;
mod stackset;

pub use account::{AccountId, AccountIdError};
pub use address::{Address, ResourceKind};
pub use arn::Arn;
pub(crate) use document::strings as statement_strings;
pub use document::{DocumentError, PolicyDocument};
pub use other_policies::OtherPolicies;
pub use resource::{Tags, MANAGED_BY_KEY, MANAGED_BY_VALUE};
pub use role_settings::{
    is_iam_path, RoleSettings, DEFAULT_MAX_SESSION, DEFAULT_PATH, LONGEST_MAX_SESSION, ORGROLE_DESCRIPTION,
};
pub use stackset::{AccountFilter, Amount, AutoDeployment, CallAs, Preferences, RegionConcurrency};
