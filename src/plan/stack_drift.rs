//! StackSet mode: the role and policy each stack made, held to what the
//! template declares. A stack instance stays CURRENT whatever is done to
//! its resources by hand, and deploying the same template again changes
//! nothing (CloudFormation compares with its own record, not the account),
//! so what was changed is put back directly, through the access role, as
//! in direct mode: the vendor's access stays up meanwhile, and the
//! resources end as the stack's record says, which is what CloudFormation's
//! drift detection compares with. The tags are CloudFormation's to set
//! (stack tags may propagate): they grant nothing and are not compared.

use std::collections::BTreeMap;

use super::build::Found;
use super::configured::Configured;
use super::diff;
use super::{Action, Change, Plan, Reason, ResourceValue, StackSetPlan, Unreachable};
use crate::config::{Desired, Template};
use crate::model::{AccountId, ResourceKind, Tags};
use crate::observe::{AccountResources, AccountView, Observed};

/// Adds to `plan` the repairs of every account whose stack is settled
/// (CURRENT, and no step of this plan touches its instances).
pub(super) fn plan_stack_drift(
    desired: &Desired,
    observed: &Observed,
    stackset: &StackSetPlan,
    plan: &mut Plan,
) {
    let Some(found) = &observed.stackset else { return };
    if stackset.conflict.is_some() {
        return;
    }
    // Settled: every instance of the account, in one pass over them.
    let mut settled: BTreeMap<&AccountId, bool> = BTreeMap::new();
    for v in &stackset.instances {
        *settled.entry(&v.account).or_insert(true) &= v.targeted && v.settled();
    }
    for account in found.inspected().filter(|a| settled.get(a).copied().unwrap_or(false)) {
        match observed.accounts.get(account) {
            Some(AccountView::Read(resources)) => {
                repairs(desired, account, &observed.caller.partition, resources, &stackset.name, plan)
            }
            Some(AccountView::Unreachable(e)) => {
                plan.unreachable.push(Unreachable { account: account.clone(), error: e.clone() })
            }
            None => {}
        }
    }
}

/// The policy, role and attachment as the generated template declares them
/// (with a vendor's template, the `role` block describes its role).
fn repairs(
    desired: &Desired,
    account: &AccountId,
    partition: &str,
    resources: &AccountResources,
    stack_set: &str,
    plan: &mut Plan,
) {
    let role = &desired.role;
    // The settings and boundary as the generated template declares them
    // (IAM's defaults where it declares none); a vendor's template declares
    // its own, which orgrole does not read: as found.
    let vendors = desired.stackset.as_ref().is_some_and(|s| matches!(s.template, Template::File { .. }));
    let found_role = resources.roles.get(&role.name).map(|r| &r.info).filter(|_| vendors);
    let settings = found_role.map_or(&role.settings, |r| &r.settings).clone();
    let mut configured = Configured::find(desired, account, partition, resources, &settings.path);
    let mut other = configured.other(plan);
    if let Some(found) = found_role {
        other.boundary = found.boundary.clone();
    }
    let Configured { policy: p, role: r, attachment: a, .. } = configured;
    // Tags as found (or, made anew, as the template declares them).
    let tags_of =
        |f: &Option<Found>, made: Tags| f.as_ref().and_then(|f| f.value.tags().cloned()).unwrap_or(made);
    let policy =
        ResourceValue::Policy { document: role.policy.clone(), tags: tags_of(&p.found, Tags::new()) };
    let trust = role.trust_document(&desired.credential.external_id);
    let role_value =
        ResourceValue::Role { trust, tags: tags_of(&r.found, role.managed_tags()), other, settings };
    let attachment = ResourceValue::Attachment { role: role.name.clone(), policy_arn: p.arn.clone() };
    let mut replaced = false;
    for (slot, after) in [(p, policy), (r, role_value), (a, attachment)] {
        if replaced && slot.address.kind == ResourceKind::Attachment && slot.found.is_some() {
            plan.changes.push(slot.reattached(after, Some(stack_set.to_owned())));
            continue;
        }
        let before = slot.found.map(|f| f.value);
        let (action, reasons) = match &before {
            None if slot.address.kind == ResourceKind::Attachment => (Action::Create, vec![Reason::Detached]),
            None => (Action::Create, vec![Reason::Missing]),
            Some(before) => {
                let reasons = diff::reasons(&after, before);
                (diff::action_for(&reasons), reasons)
            }
        };
        replaced |= action == Action::Replace;
        if !reasons.is_empty() {
            plan.changes.push(Change {
                address: slot.address,
                action,
                arn: if action == Action::Replace { slot.made } else { slot.arn },
                before,
                after: Some(after),
                reasons,
                drift: true,
                stack_set: Some(stack_set.to_owned()),
            });
        }
    }
}
