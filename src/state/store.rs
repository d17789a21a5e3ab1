//! Where the state lives: a local file, or an object in S3.

use std::time::Duration;

use super::{LockGuard, LockInfo, RemoteState, State, StateError, StateFile};
use crate::cloud::aws::S3Objects;

pub enum StateStore {
    Local(StateFile),
    S3(RemoteState<S3Objects>),
}

/// A held state lock; give it back with `StateStore::unlock`.
pub enum StoreLock {
    Local(LockGuard),
    Remote(LockInfo),
}

impl StateStore {
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

    pub async fn lock(&self, operation: &str, timeout: Duration) -> Result<StoreLock, StateError> {
        match self {
            Self::Local(file) => file.lock(operation, timeout).map(StoreLock::Local),
            Self::S3(remote) => {
                remote.lock(LockInfo::new(operation, remote.url()), timeout).await.map(StoreLock::Remote)
            }
        }
    }

    pub async fn unlock(&self, lock: StoreLock) -> Result<(), StateError> {
        match (self, lock) {
            (Self::S3(remote), StoreLock::Remote(info)) => remote.unlock(&info.id).await,
            // A local lock goes with its guard.
            _ => Ok(()),
        }
    }

    pub async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        match self {
            Self::Local(file) => file.force_unlock(id),
            Self::S3(remote) => remote.force_unlock(id).await,
        }
    }
}
