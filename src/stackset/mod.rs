//! StackSet mode: the stack set orgrole wants, its template, and which
//! accounts it reaches.

mod spec;
mod targets;
mod template;

pub use spec::{deployment_targets, spec, target_units, union_extras};
pub use targets::expected;
pub use template::{filled_in_value, mask_external_id, template_body, EXTERNAL_ID_PARAMETER};
