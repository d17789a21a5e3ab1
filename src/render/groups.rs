//! Plans of thousands of accounts read as a handful of groups: accounts
//! whose changes read the same are shown once, with the accounts named up
//! to a limit, then counted; an account whose changes differ from the
//! common case (drift, an update, an adoption) is always shown on its own.

use std::collections::HashMap;

use super::prose::skip_reason;
use super::view::{AccountSection, ChangeView};
use crate::model::AccountId;
use crate::plan::{Action, Reason, Summary};
use crate::targets::Skipped;

/// Accounts named in a group before the rest are counted.
pub const NAMED: usize = 10;
/// Where the accounts a group does not name are, in Markdown and as text.
pub const EVERY_ACCOUNT: &str = "every account is in the JSON plan: `--format json`";
const EVERY_ACCOUNT_TEXT: &str = "every account is in the JSON plan: --format json";

pub enum Shown<'v, 'a> {
    Account(&'v AccountSection<'a>),
    /// Two or more accounts whose changes read the same.
    Group(Vec<&'v AccountSection<'a>>),
}

/// The groups, largest first, then each account that stands alone, in
/// account order.
pub fn shown<'v, 'a>(sections: &'v [AccountSection<'a>]) -> Vec<Shown<'v, 'a>> {
    let mut groups: Vec<Vec<(usize, &AccountSection)>> = vec![];
    let mut by_signature: HashMap<String, usize> = HashMap::new();
    let mut alone: Vec<(usize, &AccountSection)> = vec![];
    for (i, section) in sections.iter().enumerate() {
        if !section.changes.iter().all(common) {
            alone.push((i, section));
            continue;
        }
        let next = groups.len();
        let g = *by_signature.entry(signature(&section.changes)).or_insert(next);
        if g == next {
            groups.push(vec![]);
        }
        groups[g].push((i, section));
    }
    let (mut many, one): (Vec<_>, Vec<_>) = groups.into_iter().partition(|g| g.len() > 1);
    alone.extend(one.into_iter().flatten());
    alone.sort_by_key(|(i, _)| *i);
    many.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let groups = many.into_iter().map(|g| Shown::Group(g.into_iter().map(|(_, s)| s).collect()));
    groups.chain(alone.into_iter().map(|(_, s)| Shown::Account(s))).collect()
}

/// A change like every other account's: made, removed or recorded as
/// planned, not repaired or taken over.
fn common(c: &ChangeView) -> bool {
    !c.change.drift
        && !matches!(c.change.action, Action::Update | Action::Replace)
        && !c.change.reasons.iter().any(|r| matches!(r, Reason::Adopted))
}

/// What the changes say, without the account.
fn signature(changes: &[ChangeView]) -> String {
    let mut key = String::new();
    for c in changes {
        key += &format!("{} {} ({})\n", c.marker, c.subject, c.notes.join("; "));
        for d in &c.details {
            key += &format!("  {} {}\n", d.marker, d.text);
        }
    }
    key
}

/// `111111111111 (audit), 222222222222, … and 295 more (every account is in
/// the JSON plan: ...)`; in Markdown, IDs and the flag as code.
pub fn names<'a>(
    accounts: impl ExactSizeIterator<Item = (&'a AccountId, &'a str)>,
    markdown: bool,
) -> String {
    let total = accounts.len();
    let id = |a: &AccountId| if markdown { format!("`{a}`") } else { a.to_string() };
    let named: Vec<String> = accounts
        .take(NAMED)
        .map(|(a, name)| if name.is_empty() { id(a) } else { format!("{} ({name})", id(a)) })
        .collect();
    let mut text = named.join(", ");
    if total > NAMED {
        let hint = if markdown { EVERY_ACCOUNT } else { EVERY_ACCOUNT_TEXT };
        text += &format!(" and {} more ({hint})", total - NAMED);
    }
    text
}

/// `3 to add`, `1 to change, 2 to destroy`, `1 in state only`.
pub fn counted(s: Summary) -> String {
    let parts = [
        (s.add, "to add"),
        (s.change, "to change"),
        (s.destroy, "to destroy"),
        (s.state_only, "in state only"),
    ];
    let said: Vec<String> =
        parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    said.join(", ")
}

/// Skipped accounts by why, in the order the reasons first appear.
pub fn skipped_by_reason(skipped: &[Skipped]) -> Vec<(String, Vec<&Skipped>)> {
    by_text(skipped, |s| skip_reason(&s.reason))
}

/// Items by the text said of each, in the order the texts first appear: at
/// 10,000 accounts, a few distinct reasons.
pub fn by_text<T>(items: impl IntoIterator<Item = T>, text: impl Fn(&T) -> String) -> Vec<(String, Vec<T>)> {
    let mut groups: Vec<(String, Vec<T>)> = vec![];
    for item in items {
        let said = text(&item);
        match groups.iter_mut().find(|(s, _)| *s == said) {
            Some((_, members)) => members.push(item),
            None => groups.push((said, vec![item])),
        }
    }
    groups
}
