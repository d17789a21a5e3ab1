//! StackSet mode: the role and policy each stack made, held to what the
//! template declares. A stack instance stays CURRENT whatever is done to
//! its resources by hand, and deploying the same template again changes
//! nothing (CloudFormation compares with its own record, not the account),
//! so what was changed is put back directly, through the access role, as
//! in direct mode: the vendor's access stays up meanwhile, and the
//! resources end as the stack's record says, which is what CloudFormation's
//! drift detection compares with. The tags are CloudFormation's to set
//! (stack tags may propagate): they grant nothing and are not compared.

use super::diff;
use super::{Action, Change, Kept, Plan, Reason, ResourceValue, StackSetPlan, Unreachable};
use crate::config::Desired;
use crate::model::{AccountId, Address, OtherPolicies, ResourceKind, Tags};
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
    for account in found.inspected() {
        let mut views = stackset.instances.iter().filter(|v| &v.account == account).peekable();
        let settled = views.peek().is_some()
            && views.all(|v| {
                v.targeted && v.will == super::Will::Keep && v.found.as_ref().is_some_and(|i| i.is_current())
            });
        if !settled {
            continue;
        }
        match observed.accounts.get(account) {
            Some(AccountView::Read(resources)) => {
                repairs(desired, account, &observed.caller.partition, resources, &stackset.name, plan)
            }
            Some(AccountView::Unreachable(e)) => {
                plan.unreachable.push(Unreachable { account: account.clone(), error: e.to_string() })
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
    let arn = |kind: &str, name: &str| account.iam_arn(partition, &format!("{kind}/{name}"));
    let policy_address = Address::policy(account, &role.policy_name);
    let policy_found = super::found(&policy_address, "", resources);
    let policy_arn =
        policy_found.as_ref().map_or_else(|| arn("policy", &role.policy_name), |f| f.arn.clone());
    let role_address = Address::role(account, &role.name);
    let role_found = super::found(&role_address, &policy_arn, resources);
    let role_arn = role_found.as_ref().map_or_else(|| arn("role", &role.name), |f| f.arn.clone());
    let attachment_address = Address::attachment(account, &role.name, &role.policy_name);
    let attached = super::found(&attachment_address, &policy_arn, resources);
    let other = match super::build::kept(desired, role_found.as_ref()) {
        Some(other) => {
            plan.kept.push(Kept { address: role_address.clone(), other: other.clone() });
            other
        }
        None => OtherPolicies::default(),
    };

    // Tags as found (or, made anew, as the template declares them).
    let tags_of = |f: &Option<super::build::Found>, made: Tags| {
        f.as_ref().and_then(|f| f.value.tags().cloned()).unwrap_or(made)
    };
    let wanted = [
        (
            policy_address,
            policy_arn.clone(),
            ResourceValue::Policy {
                document: role.policy.clone(),
                tags: tags_of(&policy_found, Tags::new()),
            },
            policy_found.map(|f| f.value),
        ),
        (
            role_address,
            role_arn,
            ResourceValue::Role {
                trust: role.trust_document(&desired.credential.external_id),
                tags: tags_of(&role_found, role.managed_tags()),
                other,
            },
            role_found.map(|f| f.value),
        ),
        (
            attachment_address,
            policy_arn.clone(),
            ResourceValue::Attachment { role: role.name.clone(), policy_arn },
            attached.map(|f| f.value),
        ),
    ];
    let changes = wanted.into_iter().filter_map(|(address, arn, after, before)| {
        let (action, reasons) = match &before {
            None if address.kind == ResourceKind::Attachment => (Action::Create, vec![Reason::Detached]),
            None => (Action::Create, vec![Reason::Missing]),
            Some(before) => (Action::Update, diff::reasons(&after, before)),
        };
        (!reasons.is_empty()).then(|| Change {
            address,
            action,
            arn,
            before,
            after: Some(after),
            reasons,
            drift: true,
            stack_set: Some(stack_set.to_owned()),
        })
    });
    plan.changes.extend(changes);
}
