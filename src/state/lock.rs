use std::fs;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

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
    /// The state it locks (a path or URL).
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
