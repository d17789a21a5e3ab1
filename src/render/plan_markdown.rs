//! The plan as Markdown for a change request or a pull-request comment: a
//! summary table per account, then each account's changes in a collapsible
//! `diff` block.

use std::fmt::Write;

use super::lines::Detail;
use super::prose::{skip_reason, stackset_conflict};
use super::view::{conflict_message, plan_view};
use crate::plan::Plan;

pub fn plan_markdown(plan: &Plan) -> String {
    let view = plan_view(plan);
    let mut out = String::new();
    let title = if plan.destroy { "orgrole destroy plan" } else { "orgrole plan" };
    let _ = writeln!(out, "## {title}\n\n**{}**\n", view.summary_line);
    if !view.accounts.is_empty() {
        out.push_str("| Account | Name | Add | Change | Destroy | State only |\n|---|---|--:|--:|--:|--:|\n");
        for s in &view.accounts {
            let c = s.counts;
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                s.account, s.name, c.add, c.change, c.destroy, c.state_only
            );
        }
        out.push('\n');
    }
    if let Some(s) = &view.stackset {
        let _ = writeln!(out, "### {}\n", s.title);
        for note in &s.notes {
            let _ = writeln!(out, "_{note}_\n");
        }
        out.push_str("```diff\n");
        for step in &s.steps {
            change(&mut out, step.marker, &step.subject, &step.notes, &step.details);
        }
        for d in &s.instances {
            let _ = writeln!(out, "{}   instance {}", d.marker, d.text);
        }
        if let Some(unchanged) = &s.unchanged {
            let _ = writeln!(out, "    {unchanged}");
        }
        out.push_str("```\n\n");
    }
    for s in &view.accounts {
        let c = s.counts;
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code>{}: {} to add, {} to change, {} to destroy</summary>\n\n```diff",
            s.account,
            if s.name.is_empty() { String::new() } else { format!(" ({})", s.name) },
            c.add,
            c.change,
            c.destroy
        );
        for c in &s.changes {
            change(&mut out, c.marker, &c.subject, &c.notes, &c.details);
        }
        out.push_str("```\n\n</details>\n\n");
    }
    if !view.kept.is_empty() {
        out.push_str("### Kept on the roles (`other-policies \"keep\"`)\n\n");
        for (role, lines) in &view.kept {
            let _ = writeln!(out, "- {role}: {}", lines.join("; "));
        }
        out.push('\n');
    }
    if !plan.skipped.is_empty() {
        out.push_str("### Skipped accounts\n\n");
        for s in &plan.skipped {
            let name = if s.name.is_empty() { String::new() } else { format!(" ({})", s.name) };
            let _ = writeln!(out, "- `{}`{name}: {}", s.account, skip_reason(&s.reason));
        }
        out.push('\n');
    }
    let stackset_conflict =
        plan.stackset.as_ref().and_then(|s| Some(stackset_conflict(&s.name, s.conflict.as_ref()?)));
    if !plan.conflicts.is_empty() || !plan.unreachable.is_empty() || stackset_conflict.is_some() {
        out.push_str("### Errors\n\n");
        for c in &plan.conflicts {
            let _ = writeln!(out, "- {}", conflict_message(c));
        }
        if let Some(conflict) = &stackset_conflict {
            let _ = writeln!(out, "- {conflict}");
        }
        for u in &plan.unreachable {
            let _ = writeln!(out, "- account `{}` could not be read: {}", u.account, u.error);
        }
        out.push('\n');
    }
    out
}

/// A change's (or a stack set step's) line and its details, in a `diff` block.
fn change(out: &mut String, marker: &str, subject: &str, notes: &[&str], details: &[Detail]) {
    let notes = if notes.is_empty() { String::new() } else { format!("  ({})", notes.join("; ")) };
    let _ = writeln!(out, "{marker} {subject}{notes}");
    for d in details {
        // diff highlights by the first column: keep + and - there.
        let marker = if d.marker.is_empty() { " " } else { d.marker };
        let _ = writeln!(out, "{marker}     {}", d.text);
    }
}
