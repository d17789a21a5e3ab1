use std::collections::BTreeMap;

use serde::Serialize;

use crate::cloud::CloudError;
use crate::model::{AccountId, Address, OtherPolicies, PolicyDocument, RoleSettings, Tags};
use crate::targets::Skipped;

/// A plan in memory; saved as the saved plan's format (`saved_plan::format`).
#[derive(Debug, Clone)]
pub struct Plan {
    pub destroy: bool,
    /// In apply order within an account: policy, role, attachment (deletes
    /// are ordered by the graph, not by this list).
    pub changes: Vec<Change>,
    /// Resources of the configured names that orgrole does not own. Never
    /// saved: a plan with conflicts is refused by `plan --out`.
    pub conflicts: Vec<Conflict>,
    pub skipped: Vec<Skipped>,
    /// Never saved: a plan with unreachable accounts is refused by `plan --out`.
    pub unreachable: Vec<Unreachable>,
    /// Account names, for display.
    pub account_names: BTreeMap<AccountId, String>,
    /// StackSet mode: the stack set's steps (absent in direct mode).
    pub stackset: Option<super::StackSetPlan>,
    /// Policies found on the roles that the configuration does not name,
    /// left in place (`other-policies "keep"`).
    pub kept: Vec<Kept>,
}

/// The other policies of one role, kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// The role's address.
    pub address: Address,
    pub other: OtherPolicies,
}

/// Serialized for JSON outputs (the apply events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    /// Deleted and made again: what cannot change in place (a role's path).
    Replace,
    /// State only: it exists, carries orgrole's tag, but is not in state.
    Record,
    /// State only: orgrole stops tracking it (gone, or no longer orgrole's).
    Forget,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// The policy's or role's ARN; for an attachment, the policy's.
    pub arn: String,
    pub before: Option<ResourceValue>,
    pub after: Option<ResourceValue>,
    pub reasons: Vec<Reason>,
    /// Orgrole made it, and it was changed since (out of band).
    pub drift: bool,
    /// Made by this stack set's stack in the account, not by orgrole: the
    /// change restores what the template declares and is not recorded in state.
    pub stack_set: Option<String>,
}

/// Serialized as the plan JSON's `before` and `after` (docs/plan-json.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ResourceValue {
    Policy {
        document: PolicyDocument,
        tags: Tags,
    },
    Role {
        trust: PolicyDocument,
        tags: Tags,
        #[serde(skip_serializing_if = "OtherPolicies::is_empty")]
        other: OtherPolicies,
        #[serde(flatten)]
        settings: RoleSettings,
    },
    Attachment {
        role: String,
        policy_arn: String,
    },
}

/// Why a change is planned, with the data to say it well. Serialized as
/// the plan JSON's `reasons`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// In state, but deleted outside orgrole.
    Missing,
    /// Exists without orgrole's tag; taken over because of `--adopt`.
    Adopted,
    PrincipalsChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    ExternalIdChanged,
    /// Principals the trust policy lets in without the external ID.
    ExternalIdNotRequired {
        principals: Vec<String>,
    },
    /// Parts of the trust policy other than principal and external ID.
    TrustChanged,
    ActionsChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// Resources, effects or conditions of the permissions policy.
    DocumentChanged,
    TagsChanged {
        set: Tags,
        removed: Vec<String>,
    },
    /// The attachment orgrole made is gone.
    Detached,
    /// An inline policy on the role that the configuration does not name,
    /// with the actions its `Allow` statements grant.
    InlinePolicy {
        name: String,
        allows: Vec<String>,
    },
    /// A managed policy attached to the role besides orgrole's.
    PolicyAttached {
        arn: String,
    },
    PermissionsBoundaryChanged {
        before: Option<String>,
        after: Option<String>,
    },
    /// A new path: the role is replaced (IAM fixes it at creation).
    PathChanged {
        before: String,
        after: String,
    },
    DescriptionChanged {
        before: Option<String>,
        after: Option<String>,
    },
    /// In seconds.
    MaxSessionDurationChanged {
        before: u32,
        after: u32,
    },
    /// The role it attaches to is replaced: attached again to the new one.
    RoleReplaced,
    /// The account or name is no longer in the configuration.
    NotTargeted,
    Destroy,
    AlreadyGone,
    /// The resource lost orgrole's tag: orgrole leaves it in place.
    NotOwned,
    /// Carries orgrole's tag but was missing from state (an interrupted apply).
    Unrecorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub address: Address,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub account: AccountId,
    pub error: CloudError,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub state_only: usize,
}

impl Summary {
    pub fn count(&mut self, action: Action) {
        match action {
            Action::Create => self.add += 1,
            Action::Update => self.change += 1,
            Action::Delete => self.destroy += 1,
            Action::Replace => {
                self.add += 1;
                self.destroy += 1;
            }
            Action::Record | Action::Forget => self.state_only += 1,
        }
    }
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        self.changes.iter().for_each(|c| s.count(c.action));
        self.stackset_steps().for_each(|step| s.count(step.action.action()));
        s
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || self.stackset_steps().next().is_some()
    }

    /// Something exists that orgrole would take over only with `--adopt`.
    pub fn has_conflicts(&self) -> bool {
        !self.conflicts.is_empty() || self.stackset.as_ref().is_some_and(|s| s.conflict.is_some())
    }

    pub fn stackset_steps(&self) -> impl Iterator<Item = &super::StackSetStep> {
        self.stackset.iter().flat_map(|s| &s.steps)
    }

    pub fn account_name(&self, account: &AccountId) -> &str {
        self.account_names.get(account).map_or("", String::as_str)
    }
}
