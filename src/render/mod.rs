//! Views of plans and results: text for people at a terminal, Markdown for
//! change requests, JSON for machines. All from one view model.

mod apply_json;
mod apply_lines;
mod graph;
mod groups;
mod lines;
mod paint;
mod plan_json;
mod plan_markdown;
mod plan_text;
mod preflight_report;
mod prose;
mod reading_bar;
mod stackset_view;
mod status;
mod verify_report;
mod view;

pub use apply_json::{plan_event, ApplyJson, EVENTS_FORMAT_VERSION};
pub use apply_lines::ApplyLines;
pub use graph::{graph_dot, graph_mermaid};
pub use paint::Paint;
pub use plan_json::{plan_json, JSON_FORMAT_VERSION};
pub use plan_markdown::plan_markdown;
pub use plan_text::plan_text;
pub use preflight_report::preflight_table;
pub use prose::{skip_reason, stackset_conflict, step_description};
pub use reading_bar::ReadingBar;
pub use status::{status_json, status_markdown, status_mermaid, status_text};
pub use verify_report::{accounts_csv, problem_text, verify_json, verify_table};
pub use view::{kept_lines, plan_view};

#[cfg(test)]
mod tests;
