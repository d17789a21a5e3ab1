//! Where the state lives: a local file, or an object in S3.

use std::time::Duration;

use super::{LockInfo, ObjectStore, RemoteState, State, StateError, StateFile};

/// `O`: the object store of a remote state (S3, which `cloud/aws` gives).
pub enum StateStore<O> {
    Local(StateFile),
    S3(RemoteState<O>),
}

impl<O: ObjectStore> StateStore<O> {
    /// The path or `s3://bucket/key`.
    pub fn location(&self) -> String {
        match self {
            Self::Local(file) => file.path().display().to_string(),
            Self::S3(remote) => remote.url().to_owned(),
        }
    }

    pub async fn load(&self) -> Result<State, StateError> {
        match self {
            Self::Local(file) => file.load(),
            Self::S3(remote) => remote.load().await,
        }
    }

    pub async fn save(&self, state: &mut State) -> Result<(), StateError> {
        match self {
            Self::Local(file) => file.save(state),
            Self::S3(remote) => remote.save(state).await,
        }
    }

    /// Takes the state lock, waiting up to `timeout` for another run's.
    pub async fn lock(&self, operation: &str, timeout: Duration) -> Result<LockInfo, StateError> {
        let info = LockInfo::new(operation, &self.location());
        match self {
            Self::Local(file) => file.lock().acquire(info, timeout).await,
            Self::S3(remote) => remote.lock().acquire(info, timeout).await,
        }
    }

    /// Gives back a lock taken with `lock`.
    pub async fn unlock(&self, lock: &LockInfo) -> Result<(), StateError> {
        match self {
            Self::Local(file) => file.lock().release(&lock.id).await,
            Self::S3(remote) => remote.lock().release(&lock.id).await,
        }
    }

    /// Runs `work` holding the state lock, and gives the lock back whatever
    /// happened; a failed release is reported after the work's own error.
    pub async fn under_lock<T, E: From<StateError>>(
        &self,
        operation: &str,
        timeout: Duration,
        work: impl AsyncFnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let lock = self.lock(operation, timeout).await?;
        let result = work().await;
        let released = self.unlock(&lock).await;
        let value = result?;
        released?;
        Ok(value)
    }

    /// Removes a lock left by a run that is gone, if `id` names it.
    pub async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        match self {
            Self::Local(file) => file.lock().force_remove(id).await,
            Self::S3(remote) => remote.lock().force_remove(id).await,
        }
    }
}
