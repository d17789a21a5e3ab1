use crate::model::{AccountFilter, AccountId, AutoDeployment, CallAs};

/// A stack set orgrole made, and what it deployed with it. Never the
/// external ID: only a fingerprint of the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetRecord {
    pub name: String,
    pub id: String,
    pub call_as: CallAs,
    /// The fingerprint of the parameters applied: AWS hides NoEcho values
    /// (`****`), so a changed external ID is seen here.
    pub parameters: String,
    /// The emulator does not report auto-deployment back.
    pub auto_deployment: AutoDeployment,
    /// What was deployed, by OU and region, sorted.
    pub deployed: Vec<Deployment>,
    /// The operation started and not yet seen to end: a later run waits
    /// for it, then records its effect.
    pub pending: Option<PendingOperation>,
}

/// Instances created through one OU in one region: all the accounts below
/// it, or those the filter selects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deployment {
    pub ou: String,
    pub region: String,
    pub accounts: Vec<AccountId>,
    pub filter: AccountFilter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOperation {
    pub id: String,
    /// What to record once it ends.
    pub effect: Option<Effect>,
}

/// What an operation changes in the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The stack set now has these parameters (by fingerprint) and auto-deployment.
    Updated { parameters: String, auto_deployment: AutoDeployment },
    /// These deployments replace those of the same OU and region.
    Deployed(Vec<Deployment>),
    /// These deployments are gone.
    Withdrawn(Vec<Deployment>),
}
