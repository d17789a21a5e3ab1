//! StackSet mode's part of a plan: the stack set's own steps, run one
//! operation at a time, and what each target account will get. Value types.

mod build;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use build::{plan_stackset, StackSetWanted};

use crate::cloud::{DeploymentTargets, InstanceInfo, OperationInfo, StackSetSpec, TrustedAccess};
use crate::model::{AccountId, AutoDeployment, CallAs, Preferences, Tags};
use crate::state::Effect;

#[derive(Debug, Clone)]
pub struct StackSetPlan {
    pub name: String,
    /// The stack set's ID, when it exists.
    pub id: Option<String>,
    pub call_as: CallAs,
    pub preferences: Preferences,
    /// In order; each waits for the one before.
    pub steps: Vec<StackSetStep>,
    /// Every (account, region) that the configuration reaches or that has an
    /// instance, with what it has and what it will get.
    pub instances: Vec<InstanceView>,
    /// An operation that was running when planned: apply waits for it first.
    pub running: Option<OperationInfo>,
    /// What keeps the plan from being applied (never saved: `plan --out` refuses it).
    pub conflict: Option<StackSetConflict>,
    /// CloudFormation's trusted access with Organizations, as found; `None`
    /// when not read (destroying).
    pub trusted_access: Option<TrustedAccess>,
}

/// Why a StackSet plan cannot be applied as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackSetConflict {
    /// The stack set exists, was not made by orgrole, is not in state, and
    /// `--adopt` was not given.
    NotOwned { id: String },
    /// Trusted access is off and the caller, a delegated administrator,
    /// cannot activate it (the management account only).
    TrustedAccessOff { status: TrustedAccess },
}

#[derive(Debug, Clone)]
pub struct StackSetStep {
    pub action: StackSetAction,
    pub reasons: Vec<StackSetReason>,
    /// The accounts its operation reaches.
    pub accounts: Vec<AccountId>,
    /// What the state records once its operation ends.
    pub effect: Option<Effect>,
}

/// Serialized as the plan JSON's `step` (docs/plan-json.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StackSetAction {
    /// ActivateOrganizationsAccess: service-managed stack sets need it.
    ActivateTrustedAccess,
    Create {
        spec: StackSetSpec,
    },
    /// The stack set and all its instances.
    Update {
        spec: StackSetSpec,
    },
    AddInstances {
        targets: DeploymentTargets,
        regions: Vec<String>,
    },
    RemoveInstances {
        targets: DeploymentTargets,
        regions: Vec<String>,
        /// Keep the stacks: only for accounts AWS can no longer act in
        /// (suspended, closed), whose instances could not go otherwise.
        retain_stacks: bool,
    },
    Delete,
    /// State only: the stack set is gone.
    Forget,
}

impl StackSetAction {
    /// `+`, `~`, `-` or `=`, as for resources.
    pub fn action(&self) -> super::Action {
        use super::Action;
        match self {
            Self::ActivateTrustedAccess | Self::Create { .. } | Self::AddInstances { .. } => Action::Create,
            Self::Update { .. } => Action::Update,
            Self::RemoveInstances { .. } | Self::Delete => Action::Delete,
            Self::Forget => Action::Forget,
        }
    }
}

/// Serialized as the plan JSON's step `reasons`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StackSetReason {
    New,
    /// DescribeOrganizationsAccess did not say ENABLED.
    TrustedAccessOff {
        status: TrustedAccess,
    },
    /// Accounts that auto-deployment gave an instance when they joined a
    /// targeted OU, though the account filter leaves them out: AWS's
    /// automatic deployments do not apply account filters.
    AutoDeployedPastFilter {
        accounts: Vec<AccountId>,
    },
    /// A unified diff of the template bodies.
    TemplateChanged {
        diff: String,
    },
    ExternalIdChanged,
    ParametersChanged {
        names: Vec<String>,
    },
    TagsChanged {
        set: Tags,
        removed: Vec<String>,
    },
    AutoDeploymentChanged {
        before: AutoDeployment,
        after: AutoDeployment,
    },
    /// Instances that are not CURRENT or whose last operation failed (drift).
    NotCurrent {
        instances: Vec<InstanceInfo>,
    },
    /// Accounts the targets reach that have no instance.
    MissingInstances {
        accounts: Vec<AccountId>,
    },
    /// Exists with orgrole's tag but is not in state.
    Unrecorded,
    /// Exists without orgrole's tag; taken over because of `--adopt`.
    Adopted,
    TargetAdded,
    NotTargeted,
    Destroy,
    AlreadyGone,
}

/// One (account, region) of the stack set; serialized as the plan JSON's `instances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceView {
    pub account: AccountId,
    pub region: String,
    /// As found; `None`: no instance yet.
    pub found: Option<InstanceInfo>,
    /// The configured targets reach the account (an instance outside them
    /// stays: e.g. of an account that left an OU with retain-stacks).
    pub targeted: bool,
    pub will: Will,
}

impl InstanceView {
    /// CURRENT, and this plan leaves it as it is.
    pub fn settled(&self) -> bool {
        self.will == Will::Keep && self.found.as_ref().is_some_and(|f| f.is_current())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Will {
    Create,
    Update,
    Delete,
    Keep,
}
