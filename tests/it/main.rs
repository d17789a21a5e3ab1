//! The real `orgrole` binary against the local AWS emulator (moto).

mod support;

mod adopt;
mod bad_config;
mod ci_examples;
mod connections;
mod drift;
mod faults;
mod getting_started;
mod lifecycle;
mod locking;
mod permissions;
mod policy_lint;
mod policy_versions;
mod reports;
mod role_options;
mod s3_state;
mod saved_plans;
mod stackset;
mod stackset_callers;
mod stackset_emulators;
mod status;
mod tampering;
mod vendor_template;
