use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::configured::Configured;
use super::diff;
use super::fingerprint::fingerprint;
use super::{
    parameters_fingerprint, plan_stackset, Action, Change, Conflict, Plan, Reason, ResourceValue,
    StackSetWanted, Unreachable,
};
use crate::config::Desired;
use crate::model::{AccountId, Address, OtherPolicies, ResourceKind, Tags, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use crate::observe::{AccountResources, AccountView, Observed};
use crate::state::{State, StateResource};
use crate::targets::{SkipReason, Skipped};

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Take over same-named resources that orgrole did not create.
    pub adopt: bool,
    /// Plan the removal of everything in state.
    pub destroy: bool,
}

pub fn plan(desired: &Desired, observed: &Observed, state: &State, options: PlanOptions) -> Plan {
    let mut plan = Plan {
        destroy: options.destroy,
        changes: vec![],
        conflicts: vec![],
        skipped: observed.resolution.skipped.clone(),
        unreachable: vec![],
        account_names: account_names(observed),
        stackset: None,
        kept: vec![],
    };
    // The same in every account: made once, copied only into changes.
    let role = &desired.role;
    let tags = role.managed_tags();
    let policy = ResourceValue::Policy { document: role.policy.clone(), tags: tags.clone() };
    let trust = ResourceValue::Role {
        trust: role.trust_document(&desired.credential.external_id),
        tags,
        other: OtherPolicies::default(),
        settings: role.direct_settings(),
    };
    // Planned accounts, and whether their attachment is wanted (not when a conflict stops it).
    let mut planned: HashMap<&AccountId, bool> = HashMap::new();
    for account in observed.resolution.targets.keys() {
        match observed.accounts.get(account) {
            Some(AccountView::Read(found)) => {
                let target = Target {
                    account,
                    found,
                    state,
                    adopt: options.adopt,
                    partition: &observed.caller.partition,
                };
                planned.insert(account, target.plan(desired, &policy, &trust, &mut plan));
            }
            Some(AccountView::Unreachable(e)) => {
                plan.unreachable.push(Unreachable { account: account.clone(), error: e.clone() })
            }
            None => {}
        }
    }
    let wanted = |a: &Address| {
        planned.get(&a.account).is_some_and(|&attachment| {
            *a == Address::policy(&a.account, &role.policy_name)
                || *a == Address::role(&a.account, &role.name)
                || attachment && *a == Address::attachment(&a.account, &role.name, &role.policy_name)
        })
    };

    let reason = if options.destroy { Reason::Destroy } else { Reason::NotTargeted };
    let mut reported: BTreeSet<AccountId> = plan.unreachable.iter().map(|u| u.account.clone()).collect();
    for recorded in state.resources().iter().filter(|r| !wanted(&r.address)) {
        let account = &recorded.address.account;
        match observed.accounts.get(account) {
            Some(AccountView::Read(found)) => {
                plan.changes.push(removal(recorded, state, &role.policy_name, found, reason.clone()))
            }
            Some(AccountView::Unreachable(e)) if reported.insert(account.clone()) => {
                plan.unreachable.push(Unreachable { account: account.clone(), error: e.clone() })
            }
            None if reported.insert(account.clone()) => plan.skipped.push(Skipped {
                account: account.clone(),
                name: plan.account_name(account).to_owned(),
                reason: SkipReason::LeftWithResources,
            }),
            _ => {}
        }
    }
    if let Some(found) = &observed.stackset {
        let wanted = desired.stackset.as_ref().filter(|_| !options.destroy).map(|config| {
            let spec = crate::stackset::spec(desired, config);
            let parameters = parameters_fingerprint(&state.lineage, &spec.parameters);
            StackSetWanted { config, spec, external_id: &desired.credential.external_id, parameters }
        });
        let recorded = state.stackset(&found.name);
        let org = observed.organization.as_ref();
        let stackset = plan_stackset(wanted.as_ref(), found, recorded, org, options.adopt, options.destroy);
        if let Some(stackset) = &stackset {
            super::stack_drift::plan_stack_drift(desired, observed, stackset, &mut plan);
        }
        plan.stackset = stackset;
        for s in &found.expected.skipped {
            if !plan.skipped.iter().any(|k| k.account == s.account) {
                plan.skipped.push(s.clone());
            }
        }
    }
    plan.changes.sort_by(|a, b| order(a).cmp(&order(b)));
    plan
}

/// Account by account, in the order `apply_rank` gives (borrowed: a sort of
/// thousands of changes makes no copies).
fn order(c: &Change) -> (&AccountId, u8, &Address) {
    (&c.address.account, apply_rank(c), &c.address)
}

/// Creates and updates run policy → role → attachment, deletes the other way.
fn apply_rank(change: &Change) -> u8 {
    let kind = match change.address.kind {
        ResourceKind::Policy => 0,
        ResourceKind::Role => 1,
        ResourceKind::Attachment => 2,
    };
    if change.action == Action::Delete {
        3 + (2 - kind)
    } else {
        kind
    }
}

fn account_names(observed: &Observed) -> BTreeMap<AccountId, String> {
    let mut names: BTreeMap<AccountId, String> = observed
        .organization
        .iter()
        .flat_map(|o| &o.accounts)
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    names.extend(
        observed
            .resolution
            .targets
            .iter()
            .filter(|(_, n)| !n.is_empty())
            .map(|(a, n)| (a.clone(), n.clone())),
    );
    names
}

fn owned(tags: &Tags) -> bool {
    tags.get(MANAGED_BY_KEY).is_some_and(|v| v == MANAGED_BY_VALUE)
}

/// A resource as found: its value, ARN and whether it carries orgrole's tag.
pub(crate) struct Found {
    pub value: ResourceValue,
    pub arn: String,
    pub owned: bool,
}

/// What is live at `address`. `policy_arn` is orgrole's policy for the
/// role: for an attachment, whether the role has it attached (an attachment
/// is owned with its role); for a role, the one managed policy that is not
/// among its other policies.
pub(crate) fn found(address: &Address, policy_arn: &str, resources: &AccountResources) -> Option<Found> {
    match address.kind {
        ResourceKind::Policy => resources.policies.get(&address.name).map(|p| Found {
            value: ResourceValue::Policy { document: p.document.clone(), tags: p.info.tags.clone() },
            arn: p.info.arn.clone(),
            owned: owned(&p.info.tags),
        }),
        ResourceKind::Role => resources.roles.get(&address.name).map(|r| Found {
            value: ResourceValue::Role {
                trust: r.info.trust.clone(),
                tags: r.info.tags.clone(),
                other: OtherPolicies {
                    inline: r.inline.clone(),
                    managed: r.attached.iter().filter(|a| *a != policy_arn).cloned().collect(),
                    boundary: r.info.boundary.clone(),
                },
                settings: r.info.settings.clone(),
            },
            arn: r.info.arn.clone(),
            owned: owned(&r.info.tags),
        }),
        ResourceKind::Attachment => {
            resources.roles.get(&address.name).filter(|r| r.attached.iter().any(|a| a == policy_arn)).map(
                |_| Found {
                    value: ResourceValue::Attachment {
                        role: address.name.clone(),
                        policy_arn: policy_arn.to_owned(),
                    },
                    arn: policy_arn.to_owned(),
                    owned: true,
                },
            )
        }
    }
}

/// The policy `found` takes as orgrole's own for the resource at `address`
/// (ARN `arn`): for a role, the one the state records attaching to it, else
/// the configured one beside it (orgrole makes its policies at the root
/// path); for an attachment or a policy, its own ARN.
pub(crate) fn own_policy_arn(state: &State, address: &Address, arn: &str, policy_name: &str) -> String {
    if address.kind != ResourceKind::Role {
        return arn.to_owned();
    }
    match state.attachment_of(address) {
        Some(recorded) => recorded.arn.clone(),
        None => {
            let account_part = arn.split_once(":role/").map_or(arn, |(prefix, _)| prefix);
            format!("{account_part}:policy/{policy_name}")
        }
    }
}

/// Whether a resource orgrole recorded is no longer as orgrole left it.
fn drifted(recorded: Option<&StateResource>, found: Option<&Found>, reasons: &[Reason]) -> bool {
    match recorded {
        None => false,
        Some(StateResource { applied: Some(applied), .. }) => {
            *applied != fingerprint(found.map(|f| &f.value))
        }
        // Recorded before fingerprints were kept: only what is plainly gone.
        Some(_) => {
            reasons.iter().any(|r| matches!(r, Reason::Missing | Reason::Detached | Reason::AlreadyGone))
        }
    }
}

/// One target account and what was found in it.
struct Target<'a> {
    account: &'a AccountId,
    found: &'a AccountResources,
    state: &'a State,
    adopt: bool,
    partition: &'a str,
}

impl Target<'_> {
    /// Plans the account's policy, role and attachment; returns whether the
    /// attachment is wanted (not when a conflict stops it).
    fn plan(
        &self,
        desired: &Desired,
        policy: &ResourceValue,
        trust: &ResourceValue,
        plan: &mut Plan,
    ) -> bool {
        let path = &desired.role.settings.path;
        let mut configured = Configured::find(desired, self.account, self.partition, self.found, path);
        // The same value in every account unless the role carries more than orgrole's policy.
        let other = configured.other(plan);
        let with_other;
        let trust = if other.is_empty() {
            trust
        } else {
            with_other = trust.with_other(other);
            &with_other
        };
        let Configured { policy: p, role: r, attachment: a, .. } = configured;
        let made_role = r.made;
        let outcomes = [
            self.resource(p.address, p.arn, policy, p.found, false),
            self.resource(r.address, r.arn, trust, r.found, false),
        ];
        let mut conflicted = false;
        let mut replaced = false;
        for outcome in outcomes {
            match outcome {
                Ok(mut change) => {
                    // A replaced role is named by the ARN it is made with.
                    if let Some(c) = change.as_mut().filter(|c| c.action == Action::Replace) {
                        c.arn = made_role.clone();
                        replaced = true;
                    }
                    plan.changes.extend(change)
                }
                Err(conflict) => {
                    conflicted = true;
                    plan.conflicts.push(conflict);
                }
            }
        }
        if conflicted {
            return false;
        }

        let attachment =
            ResourceValue::Attachment { role: desired.role.name.clone(), policy_arn: a.arn.clone() };
        if replaced && a.found.is_some() {
            plan.changes.push(a.reattached(attachment, None));
            return true;
        }
        let change = self.resource(a.address, a.arn, &attachment, a.found, true);
        plan.changes.extend(change.expect("an attachment is never a conflict"));
        true
    }

    /// The change that makes one resource as desired, or a conflict when a
    /// policy or role of that name exists that orgrole does not own.
    fn resource(
        &self,
        address: Address,
        arn: String,
        desired: &ResourceValue,
        found: Option<Found>,
        attachment: bool,
    ) -> Result<Option<Change>, Conflict> {
        let recorded = self.state.get(&address);
        let in_state = recorded.is_some();
        let Some(found) = found else {
            let reasons = match (in_state, attachment) {
                (false, _) => vec![],
                (true, false) => vec![Reason::Missing],
                (true, true) => vec![Reason::Detached],
            };
            let drift = drifted(recorded, None, &reasons);
            return Ok(Some(Change {
                address,
                action: Action::Create,
                arn,
                before: None,
                after: Some(desired.clone()),
                reasons,
                drift,
                stack_set: None,
            }));
        };
        let foreign = !found.owned && !in_state;
        if foreign && !self.adopt {
            return Err(Conflict { address, arn });
        }
        let mut reasons = diff::reasons(desired, &found.value);
        if foreign {
            reasons.insert(0, Reason::Adopted);
        }
        let action = match (reasons.is_empty(), in_state) {
            (true, true) => return Ok(None),
            (true, false) => {
                reasons.push(Reason::Unrecorded);
                Action::Record
            }
            (false, _) => diff::action_for(&reasons),
        };
        let drift = drifted(recorded, Some(&found), &reasons);
        Ok(Some(Change {
            address,
            action,
            arn,
            before: Some(found.value),
            after: Some(desired.clone()),
            reasons,
            drift,
            stack_set: None,
        }))
    }
}

/// The change for a resource in state that the configuration no longer wants.
fn removal(
    recorded: &StateResource,
    state: &State,
    policy_name: &str,
    resources: &AccountResources,
    reason: Reason,
) -> Change {
    let own_policy = own_policy_arn(state, &recorded.address, &recorded.arn, policy_name);
    let live = found(&recorded.address, &own_policy, resources);
    let (action, reasons) = match &live {
        None => (Action::Forget, vec![Reason::AlreadyGone]),
        Some(f) if f.owned => (Action::Delete, vec![reason]),
        Some(_) => (Action::Forget, vec![Reason::NotOwned]),
    };
    let drift = drifted(Some(recorded), live.as_ref(), &reasons);
    Change {
        address: recorded.address.clone(),
        action,
        arn: recorded.arn.clone(),
        before: live.map(|f| f.value),
        after: None,
        reasons,
        drift,
        stack_set: None,
    }
}
