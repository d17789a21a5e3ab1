//! Files on disk as an object store, keyed by path: what the local state's
//! lock needs of one (a create that fails if the file exists).

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Object, ObjectError, ObjectStore, Precondition, PutError};
use crate::private_file::write_private;

pub struct LocalFiles;

fn failed(operation: &str, path: &str, e: std::io::Error) -> ObjectError {
    ObjectError(format!("{operation}: {path}: {e}"))
}

fn etag(body: &[u8]) -> String {
    Sha256::digest(body).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl ObjectStore for LocalFiles {
    async fn get(&self, key: &str) -> Result<Option<Object>, ObjectError> {
        match std::fs::read(key) {
            Ok(body) => Ok(Some(Object { etag: etag(&body), body })),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed("read", key, e)),
        }
    }

    async fn put(&self, key: &str, body: Vec<u8>, condition: Precondition) -> Result<String, PutError> {
        let fail = |e| PutError::Failed(failed("write", key, e));
        if let Some(dir) = Path::new(key).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        match condition {
            // create_new: of two processes racing, exactly one creates the file.
            Precondition::Absent => {
                let mut file = match OpenOptions::new().write(true).create_new(true).open(key) {
                    Ok(file) => file,
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => return Err(PutError::Precondition),
                    Err(e) => return Err(fail(e)),
                };
                file.write_all(&body).and_then(|()| file.sync_all()).map_err(fail)?;
            }
            Precondition::Matches(expected) => {
                let current = self.get(key).await.map_err(PutError::Failed)?;
                if current.is_none_or(|o| o.etag != expected) {
                    return Err(PutError::Precondition);
                }
                write_private(Path::new(key), &body).map_err(fail)?;
            }
        }
        Ok(etag(&body))
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        std::fs::remove_file(key).map_err(|e| failed("delete", key, e))
    }
}
