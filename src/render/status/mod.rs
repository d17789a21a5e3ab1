//! `orgrole status`: the organization's tree with each account's coverage,
//! as text, Markdown, JSON and Mermaid, from one set of words.

mod json;
mod markdown;
mod mermaid;
mod text;

#[cfg(test)]
mod tests;

pub use json::status_json;
pub use markdown::status_markdown;
pub use mermaid::status_mermaid;
pub use text::status_text;

use super::prose::{cloud_error, skip_reason};
use super::view::{account_title, change_summary};
use crate::status::{AccountStatus, Coverage, Status, Unit, Via};
use crate::targets::SkipReason;

/// OUs with more accounts than this are summarised with counts (unless `--all`).
pub const LARGE: usize = 20;
/// In an organization of more accounts than this, every OU is.
pub const LARGE_ORGANIZATION: usize = 200;

/// Each coverage's word, in the order counts are said.
const KINDS: [&str; 9] = [
    "in sync",
    "drifted",
    "missing",
    "conflict",
    "unreachable",
    "excluded",
    "inactive",
    "not a target",
    "not targeted",
];

pub fn kind(c: &Coverage) -> &'static str {
    match c {
        Coverage::InSync(_) => "in sync",
        Coverage::Drifted { .. } => "drifted",
        Coverage::Missing(_) => "missing",
        Coverage::Conflict => "conflict",
        Coverage::Unreachable(_) => "unreachable",
        Coverage::Skipped(SkipReason::Excluded) => "excluded",
        Coverage::Skipped(SkipReason::Inactive { .. } | SkipReason::InactiveForStackSets { .. }) => {
            "inactive"
        }
        Coverage::Skipped(_) => "not a target",
        Coverage::NotTargeted => "not targeted",
    }
}

/// `✓`, `~`, `+`, `!`, or `·` for accounts that are no target.
pub fn marker(c: &Coverage) -> &'static str {
    match c {
        Coverage::InSync(_) => "✓",
        Coverage::Drifted { .. } => "~",
        Coverage::Missing(_) => "+",
        Coverage::Conflict | Coverage::Unreachable(_) => "!",
        Coverage::Skipped(_) | Coverage::NotTargeted => "·",
    }
}

/// `in sync, through the stack set (CURRENT in us-east-1)`, `drifted: role r`, ...
pub fn describe(c: &Coverage) -> String {
    let through = |via: &Via| match via {
        Via::Direct => String::new(),
        Via::StackSet(instances) if instances.is_empty() => ", through the stack set (no instance)".into(),
        Via::StackSet(instances) => {
            let each: Vec<String> = instances
                .iter()
                .map(|(region, status)| match status {
                    Some(s) => format!("{} in {region}", s.as_str()),
                    None => format!("no instance in {region}"),
                })
                .collect();
            format!(", through the stack set ({})", each.join(", "))
        }
    };
    match c {
        Coverage::InSync(via) => format!("in sync{}", through(via)),
        Coverage::Missing(via) => format!("missing{}", through(via)),
        Coverage::Drifted { via, changes } => {
            let what: Vec<String> = changes.iter().map(change_summary).collect();
            let what = if what.is_empty() { String::new() } else { format!(": {}", what.join("; ")) };
            format!("drifted{what}{}", through(via))
        }
        Coverage::Conflict => "conflict: a role or policy of the configured name is not orgrole's".into(),
        Coverage::Unreachable(e) => format!("could not be read: {}", cloud_error(e)),
        Coverage::Skipped(reason) => skip_reason(reason),
        Coverage::NotTargeted => "not targeted".into(),
    }
}

/// `8 in sync, 1 drifted; 3 not targeted`: targets first, then the rest.
pub fn counts<'a>(accounts: impl Iterator<Item = &'a AccountStatus>) -> String {
    let mut n = [0usize; KINDS.len()];
    for a in accounts {
        let k = kind(&a.coverage);
        n[KINDS.iter().position(|w| *w == k).expect("a known kind")] += 1;
    }
    let said: Vec<String> =
        KINDS.iter().zip(n).filter(|(_, n)| *n > 0).map(|(w, n)| format!("{n} {w}")).collect();
    said.join(", ")
}

/// Every account below `unit`, at any depth.
pub fn below(unit: &Unit) -> Vec<&AccountStatus> {
    let mut all: Vec<&AccountStatus> = unit.accounts.iter().collect();
    for u in &unit.units {
        all.extend(below(u));
    }
    all
}

/// How much a rendering lists: every account (`--all`), or, in a large
/// OU or a large organization, only those to look at.
#[derive(Clone, Copy)]
pub struct Listing {
    all: bool,
    large_organization: bool,
}

impl Listing {
    pub fn new(status: &Status, all: bool) -> Self {
        Self { all, large_organization: status.accounts().count() > LARGE_ORGANIZATION }
    }
}

/// The accounts a unit lists, and whether the others are only counted:
/// those that are targets and not as configured.
pub fn listed(unit: &Unit, listing: Listing) -> (Vec<&AccountStatus>, bool) {
    let small = unit.accounts.len() <= LARGE && !listing.large_organization;
    if listing.all || small || unit.accounts.is_empty() {
        return (unit.accounts.iter().collect(), false);
    }
    (unit.accounts.iter().filter(|a| a.coverage.in_sync() == Some(false)).collect(), true)
}

/// `111111111111 (audit)`.
pub fn title(a: &AccountStatus) -> String {
    account_title(&a.id, &a.name)
}
