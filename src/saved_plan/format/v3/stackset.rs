//! StackSet mode's part of a saved plan: the stack set's steps, in order,
//! and what each (account, region) has and will get.

use serde::{Deserialize, Serialize};

use super::all;
use super::vocabulary::{
    AccountFilter, AutoDeployment, CallAs, DeploymentTargets, InstanceInfo, OperationInfo, Preferences,
    StackSetSpec, TrustedAccess,
};
use crate::model::{AccountId, Tags};
use crate::{plan, state};

/// No conflict: a plan with one is not saved (see `format`).
#[derive(Debug, Serialize, Deserialize)]
pub struct StackSetPlan {
    pub name: String,
    pub id: Option<String>,
    pub call_as: CallAs,
    pub preferences: Preferences,
    pub steps: Vec<StackSetStep>,
    pub instances: Vec<InstanceView>,
    pub running: Option<OperationInfo>,
    /// Absent from plans saved before it was read.
    #[serde(default)]
    pub trusted_access: Option<TrustedAccess>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StackSetStep {
    pub action: StackSetAction,
    pub reasons: Vec<StackSetReason>,
    pub accounts: Vec<AccountId>,
    pub effect: Option<Effect>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StackSetAction {
    ActivateTrustedAccess,
    Create {
        spec: StackSetSpec,
    },
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
        /// Absent from plans saved before stacks could be kept.
        #[serde(default)]
        retain_stacks: bool,
    },
    Delete,
    Forget,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StackSetReason {
    New,
    TrustedAccessOff { status: TrustedAccess },
    AutoDeployedPastFilter { accounts: Vec<AccountId> },
    TemplateChanged { diff: String },
    ExternalIdChanged,
    ParametersChanged { names: Vec<String> },
    TagsChanged { set: Tags, removed: Vec<String> },
    AutoDeploymentChanged { before: AutoDeployment, after: AutoDeployment },
    NotCurrent { instances: Vec<InstanceInfo> },
    MissingInstances { accounts: Vec<AccountId> },
    Unrecorded,
    Adopted,
    TargetAdded,
    NotTargeted,
    Destroy,
    AlreadyGone,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InstanceView {
    pub account: AccountId,
    pub region: String,
    pub found: Option<InstanceInfo>,
    pub targeted: bool,
    pub will: Will,
}

twin_enum! {
    #[serde(rename_all = "snake_case")]
    pub enum Will = plan::Will {
        Create,
        Update,
        Delete,
        Keep,
    }
}

/// What the state records once the step's operation ends.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Updated { parameters: String, auto_deployment: AutoDeployment },
    Deployed(Vec<Deployment>),
    Withdrawn(Vec<Deployment>),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Deployment {
    pub ou: String,
    pub region: String,
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
}

impl From<plan::StackSetPlan> for StackSetPlan {
    fn from(p: plan::StackSetPlan) -> Self {
        Self {
            name: p.name,
            id: p.id,
            call_as: p.call_as.into(),
            preferences: p.preferences.into(),
            steps: all(p.steps),
            instances: all(p.instances),
            running: p.running.map(Into::into),
            trusted_access: p.trusted_access.map(Into::into),
        }
    }
}

impl From<StackSetPlan> for plan::StackSetPlan {
    fn from(p: StackSetPlan) -> Self {
        Self {
            name: p.name,
            id: p.id,
            call_as: p.call_as.into(),
            preferences: p.preferences.into(),
            steps: all(p.steps),
            instances: all(p.instances),
            running: p.running.map(Into::into),
            conflict: None,
            trusted_access: p.trusted_access.map(Into::into),
        }
    }
}

impl From<plan::StackSetStep> for StackSetStep {
    fn from(s: plan::StackSetStep) -> Self {
        Self {
            action: s.action.into(),
            reasons: all(s.reasons),
            accounts: s.accounts,
            effect: s.effect.map(Into::into),
        }
    }
}

impl From<StackSetStep> for plan::StackSetStep {
    fn from(s: StackSetStep) -> Self {
        Self {
            action: s.action.into(),
            reasons: all(s.reasons),
            accounts: s.accounts,
            effect: s.effect.map(Into::into),
        }
    }
}

impl From<plan::StackSetAction> for StackSetAction {
    fn from(a: plan::StackSetAction) -> Self {
        use plan::StackSetAction as A;
        match a {
            A::ActivateTrustedAccess => Self::ActivateTrustedAccess,
            A::Create { spec } => Self::Create { spec: spec.into() },
            A::Update { spec } => Self::Update { spec: spec.into() },
            A::AddInstances { targets, regions } => Self::AddInstances { targets: targets.into(), regions },
            A::RemoveInstances { targets, regions, retain_stacks } => {
                Self::RemoveInstances { targets: targets.into(), regions, retain_stacks }
            }
            A::Delete => Self::Delete,
            A::Forget => Self::Forget,
        }
    }
}

impl From<StackSetAction> for plan::StackSetAction {
    fn from(a: StackSetAction) -> Self {
        use StackSetAction as A;
        match a {
            A::ActivateTrustedAccess => Self::ActivateTrustedAccess,
            A::Create { spec } => Self::Create { spec: spec.into() },
            A::Update { spec } => Self::Update { spec: spec.into() },
            A::AddInstances { targets, regions } => Self::AddInstances { targets: targets.into(), regions },
            A::RemoveInstances { targets, regions, retain_stacks } => {
                Self::RemoveInstances { targets: targets.into(), regions, retain_stacks }
            }
            A::Delete => Self::Delete,
            A::Forget => Self::Forget,
        }
    }
}

impl From<plan::StackSetReason> for StackSetReason {
    fn from(r: plan::StackSetReason) -> Self {
        use plan::StackSetReason as R;
        match r {
            R::New => Self::New,
            R::TrustedAccessOff { status } => Self::TrustedAccessOff { status: status.into() },
            R::AutoDeployedPastFilter { accounts } => Self::AutoDeployedPastFilter { accounts },
            R::TemplateChanged { diff } => Self::TemplateChanged { diff },
            R::ExternalIdChanged => Self::ExternalIdChanged,
            R::ParametersChanged { names } => Self::ParametersChanged { names },
            R::TagsChanged { set, removed } => Self::TagsChanged { set, removed },
            R::AutoDeploymentChanged { before, after } => {
                Self::AutoDeploymentChanged { before: before.into(), after: after.into() }
            }
            R::NotCurrent { instances } => Self::NotCurrent { instances: all(instances) },
            R::MissingInstances { accounts } => Self::MissingInstances { accounts },
            R::Unrecorded => Self::Unrecorded,
            R::Adopted => Self::Adopted,
            R::TargetAdded => Self::TargetAdded,
            R::NotTargeted => Self::NotTargeted,
            R::Destroy => Self::Destroy,
            R::AlreadyGone => Self::AlreadyGone,
        }
    }
}

impl From<StackSetReason> for plan::StackSetReason {
    fn from(r: StackSetReason) -> Self {
        use StackSetReason as R;
        match r {
            R::New => Self::New,
            R::TrustedAccessOff { status } => Self::TrustedAccessOff { status: status.into() },
            R::AutoDeployedPastFilter { accounts } => Self::AutoDeployedPastFilter { accounts },
            R::TemplateChanged { diff } => Self::TemplateChanged { diff },
            R::ExternalIdChanged => Self::ExternalIdChanged,
            R::ParametersChanged { names } => Self::ParametersChanged { names },
            R::TagsChanged { set, removed } => Self::TagsChanged { set, removed },
            R::AutoDeploymentChanged { before, after } => {
                Self::AutoDeploymentChanged { before: before.into(), after: after.into() }
            }
            R::NotCurrent { instances } => Self::NotCurrent { instances: all(instances) },
            R::MissingInstances { accounts } => Self::MissingInstances { accounts },
            R::Unrecorded => Self::Unrecorded,
            R::Adopted => Self::Adopted,
            R::TargetAdded => Self::TargetAdded,
            R::NotTargeted => Self::NotTargeted,
            R::Destroy => Self::Destroy,
            R::AlreadyGone => Self::AlreadyGone,
        }
    }
}

impl From<plan::InstanceView> for InstanceView {
    fn from(i: plan::InstanceView) -> Self {
        Self {
            account: i.account,
            region: i.region,
            found: i.found.map(Into::into),
            targeted: i.targeted,
            will: i.will.into(),
        }
    }
}

impl From<InstanceView> for plan::InstanceView {
    fn from(i: InstanceView) -> Self {
        Self {
            account: i.account,
            region: i.region,
            found: i.found.map(Into::into),
            targeted: i.targeted,
            will: i.will.into(),
        }
    }
}

impl From<state::Effect> for Effect {
    fn from(e: state::Effect) -> Self {
        match e {
            state::Effect::Updated { parameters, auto_deployment } => {
                Self::Updated { parameters, auto_deployment: auto_deployment.into() }
            }
            state::Effect::Deployed(ds) => Self::Deployed(all(ds)),
            state::Effect::Withdrawn(ds) => Self::Withdrawn(all(ds)),
        }
    }
}

impl From<Effect> for state::Effect {
    fn from(e: Effect) -> Self {
        match e {
            Effect::Updated { parameters, auto_deployment } => {
                Self::Updated { parameters, auto_deployment: auto_deployment.into() }
            }
            Effect::Deployed(ds) => Self::Deployed(all(ds)),
            Effect::Withdrawn(ds) => Self::Withdrawn(all(ds)),
        }
    }
}

impl From<state::Deployment> for Deployment {
    fn from(d: state::Deployment) -> Self {
        Self { ou: d.ou, region: d.region, accounts: d.accounts, filter: d.filter.into() }
    }
}

impl From<Deployment> for state::Deployment {
    fn from(d: Deployment) -> Self {
        Self { ou: d.ou, region: d.region, accounts: d.accounts, filter: d.filter.into() }
    }
}
