//! StackSets' vocabulary, shared by the configuration, the cloud, the plan
//! and the state: how targets are filtered, who calls, and how an
//! operation runs.

use serde::Serialize;

/// StackSets' AccountFilterType. (Serialized in the plan JSON's steps.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AccountFilter {
    /// No accounts listed: every account of the targets.
    None,
    Intersection,
    Difference,
    Union,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Percent(u32),
    Count(u32),
}

/// StackSetOperationPreferences; `None`: AWS's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub max_concurrent: Option<Amount>,
    pub failure_tolerance: Option<Amount>,
    pub region_concurrency: Option<RegionConcurrency>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionConcurrency {
    Sequential,
    Parallel,
}

/// StackSets' CallAs: from the management account, or a delegated administrator.
/// (Serialized in the plan JSON.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CallAs {
    Caller,
    DelegatedAdmin,
}

/// StackSets' automatic deployment to accounts that join a targeted OU.
/// (Serialized in the plan JSON's steps.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AutoDeployment {
    pub enabled: bool,
    /// Keep the stacks of accounts that leave a targeted OU.
    pub retain_stacks: bool,
}
