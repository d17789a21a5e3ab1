//! The state lock, for every backend: an object beside the state, created
//! only if absent (`If-None-Match: *` in S3, `O_EXCL` on disk), so of two
//! runs exactly one gets it. It holds who took it, when, and an ID.

use std::time::{Duration, Instant};

use super::{LockInfo, ObjectError, ObjectStore, Precondition, PutError, StateError};

const RETRY_EVERY: Duration = Duration::from_millis(250);

pub struct LockObject<'a, O> {
    pub store: &'a O,
    pub key: String,
    /// The lock's path or URL, for messages.
    pub location: String,
}

impl<O: ObjectStore> LockObject<'_, O> {
    fn failed(&self) -> impl Fn(ObjectError) -> StateError + '_ {
        |e| StateError::Store { location: self.location.clone(), message: e.to_string() }
    }

    /// Takes the lock, retrying until `timeout` while another run holds it.
    pub async fn acquire(&self, info: LockInfo, timeout: Duration) -> Result<LockInfo, StateError> {
        let body = serde_json::to_vec_pretty(&info).expect("lock info serializes");
        let deadline = Instant::now() + timeout;
        loop {
            match self.store.put(&self.key, body.clone(), Precondition::Absent).await {
                Ok(_) => return Ok(info),
                Err(PutError::Failed(e)) => return Err(self.failed()(e)),
                Err(PutError::Precondition) if Instant::now() >= deadline => {
                    let holder = self.read().await?.unwrap_or_else(|| LockInfo::unknown(&self.location));
                    return Err(StateError::Locked(Box::new(holder)));
                }
                Err(PutError::Precondition) => {
                    tokio::time::sleep(RETRY_EVERY.min(deadline.saturating_duration_since(Instant::now())))
                        .await;
                }
            }
        }
    }

    /// The holder; a lock that cannot be parsed (its writer died mid-write)
    /// still locks, with the ID "unknown".
    pub async fn read(&self) -> Result<Option<LockInfo>, StateError> {
        let object = self.store.get(&self.key).await.map_err(self.failed())?;
        Ok(object
            .map(|o| serde_json::from_slice(&o.body).unwrap_or_else(|_| LockInfo::unknown(&self.location))))
    }

    /// Gives the lock back if it is still `id`'s.
    pub async fn release(&self, id: &str) -> Result<(), StateError> {
        match self.read().await? {
            Some(holder) if holder.id == id => self.store.delete(&self.key).await.map_err(self.failed()),
            _ => Ok(()),
        }
    }

    /// Removes a lock left by a run that is gone, if `id` names it.
    pub async fn force_remove(&self, id: &str) -> Result<LockInfo, StateError> {
        let holder = self.read().await?.ok_or_else(|| StateError::NotLocked(self.location.clone()))?;
        if holder.id != id {
            return Err(StateError::LockMismatch { id: id.into(), holder: Box::new(holder) });
        }
        self.store.delete(&self.key).await.map_err(self.failed())?;
        Ok(holder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateFile;

    #[tokio::test]
    async fn a_second_run_is_told_who_holds_the_lock_or_waits_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state/s.json"));
        let first = file.lock().acquire(LockInfo::new("apply", "s.json"), Duration::ZERO).await.unwrap();
        match file.lock().acquire(LockInfo::new("destroy", "s.json"), Duration::ZERO).await {
            Err(StateError::Locked(holder)) => {
                assert_eq!((holder.id.as_str(), holder.operation.as_str()), (first.id.as_str(), "apply"))
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        let lock = file.lock();
        let waiting = lock.acquire(LockInfo::new("destroy", "s.json"), Duration::from_secs(5));
        let release = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            file.lock().release(&first.id).await.unwrap();
        };
        let (second, ()) = tokio::join!(waiting, release);
        let second = second.unwrap();
        file.lock().release(&second.id).await.unwrap();
        assert!(file.lock().read().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn force_removal_needs_the_holders_id_and_an_unreadable_lock_still_locks() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("s.json"));
        let held = file.lock().acquire(LockInfo::new("apply", "s.json"), Duration::ZERO).await.unwrap();
        assert!(matches!(file.lock().force_remove("nope").await, Err(StateError::LockMismatch { .. })));
        assert_eq!(file.lock().force_remove(&held.id).await.unwrap().operation, "apply");
        assert!(matches!(file.lock().force_remove(&held.id).await, Err(StateError::NotLocked(_))));

        // A writer that died between creating the lock and filling it.
        std::fs::write(dir.path().join("s.json.lock"), "").unwrap();
        match file.lock().acquire(LockInfo::new("apply", "s.json"), Duration::ZERO).await {
            Err(StateError::Locked(holder)) => assert_eq!(holder.id, "unknown"),
            other => panic!("expected Locked, got {other:?}"),
        }
        file.lock().force_remove("unknown").await.unwrap();
    }
}
