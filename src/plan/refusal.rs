//! What the configuration asks for that, given what was observed, cannot be
//! planned at all: decided here, on data, rather than while reading.

use crate::config::{Desired, Template};
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
    #[error("the stack set's role has the path {deployed} and the configuration asks for {configured}: a new path replaces the role, and CloudFormation does not replace a resource it was given a name for (the stack instances would fail to update). Keep `path \"{deployed}\"`, or remove the `stackset` block and apply (which deletes the stack set and its roles), then add it back with the new path")]
    StackSetPathChanged { deployed: String, configured: String },
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
    let deployed = stackset.info.as_ref().filter(|_| config.template == Template::Generated);
    if let Some(deployed) = deployed.map(|info| role_path(&info.template_body)) {
        if deployed != desired.role.settings.path {
            let configured = desired.role.settings.path.clone();
            return Some(Refusal::StackSetPathChanged { deployed, configured });
        }
    }
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

/// The path a generated template gives its role (`/` when it names none).
fn role_path(template_body: &str) -> String {
    let template: serde_json::Value = serde_json::from_str(template_body).unwrap_or_default();
    let path = &template["Resources"]["Role"]["Properties"]["Path"];
    path.as_str().unwrap_or(crate::model::DEFAULT_PATH).to_owned()
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
