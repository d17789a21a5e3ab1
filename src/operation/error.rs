use crate::cloud::CloudError;
use crate::observe::ObserveError;
use crate::plan::Refusal;
use crate::state::StateError;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error(transparent)]
    Observe(#[from] ObserveError),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("could not read stack set operation {id}: {error}")]
    PendingUnreadable { id: String, error: CloudError },
    #[error("could not wait for stack set operation: {0}")]
    Wait(CloudError),
}
