//! Views of plans and results: text for people at a terminal, Markdown for
//! change requests, JSON for machines. All from one view model.

mod graph;
mod lines;
mod paint;
mod plan_json;
mod plan_markdown;
mod plan_text;
mod stackset_view;
mod view;

pub use graph::{graph_dot, graph_mermaid};
pub use paint::Paint;
pub use plan_json::{plan_json, JSON_FORMAT_VERSION};
pub use plan_markdown::plan_markdown;
pub use plan_text::plan_text;
pub use view::{kept_lines, plan_view};

#[cfg(test)]
mod tests;
