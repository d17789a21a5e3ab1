//! State format 1: `format_version`, `lineage`, `serial`, `orgrole_version`,
//! the resources, and (StackSet mode) the stack set records. Account IDs
//! and addresses are written in their text form (`account/<id>/role/<name>`).
//! The types mirror the model's (`state::`, `model::`) by name; the model
//! may change, these may not.

use serde::{Deserialize, Serialize};

use crate::model::{self, AccountId, Address};
use crate::state::{self, State, StateResource};

#[derive(Debug, Serialize, Deserialize)]
pub struct StateFileV1 {
    pub format_version: u32,
    pub lineage: String,
    pub serial: u64,
    pub orgrole_version: String,
    pub resources: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacksets: Vec<StackSetRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Resource {
    pub address: Address,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StackSetRecord {
    pub name: String,
    pub id: String,
    pub call_as: CallAs,
    pub parameters: String,
    pub auto_deployment: AutoDeployment,
    pub deployed: Vec<Deployment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingOperation>,
}

twin_enum! {
    pub enum CallAs = model::CallAs {
        Caller,
        DelegatedAdmin,
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct AutoDeployment {
    pub enabled: bool,
    pub retain_stacks: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Deployment {
    pub ou: String,
    pub region: String,
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
}

twin_enum! {
    pub enum AccountFilter = model::AccountFilter {
        None,
        Intersection,
        Difference,
        Union,
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PendingOperation {
    pub id: String,
    pub effect: Option<Effect>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Updated { parameters: String, auto_deployment: AutoDeployment },
    Deployed(Vec<Deployment>),
    Withdrawn(Vec<Deployment>),
}

impl From<&State> for StateFileV1 {
    fn from(state: &State) -> Self {
        Self {
            format_version: 1,
            lineage: state.lineage.clone(),
            serial: state.serial,
            orgrole_version: state.orgrole_version.clone(),
            resources: state.resources().iter().map(Resource::from).collect(),
            stacksets: state.stacksets().iter().map(StackSetRecord::from).collect(),
        }
    }
}

impl From<StateFileV1> for State {
    fn from(file: StateFileV1) -> Self {
        State::restored(
            file.lineage,
            file.serial,
            file.orgrole_version,
            file.resources.into_iter().map(StateResource::from).collect(),
            file.stacksets.into_iter().map(state::StackSetRecord::from).collect(),
        )
    }
}

impl From<&StateResource> for Resource {
    fn from(r: &StateResource) -> Self {
        Self { address: r.address.clone(), arn: r.arn.clone(), applied: r.applied.clone() }
    }
}

impl From<Resource> for StateResource {
    fn from(r: Resource) -> Self {
        Self { address: r.address, arn: r.arn, applied: r.applied }
    }
}

impl From<&state::StackSetRecord> for StackSetRecord {
    fn from(r: &state::StackSetRecord) -> Self {
        Self {
            name: r.name.clone(),
            id: r.id.clone(),
            call_as: r.call_as.into(),
            parameters: r.parameters.clone(),
            auto_deployment: r.auto_deployment.into(),
            deployed: r.deployed.iter().map(Deployment::from).collect(),
            pending: r.pending.as_ref().map(PendingOperation::from),
        }
    }
}

impl From<StackSetRecord> for state::StackSetRecord {
    fn from(r: StackSetRecord) -> Self {
        Self {
            name: r.name,
            id: r.id,
            call_as: r.call_as.into(),
            parameters: r.parameters,
            auto_deployment: r.auto_deployment.into(),
            deployed: r.deployed.into_iter().map(state::Deployment::from).collect(),
            pending: r.pending.map(state::PendingOperation::from),
        }
    }
}

impl From<model::AutoDeployment> for AutoDeployment {
    fn from(a: model::AutoDeployment) -> Self {
        Self { enabled: a.enabled, retain_stacks: a.retain_stacks }
    }
}

impl From<AutoDeployment> for model::AutoDeployment {
    fn from(a: AutoDeployment) -> Self {
        Self { enabled: a.enabled, retain_stacks: a.retain_stacks }
    }
}

impl From<&state::Deployment> for Deployment {
    fn from(d: &state::Deployment) -> Self {
        Self {
            ou: d.ou.clone(),
            region: d.region.clone(),
            accounts: d.accounts.clone(),
            filter: d.filter.into(),
        }
    }
}

impl From<Deployment> for state::Deployment {
    fn from(d: Deployment) -> Self {
        Self { ou: d.ou, region: d.region, accounts: d.accounts, filter: d.filter.into() }
    }
}

impl From<&state::PendingOperation> for PendingOperation {
    fn from(p: &state::PendingOperation) -> Self {
        Self { id: p.id.clone(), effect: p.effect.as_ref().map(Effect::from) }
    }
}

impl From<PendingOperation> for state::PendingOperation {
    fn from(p: PendingOperation) -> Self {
        Self { id: p.id, effect: p.effect.map(state::Effect::from) }
    }
}

impl From<&state::Effect> for Effect {
    fn from(e: &state::Effect) -> Self {
        let deployments = |ds: &[state::Deployment]| ds.iter().map(Deployment::from).collect();
        match e {
            state::Effect::Updated { parameters, auto_deployment } => {
                Self::Updated { parameters: parameters.clone(), auto_deployment: (*auto_deployment).into() }
            }
            state::Effect::Deployed(ds) => Self::Deployed(deployments(ds)),
            state::Effect::Withdrawn(ds) => Self::Withdrawn(deployments(ds)),
        }
    }
}

impl From<Effect> for state::Effect {
    fn from(e: Effect) -> Self {
        let deployments = |ds: Vec<Deployment>| ds.into_iter().map(state::Deployment::from).collect();
        match e {
            Effect::Updated { parameters, auto_deployment } => {
                Self::Updated { parameters, auto_deployment: auto_deployment.into() }
            }
            Effect::Deployed(ds) => Self::Deployed(deployments(ds)),
            Effect::Withdrawn(ds) => Self::Withdrawn(deployments(ds)),
        }
    }
}
