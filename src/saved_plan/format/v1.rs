//! Saved plan format 1: as format 2 but for a skipped account's reason,
//! which is prose, as orgrole wrote it then (`account is SUSPENDED`). Its
//! `conflicts`, `unreachable` and stack set `conflict` were always empty:
//! they are not read.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::all;
use super::v3::{Change, Kept, SkipReason, StackSetPlan};
use crate::model::AccountId;
use crate::saved_plan::SavedPlan;
use crate::{plan, targets};

/// Read only: a plan is written in the newest format. (Its `format_version`
/// has been read to come here.)
#[derive(Debug, Deserialize)]
pub struct SavedPlanV1 {
    pub orgrole_version: String,
    pub created: String,
    pub config: String,
    pub config_digest: String,
    pub state_lineage: String,
    pub state_serial: u64,
    pub access_role: String,
    pub plan: Plan,
}

#[derive(Debug, Deserialize)]
pub struct Plan {
    pub destroy: bool,
    pub changes: Vec<Change>,
    pub skipped: Vec<Skipped>,
    pub account_names: BTreeMap<AccountId, String>,
    #[serde(default)]
    pub stackset: Option<StackSetPlan>,
    #[serde(default)]
    pub kept: Vec<Kept>,
}

#[derive(Debug, Deserialize)]
pub struct Skipped {
    pub account: AccountId,
    pub name: String,
    pub reason: String,
}

/// A skipped account's reason that no orgrole wrote: the plan is not
/// guessed at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("account {account} is skipped for a reason orgrole never wrote: `{reason}`")]
pub struct UnknownSkipReason {
    pub account: AccountId,
    pub reason: String,
}

/// The reason as the prose orgrole wrote for it (each text was made by one
/// place in the code, and only there: `render::prose::skip_reason` writes
/// the same today).
fn skip_reason(prose: &str) -> Option<SkipReason> {
    // Organizations' words for an account's state: `SUSPENDED`, `PENDING_CLOSURE`, ...
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let reason = match prose {
        "excluded by the configuration" => SkipReason::Excluded,
        "the management account: StackSets never deploy there (`management-account #true` gives it a direct role)" => {
            SkipReason::ManagementAccount
        }
        "no longer an ACTIVE member of the organization: its resources in state are left as they are" => {
            SkipReason::LeftWithResources
        }
        _ => {
            if let Some(state) = prose.strip_prefix("account is ") {
                match state.strip_suffix(": StackSets skip it") {
                    Some(state) if word(state) => SkipReason::InactiveForStackSets { state: state.to_owned() },
                    None if word(state) => SkipReason::Inactive { state: state.to_owned() },
                    _ => return None,
                }
            } else {
                let organization = prose.strip_prefix("not a member of organization ")?;
                if organization.is_empty() || organization.contains(char::is_whitespace) {
                    return None;
                }
                SkipReason::NotMember { organization: organization.to_owned() }
            }
        }
    };
    Some(reason)
}

impl TryFrom<Skipped> for targets::Skipped {
    type Error = UnknownSkipReason;
    fn try_from(s: Skipped) -> Result<Self, Self::Error> {
        match skip_reason(&s.reason) {
            Some(reason) => Ok(Self { account: s.account, name: s.name, reason: reason.into() }),
            None => Err(UnknownSkipReason { account: s.account, reason: s.reason }),
        }
    }
}

impl TryFrom<SavedPlanV1> for SavedPlan {
    type Error = UnknownSkipReason;
    fn try_from(s: SavedPlanV1) -> Result<Self, Self::Error> {
        let p = s.plan;
        let skipped = p.skipped.into_iter().map(targets::Skipped::try_from).collect::<Result<_, _>>()?;
        Ok(Self {
            orgrole_version: s.orgrole_version,
            created: s.created,
            config: s.config,
            config_digest: s.config_digest,
            state_lineage: s.state_lineage,
            state_serial: s.state_serial,
            access_role: s.access_role,
            plan: plan::Plan {
                destroy: p.destroy,
                changes: all(p.changes),
                conflicts: vec![],
                skipped,
                unreachable: vec![],
                account_names: p.account_names,
                stackset: p.stackset.map(Into::into),
                kept: all(p.kept),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::AccountState;
    use crate::targets::SkipReason as Reason;

    fn read(prose: &str) -> Option<Reason> {
        skip_reason(prose).map(Into::into)
    }

    /// The texts as orgrole wrote them, each for one kind of reason.
    #[test]
    fn every_reason_orgrole_wrote_reads_as_its_kind() {
        let state = |s: &str| AccountState::from_api(s);
        assert_eq!(read("excluded by the configuration"), Some(Reason::Excluded));
        assert_eq!(read("account is SUSPENDED"), Some(Reason::Inactive { state: state("SUSPENDED") }));
        assert_eq!(
            read("account is PENDING_CLOSURE: StackSets skip it"),
            Some(Reason::InactiveForStackSets { state: state("PENDING_CLOSURE") })
        );
        assert_eq!(
            read("not a member of organization o-ab12cd34ef"),
            Some(Reason::NotMember { organization: "o-ab12cd34ef".into() })
        );
        assert_eq!(
            read("the management account: StackSets never deploy there (`management-account #true` gives it a direct role)"),
            Some(Reason::ManagementAccount)
        );
        assert_eq!(
            read(
                "no longer an ACTIVE member of the organization: its resources in state are left as they are"
            ),
            Some(Reason::LeftWithResources)
        );
    }

    #[test]
    fn anything_else_is_not_guessed_at() {
        for prose in [
            "",
            "excluded",
            "account is suspended",
            "account is : StackSets skip it",
            "account is SUSPENDED: skipped",
            "not a member of organization ",
            "not a member of organization o-1 or o-2",
            "the management account",
        ] {
            assert_eq!(read(prose), None, "{prose:?}");
        }
    }
}
