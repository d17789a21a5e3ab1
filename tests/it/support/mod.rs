pub mod fault_proxy;
pub mod moto;
pub mod org;
pub mod test;

pub use org::Org;
pub use test::{radiant_config, Test, EXTERNAL_ID, VENDOR};
