//! A plan saved for review (`plan --out`), and the checks that let `apply`
//! run exactly it, or refuse because the world moved since.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Desired;
use crate::model::{AccountId, Address};
use crate::observe::{AccountView, Wanted};
use crate::plan::{fingerprint, found, own_policy_arn, Plan};
use crate::private_file::write_private;
use crate::state::State;

/// The saved plan file's own format; a newer one is refused.
pub const SAVED_PLAN_VERSION: u32 = 1;

/// A plan and what it was computed from. It holds the configuration's
/// digest, not the configuration, and no credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
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
    #[error("{} was saved by a newer orgrole (plan format {found}; this one reads {SAVED_PLAN_VERSION}): apply it with that version, or plan again", .path.display())]
    Newer { path: PathBuf, found: u32 },
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
    Unreadable { account: AccountId, error: String },
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

/// The digest of what the configuration asks for (external ID included),
/// so that any edit that changes the desired state is noticed.
pub fn config_digest(desired: &Desired) -> String {
    let text = serde_json::to_string(desired).expect("the desired state serializes");
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl SavedPlan {
    pub fn new(plan: Plan, config: &Path, desired: &Desired, state: &State, access_role: &str) -> Self {
        Self {
            format_version: SAVED_PLAN_VERSION,
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

    /// Written readable by its owner only (0600).
    pub fn write(&self, path: &Path) -> Result<(), SavedPlanError> {
        let text = serde_json::to_string_pretty(self).expect("a plan serializes");
        write_private(path, text.as_bytes())
            .map_err(|source| SavedPlanError::Write { path: path.to_owned(), source })
    }

    pub fn read(path: &Path) -> Result<Self, SavedPlanError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SavedPlanError::Read { path: path.to_owned(), source })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|source| SavedPlanError::Format { path: path.to_owned(), source })?;
        let found = value.get("format_version").and_then(serde_json::Value::as_u64).unwrap_or(0) as u32;
        if found > SAVED_PLAN_VERSION {
            return Err(SavedPlanError::Newer { path: path.to_owned(), found });
        }
        serde_json::from_value(value)
            .map_err(|source| SavedPlanError::Format { path: path.to_owned(), source })
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
                    let unreadable = Stale::Unreadable { account: account.clone(), error: e.to_string() };
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
mod tests {
    use super::*;
    use crate::config::{OtherPoliciesMode, StackSetConfig, StackSetTargets, StateBackend, Template};
    use crate::model::{AccountFilter, Amount, CallAs, Preferences, RegionConcurrency};
    use crate::plan::{Action, ResourceValue};
    use crate::testing::{desired, id};

    /// Every field of the configuration set, and none at its default.
    fn everything() -> Desired {
        let mut d = desired(&["111111111111", "222222222222"]);
        d.role.tags.insert("owner".into(), "secops".into());
        d.role.other_policies = OtherPoliciesMode::Keep;
        let direct = d.direct.as_mut().unwrap();
        direct.organization = true;
        direct.ous = vec!["ou-ab12-cdef3456".into()];
        direct.exclude = vec![id("333333333333")];
        d.stackset = Some(StackSetConfig {
            name: "radiant".into(),
            targets: StackSetTargets::Ous(vec!["ou-ab12-11111111".into()]),
            accounts: vec![id("444444444444")],
            filter: AccountFilter::Intersection,
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            auto_deployment: true,
            retain_stacks: true,
            preferences: Preferences {
                max_concurrent: Some(Amount::Percent(25)),
                failure_tolerance: Some(Amount::Count(1)),
                region_concurrency: Some(RegionConcurrency::Parallel),
            },
            management_account: true,
            template: Template::File { path: "rs_iam_role.yml".into(), body: "Resources: {}\n".into() },
            call_as: CallAs::DelegatedAdmin,
            access_role: Some("Reader".into()),
        });
        d.state = Some(StateBackend::S3 {
            bucket: "b".into(),
            key: "k.json".into(),
            region: Some("eu-west-1".into()),
        });
        d
    }

    /// Plans saved by earlier versions name their configuration by this
    /// digest: it must not change for the same configuration.
    #[test]
    fn the_digest_of_a_configuration_stays_what_earlier_versions_computed() {
        let direct = desired(&["111111111111"]);
        assert_eq!(
            config_digest(&direct),
            "bd697c9b89f30a971d04bc289a0d16ead8c044b53b0eac2e36c6b4931028f61d"
        );
        // StackSet mode only, with what is optional at its default.
        let mut stackset = direct.clone();
        stackset.direct = None;
        stackset.stackset = Some(StackSetConfig {
            targets: StackSetTargets::Organization,
            accounts: vec![],
            filter: AccountFilter::None,
            preferences: Preferences::default(),
            template: Template::Generated,
            call_as: CallAs::Caller,
            access_role: None,
            ..everything().stackset.unwrap()
        });
        assert_eq!(
            config_digest(&stackset),
            "60c2f70948dd4632e3d8c099923447c85080a925321f305414391fa422ceb048"
        );
        assert_eq!(
            config_digest(&everything()),
            "71b1ebe7fa474c753a1d5c5b936f8456d70347fe36276d3ef84dc83ade89b34f"
        );
    }

    #[test]
    fn a_plan_saved_before_roles_carried_their_other_policies_still_reads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/saved-plan-format-1-before-other-policies.json");
        let saved = SavedPlan::read(&path).unwrap();
        let change = &saved.plan.changes[0];
        assert_eq!((change.action, change.stack_set.as_deref()), (Action::Update, None));
        let Some(ResourceValue::Role { other, .. }) = &change.before else { panic!("a role") };
        assert!(other.is_empty());
        assert_eq!(
            own_policy_arn(&State::new(), &change.address, &change.arn, "p"),
            "arn:aws:iam::111111111111:policy/p"
        );
    }
}
