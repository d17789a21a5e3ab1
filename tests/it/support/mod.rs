pub mod fault_proxy;
pub mod moto;
pub mod org;
pub mod test;

pub use org::Org;
pub use test::{radiant_config, stackset_config, Run, Test, EXTERNAL_ID, VENDOR};
