//! A change to one resource, with its values before and after and why.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::all;
use crate::model::{self, Address, PolicyDocument, Tags};
use crate::plan;

#[derive(Debug, Serialize, Deserialize)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    pub arn: String,
    pub before: Option<ResourceValue>,
    pub after: Option<ResourceValue>,
    pub reasons: Vec<Reason>,
    pub drift: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_set: Option<String>,
}

twin_enum! {
    #[serde(rename_all = "lowercase")]
    pub enum Action = plan::Action {
        Create,
        Update,
        Delete,
        /// Format 3.
        Replace,
        Record,
        Forget,
    }
}

/// Documents as they were read or configured, not their canonical form.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ResourceValue {
    Policy {
        document: PolicyDocument,
        tags: Tags,
    },
    Role {
        trust: PolicyDocument,
        tags: Tags,
        /// Absent from plans saved before roles carried them.
        #[serde(default, skip_serializing_if = "OtherPolicies::is_empty")]
        other: OtherPolicies,
        /// Format 3, always written; absent from format 2.
        #[serde(default = "RoleSettings::before_options")]
        settings: RoleSettings,
    },
    Attachment {
        role: String,
        policy_arn: String,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OtherPolicies {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline: BTreeMap<String, PolicyDocument>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub managed: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
}

impl OtherPolicies {
    fn is_empty(&self) -> bool {
        self.inline.is_empty() && self.managed.is_empty() && self.boundary.is_none()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RoleSettings {
    pub path: String,
    pub description: Option<String>,
    /// Seconds.
    pub max_session_duration: u32,
}

impl RoleSettings {
    /// What every role orgrole made had before its settings could be configured.
    fn before_options() -> Self {
        Self {
            path: "/".into(),
            description: Some(model::ORGROLE_DESCRIPTION.into()),
            max_session_duration: model::DEFAULT_MAX_SESSION,
        }
    }
}

impl From<model::RoleSettings> for RoleSettings {
    fn from(s: model::RoleSettings) -> Self {
        Self { path: s.path, description: s.description, max_session_duration: s.max_session_duration }
    }
}

impl From<RoleSettings> for model::RoleSettings {
    fn from(s: RoleSettings) -> Self {
        Self { path: s.path, description: s.description, max_session_duration: s.max_session_duration }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    Missing,
    Adopted,
    PrincipalsChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    ExternalIdChanged,
    ExternalIdNotRequired {
        principals: Vec<String>,
    },
    TrustChanged,
    ActionsChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    DocumentChanged,
    TagsChanged {
        set: Tags,
        removed: Vec<String>,
    },
    Detached,
    InlinePolicy {
        name: String,
        allows: Vec<String>,
    },
    PolicyAttached {
        arn: String,
    },
    PermissionsBoundaryChanged {
        before: Option<String>,
        after: Option<String>,
    },
    /// Format 3: the four below.
    PathChanged {
        before: String,
        after: String,
    },
    DescriptionChanged {
        before: Option<String>,
        after: Option<String>,
    },
    MaxSessionDurationChanged {
        before: u32,
        after: u32,
    },
    RoleReplaced,
    NotTargeted,
    Destroy,
    AlreadyGone,
    NotOwned,
    Unrecorded,
}

impl From<plan::Change> for Change {
    fn from(c: plan::Change) -> Self {
        Self {
            address: c.address,
            action: c.action.into(),
            arn: c.arn,
            before: c.before.map(Into::into),
            after: c.after.map(Into::into),
            reasons: all(c.reasons),
            drift: c.drift,
            stack_set: c.stack_set,
        }
    }
}

impl From<Change> for plan::Change {
    fn from(c: Change) -> Self {
        Self {
            address: c.address,
            action: c.action.into(),
            arn: c.arn,
            before: c.before.map(Into::into),
            after: c.after.map(Into::into),
            reasons: all(c.reasons),
            drift: c.drift,
            stack_set: c.stack_set,
        }
    }
}

impl From<plan::ResourceValue> for ResourceValue {
    fn from(v: plan::ResourceValue) -> Self {
        match v {
            plan::ResourceValue::Policy { document, tags } => Self::Policy { document, tags },
            plan::ResourceValue::Role { trust, tags, other, settings } => {
                Self::Role { trust, tags, other: other.into(), settings: settings.into() }
            }
            plan::ResourceValue::Attachment { role, policy_arn } => Self::Attachment { role, policy_arn },
        }
    }
}

impl From<ResourceValue> for plan::ResourceValue {
    fn from(v: ResourceValue) -> Self {
        match v {
            ResourceValue::Policy { document, tags } => Self::Policy { document, tags },
            ResourceValue::Role { trust, tags, other, settings } => {
                Self::Role { trust, tags, other: other.into(), settings: settings.into() }
            }
            ResourceValue::Attachment { role, policy_arn } => Self::Attachment { role, policy_arn },
        }
    }
}

impl From<model::OtherPolicies> for OtherPolicies {
    fn from(o: model::OtherPolicies) -> Self {
        Self { inline: o.inline, managed: o.managed, boundary: o.boundary }
    }
}

impl From<OtherPolicies> for model::OtherPolicies {
    fn from(o: OtherPolicies) -> Self {
        Self { inline: o.inline, managed: o.managed, boundary: o.boundary }
    }
}

impl From<plan::Reason> for Reason {
    fn from(r: plan::Reason) -> Self {
        use plan::Reason as R;
        match r {
            R::Missing => Self::Missing,
            R::Adopted => Self::Adopted,
            R::PrincipalsChanged { added, removed } => Self::PrincipalsChanged { added, removed },
            R::ExternalIdChanged => Self::ExternalIdChanged,
            R::ExternalIdNotRequired { principals } => Self::ExternalIdNotRequired { principals },
            R::TrustChanged => Self::TrustChanged,
            R::ActionsChanged { added, removed } => Self::ActionsChanged { added, removed },
            R::DocumentChanged => Self::DocumentChanged,
            R::TagsChanged { set, removed } => Self::TagsChanged { set, removed },
            R::Detached => Self::Detached,
            R::InlinePolicy { name, allows } => Self::InlinePolicy { name, allows },
            R::PolicyAttached { arn } => Self::PolicyAttached { arn },
            R::PermissionsBoundaryChanged { before, after } => {
                Self::PermissionsBoundaryChanged { before, after }
            }
            R::PathChanged { before, after } => Self::PathChanged { before, after },
            R::DescriptionChanged { before, after } => Self::DescriptionChanged { before, after },
            R::MaxSessionDurationChanged { before, after } => {
                Self::MaxSessionDurationChanged { before, after }
            }
            R::RoleReplaced => Self::RoleReplaced,
            R::NotTargeted => Self::NotTargeted,
            R::Destroy => Self::Destroy,
            R::AlreadyGone => Self::AlreadyGone,
            R::NotOwned => Self::NotOwned,
            R::Unrecorded => Self::Unrecorded,
        }
    }
}

impl From<Reason> for plan::Reason {
    fn from(r: Reason) -> Self {
        use Reason as R;
        match r {
            R::Missing => Self::Missing,
            R::Adopted => Self::Adopted,
            R::PrincipalsChanged { added, removed } => Self::PrincipalsChanged { added, removed },
            R::ExternalIdChanged => Self::ExternalIdChanged,
            R::ExternalIdNotRequired { principals } => Self::ExternalIdNotRequired { principals },
            R::TrustChanged => Self::TrustChanged,
            R::ActionsChanged { added, removed } => Self::ActionsChanged { added, removed },
            R::DocumentChanged => Self::DocumentChanged,
            R::TagsChanged { set, removed } => Self::TagsChanged { set, removed },
            R::Detached => Self::Detached,
            R::InlinePolicy { name, allows } => Self::InlinePolicy { name, allows },
            R::PolicyAttached { arn } => Self::PolicyAttached { arn },
            R::PermissionsBoundaryChanged { before, after } => {
                Self::PermissionsBoundaryChanged { before, after }
            }
            R::PathChanged { before, after } => Self::PathChanged { before, after },
            R::DescriptionChanged { before, after } => Self::DescriptionChanged { before, after },
            R::MaxSessionDurationChanged { before, after } => {
                Self::MaxSessionDurationChanged { before, after }
            }
            R::RoleReplaced => Self::RoleReplaced,
            R::NotTargeted => Self::NotTargeted,
            R::Destroy => Self::Destroy,
            R::AlreadyGone => Self::AlreadyGone,
            R::NotOwned => Self::NotOwned,
            R::Unrecorded => Self::Unrecorded,
        }
    }
}
