//! One view of a plan that the text, Markdown and JSON renderings share, so
//! that they cannot disagree: accounts in order, each change with its
//! marker, subject, notes and detail lines.

use super::lines::{marker, plural, Detail};
use crate::model::{AccountId, OtherPolicies, ResourceKind, RoleSettings, ORGROLE_DESCRIPTION};
use crate::plan::{Action, Change, Plan, Reason, ResourceValue, Summary};

pub struct PlanView<'a> {
    pub stackset: Option<super::stackset_view::StackSetSection<'a>>,
    pub accounts: Vec<AccountSection<'a>>,
    /// `111111111111 (audit): role NAME` and what it keeps (`other-policies "keep"`).
    pub kept: Vec<(String, Vec<String>)>,
    pub summary: Summary,
    /// "Plan: 3 to add, 0 to change, 0 to destroy." or "No changes. ..."
    pub summary_line: String,
}

pub struct AccountSection<'a> {
    pub account: &'a AccountId,
    pub name: &'a str,
    pub counts: Summary,
    pub changes: Vec<ChangeView<'a>>,
}

impl AccountSection<'_> {
    /// `111111111111 (audit)`, or the ID alone when the name is unknown.
    pub fn title(&self) -> String {
        account_title(self.account, self.name)
    }
}

pub(super) fn account_title(account: &AccountId, name: &str) -> String {
    if name.is_empty() {
        account.to_string()
    } else {
        format!("{account} ({name})")
    }
}

pub struct ChangeView<'a> {
    pub change: &'a Change,
    /// `+`, `~`, `-`, or `=` for state-only changes.
    pub marker: &'static str,
    /// `policy NAME`, `role NAME`, `attachment ROLE → POLICY`.
    pub subject: String,
    pub notes: Vec<&'static str>,
    pub details: Vec<Detail>,
}

pub fn plan_view(plan: &Plan) -> PlanView<'_> {
    let mut accounts: Vec<AccountSection> = Vec::new();
    for change in &plan.changes {
        let account = &change.address.account;
        if accounts.last().is_none_or(|s| s.account != account) {
            accounts.push(AccountSection {
                account,
                name: plan.account_name(account),
                counts: Summary::default(),
                changes: vec![],
            });
        }
        let section = accounts.last_mut().expect("pushed above");
        section.counts.count(change.action);
        section.changes.push(change_view(change));
    }
    let kept = plan
        .kept
        .iter()
        .map(|k| {
            let account = account_title(&k.address.account, plan.account_name(&k.address.account));
            (format!("{account}: role {}", k.address.name), kept_lines(&k.other))
        })
        .collect();
    PlanView {
        stackset: super::stackset_view::stackset_section(plan),
        accounts,
        kept,
        summary: plan.summary(),
        summary_line: summary_line(plan),
    }
}

fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if !plan.has_changes() {
        return "No changes. The accounts match the configuration.".into();
    }
    let mut line = format!("Plan: {} to add, {} to change, {} to destroy.", s.add, s.change, s.destroy);
    if s.state_only > 0 {
        line += &format!(" {} in state only.", plural(s.state_only, "change"));
    }
    line
}

pub(super) fn change_view(change: &Change) -> ChangeView<'_> {
    let a = &change.address;
    let subject = match (a.kind, &a.target) {
        (ResourceKind::Attachment, Some(policy)) => format!("attachment {} → {policy}", a.name),
        (kind, _) => format!("{} {}", kind.as_str(), a.name),
    };
    let gone =
        change.reasons.iter().any(|r| matches!(r, Reason::Missing | Reason::Detached | Reason::AlreadyGone));
    let mut notes: Vec<&'static str> = match change.stack_set {
        // A stack's resource: CloudFormation made it, a person changed it.
        Some(_) if gone => change.reasons.iter().filter_map(stack_note).collect(),
        Some(_) => vec!["the stack set's; changed outside CloudFormation"],
        None => change.reasons.iter().filter_map(note).collect(),
    };
    if change.drift && !gone && change.stack_set.is_none() {
        notes.insert(0, "changed outside orgrole");
    }
    let mut details = vec![];
    let mut detail = |marker, text: String| details.push(Detail { marker, text });
    if change.action == Action::Create {
        match &change.after {
            Some(ResourceValue::Policy { document, .. }) => detail(
                "",
                format!(
                    "{} in {}",
                    plural(document.actions().len(), "action"),
                    plural(document.statements().len(), "statement")
                ),
            ),
            Some(ResourceValue::Role { trust, other, settings, .. }) => {
                for (principal, guarded) in trust.trusted() {
                    let with = if guarded { "with" } else { "without" };
                    detail("", format!("trusts {principal}, {with} the external ID"));
                }
                other.boundary.iter().for_each(|b| detail("", format!("permissions boundary {b}")));
                settings_lines(settings).into_iter().for_each(|line| detail("", line));
            }
            _ => {}
        }
    }
    // A replaced role gets again what `other-policies "keep"` keeps.
    if let (Action::Replace, Some(ResourceValue::Role { other, .. })) = (change.action, &change.after) {
        for name in other.inline.keys() {
            detail("", format!("inline policy {name}, kept: put on the new role"));
        }
        for arn in &other.managed {
            detail("", format!("attached policy {arn}, kept: attached to the new role"));
        }
    }
    // DeleteRole needs the role bare: what was added by hand goes first.
    if let (Action::Delete, Some(ResourceValue::Role { other, .. })) = (change.action, &change.before) {
        for (name, document) in &other.inline {
            let allowed = allows(&document.allowed_actions());
            detail("-", format!("inline policy {name}, not in the configuration, deleted with the role (allows {allowed})"));
        }
        for arn in &other.managed {
            detail("-", format!("attached policy {arn}, not in the configuration, detached (not deleted)"));
        }
    }
    for reason in &change.reasons {
        match reason {
            Reason::PrincipalsChanged { added, removed } => {
                added.iter().for_each(|p| detail("+", format!("trusted principal {p}")));
                removed.iter().for_each(|p| detail("-", format!("trusted principal {p}")));
            }
            Reason::ExternalIdChanged => detail("~", "external ID (value hidden)".into()),
            Reason::ExternalIdNotRequired { principals } => principals
                .iter()
                .for_each(|p| detail("~", format!("{p} may assume the role without the external ID"))),
            Reason::InlinePolicy { name, allows: actions } => detail(
                "-",
                format!("inline policy {name}, not in the configuration (allows {})", allows(actions)),
            ),
            Reason::PolicyAttached { arn } => detail(
                "-",
                format!("attached policy {arn}, not in the configuration (detached, not deleted)"),
            ),
            Reason::PermissionsBoundaryChanged { before, after } => {
                before.iter().for_each(|b| detail("-", format!("permissions boundary {b}")));
                after.iter().for_each(|b| detail("+", format!("permissions boundary {b}")));
            }
            Reason::PathChanged { before, after } => detail(
                "~",
                format!("path {before} → {after}: IAM fixes a role's path when it is made, so the role is deleted and made again as {}, the ARN to give the vendor; the vendor cannot assume it in between (nor after, if the new role cannot be made: `plan --preflight` checks first)", change.arn),
            ),
            Reason::DescriptionChanged { before, after } => {
                detail("~", format!("description {} → {}", quoted(before), quoted(after)))
            }
            Reason::MaxSessionDurationChanged { before, after } => {
                detail("~", format!("sessions up to {} → {}", duration(*before), duration(*after)))
            }
            Reason::TrustChanged => detail("~", "trust policy: other statements or conditions differ".into()),
            Reason::ActionsChanged { added, removed } => {
                added.iter().for_each(|x| detail("+", format!("action {x}")));
                removed.iter().for_each(|x| detail("-", format!("action {x}")));
            }
            Reason::DocumentChanged => detail("~", "resources, effects or conditions differ".into()),
            Reason::TagsChanged { set, removed } => {
                set.iter().for_each(|(k, v)| detail("~", format!("tag {k} = \"{v}\"")));
                removed.iter().for_each(|k| detail("-", format!("tag {k}")));
            }
            _ => {}
        }
    }
    ChangeView { change, marker: marker(change.action), subject, notes, details }
}

/// A change on one line: `role NAME: changed outside orgrole, - inline policy x ...`.
pub(super) fn change_summary(change: &Change) -> String {
    let c = change_view(change);
    let mut what: Vec<String> = c.notes.iter().map(|n| n.to_string()).collect();
    what.extend(
        c.details.iter().filter(|d| !d.marker.is_empty()).map(|d| format!("{} {}", d.marker, d.text)),
    );
    if what.is_empty() {
        what.push(if change.before.is_none() { "missing".into() } else { "differs".into() });
    }
    format!("{}: {}", c.subject, what.join(", "))
}

/// What a role keeps besides orgrole's policy, a line each.
pub fn kept_lines(other: &OtherPolicies) -> Vec<String> {
    let mut lines: Vec<String> = other
        .inline
        .iter()
        .map(|(name, document)| {
            format!("inline policy {name} (allows {})", allows(&document.allowed_actions()))
        })
        .collect();
    lines.extend(other.managed.iter().map(|arn| format!("attached policy {arn}")));
    lines.extend(other.boundary.iter().map(|arn| format!("permissions boundary {arn}")));
    lines
}

/// A new role's settings that are not IAM's defaults (nor orgrole's description).
fn settings_lines(settings: &RoleSettings) -> Vec<String> {
    let defaults = RoleSettings::default();
    let mut lines = vec![];
    if settings.path != defaults.path {
        lines.push(format!("path {}", settings.path));
    }
    if let Some(d) = settings.description.as_deref().filter(|d| *d != ORGROLE_DESCRIPTION) {
        lines.push(format!("description \"{d}\""));
    }
    if settings.max_session_duration != defaults.max_session_duration {
        lines.push(format!("sessions up to {}", duration(settings.max_session_duration)));
    }
    lines
}

/// `"text"`, or `none`.
fn quoted(text: &Option<String>) -> String {
    text.as_ref().map_or("none".into(), |t| format!("\"{t}\""))
}

/// `2h`, `90m`, or seconds: as `max-session-duration` is written.
fn duration(seconds: u32) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `s3:GetObject, s3:PutObject`, or `nothing`.
fn allows(actions: &[String]) -> String {
    if actions.is_empty() {
        "nothing".to_owned()
    } else {
        actions.join(", ")
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
        Reason::PathChanged { .. } => "must be replaced: a new path",
        Reason::RoleReplaced => "attached again: the role is replaced",
        _ => return None,
    })
}

/// The note on a stack's resource that is gone.
fn stack_note(reason: &Reason) -> Option<&'static str> {
    Some(match reason {
        Reason::Missing => "the stack set's; deleted outside CloudFormation",
        Reason::Detached => "the stack set's; detached outside CloudFormation",
        _ => return None,
    })
}

/// The message for a resource orgrole would take over only with --adopt.
pub fn conflict_message(c: &crate::plan::Conflict) -> String {
    format!(
        "{} exists ({}) but orgrole did not create it: it has no managed-by=orgrole tag and is not in the state. To take it over, review `orgrole plan --adopt`, then run `orgrole apply --adopt`; or rename the {} in the configuration.",
        c.address,
        c.arn,
        c.address.kind.as_str()
    )
}
