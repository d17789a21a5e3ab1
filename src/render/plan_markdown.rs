//! The plan as Markdown for a change request or a pull-request comment: a
//! summary table per account, then each account's changes in a collapsible
//! `diff` block.

use std::fmt::Write;

use super::groups::{by_text, counted, names, shown, skipped_by_reason, Shown, EVERY_ACCOUNT};
use super::lines::Detail;
use super::prose::{cloud_error, stackset_conflict};
use super::view::{conflict_message, plan_view};
use crate::model::AccountId;
use crate::plan::{Plan, Summary};

/// Past this many characters, accounts are named but not shown in full, so
/// that the plan fits a pull-request comment (GitHub's limit: 65,536).
const BUDGET: usize = 50_000;
/// Where naming the accounts not shown stops, with a count of the rest.
const NAMING_BUDGET: usize = 58_000;
/// Rows of the summary table; the rest are below.
const TABLE_ROWS: usize = 50;

pub fn plan_markdown(plan: &Plan) -> String {
    let view = plan_view(plan);
    let mut out = String::new();
    let title = if plan.destroy { "orgrole destroy plan" } else { "orgrole plan" };
    let _ = writeln!(out, "## {title}\n\n**{}**\n", view.summary_line);
    let shown = shown(&view.accounts);
    if !shown.is_empty() {
        out.push_str("| Account | Name | Add | Change | Destroy | State only |\n|---|---|--:|--:|--:|--:|\n");
        for (i, s) in shown.iter().enumerate() {
            if i == TABLE_ROWS {
                let _ = writeln!(out, "| … | {} more, below | | | | |", shown.len() - i);
                break;
            }
            let (account, name, c) = match s {
                Shown::Account(s) => (format!("`{}`", s.account), s.name.to_owned(), s.counts),
                Shown::Group(g) => (format!("{} accounts", g.len()), "each".to_owned(), g[0].counts),
            };
            let _ = writeln!(
                out,
                "| {account} | {name} | {} | {} | {} | {} |",
                c.add, c.change, c.destroy, c.state_only
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
    let mut untold: Vec<(&AccountId, &str)> = vec![];
    for shown in &shown {
        let sections = match shown {
            Shown::Account(s) => std::slice::from_ref(s),
            Shown::Group(g) => g.as_slice(),
        };
        if out.len() > BUDGET {
            untold.extend(sections.iter().map(|s| (s.account, s.name)));
            continue;
        }
        let first = sections[0];
        let summary = match shown {
            Shown::Account(s) => format!(
                "<code>{}</code>{}: {}",
                s.account,
                if s.name.is_empty() { String::new() } else { format!(" ({})", s.name) },
                account_counts(s.counts)
            ),
            Shown::Group(g) => format!("{} in each of {} accounts", counted(first.counts), g.len()),
        };
        let _ = writeln!(out, "<details><summary>{summary}</summary>\n");
        if let Shown::Group(g) = shown {
            let accounts = g.iter().map(|s| (s.account, s.name));
            let _ = writeln!(out, "{}\n", names(accounts, true));
        }
        out.push_str("```diff\n");
        for c in &first.changes {
            change(&mut out, c.marker, &c.subject, &c.notes, &c.details);
        }
        out.push_str("```\n\n</details>\n\n");
    }
    if !untold.is_empty() {
        untold_accounts(&mut out, &untold);
    }
    if !view.kept.is_empty() {
        out.push_str("### Kept on the roles (`other-policies \"keep\"`)\n\n");
        // The same kept on many roles is said once (a comment stays under its limit at any size).
        let kept = plan.kept.iter().zip(&view.kept);
        for (lines, roles) in by_text(kept, |(_, (_, lines))| lines.join("; ")) {
            match roles.as_slice() {
                [(_, (role, _))] => _ = writeln!(out, "- {role}: {lines}"),
                many => {
                    let accounts =
                        many.iter().map(|(k, _)| (&k.address.account, plan.account_name(&k.address.account)));
                    let role = &many[0].0.address.name;
                    _ = writeln!(
                        out,
                        "- role {role} in {} accounts ({}): {lines}",
                        many.len(),
                        names(accounts, true)
                    );
                }
            }
        }
        out.push('\n');
    }
    if !plan.skipped.is_empty() {
        out.push_str("### Skipped accounts\n\n");
        for (why, skipped) in skipped_by_reason(&plan.skipped) {
            let accounts = skipped.iter().map(|s| (&s.account, s.name.as_str()));
            let _ = writeln!(out, "- {}: {why}", names(accounts, true));
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
        for (error, unreachable) in by_text(&plan.unreachable, |u| cloud_error(&u.error)) {
            match unreachable.as_slice() {
                [u] => _ = writeln!(out, "- account `{}` could not be read: {error}", u.account),
                many => {
                    let accounts = many.iter().map(|u| (&u.account, plan.account_name(&u.account)));
                    _ = writeln!(
                        out,
                        "- {} accounts could not be read ({}): {error}",
                        many.len(),
                        names(accounts, true)
                    );
                }
            }
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

/// `3 to add, 0 to change, 0 to destroy`, as an account's summary says it.
fn account_counts(c: Summary) -> String {
    format!("{} to add, {} to change, {} to destroy", c.add, c.change, c.destroy)
}

/// The accounts with changes that did not fit: named while there is room, then counted.
fn untold_accounts(out: &mut String, untold: &[(&AccountId, &str)]) {
    let _ =
        write!(out, "**{} more accounts have changes, not shown here** ({EVERY_ACCOUNT}): ", untold.len());
    for (i, (account, name)) in untold.iter().enumerate() {
        if out.len() > NAMING_BUDGET {
            let _ = write!(out, "and {} more", untold.len() - i);
            break;
        }
        let name = if name.is_empty() { String::new() } else { format!(" ({name})") };
        let _ = write!(out, "{}`{account}`{name}", if i == 0 { "" } else { ", " });
    }
    out.push_str("\n\n");
}
