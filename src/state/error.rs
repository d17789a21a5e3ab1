use std::path::PathBuf;

use super::LockInfo;

/// A Diagnostic, so that commands holding the lock can fail with their own reports.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    #[error(
        "the state {} is locked by {} (pid {}, operation `{}`, since {})\n  if that run is gone: orgrole force-unlock {}",
        .0.path, .0.who, .0.pid, .0.operation, .0.created, .0.id
    )]
    Locked(Box<LockInfo>),
    #[error("{location} was written by a newer orgrole (state format {found}; this one reads up to {supported}): upgrade orgrole; the state was left as it is")]
    NewerFormat { location: String, found: u32, supported: u32 },
    #[error("{location} is not a readable state ({source}){}", match .backup {
        Some(b) => format!("; the previous version is in {}: check it, then copy it over the state file", b.display()),
        None => String::new(),
    })]
    Corrupt { location: String, backup: Option<PathBuf>, source: serde_json::Error },
    #[error("{location}: {message}")]
    Store { location: String, message: String },
    #[error("the state in {url} was written by another run since this one read it: nothing was overwritten; run the command again")]
    Overtaken { url: String },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("lock ID {id} does not match the lock held by {} (ID {}): nothing was removed", .holder.who, .holder.id)]
    LockMismatch { id: String, holder: Box<LockInfo> },
    #[error("{0} is not locked")]
    NotLocked(String),
}

impl StateError {
    pub(super) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io { path: path.to_owned(), source }
    }
}
