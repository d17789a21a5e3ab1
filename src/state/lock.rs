use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::StateError;

/// Who holds a state lock, written into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: String,
    /// `user@host`.
    pub who: String,
    pub pid: u32,
    /// RFC 3339.
    pub created: String,
    pub version: String,
    /// The state file it locks.
    pub path: String,
}

impl LockInfo {
    /// This run's lock on the state at `location`.
    pub fn new(operation: &str, location: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            who: who(),
            pid: std::process::id(),
            created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            version: env!("CARGO_PKG_VERSION").into(),
            path: location.into(),
        }
    }

    /// A lock that cannot be read (e.g. its writer died mid-write) still
    /// locks; its ID is "unknown" so that force-unlock can remove it.
    pub fn unknown(location: &str) -> Self {
        Self {
            id: "unknown".into(),
            operation: "unknown".into(),
            who: "an unknown run".into(),
            pid: 0,
            created: "an unknown time".into(),
            version: String::new(),
            path: location.into(),
        }
    }
}

/// Holds the lock; dropping it releases the lock (if it is still ours).
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
    id: String,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if matches!(read(&self.path), Ok(Some(info)) if info.id == self.id) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

const RETRY_EVERY: Duration = Duration::from_millis(250);

pub fn acquire(
    path: &Path,
    state: &Path,
    operation: &str,
    timeout: Duration,
) -> Result<LockGuard, StateError> {
    let info = LockInfo::new(operation, &state.display().to_string());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(StateError::io(dir))?;
    }
    let deadline = Instant::now() + timeout;
    loop {
        // create_new: of two runs racing for the lock, exactly one creates it.
        match OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(mut file) => {
                let text = serde_json::to_string_pretty(&info).expect("lock info serializes");
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(StateError::io(path))?;
                return Ok(LockGuard { path: path.to_owned(), id: info.id });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if Instant::now() >= deadline {
                    let holder =
                        read(path)?.unwrap_or_else(|| LockInfo::unknown(&path.display().to_string()));
                    return Err(StateError::Locked(Box::new(holder)));
                }
                std::thread::sleep(RETRY_EVERY.min(deadline.saturating_duration_since(Instant::now())));
            }
            Err(e) => return Err(StateError::io(path)(e)),
        }
    }
}

pub fn read(path: &Path) -> Result<Option<LockInfo>, StateError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(
            serde_json::from_str(&text).unwrap_or_else(|_| LockInfo::unknown(&path.display().to_string())),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StateError::io(path)(e)),
    }
}

pub fn force_remove(path: &Path, id: &str) -> Result<LockInfo, StateError> {
    let holder = read(path)?.ok_or_else(|| StateError::NotLocked(path.to_owned()))?;
    if holder.id != id {
        return Err(StateError::LockMismatch { id: id.into(), holder: Box::new(holder) });
    }
    fs::remove_file(path).map_err(StateError::io(path))?;
    Ok(holder)
}

/// `user@host`, for the lock holder's description.
fn who() -> String {
    let user =
        std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
    let host = fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into());
    format!("{user}@{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_first_holder_and_waits_for_its_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        let first = acquire(&path, Path::new("s.json"), "apply", Duration::ZERO).unwrap();
        match acquire(&path, Path::new("s.json"), "destroy", Duration::ZERO) {
            Err(StateError::Locked(info)) => {
                assert_eq!(info.operation, "apply");
                assert_eq!(info.pid, std::process::id());
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(first);
        });
        let second = acquire(&path, Path::new("s.json"), "destroy", Duration::from_secs(5)).unwrap();
        release.join().unwrap();
        drop(second);
        assert!(!path.exists());
    }

    #[test]
    fn force_unlock_needs_the_right_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.lock");
        let guard = acquire(&path, Path::new("s.json"), "apply", Duration::ZERO).unwrap();
        assert!(matches!(force_remove(&path, "nope"), Err(StateError::LockMismatch { .. })));
        let id = read(&path).unwrap().unwrap().id;
        assert_eq!(force_remove(&path, &id).unwrap().operation, "apply");
        assert!(!path.exists());
        drop(guard); // no longer ours: leaves nothing to remove
        assert!(matches!(force_remove(&path, &id), Err(StateError::NotLocked(_))));
    }
}
