//! A StackSet operation an earlier run started and did not see end (it
//! timed out or was interrupted): read before planning, waited for before
//! applying.

use std::future::Future;
use std::time::Duration;

use super::{Operation, OperationError};
use crate::apply::{self, Failure, Observer, Waiter};
use crate::cloud::{Cloud, ErrorKind, StackSets};
use crate::state::{ObjectStore, State};

/// The state as it will be once the pending operation is recorded; `None`:
/// nothing pending has ended (still running, or long gone, as apply would
/// find it too).
pub async fn settled<C: Cloud>(cloud: &C, state: &State) -> Result<Option<State>, OperationError> {
    let Some(record) = state.pending_stackset() else { return Ok(None) };
    let pending = record.pending.as_ref().expect("found above");
    let op = match cloud.stacksets(record.call_as).operation(&record.name, &pending.id).await {
        Ok(op) if !op.status.is_active() => op,
        Ok(_) => return Ok(None),
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(OperationError::PendingUnreadable { id: pending.id.clone(), error }),
    };
    let mut settled = state.clone();
    apply::settle(&mut settled, &record.name, &op);
    Ok(Some(settled))
}

/// Still running after the timeout (or interrupted): nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StillRunning {
    pub stackset: String,
    pub operation: String,
}

impl<C: Cloud, O: ObjectStore> Operation<'_, C, O> {
    /// Waits for the pending operation, if any, and records its effect, so
    /// that the plan starts from what is.
    pub async fn finish_pending(
        &self,
        state: &mut State,
        timeout: Duration,
        observer: &dyn Observer,
        interrupt: impl Future<Output = ()> + Send,
    ) -> Result<Option<StillRunning>, OperationError> {
        let Some(record) = state.pending_stackset().cloned() else { return Ok(None) };
        let mut waiter = Waiter {
            sets: self.cloud.stacksets(record.call_as),
            name: &record.name,
            deadline: tokio::time::Instant::now() + timeout,
            observer,
            interrupt: std::pin::pin!(interrupt),
        };
        match apply::finish_pending(state, self.store, &mut waiter).await {
            Ok(true) => Ok(None),
            Ok(false) => Ok(Some(StillRunning {
                stackset: record.name.clone(),
                operation: record.pending.map(|p| p.id).unwrap_or_default(),
            })),
            Err(Failure::State(e)) => Err(e.into()),
            Err(Failure::Cloud(e)) => Err(OperationError::Wait(e)),
        }
    }
}
