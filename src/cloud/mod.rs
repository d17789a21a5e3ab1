//! The boundary to AWS. The traits speak model types only; `aws` adapts the
//! AWS SDK for Rust to them.

pub mod aws;
pub mod calls;
mod error;
mod organization;
#[cfg(test)]
pub mod sim;
mod stacksets;

use std::future::Future;

pub use error::{CloudError, Denial, ErrorKind};
pub use organization::{AccountState, OrgAccount, OrgUnit, Organization};
pub use stacksets::{
    running_operation, DeploymentTargets, DetailedStatus, InstanceInfo, InstanceStatus, OperationAction,
    OperationInfo, OperationResult, OperationStatus, OperationsPage, ResultStatus, StackSetInfo,
    StackSetSpec, StackSets, TrustedAccess,
};

use crate::model::{AccountId, CallAs, PolicyDocument, RoleSettings, Tags};
use crate::state::ObjectStore;

/// Who orgrole runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: AccountId,
    pub arn: String,
    /// `aws`, `aws-cn` or `aws-us-gov`: ARNs orgrole builds use it.
    pub partition: String,
}

#[derive(Debug, Clone)]
pub struct RoleInfo {
    pub name: String,
    pub arn: String,
    pub trust: PolicyDocument,
    pub tags: Tags,
    /// The permissions boundary's ARN.
    pub boundary: Option<String>,
    pub settings: RoleSettings,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    pub name: String,
    pub arn: String,
    pub default_version: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    pub id: String,
    pub is_default: bool,
    /// Seconds since the epoch; orders versions oldest first.
    pub created: i64,
}

/// The whole cloud as orgrole sees it: who it is, the organization, and an
/// IAM handle per account (credentials are obtained once per account and run).
pub trait Cloud: Send + Sync + 'static {
    type Iam: Iam;
    type StackSets: StackSets;
    /// A bucket's objects, for a remote state.
    type Objects: ObjectStore;

    fn caller(&self) -> impl Future<Output = Result<Caller, CloudError>> + Send;

    /// `None` when the caller's account is not in an organization.
    fn organization(&self) -> impl Future<Output = Result<Option<Organization>, CloudError>> + Send;

    /// IAM in `account`: the caller's own credentials in its own account,
    /// otherwise those of `access_role` assumed in `account`.
    fn iam(
        &self,
        account: &AccountId,
        access_role: &str,
    ) -> impl Future<Output = Result<Self::Iam, CloudError>> + Send;

    /// CloudFormation StackSets in the caller's account and region, every
    /// call made as `call_as`.
    fn stacksets(&self, call_as: CallAs) -> Self::StackSets;

    /// The caller's region, when one is configured.
    fn region(&self) -> Option<String>;

    /// The objects of an S3 bucket (in `region`, else the caller's).
    fn objects(&self, bucket: &str, region: Option<&str>) -> Self::Objects;
}

/// The IAM calls orgrole makes in one account. Reads return `None` for a
/// resource that does not exist.
pub trait Iam: Clone + Send + Sync + 'static {
    fn get_role(&self, name: &str) -> impl Future<Output = Result<Option<RoleInfo>, CloudError>> + Send;
    fn attached_role_policies(
        &self,
        role: &str,
    ) -> impl Future<Output = Result<Vec<String>, CloudError>> + Send;
    fn get_policy(&self, arn: &str) -> impl Future<Output = Result<Option<PolicyInfo>, CloudError>> + Send;
    fn get_policy_document(
        &self,
        arn: &str,
        version: &str,
    ) -> impl Future<Output = Result<PolicyDocument, CloudError>> + Send;
    fn policy_versions(
        &self,
        arn: &str,
    ) -> impl Future<Output = Result<Vec<PolicyVersion>, CloudError>> + Send;

    /// Returns the new policy's ARN.
    fn create_policy(
        &self,
        name: &str,
        document: &PolicyDocument,
        tags: &Tags,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Creates a version and makes it the default.
    fn create_policy_version(
        &self,
        arn: &str,
        document: &PolicyDocument,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_policy_version(
        &self,
        arn: &str,
        version: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_policy(&self, arn: &str) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn tag_policy(&self, arn: &str, tags: &Tags) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn untag_policy(&self, arn: &str, keys: &[String])
        -> impl Future<Output = Result<(), CloudError>> + Send;

    /// Returns the new role's ARN.
    fn create_role(
        &self,
        name: &str,
        trust: &PolicyDocument,
        tags: &Tags,
        settings: &RoleSettings,
        boundary: Option<&str>,
    ) -> impl Future<Output = Result<String, CloudError>> + Send;
    /// Sets the description (`None`: none) and the session length (UpdateRole).
    fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: u32,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn update_trust(
        &self,
        role: &str,
        trust: &PolicyDocument,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn tag_role(&self, role: &str, tags: &Tags) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn untag_role(&self, role: &str, keys: &[String]) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn attach_role_policy(
        &self,
        role: &str,
        arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn detach_role_policy(
        &self,
        role: &str,
        arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn inline_role_policies(
        &self,
        role: &str,
    ) -> impl Future<Output = Result<Vec<String>, CloudError>> + Send;
    /// An inline policy's document; `None` when it is gone.
    fn inline_role_policy(
        &self,
        role: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<PolicyDocument>, CloudError>> + Send;
    fn put_inline_role_policy(
        &self,
        role: &str,
        name: &str,
        document: &PolicyDocument,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_inline_role_policy(
        &self,
        role: &str,
        name: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn put_role_permissions_boundary(
        &self,
        role: &str,
        arn: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_role_permissions_boundary(
        &self,
        role: &str,
    ) -> impl Future<Output = Result<(), CloudError>> + Send;
    fn delete_role(&self, name: &str) -> impl Future<Output = Result<(), CloudError>> + Send;
    /// Which of `actions` the role's policies do not allow on `resource`
    /// (iam:SimulatePrincipalPolicy).
    fn denied_actions(
        &self,
        role_arn: &str,
        actions: &[String],
        resource: &str,
    ) -> impl Future<Output = Result<Vec<String>, CloudError>> + Send;
}
