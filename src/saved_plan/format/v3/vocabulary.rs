//! StackSets' vocabulary as a saved plan writes it: the twins of the
//! model's (`model::stackset`) and of what CloudFormation said (`cloud::stacksets`).
//! AWS's enums are written in AWS's words, orgrole's in their names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cloud;
use crate::model::{self, AccountId, Tags};

twin_enum! {
    pub enum CallAs = model::CallAs {
        Caller,
        DelegatedAdmin,
    }
}

twin_enum! {
    pub enum AccountFilter = model::AccountFilter {
        None,
        Intersection,
        Difference,
        Union,
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct AutoDeployment {
    pub enabled: bool,
    pub retain_stacks: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Preferences {
    pub max_concurrent: Option<Amount>,
    pub failure_tolerance: Option<Amount>,
    pub region_concurrency: Option<RegionConcurrency>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Amount {
    Percent(u32),
    Count(u32),
}

twin_enum! {
    pub enum RegionConcurrency = model::RegionConcurrency {
        Sequential,
        Parallel,
    }
}

twin_enum! {
    pub enum TrustedAccess = cloud::TrustedAccess {
        #[serde(rename = "ENABLED")]
        Enabled,
        #[serde(rename = "DISABLED")]
        Disabled,
        #[serde(rename = "DISABLED_PERMANENTLY")]
        DisabledPermanently,
    }
}

/// The external ID is in `parameters`, as in the trust policies of the
/// plan's role values: a saved plan is kept private (0600).
#[derive(Debug, Serialize, Deserialize)]
pub struct StackSetSpec {
    pub name: String,
    pub description: String,
    pub template_body: String,
    pub parameters: BTreeMap<String, String>,
    pub tags: Tags,
    pub auto_deployment: AutoDeployment,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DeploymentTargets {
    pub ous: Vec<String>,
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InstanceInfo {
    pub account: AccountId,
    pub region: String,
    pub ou: Option<String>,
    pub status: InstanceStatus,
    pub detailed: Option<DetailedStatus>,
    pub reason: Option<String>,
}

twin_enum! {
    pub enum InstanceStatus = cloud::InstanceStatus {
        Current,
        Outdated,
        Inoperable,
    }
}

twin_enum! {
    pub enum DetailedStatus = cloud::DetailedStatus {
        #[serde(rename = "PENDING")]
        Pending,
        #[serde(rename = "RUNNING")]
        Running,
        #[serde(rename = "SUCCEEDED")]
        Succeeded,
        #[serde(rename = "FAILED")]
        Failed,
        #[serde(rename = "CANCELLED")]
        Cancelled,
        #[serde(rename = "INOPERABLE")]
        Inoperable,
        #[serde(rename = "SKIPPED_SUSPENDED_ACCOUNT")]
        SkippedSuspendedAccount,
        #[serde(rename = "FAILED_IMPORT")]
        FailedImport,
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OperationInfo {
    pub id: String,
    pub action: Option<OperationAction>,
    pub status: OperationStatus,
    pub reason: Option<String>,
    /// Absent from plans saved before it was read.
    #[serde(default)]
    pub created: Option<i64>,
}

twin_enum! {
    pub enum OperationAction = cloud::OperationAction {
        #[serde(rename = "CREATE")]
        Create,
        #[serde(rename = "UPDATE")]
        Update,
        #[serde(rename = "DELETE")]
        Delete,
        #[serde(rename = "DETECT_DRIFT")]
        DetectDrift,
    }
}

twin_enum! {
    pub enum OperationStatus = cloud::OperationStatus {
        Queued,
        Running,
        Stopping,
        Succeeded,
        Failed,
        Stopped,
    }
}

impl From<model::AutoDeployment> for AutoDeployment {
    fn from(a: model::AutoDeployment) -> Self {
        Self { enabled: a.enabled, retain_stacks: a.retain_stacks }
    }
}

impl From<AutoDeployment> for model::AutoDeployment {
    fn from(a: AutoDeployment) -> Self {
        Self { enabled: a.enabled, retain_stacks: a.retain_stacks }
    }
}

impl From<model::Preferences> for Preferences {
    fn from(p: model::Preferences) -> Self {
        Self {
            max_concurrent: p.max_concurrent.map(Into::into),
            failure_tolerance: p.failure_tolerance.map(Into::into),
            region_concurrency: p.region_concurrency.map(Into::into),
        }
    }
}

impl From<Preferences> for model::Preferences {
    fn from(p: Preferences) -> Self {
        Self {
            max_concurrent: p.max_concurrent.map(Into::into),
            failure_tolerance: p.failure_tolerance.map(Into::into),
            region_concurrency: p.region_concurrency.map(Into::into),
        }
    }
}

impl From<model::Amount> for Amount {
    fn from(a: model::Amount) -> Self {
        match a {
            model::Amount::Percent(n) => Self::Percent(n),
            model::Amount::Count(n) => Self::Count(n),
        }
    }
}

impl From<Amount> for model::Amount {
    fn from(a: Amount) -> Self {
        match a {
            Amount::Percent(n) => Self::Percent(n),
            Amount::Count(n) => Self::Count(n),
        }
    }
}

impl From<cloud::StackSetSpec> for StackSetSpec {
    fn from(s: cloud::StackSetSpec) -> Self {
        Self {
            name: s.name,
            description: s.description,
            template_body: s.template_body,
            parameters: s.parameters,
            tags: s.tags,
            auto_deployment: s.auto_deployment.into(),
        }
    }
}

impl From<StackSetSpec> for cloud::StackSetSpec {
    fn from(s: StackSetSpec) -> Self {
        Self {
            name: s.name,
            description: s.description,
            template_body: s.template_body,
            parameters: s.parameters,
            tags: s.tags,
            auto_deployment: s.auto_deployment.into(),
        }
    }
}

impl From<cloud::DeploymentTargets> for DeploymentTargets {
    fn from(t: cloud::DeploymentTargets) -> Self {
        Self { ous: t.ous, accounts: t.accounts, filter: t.filter.into() }
    }
}

impl From<DeploymentTargets> for cloud::DeploymentTargets {
    fn from(t: DeploymentTargets) -> Self {
        Self { ous: t.ous, accounts: t.accounts, filter: t.filter.into() }
    }
}

impl From<cloud::InstanceInfo> for InstanceInfo {
    fn from(i: cloud::InstanceInfo) -> Self {
        Self {
            account: i.account,
            region: i.region,
            ou: i.ou,
            status: i.status.into(),
            detailed: i.detailed.map(Into::into),
            reason: i.reason,
        }
    }
}

impl From<InstanceInfo> for cloud::InstanceInfo {
    fn from(i: InstanceInfo) -> Self {
        Self {
            account: i.account,
            region: i.region,
            ou: i.ou,
            status: i.status.into(),
            detailed: i.detailed.map(Into::into),
            reason: i.reason,
        }
    }
}

impl From<cloud::OperationInfo> for OperationInfo {
    fn from(o: cloud::OperationInfo) -> Self {
        Self {
            id: o.id,
            action: o.action.map(Into::into),
            status: o.status.into(),
            reason: o.reason,
            created: o.created,
        }
    }
}

impl From<OperationInfo> for cloud::OperationInfo {
    fn from(o: OperationInfo) -> Self {
        Self {
            id: o.id,
            action: o.action.map(Into::into),
            status: o.status.into(),
            reason: o.reason,
            created: o.created,
        }
    }
}
