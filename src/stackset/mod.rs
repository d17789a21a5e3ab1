//! Deployment mode 2: one service-managed CloudFormation StackSet.

mod template;

pub use template::{template_body, EXTERNAL_ID_PARAMETER};
