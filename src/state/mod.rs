//! What orgrole manages, as of its last write: a versioned JSON file, written
//! atomically with a backup, and a lock while a run writes to it.

mod codec;
mod error;
mod file;
mod format;
mod local_files;
mod lock;
mod lock_object;
#[cfg(test)]
mod memory;
mod remote;
mod resources;
mod stackset;
mod store;

use codec::parse;
pub use codec::to_json;
pub use error::StateError;
pub use file::StateFile;
pub use lock::LockInfo;
pub use lock_object::LockObject;
#[cfg(test)]
pub use memory::MemoryObjects;
pub use remote::{Object, ObjectError, ObjectStore, Precondition, PutError, RemoteState};
pub use resources::{State, StateResource};
pub use stackset::{Deployment, Effect, PendingOperation, StackSetRecord};
pub use store::StateStore;
