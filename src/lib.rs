//! orgrole keeps a security vendor's cross-account, read-only IAM role present
//! and correct across an AWS organization: config → Desired, observe →
//! Observed, `plan()` (pure) → Plan, `apply()` (the only writer).

// Before the modules that use it: a macro is in scope below its definition.
#[macro_use]
mod twin;

pub mod apply;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod graph;
pub mod iam_reference;
pub mod init;
pub mod lint;
pub mod model;
pub mod observe;
pub mod operation;
pub mod permissions;
pub mod plan;
pub mod preflight;
mod private_file;
pub mod rebuild;
pub mod render;
pub mod saved_plan;
pub mod stackset;
pub mod state;
pub mod status;
pub mod targets;
#[cfg(test)]
mod testing;
pub mod verify;
