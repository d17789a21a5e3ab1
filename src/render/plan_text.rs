//! The plan as text, in the spirit of Terraform's: grouped by account,
//! `+ ~ -` markers, policy changes as actions added and removed.

use std::fmt::Write;

use super::Paint;
use crate::model::{AccountId, ResourceKind};
use crate::plan::{Action, Change, Plan, Reason, ResourceValue};

pub fn plan_text(plan: &Plan, paint: Paint) -> String {
    let mut out = String::new();
    let mut account: Option<&AccountId> = None;
    if plan.has_changes() {
        out.push_str("orgrole will perform the following actions:\n");
    }
    for change in &plan.changes {
        if account != Some(&change.address.account) {
            account = Some(&change.address.account);
            let name = plan.account_name(&change.address.account);
            let title = if name.is_empty() {
                format!("account {}", change.address.account)
            } else {
                format!("account {} ({name})", change.address.account)
            };
            let _ = writeln!(out, "\n  {}", paint.bold(&format!("# {title}")));
        }
        write_change(&mut out, change, paint);
    }
    if !plan.skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped accounts:");
        for s in &plan.skipped {
            let name = if s.name.is_empty() { String::new() } else { format!(" ({})", s.name) };
            let _ = writeln!(out, "  {}{name}: {}", s.account, s.reason);
        }
    }
    for c in &plan.conflicts {
        let _ = writeln!(
            out,
            "\n{} {} exists ({}) but orgrole did not create it: it has no managed-by=orgrole tag and is not in the state.\n  To take it over, review `orgrole plan --adopt`, then run `orgrole apply --adopt`; or rename the {} in the configuration.",
            paint.red("Error:"),
            c.address,
            c.arn,
            c.address.kind.as_str(),
        );
    }
    for u in &plan.unreachable {
        let _ =
            writeln!(out, "\n{} account {} could not be read: {}", paint.red("Error:"), u.account, u.error);
    }
    let _ = writeln!(out);
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

pub fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if !plan.has_changes() {
        return "No changes. The accounts match the configuration.".into();
    }
    let mut line = format!("Plan: {} to add, {} to change, {} to destroy.", s.add, s.change, s.destroy);
    if s.state_only > 0 {
        let _ = write!(line, " {} state-only change(s).", s.state_only);
    }
    line
}

fn write_change(out: &mut String, change: &Change, paint: Paint) {
    let (marker, colored): (&str, fn(&Paint, &str) -> String) = match change.action {
        Action::Create => ("+", Paint::green),
        Action::Update => ("~", Paint::yellow),
        Action::Delete => ("-", Paint::red),
        Action::Record | Action::Forget => ("=", Paint::dim),
    };
    let a = &change.address;
    let subject = match (a.kind, &a.target) {
        (ResourceKind::Attachment, Some(policy)) => format!("attachment {} → {policy}", a.name),
        (kind, _) => format!("{} {}", kind.as_str(), a.name),
    };
    let notes: Vec<&str> = change.reasons.iter().filter_map(note).collect();
    let notes =
        if notes.is_empty() { String::new() } else { paint.dim(&format!("  ({})", notes.join("; "))) };
    let _ = writeln!(out, "  {} {subject}{notes}", colored(&paint, marker));

    let detail = |out: &mut String, marker: &str, text: String| {
        let painted = match marker {
            "+" => paint.green(marker),
            "-" => paint.red(marker),
            _ => paint.yellow(marker),
        };
        let _ = writeln!(out, "      {painted} {text}");
    };
    if change.action == Action::Create {
        match &change.after {
            Some(ResourceValue::Policy { document, .. }) => {
                let _ = writeln!(
                    out,
                    "      {} actions in {} statements",
                    document.actions().len(),
                    document.statements().len()
                );
            }
            Some(ResourceValue::Role { trust, .. }) => {
                for principal in trust.aws_principals() {
                    let _ = writeln!(out, "      trusts {principal}, with the external ID");
                }
            }
            _ => {}
        }
    }
    for reason in &change.reasons {
        match reason {
            Reason::PrincipalsChanged { added, removed } => {
                added.iter().for_each(|p| detail(out, "+", format!("trusted principal {p}")));
                removed.iter().for_each(|p| detail(out, "-", format!("trusted principal {p}")));
            }
            Reason::ExternalIdChanged => detail(out, "~", "external ID (value hidden)".into()),
            Reason::TrustChanged => {
                detail(out, "~", "trust policy: other statements or conditions differ".into())
            }
            Reason::ActionsChanged { added, removed } => {
                added.iter().for_each(|x| detail(out, "+", format!("action {x}")));
                removed.iter().for_each(|x| detail(out, "-", format!("action {x}")));
            }
            Reason::DocumentChanged => detail(out, "~", "resources, effects or conditions differ".into()),
            Reason::TagsChanged { set, removed } => {
                set.iter().for_each(|(k, v)| detail(out, "~", format!("tag {k} = \"{v}\"")));
                removed.iter().for_each(|k| detail(out, "-", format!("tag {k}")));
            }
            _ => {}
        }
    }
}

/// The short note on a change's own line.
fn note(reason: &Reason) -> Option<&'static str> {
    Some(match reason {
        Reason::Missing => "deleted outside orgrole",
        Reason::Adopted => "adopting: it exists without the managed-by=orgrole tag",
        Reason::Detached => "detached outside orgrole",
        Reason::NotTargeted => "no longer in the configuration",
        Reason::AlreadyGone => "already gone: removed from state",
        Reason::NotOwned => "lost its managed-by=orgrole tag: left in place, removed from state",
        Reason::Unrecorded => "carries orgrole's tag but is missing from state: recorded",
        _ => return None,
    })
}
