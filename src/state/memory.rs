//! S3's conditional writes, in memory: the objects of one bucket, for
//! tests of the remote state and the sim's buckets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Object, ObjectError, ObjectStore, Precondition, PutError};

#[derive(Debug, Clone, Default)]
pub struct MemoryObjects(Arc<Mutex<Bucket>>);

#[derive(Debug, Default)]
struct Bucket {
    /// Key → (body, ETag).
    objects: HashMap<String, (Vec<u8>, String)>,
    /// Makes each ETag new.
    writes: u64,
}

impl ObjectStore for MemoryObjects {
    async fn get(&self, key: &str) -> Result<Option<Object>, ObjectError> {
        let objects = self.0.lock().expect("not poisoned");
        Ok(objects.objects.get(key).map(|(body, etag)| Object { body: body.clone(), etag: etag.clone() }))
    }

    async fn put(&self, key: &str, body: Vec<u8>, condition: Precondition) -> Result<String, PutError> {
        let mut objects = self.0.lock().expect("not poisoned");
        let current = objects.objects.get(key).map(|(_, etag)| etag.clone());
        let holds = match condition {
            Precondition::Absent => current.is_none(),
            Precondition::Matches(etag) => current == Some(etag),
        };
        if !holds {
            return Err(PutError::Precondition);
        }
        objects.writes += 1;
        let etag = format!("\"e{}\"", objects.writes);
        objects.objects.insert(key.into(), (body, etag.clone()));
        Ok(etag)
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        self.0.lock().expect("not poisoned").objects.remove(key);
        Ok(())
    }
}
