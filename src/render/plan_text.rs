//! The plan as text, in the spirit of Terraform's: grouped by account,
//! `+ ~ -` markers, policy changes as actions added and removed.

use std::fmt::Write;

use super::groups::{counted, names, shown, skipped_by_reason, Shown};
use super::lines::Detail;
use super::prose::{cloud_error, stackset_conflict};
use super::view::{conflict_message, plan_view};
use super::Paint;
use crate::plan::Plan;

pub fn plan_text(plan: &Plan, paint: Paint) -> String {
    let view = plan_view(plan);
    let mut out = String::new();
    if plan.has_changes() {
        out.push_str("orgrole will perform the following actions:\n");
    }
    let color = |marker: &str| color(paint, marker);
    if let Some(s) = &view.stackset {
        let _ = writeln!(out, "\n  {}", paint.bold(&format!("# {}", s.title)));
        for note in &s.notes {
            let _ = writeln!(out, "  {}", paint.dim(&format!("({note})")));
        }
        for step in &s.steps {
            change(&mut out, paint, step.marker, &step.subject, &step.notes, &step.details);
        }
        if !s.instances.is_empty() || s.unchanged.is_some() {
            let _ = writeln!(out, "\n    Instances:");
            for d in &s.instances {
                let _ = writeln!(out, "      {} {}", color(d.marker), d.text);
            }
            if let Some(unchanged) = &s.unchanged {
                let _ = writeln!(out, "      {}", paint.dim(unchanged));
            }
        }
    }
    for shown in shown(&view.accounts) {
        let changes = match shown {
            Shown::Account(section) => {
                let _ = writeln!(out, "\n  {}", paint.bold(&format!("# account {}", section.title())));
                &section.changes
            }
            Shown::Group(sections) => {
                let first = sections[0];
                let title = format!("# {} in each of {} accounts", counted(first.counts), sections.len());
                let _ = writeln!(out, "\n  {}", paint.bold(&title));
                let accounts = sections.iter().map(|s| (s.account, s.name));
                let _ = writeln!(out, "    {}", paint.dim(&names(accounts, false)));
                &first.changes
            }
        };
        for c in changes {
            change(&mut out, paint, c.marker, &c.subject, &c.notes, &c.details);
        }
    }
    if !view.kept.is_empty() {
        let _ = writeln!(out, "\nKept on the roles (other-policies \"keep\"):");
        for (role, lines) in &view.kept {
            let _ = writeln!(out, "  {role}");
            for line in lines {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    if !plan.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped accounts:");
        for (why, skipped) in skipped_by_reason(&plan.skipped) {
            let accounts = skipped.iter().map(|s| (&s.account, s.name.as_str()));
            let _ = writeln!(out, "  {}: {why}", names(accounts, false));
        }
    }
    for c in &plan.conflicts {
        let _ = writeln!(out, "\n{} {}", paint.red("Error:"), conflict_message(c));
    }
    if let Some((name, conflict)) = plan.stackset.as_ref().and_then(|s| Some((&s.name, s.conflict.as_ref()?)))
    {
        let _ = writeln!(out, "\n{} {}", paint.red("Error:"), stackset_conflict(name, conflict));
    }
    for u in &plan.unreachable {
        let _ = writeln!(
            out,
            "\n{} account {} could not be read: {}",
            paint.red("Error:"),
            u.account,
            cloud_error(&u.error)
        );
    }
    let _ = writeln!(out, "\n{}", view.summary_line);
    out
}

fn color(paint: Paint, marker: &str) -> String {
    match marker {
        "+" => paint.green(marker),
        "-" => paint.red(marker),
        "~" => paint.yellow(marker),
        other => paint.dim(other),
    }
}

/// A change's (or a stack set step's) line, its notes, and its detail lines.
fn change(out: &mut String, paint: Paint, marker: &str, subject: &str, notes: &[&str], details: &[Detail]) {
    let notes =
        if notes.is_empty() { String::new() } else { paint.dim(&format!("  ({})", notes.join("; "))) };
    let _ = writeln!(out, "  {} {subject}{notes}", color(paint, marker));
    for d in details {
        let marker = if d.marker.is_empty() { String::new() } else { format!("{} ", color(paint, d.marker)) };
        let _ = writeln!(out, "      {marker}{}", d.text);
    }
}
