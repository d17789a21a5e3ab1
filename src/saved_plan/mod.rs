//! A plan saved for review (`plan --out`), and the checks that let `apply`
//! run exactly it, or refuse because the world moved since.

mod digest;
mod format;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cloud::CloudError;
use crate::config::Desired;
use crate::model::{AccountId, Address};
use crate::observe::{AccountView, Wanted};
use crate::plan::{fingerprint, found, own_policy_arn, Plan};
use crate::private_file::write_private;
use crate::state::State;
pub use digest::config_digest;
pub use format::SAVED_PLAN_VERSION;
use format::{SavedPlanV1, SavedPlanV3, UnknownSkipReason};

/// A plan and what it was computed from. It holds the configuration's
/// digest, not the configuration, and no credentials. Written as the
/// newest of the file's formats (`format`), read from any of them.
#[derive(Debug, Clone)]
pub struct SavedPlan {
    /// The orgrole that made the plan.
    pub orgrole_version: String,
    pub created: String,
    /// The configuration file the plan was made from, as named on the command line.
    pub config: String,
    pub config_digest: String,
    pub state_lineage: String,
    pub state_serial: u64,
    pub access_role: String,
    pub plan: Plan,
}

#[derive(Debug, thiserror::Error)]
pub enum SavedPlanError {
    #[error("cannot read the saved plan {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} is not a saved orgrole plan: {source}", .path.display())]
    Format { path: PathBuf, source: serde_json::Error },
    #[error("{} was saved by a newer orgrole (plan format {found}; this one reads up to {SAVED_PLAN_VERSION}): apply it with that version, or plan again", .path.display())]
    Newer { path: PathBuf, found: u32 },
    #[error("{} was saved by an earlier orgrole (plan format 1) and cannot be read as it was meant: {source}; plan again", .path.display())]
    SkipReason { path: PathBuf, source: UnknownSkipReason },
    #[error("cannot write the saved plan {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Why a saved plan can no longer be applied as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    Config,
    Lineage { planned: String, now: String },
    Serial { planned: u64, now: u64 },
    Resource { address: Address },
    Unreadable { account: AccountId, error: CloudError },
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Config => write!(f, "the configuration changed since the plan was made"),
            Stale::Lineage { planned, now } => {
                write!(f, "the state is another one (lineage {now}, the plan was made against {planned})")
            }
            Stale::Serial { planned, now } => {
                write!(
                    f,
                    "the state was written since the plan was made (serial {now}, planned against {planned})"
                )
            }
            Stale::Resource { address } => write!(f, "{address} changed since the plan was made"),
            Stale::Unreadable { account, error } => {
                write!(f, "account {account} could not be read again: {error}")
            }
        }
    }
}

impl SavedPlan {
    pub fn new(plan: Plan, config: &Path, desired: &Desired, state: &State, access_role: &str) -> Self {
        Self {
            orgrole_version: env!("CARGO_PKG_VERSION").into(),
            created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            config: config.display().to_string(),
            config_digest: config_digest(desired),
            state_lineage: state.lineage.clone(),
            state_serial: state.serial,
            access_role: access_role.into(),
            plan,
        }
    }

    /// Written readable by its owner only (0600), in the newest format.
    pub fn write(&self, path: &Path) -> Result<(), SavedPlanError> {
        let text = serde_json::to_string_pretty(&SavedPlanV3::from(self.clone())).expect("a plan serializes");
        write_private(path, text.as_bytes())
            .map_err(|source| SavedPlanError::Write { path: path.to_owned(), source })
    }

    pub fn read(path: &Path) -> Result<Self, SavedPlanError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SavedPlanError::Read { path: path.to_owned(), source })?;
        let not_a_plan = |source| SavedPlanError::Format { path: path.to_owned(), source };
        // The version first, so that a newer format is named as such rather than as not a plan.
        #[derive(serde::Deserialize)]
        struct Version {
            format_version: u32,
        }
        let version: Version = serde_json::from_str(&text).map_err(not_a_plan)?;
        match version.format_version {
            1 => serde_json::from_str::<SavedPlanV1>(&text)
                .map_err(not_a_plan)?
                .try_into()
                .map_err(|source| SavedPlanError::SkipReason { path: path.to_owned(), source }),
            // Format 2 is format 3 without what 3 added (`format::v3`).
            2 | 3 => Ok(serde_json::from_str::<SavedPlanV3>(&text).map_err(not_a_plan)?.into()),
            found if found > SAVED_PLAN_VERSION => {
                Err(SavedPlanError::Newer { path: path.to_owned(), found })
            }
            found => Err(not_a_plan(serde::de::Error::custom(format!("there is no plan format {found}")))),
        }
    }

    /// What must be read again before applying: the roles and policies the
    /// plan's changes touch, account by account.
    pub fn touched(&self) -> BTreeMap<AccountId, Wanted> {
        let mut wanted: BTreeMap<AccountId, Wanted> = BTreeMap::new();
        for change in &self.plan.changes {
            wanted.entry(change.address.account.clone()).or_default().add(&change.address, &change.arn);
        }
        wanted
    }

    /// Every reason the plan no longer describes the world; empty when it
    /// can be applied exactly.
    pub fn staleness(
        &self,
        desired: &Desired,
        state: &State,
        live: &BTreeMap<AccountId, AccountView>,
    ) -> Vec<Stale> {
        let mut stale = vec![];
        if config_digest(desired) != self.config_digest {
            stale.push(Stale::Config);
        }
        // A state not written yet has a fresh lineage each time it is read.
        let written = self.state_serial > 0 && state.serial > 0;
        if written && state.lineage != self.state_lineage {
            stale.push(Stale::Lineage { planned: self.state_lineage.clone(), now: state.lineage.clone() });
        } else if state.serial != self.state_serial {
            stale.push(Stale::Serial { planned: self.state_serial, now: state.serial });
        }
        for change in &self.plan.changes {
            let account = &change.address.account;
            match live.get(account) {
                Some(AccountView::Read(resources)) => {
                    let own_policy =
                        own_policy_arn(state, &change.address, &change.arn, &desired.role.policy_name);
                    let now = found(&change.address, &own_policy, resources).map(|f| f.value);
                    if fingerprint(now.as_ref()) != fingerprint(change.before.as_ref()) {
                        stale.push(Stale::Resource { address: change.address.clone() });
                    }
                }
                Some(AccountView::Unreachable(e)) => {
                    let unreadable = Stale::Unreadable { account: account.clone(), error: e.clone() };
                    if !stale.contains(&unreadable) {
                        stale.push(unreadable);
                    }
                }
                None => stale.push(Stale::Resource { address: change.address.clone() }),
            }
        }
        stale
    }
}

#[cfg(test)]
mod tests;
