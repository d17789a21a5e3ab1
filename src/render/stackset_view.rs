//! The stack set's part of the plan view: its steps with their reasons
//! (the template as a diff, never a blob), and what each account gets.

use std::collections::HashMap;

use super::groups::{by_text, names, NAMED};
use super::lines::{marker, plural, Detail};
use super::prose::step_description;
use super::view::account_title;
use crate::cloud::{DetailedStatus, InstanceInfo, InstanceStatus};
use crate::model::{AccountId, CallAs};
use crate::plan::{Plan, StackSetAction, StackSetPlan, StackSetReason, Will};

pub struct StackSetSection<'a> {
    pub plan: &'a StackSetPlan,
    /// `stack set radiant-aws-api-access (as delegated administrator)`
    pub title: String,
    pub notes: Vec<String>,
    pub steps: Vec<StepView>,
    /// The accounts that get something, or whose instance drifted.
    pub instances: Vec<Detail>,
    /// `4 instances CURRENT, unchanged`
    pub unchanged: Option<String>,
}

pub struct StepView {
    pub marker: &'static str,
    pub subject: String,
    pub notes: Vec<&'static str>,
    pub details: Vec<Detail>,
}

pub fn stackset_section(plan: &Plan) -> Option<StackSetSection<'_>> {
    let s = plan.stackset.as_ref()?;
    let who = match s.call_as {
        CallAs::Caller => "",
        CallAs::DelegatedAdmin => " (as delegated administrator)",
    };
    let mut notes = vec![];
    if let Some(op) = &s.running {
        notes.push(format!(
            "operation {} ({}) is {}: apply waits for it to end first",
            op.id,
            op.action_name(),
            op.status.as_str()
        ));
    }
    if plan.destroy {
        notes.push(
            "trusted access between CloudFormation StackSets and AWS Organizations stays on: other stack sets and services (AWS Control Tower) rely on it".into(),
        );
    }
    let steps = s.steps.iter().map(step_view).collect();
    // Accounts that get the same in a region share one line.
    let mut lines: Vec<Shared> = vec![];
    let mut line_of: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut unchanged = 0;
    for v in &s.instances {
        let drifted = v.found.as_ref().is_some_and(|f| !f.is_current());
        let text = format!("{}: {}", v.region, now(v.found.as_ref()));
        let (marker, text) = match v.will {
            Will::Keep if !v.targeted => ("!", format!("{text}; not reached by the configured targets, left as it is")),
            Will::Keep if !drifted => {
                unchanged += 1;
                continue;
            }
            // An update skips INOPERABLE instances (a delete that failed).
            Will::Keep if v.found.as_ref().is_some_and(|f| f.status == InstanceStatus::Inoperable) => (
                "!",
                format!("{text}; orgrole cannot repair it: delete the instance with RetainStacks, then plan again"),
            ),
            Will::Keep => ("!", format!("{text}; left as it is")),
            Will::Create => ("+", format!("{text} → new instance")),
            Will::Update => ("~", format!("{text} → updated")),
            Will::Delete => ("-", format!("{text} → deleted")),
        };
        let next = lines.len();
        let i = *line_of.entry((marker, text.clone())).or_insert(next);
        if i == next {
            lines.push((marker, text, vec![]));
        }
        lines[i].2.push((&v.account, plan.account_name(&v.account)));
    }
    let instances = lines
        .into_iter()
        .map(|(marker, text, accounts)| match accounts.as_slice() {
            [(account, name)] => Detail { marker, text: format!("{} {text}", account_title(account, name)) },
            _ => {
                let n = accounts.len();
                Detail {
                    marker,
                    text: format!("{n} accounts in {text}: {}", names(accounts.into_iter(), false)),
                }
            }
        })
        .collect();
    Some(StackSetSection {
        plan: s,
        title: format!("stack set {}{who}", s.name),
        notes,
        steps,
        instances,
        unchanged: (unchanged > 0).then(|| format!("{} CURRENT, unchanged", plural(unchanged, "instance"))),
    })
}

/// A line of instances: its marker, what they have and get, and whose they are.
type Shared<'a> = (&'static str, String, Vec<(&'a AccountId, &'a str)>);

/// `no instance`, `CURRENT`, `OUTDATED (FAILED: the reason)`.
fn now(found: Option<&InstanceInfo>) -> String {
    let Some(i) = found else { return "no instance".into() };
    let mut text = i.status.as_str().to_owned();
    let detail = i.detailed.filter(|d| *d != DetailedStatus::Succeeded).map(DetailedStatus::as_str);
    match (detail, &i.reason) {
        (Some(d), Some(r)) => text += &format!(" ({d}: {r})"),
        (Some(d), None) => text += &format!(" ({d})"),
        (None, Some(r)) => text += &format!(" ({r})"),
        (None, None) => {}
    }
    text
}

fn step_view(step: &crate::plan::StackSetStep) -> StepView {
    // `Creating the stack set` as `creating the stack set`, beside `+ policy NAME`.
    let text = step_description(&step.action);
    let mut subject = text[..1].to_lowercase() + &text[1..];
    if !step.accounts.is_empty() && !matches!(step.action, StackSetAction::Delete) {
        subject += &format!(" ({})", plural(step.accounts.len(), "account"));
    }
    let mut notes = vec![];
    let mut details = vec![];
    let mut detail = |marker, text: String| details.push(Detail { marker, text });
    for reason in &step.reasons {
        match reason {
            StackSetReason::New => {}
            StackSetReason::TrustedAccessOff { status } => {
                notes.push("service-managed stack sets need it");
                detail(
                    "!",
                    format!("trusted access is {}: CreateStackSet is refused without it", status.as_str()),
                );
            }
            StackSetReason::AutoDeployedPastFilter { accounts } => {
                notes.push("auto-deployment ignores account filters");
                let why = "joined a targeted OU and got an instance, which the account filter leaves out";
                if accounts.len() > NAMED {
                    let listed = names(accounts.iter().map(|a| (a, "")), false);
                    detail("-", format!("{} accounts {why}: {listed}", accounts.len()));
                } else {
                    accounts.iter().for_each(|a| detail("-", format!("{a}: {why}")));
                }
            }
            StackSetReason::TemplateChanged { diff } => {
                notes.push("template changed");
                for line in diff.lines().filter(|l| !l.starts_with("---") && !l.starts_with("+++")) {
                    let (m, rest) = match line.chars().next() {
                        Some('+') if !line.starts_with("+++") => ("+", &line[1..]),
                        Some('-') if !line.starts_with("---") => ("-", &line[1..]),
                        _ => ("", line),
                    };
                    detail(m, format!("template {rest}"));
                }
            }
            StackSetReason::ExternalIdChanged => detail("~", "external ID (value hidden)".into()),
            StackSetReason::ParametersChanged { names } => {
                names.iter().for_each(|n| detail("~", format!("parameter {n}")))
            }
            StackSetReason::TagsChanged { set, removed } => {
                set.iter().for_each(|(k, v)| detail("~", format!("tag {k} = \"{v}\"")));
                removed.iter().for_each(|k| detail("-", format!("tag {k}")));
            }
            StackSetReason::AutoDeploymentChanged { before, after } => detail(
                "~",
                format!(
                    "auto-deployment {} → {}, retain stacks {} → {}",
                    before.enabled, after.enabled, before.retain_stacks, after.retain_stacks
                ),
            ),
            StackSetReason::NotCurrent { instances } if instances.len() > NAMED => {
                notes.push("instances drifted");
                for (status, same) in by_text(instances, |i| now(Some(i))) {
                    let listed = names(same.iter().map(|i| (&i.account, i.region.as_str())), false);
                    detail("!", format!("{} {status}: {listed}", plural(same.len(), "instance")));
                }
            }
            StackSetReason::NotCurrent { instances } => {
                notes.push("instances drifted");
                for i in instances {
                    detail("!", format!("{} {}: {}", i.account, i.region, now(Some(i))));
                }
            }
            StackSetReason::MissingInstances { accounts } if accounts.len() > NAMED => {
                notes.push("accounts without an instance");
                let listed = names(accounts.iter().map(|a| (a, "")), false);
                detail("+", format!("{} accounts without an instance: {listed}", accounts.len()));
            }
            StackSetReason::MissingInstances { accounts } => {
                notes.push("accounts without an instance");
                accounts.iter().for_each(|a| detail("+", format!("{a}: no instance")));
            }
            StackSetReason::Unrecorded => notes.push("carries orgrole's tag but is missing from state"),
            StackSetReason::Adopted => notes.push("adopting: it exists without the managed-by=orgrole tag"),
            StackSetReason::TargetAdded => notes.push("new in the configuration"),
            StackSetReason::NotTargeted => notes.push("no longer in the configuration"),
            StackSetReason::Destroy => {}
            StackSetReason::AlreadyGone => notes.push("already gone"),
        }
    }
    StepView { marker: marker(step.action.action()), subject, notes, details }
}
