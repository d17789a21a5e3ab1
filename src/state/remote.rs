//! A state kept as one object in an object store (S3), with a lock object
//! beside it. No database: S3's conditional writes do the work. The lock is
//! created only if absent (`If-None-Match: *`), so of two runs exactly one
//! gets it; the state is written only over the version that was read
//! (`If-Match: <ETag>`), so a writer that lost its lock can never overwrite
//! a newer state. Old versions are never deleted: with bucket versioning on,
//! every state orgrole wrote stays recoverable.

use std::future::Future;
use std::sync::Mutex;

use super::lock_object::LockObject;
use super::{parse, State, StateError};

pub struct Object {
    pub body: Vec<u8>,
    pub etag: String,
}

/// The condition a write needs to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Only over this version (`If-Match`).
    Matches(String),
    /// Only if there is no object yet (`If-None-Match: *`).
    Absent,
}

/// An object store's failure, with what it said: the store is the
/// caller's (S3, the disk), its errors are not orgrole's cloud calls.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ObjectError(pub String);

#[derive(Debug)]
pub enum PutError {
    /// The condition did not hold: someone else wrote first.
    Precondition,
    Failed(ObjectError),
}

/// The few object-store calls a remote state needs; `cloud/aws` implements
/// them with S3.
pub trait ObjectStore: Send + Sync {
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Object>, ObjectError>> + Send;
    fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        condition: Precondition,
    ) -> impl Future<Output = Result<String, PutError>> + Send;
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), ObjectError>> + Send;
}

pub struct RemoteState<O> {
    store: O,
    /// `s3://bucket/key`, for messages.
    url: String,
    key: String,
    /// The ETag of the state as last read or written; `None` when there was none.
    etag: Mutex<Option<String>>,
}

impl<O: ObjectStore> RemoteState<O> {
    pub fn new(store: O, url: String, key: String) -> Self {
        Self { store, url, key, etag: Mutex::new(None) }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn failed(&self) -> impl Fn(ObjectError) -> StateError + '_ {
        |source| StateError::Store { location: self.url.clone(), message: source.to_string() }
    }

    pub async fn load(&self) -> Result<State, StateError> {
        let object = self.store.get(&self.key).await.map_err(self.failed())?;
        let Some(object) = object else {
            *self.etag.lock().expect("not poisoned") = None;
            return Ok(State::new());
        };
        let text = String::from_utf8_lossy(&object.body);
        let state = parse(&text, &self.url, None)?;
        *self.etag.lock().expect("not poisoned") = Some(object.etag);
        Ok(state)
    }

    /// Writes only over the version last read or written.
    pub async fn save(&self, state: &mut State) -> Result<(), StateError> {
        state.serial += 1;
        let condition = match self.etag.lock().expect("not poisoned").clone() {
            Some(etag) => Precondition::Matches(etag),
            None => Precondition::Absent,
        };
        let body = super::to_json(state).into_bytes();
        match self.store.put(&self.key, body, condition).await {
            Ok(etag) => {
                *self.etag.lock().expect("not poisoned") = Some(etag);
                Ok(())
            }
            Err(e) => {
                state.serial -= 1;
                Err(match e {
                    PutError::Precondition => StateError::Overtaken { url: self.url.clone() },
                    PutError::Failed(e) => self.failed()(e),
                })
            }
        }
    }

    /// The lock object beside the state.
    pub fn lock(&self) -> LockObject<'_, O> {
        LockObject {
            store: &self.store,
            key: format!("{}.lock", self.key),
            location: format!("{}.lock", self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::state::LockInfo;
    use crate::state::MemoryObjects as Memory;

    fn remote(store: &Memory) -> RemoteState<Memory> {
        RemoteState::new(store.clone(), "s3://bucket/orgrole.json".into(), "orgrole.json".into())
    }

    #[tokio::test]
    async fn of_two_runs_one_gets_the_lock_and_the_other_is_told_who_has_it() {
        let store = Memory::default();
        let (a, b) = (remote(&store), remote(&store));
        let held = a.lock().acquire(LockInfo::new("apply", a.url()), Duration::ZERO).await.unwrap();
        match b.lock().acquire(LockInfo::new("apply", b.url()), Duration::ZERO).await {
            Err(StateError::Locked(holder)) => assert_eq!(holder.id, held.id),
            other => panic!("expected Locked, got {other:?}"),
        }
        a.lock().release(&held.id).await.unwrap();
        b.lock().acquire(LockInfo::new("apply", b.url()), Duration::ZERO).await.unwrap();
    }

    #[tokio::test]
    async fn a_writer_that_was_overtaken_cannot_overwrite_the_newer_state() {
        let store = Memory::default();
        let (a, b) = (remote(&store), remote(&store));
        let mut first = a.load().await.unwrap();
        a.save(&mut first).await.unwrap();

        let mut stale = a.load().await.unwrap();
        let mut newer = b.load().await.unwrap();
        b.save(&mut newer).await.unwrap();
        assert!(matches!(a.save(&mut stale).await, Err(StateError::Overtaken { .. })));
        assert_eq!(stale.serial, 1, "a refused write leaves the serial as it was");
        assert_eq!(remote(&store).load().await.unwrap().serial, 2);
    }

    #[tokio::test]
    async fn force_unlock_needs_the_holders_id() {
        let store = Memory::default();
        let a = remote(&store);
        let held = a.lock().acquire(LockInfo::new("apply", a.url()), Duration::ZERO).await.unwrap();
        assert!(matches!(a.lock().force_remove("nope").await, Err(StateError::LockMismatch { .. })));
        assert_eq!(a.lock().force_remove(&held.id).await.unwrap().id, held.id);
        assert!(a.lock().read().await.unwrap().is_none());
    }
}
