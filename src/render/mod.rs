//! Human views of plans and results.

mod paint;
mod plan_text;

pub use paint::Paint;
pub use plan_text::plan_text;
