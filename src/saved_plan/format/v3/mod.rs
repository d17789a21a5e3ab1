//! Saved plan format 3: as format 2, but a role's value holds its settings
//! (path, description, session length), a change may be a replacement, and
//! reasons name what of the settings differs.
//!
//! Format 2 (as format 1, but a skipped account's reason is data,
//! `{"kind": "inactive", "state": "SUSPENDED"}`, not prose, and neither
//! conflicts nor unreachable accounts are written, see `format`) is read
//! with these types: it is format 3 without what format 3 added, and a
//! role's absent settings read as those orgrole gave every role then.
//! The types mirror the model's by name; the model may change, these may not.

mod change;
mod stackset;
mod vocabulary;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::all;
use crate::cloud::AccountState;
use crate::model::{AccountId, Address};
use crate::saved_plan::SavedPlan;
use crate::{plan, targets};
pub use change::Change;
pub use stackset::StackSetPlan;

#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlanV3 {
    pub format_version: u32,
    pub orgrole_version: String,
    pub created: String,
    pub config: String,
    pub config_digest: String,
    pub state_lineage: String,
    pub state_serial: u64,
    pub access_role: String,
    pub plan: Plan,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Plan {
    pub destroy: bool,
    pub changes: Vec<Change>,
    pub skipped: Vec<Skipped>,
    pub account_names: BTreeMap<AccountId, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stackset: Option<StackSetPlan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<Kept>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Skipped {
    pub account: AccountId,
    pub name: String,
    pub reason: SkipReason,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    Excluded,
    /// `state`: Organizations' word for it (`SUSPENDED`, ...).
    Inactive {
        state: String,
    },
    InactiveForStackSets {
        state: String,
    },
    NotMember {
        organization: String,
    },
    ManagementAccount,
    LeftWithResources,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Kept {
    pub address: Address,
    pub other: change::OtherPolicies,
}

impl From<SavedPlan> for SavedPlanV3 {
    fn from(s: SavedPlan) -> Self {
        Self {
            format_version: 3,
            orgrole_version: s.orgrole_version,
            created: s.created,
            config: s.config,
            config_digest: s.config_digest,
            state_lineage: s.state_lineage,
            state_serial: s.state_serial,
            access_role: s.access_role,
            plan: s.plan.into(),
        }
    }
}

impl From<SavedPlanV3> for SavedPlan {
    fn from(s: SavedPlanV3) -> Self {
        Self {
            orgrole_version: s.orgrole_version,
            created: s.created,
            config: s.config,
            config_digest: s.config_digest,
            state_lineage: s.state_lineage,
            state_serial: s.state_serial,
            access_role: s.access_role,
            plan: s.plan.into(),
        }
    }
}

impl From<plan::Plan> for Plan {
    fn from(p: plan::Plan) -> Self {
        debug_assert!(!p.has_conflicts() && p.unreachable.is_empty(), "`plan --out` refuses such plans");
        Self {
            destroy: p.destroy,
            changes: all(p.changes),
            skipped: all(p.skipped),
            account_names: p.account_names,
            stackset: p.stackset.map(Into::into),
            kept: all(p.kept),
        }
    }
}

impl From<Plan> for plan::Plan {
    fn from(p: Plan) -> Self {
        Self {
            destroy: p.destroy,
            changes: all(p.changes),
            conflicts: vec![],
            skipped: all(p.skipped),
            unreachable: vec![],
            account_names: p.account_names,
            stackset: p.stackset.map(Into::into),
            kept: all(p.kept),
        }
    }
}

impl From<targets::Skipped> for Skipped {
    fn from(s: targets::Skipped) -> Self {
        Self { account: s.account, name: s.name, reason: s.reason.into() }
    }
}

impl From<Skipped> for targets::Skipped {
    fn from(s: Skipped) -> Self {
        Self { account: s.account, name: s.name, reason: s.reason.into() }
    }
}

impl From<targets::SkipReason> for SkipReason {
    fn from(r: targets::SkipReason) -> Self {
        use targets::SkipReason as R;
        match r {
            R::Excluded => Self::Excluded,
            R::Inactive { state } => Self::Inactive { state: state.as_str().to_owned() },
            R::InactiveForStackSets { state } => {
                Self::InactiveForStackSets { state: state.as_str().to_owned() }
            }
            R::NotMember { organization } => Self::NotMember { organization },
            R::ManagementAccount => Self::ManagementAccount,
            R::LeftWithResources => Self::LeftWithResources,
        }
    }
}

impl From<SkipReason> for targets::SkipReason {
    fn from(r: SkipReason) -> Self {
        match r {
            SkipReason::Excluded => Self::Excluded,
            SkipReason::Inactive { state } => Self::Inactive { state: AccountState::from_api(&state) },
            SkipReason::InactiveForStackSets { state } => {
                Self::InactiveForStackSets { state: AccountState::from_api(&state) }
            }
            SkipReason::NotMember { organization } => Self::NotMember { organization },
            SkipReason::ManagementAccount => Self::ManagementAccount,
            SkipReason::LeftWithResources => Self::LeftWithResources,
        }
    }
}

impl From<plan::Kept> for Kept {
    fn from(k: plan::Kept) -> Self {
        Self { address: k.address, other: k.other.into() }
    }
}

impl From<Kept> for plan::Kept {
    fn from(k: Kept) -> Self {
        Self { address: k.address, other: k.other.into() }
    }
}
