use serde::{Deserialize, Serialize};

use crate::cloud::{AutoDeployment, CallAs, DeploymentTargets};

/// A stack set orgrole made, and what it deployed with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackSetRecord {
    pub name: String,
    pub id: String,
    pub call_as: CallAs,
    /// The fingerprint of the parameters applied: AWS hides NoEcho values
    /// (`****`), so a changed external ID is seen here.
    pub parameters: String,
    /// The emulator does not report auto-deployment back.
    pub auto_deployment: AutoDeployment,
    /// The account filter the instances were created with.
    pub targets: DeploymentTargets,
    /// (OU, region) pairs deployed, sorted.
    pub deployed: Vec<(String, String)>,
    /// The operation started and not yet seen to end: a later run waits
    /// for it, then records its effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingOperation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOperation {
    pub id: String,
    /// The plan step it carries out, applied to this record once it succeeds.
    pub step: crate::plan::StackSetAction,
}
