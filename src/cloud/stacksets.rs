//! CloudFormation StackSets as orgrole uses them: one service-managed stack
//! set in the caller's region, its instances by OU and region, and the
//! asynchronous operations that change them. Model types only.

use std::collections::BTreeMap;
use std::future::Future;

use serde::Serialize;

use crate::model::{AccountFilter, AccountId, AutoDeployment, Preferences, Tags};

use super::CloudError;

/// An AWS enum as orgrole knows it: each variant with its wire name, which
/// `as_str` gives and serde writes in the plan JSON (`as variants`: serde
/// writes the variant's name, as plan JSON 1.x has for these two).
macro_rules! wire_enum {
    (@as_str $name:ident { $($variant:ident = $wire:literal,)+ }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }
    };
    ($(#[$meta:meta])* pub enum $name:ident as variants { $($variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name {
            $($variant,)+
        }
        wire_enum!(@as_str $name { $($variant = $wire,)+ });
    };
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant,)+
        }
        wire_enum!(@as_str $name { $($variant = $wire,)+ });
    };
}

/// What CreateStackSet and UpdateStackSet send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackSetSpec {
    pub name: String,
    pub description: String,
    pub template_body: String,
    /// Template parameters (the generated template's `ExternalId`).
    pub parameters: BTreeMap<String, String>,
    pub tags: Tags,
    pub auto_deployment: AutoDeployment,
}

/// DescribeStackSet, as far as orgrole reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetInfo {
    pub id: String,
    pub template_body: String,
    /// NoEcho values come back from AWS as `****`.
    pub parameters: BTreeMap<String, String>,
    pub tags: Tags,
    /// `None`: not in the answer (the emulator leaves it out).
    pub auto_deployment: Option<AutoDeployment>,
    /// ManagedExecution: AWS runs non-conflicting operations at once and
    /// queues the others, so more than one can be active.
    pub managed_execution: bool,
}

wire_enum! {
    /// CloudFormation's trusted access with AWS Organizations
    /// (DescribeOrganizationsAccess): service-managed stack sets need it on.
    pub enum TrustedAccess {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
        DisabledPermanently = "DISABLED_PERMANENTLY",
    }
}

/// Service-managed deployment targets: OUs (or the root), with an account filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeploymentTargets {
    pub ous: Vec<String>,
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
}

/// One stack instance (ListStackInstances).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceInfo {
    pub account: AccountId,
    pub region: String,
    /// The OU it was deployed through; `None` when AWS does not say.
    pub ou: Option<String>,
    pub status: InstanceStatus,
    /// `None`: AWS did not say (or said something newer than this build).
    pub detailed: Option<DetailedStatus>,
    pub reason: Option<String>,
}

impl InstanceInfo {
    /// As configured: CURRENT, and its last operation did not fail.
    pub fn is_current(&self) -> bool {
        self.status == InstanceStatus::Current && self.detailed != Some(DetailedStatus::Failed)
    }
}

wire_enum! {
    /// StackInstanceStatus.DetailedStatus.
    pub enum DetailedStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
        Inoperable = "INOPERABLE",
        SkippedSuspendedAccount = "SKIPPED_SUSPENDED_ACCOUNT",
        FailedImport = "FAILED_IMPORT",
    }
}

wire_enum! {
    /// StackSetOperation.Action.
    pub enum OperationAction {
        Create = "CREATE",
        Update = "UPDATE",
        Delete = "DELETE",
        DetectDrift = "DETECT_DRIFT",
    }
}

wire_enum! {
    /// StackSetOperationResultSummary.Status: one account and region of an operation.
    pub enum ResultStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
    }
}

wire_enum! {
    /// StackInstanceSummary.Status.
    pub enum InstanceStatus as variants {
        Current = "CURRENT",
        Outdated = "OUTDATED",
        Inoperable = "INOPERABLE",
    }
}

wire_enum! {
    /// StackSetOperation.Status.
    pub enum OperationStatus as variants {
        Queued = "QUEUED",
        Running = "RUNNING",
        Stopping = "STOPPING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Stopped = "STOPPED",
    }
}

impl OperationStatus {
    /// Still going: another operation must wait for it.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running | Self::Stopping)
    }
}

/// DescribeStackSetOperation or a ListStackSetOperations row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationInfo {
    pub id: String,
    /// `None`: AWS did not say (or said something newer than this build).
    pub action: Option<OperationAction>,
    pub status: OperationStatus,
    pub reason: Option<String>,
    /// CreationTimestamp, in milliseconds since the epoch: the order of a listing.
    pub created: Option<i64>,
}

impl OperationInfo {
    /// `UPDATE`; `UNKNOWN` when AWS did not say.
    pub fn action_name(&self) -> &'static str {
        self.action.map_or("UNKNOWN", OperationAction::as_str)
    }
}

/// One page of ListStackSetOperations, in the order AWS gives.
#[derive(Debug, Clone, Default)]
pub struct OperationsPage {
    pub operations: Vec<OperationInfo>,
    pub next: Option<String>,
}

/// One account and region of an operation (ListStackSetOperationResults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationResult {
    pub account: Option<AccountId>,
    pub region: String,
    /// `None`: AWS did not say (or said something newer than this build).
    pub status: Option<ResultStatus>,
    pub reason: Option<String>,
}

impl OperationResult {
    /// `FAILED`; `UNKNOWN` when AWS did not say.
    pub fn status_name(&self) -> &'static str {
        self.status.map_or("UNKNOWN", ResultStatus::as_str)
    }
}

/// The StackSets calls orgrole makes, each with the handle's CallAs.
/// Calls that start an operation return its ID.
pub trait StackSets: Clone + Send + Sync + 'static {
    fn describe(&self, name: &str) -> impl Future<Output = Result<Option<StackSetInfo>, CloudError>> + Send;
    fn instances(&self, name: &str) -> impl Future<Output = Result<Vec<InstanceInfo>, CloudError>> + Send;
    /// One page of ListStackSetOperations (`running_operation` reads only
    /// as many as it needs).
    fn operations_page(
        &self,
        name: &str,
        next: Option<String>,
    ) -> impl Future<Output = Result<OperationsPage, CloudError>> + Send;
    fn operation(
        &self,
        name: &str,
        id: &str,
    ) -> impl Future<Output = Result<OperationInfo, CloudError>> + Send;
    fn operation_results(
        &self,
        name: &str,
        id: &str,
    ) -> impl Future<Output = Result<Vec<OperationResult>, CloudError>> + Send;

    /// Service-managed, with the IAM capability; returns the stack set's ID.
    fn create(&self, spec: &StackSetSpec) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Updates the stack set and every one of its instances.
    fn update(
        &self,
        spec: &StackSetSpec,
        preferences: &Preferences,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn create_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        preferences: &Preferences,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn delete_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        retain_stacks: bool,
        preferences: &Preferences,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    fn delete(&self, name: &str) -> impl Future<Output = Result<(), CloudError>> + Send;

    /// DescribeOrganizationsAccess.
    fn trusted_access(&self) -> impl Future<Output = Result<TrustedAccess, CloudError>> + Send;
    /// ActivateOrganizationsAccess: the management account only.
    fn activate_trusted_access(&self) -> impl Future<Output = Result<(), CloudError>> + Send;
}

/// An operation active on the stack set, read from as few pages of
/// ListStackSetOperations as it takes. AWS does not document the listing's
/// order, so it is read from the creation times. Without managed execution
/// a stack set runs one operation at a time and refuses another meanwhile
/// (OperationInProgressException), so only the newest operation can be
/// active: listed newest first, the first page says; oldest first, every
/// page is read. With managed execution (queues), the first active one found.
pub async fn running_operation<S: StackSets>(
    sets: &S,
    name: &str,
    managed_execution: bool,
) -> Result<Option<OperationInfo>, CloudError> {
    let mut next = None;
    let mut first: Option<i64> = None;
    loop {
        let page = sets.operations_page(name, next).await?;
        if let Some(active) = page.operations.iter().find(|o| o.status.is_active()) {
            return Ok(Some(active.clone()));
        }
        first = first.or_else(|| page.operations.first().and_then(|o| o.created));
        // Listed newest first: this page holds an operation older than the first one.
        let newest_first =
            first.is_some_and(|f| page.operations.iter().filter_map(|o| o.created).any(|c| c < f));
        if page.next.is_none() || (newest_first && !managed_execution) {
            return Ok(None);
        }
        next = page.next;
    }
}
