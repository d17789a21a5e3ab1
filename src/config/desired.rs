use std::collections::BTreeMap;

use serde_json::json;

use crate::model::{
    AccountFilter, AccountId, CallAs, PolicyDocument, Preferences, RoleSettings, Tags, MANAGED_BY_KEY,
    MANAGED_BY_VALUE, ORGROLE_DESCRIPTION,
};

/// What the configuration asks for, validated. Spans are gone by now: every
/// problem they could point at has been reported.
#[derive(Debug, Clone)]
pub struct Desired {
    pub credential: Credential,
    pub role: RoleConfig,
    pub direct: Option<DirectTargets>,
    pub stackset: Option<StackSetConfig>,
    /// Where the state lives; `None`: a local file.
    pub state: Option<StateBackend>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateBackend {
    S3 { bucket: String, key: String, region: Option<String> },
}

#[derive(Debug, Clone)]
pub struct Credential {
    /// The credential's display name in the vendor's console.
    pub name: String,
    /// The vendor's "AWS External Role ID", required as `sts:ExternalId`.
    pub external_id: String,
}

#[derive(Debug, Clone)]
pub struct RoleConfig {
    pub name: String,
    /// Principal ARNs allowed to assume the role (the vendor's).
    pub trust: Vec<String>,
    pub policy_name: String,
    pub policy: PolicyDocument,
    /// The user's tags; orgrole adds its ownership tag on top.
    pub tags: Tags,
    pub other_policies: OtherPoliciesMode,
    /// Path, description, session length as written (IAM's defaults
    /// otherwise): what the generated template declares.
    pub settings: RoleSettings,
    /// A managed policy's ARN; `{account}` stands for each target account.
    pub permissions_boundary: Option<String>,
}

/// What orgrole does with the policies on the role that the configuration
/// does not name (inline ones, other managed ones, a boundary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OtherPoliciesMode {
    /// The role is exactly as configured: they are drift, and go.
    #[default]
    Remove,
    /// For organizations that add their own: reported, left in place.
    Keep,
}

/// Mode 1 of the guide: orgrole makes the IAM calls in each account itself.
#[derive(Debug, Clone, Default)]
pub struct DirectTargets {
    pub organization: bool,
    pub ous: Vec<String>,
    /// From `accounts` and `accounts-csv`, in order, without duplicates.
    pub accounts: Vec<AccountId>,
    pub exclude: Vec<AccountId>,
    pub access_role: String,
}

/// Mode 2 of the guide: one service-managed StackSet, deployed by AWS.
#[derive(Debug, Clone)]
pub struct StackSetConfig {
    pub name: String,
    pub targets: StackSetTargets,
    /// With `filter`, narrows or widens the targets' accounts.
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
    pub regions: Vec<String>,
    /// Deploy to accounts that join a targeted OU later.
    pub auto_deployment: bool,
    /// Keep the stacks of accounts that leave (auto-deployment only).
    pub retain_stacks: bool,
    pub preferences: Preferences,
    /// Also the role in the management account, which StackSets never reach (direct path).
    pub management_account: bool,
    pub template: Template,
    pub call_as: CallAs,
    /// The role orgrole assumes in the accounts the stack set reaches, to
    /// read (and put back) what their stacks made; `None`: the default.
    pub access_role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackSetTargets {
    /// The organization's root: every account.
    Organization,
    Ous(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    /// Made from the `role` block.
    Generated,
    /// The vendor's template, with `${RS_CREDENTIAL_ID}` to fill in.
    File { path: String, body: String },
}

pub const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

impl Desired {
    /// The bucket and key of the `state` block's S3 state.
    pub fn s3_state(&self) -> Option<(&str, &str)> {
        match &self.state {
            Some(StateBackend::S3 { bucket, key, .. }) => Some((bucket, key)),
            None => None,
        }
    }

    /// The role orgrole assumes in the target accounts (one for both
    /// blocks: the configuration refuses two).
    pub fn access_role(&self) -> &str {
        let stackset = self.stackset.as_ref().and_then(|s| s.access_role.as_deref());
        self.direct.as_ref().map(|d| d.access_role.as_str()).or(stackset).unwrap_or(DEFAULT_ACCESS_ROLE)
    }
}

impl RoleConfig {
    /// The guide's trust policy: the vendor's principal may assume the role
    /// only with the external ID.
    pub fn trust_document(&self, external_id: &str) -> PolicyDocument {
        let principal = match self.trust.as_slice() {
            [one] => json!(one),
            many => json!(many),
        };
        PolicyDocument::from_value(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "Statement1",
                "Effect": "Allow",
                "Principal": { "AWS": principal },
                "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "sts:ExternalId": external_id } }
            }]
        }))
        .expect("a trust document has a Statement")
    }

    /// The permissions boundary's ARN in `account`.
    pub fn boundary_in(&self, account: &AccountId) -> Option<String> {
        let arn = self.permissions_boundary.as_ref()?;
        Some(arn.replace(super::ACCOUNT_PLACEHOLDER, account.as_str()))
    }

    /// The settings of the roles orgrole makes itself: without a
    /// description configured, orgrole's own.
    pub fn direct_settings(&self) -> RoleSettings {
        let description = self.settings.description.clone().or_else(|| Some(ORGROLE_DESCRIPTION.into()));
        RoleSettings { description, ..self.settings.clone() }
    }

    /// Options beyond IAM's defaults: what a vendor's own template would have to declare.
    pub fn has_options(&self) -> bool {
        !self.settings.is_default() || self.permissions_boundary.is_some()
    }

    /// The tags every resource orgrole manages carries.
    pub fn managed_tags(&self) -> Tags {
        let mut tags: BTreeMap<_, _> = self.tags.clone();
        tags.insert(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into());
        tags
    }
}
