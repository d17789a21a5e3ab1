//! What the configuration asks for that, given what was observed, cannot be
//! planned at all: decided here, on data, rather than while reading.

use crate::config::Desired;
use crate::model::AccountId;
use crate::observe::Observed;
use crate::stackset::union_extras;
use crate::state::State;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the state records stack set {recorded}, but the configuration names {configured}: orgrole manages one stack set per state. Remove the `stackset` block and apply (which deletes {recorded}), then add it back with the new name")]
    StackSetRenamed { recorded: String, configured: String },
    #[error("`filter=\"union\"` lists accounts outside the stack set's OUs ({}), and auto-deployment is on: StackSets can create their instances only through the OU each sits in, and would then also deploy to every account that joins those OUs. Target their OUs with `ou`, list them with `filter=\"intersection\"` in a stack set of their own, or turn auto-deployment off", ids(.0))]
    UnionOutsideWithAutoDeployment(Vec<AccountId>),
    /// Accounts and their names.
    #[error("{} covered by both `direct` and `stackset`: each account gets the role one way. Exclude {} from `direct` (or filter it out of the stack set)", list(.0), if .0.len() == 1 { "it" } else { "them" })]
    Overlap(Vec<(AccountId, String)>),
}

/// The first reason not to plan, if any.
pub fn refusal(desired: &Desired, observed: &Observed, state: &State, destroy: bool) -> Option<Refusal> {
    let config = desired.stackset.as_ref().filter(|_| !destroy)?;
    if let Some(recorded) = state.stacksets().first().filter(|r| r.name != config.name) {
        return Some(Refusal::StackSetRenamed {
            recorded: recorded.name.clone(),
            configured: config.name.clone(),
        });
    }
    let stackset = observed.stackset.as_ref()?;
    if let Some(org) = &observed.organization {
        let extras = union_extras(config, &stackset.units, org);
        if config.auto_deployment && !extras.is_empty() {
            return Some(Refusal::UnionOutsideWithAutoDeployment(extras.into_values().flatten().collect()));
        }
    }
    let both: Vec<(AccountId, String)> = stackset
        .expected
        .targets
        .iter()
        .filter(|(a, _)| observed.resolution.targets.contains_key(*a))
        .map(|(a, name)| (a.clone(), name.clone()))
        .collect();
    (!both.is_empty()).then_some(Refusal::Overlap(both))
}

fn ids(accounts: &[AccountId]) -> String {
    accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
}

/// `account 1 (a) is`, `accounts 1 (a), 2 (b) are`.
fn list(accounts: &[(AccountId, String)]) -> String {
    let named: Vec<String> = accounts
        .iter()
        .map(|(a, name)| if name.is_empty() { a.to_string() } else { format!("{a} ({name})") })
        .collect();
    match named.as_slice() {
        [one] => format!("account {one} is"),
        many => format!("accounts {} are", many.join(", ")),
    }
}
