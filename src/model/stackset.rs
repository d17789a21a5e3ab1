//! StackSets' vocabulary, shared by the configuration, the cloud, the plan
//! and the state: how targets are filtered, who calls, and how an
//! operation runs.

use serde::{Deserialize, Serialize};

/// StackSets' AccountFilterType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AccountFilter {
    /// No accounts listed: every account of the targets.
    None,
    Intersection,
    Difference,
    Union,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Amount {
    Percent(u32),
    Count(u32),
}

/// StackSetOperationPreferences; `None`: AWS's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub max_concurrent: Option<Amount>,
    pub failure_tolerance: Option<Amount>,
    pub region_concurrency: Option<RegionConcurrency>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionConcurrency {
    Sequential,
    Parallel,
}

/// StackSets' CallAs: from the management account, or a delegated administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallAs {
    Caller,
    DelegatedAdmin,
}

/// StackSets' automatic deployment to accounts that join a targeted OU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoDeployment {
    pub enabled: bool,
    /// Keep the stacks of accounts that leave a targeted OU.
    pub retain_stacks: bool,
}
