//! The configured policy, role and attachment of one account, as found:
//! where the direct planner and the stack set's repairs both start.

use super::build::{found, Found};
use super::{Action, Change, Kept, Plan, Reason};
use crate::config::{Desired, OtherPoliciesMode};
use crate::model::{AccountId, Address, OtherPolicies};
use crate::observe::AccountResources;
use crate::plan::ResourceValue;

/// One resource: where it is, its ARN (as found, else the one it will
/// have), and what was found there.
pub(super) struct Slot {
    pub address: Address,
    pub arn: String,
    /// The ARN it has when orgrole makes it (a replaced role's new one).
    pub made: String,
    pub found: Option<Found>,
}

pub(super) struct Configured {
    pub policy: Slot,
    pub role: Slot,
    /// Its ARN is the policy's.
    pub attachment: Slot,
    /// With `other-policies "keep"`: the role's other policies, wanted as they are.
    kept: Option<OtherPolicies>,
    /// The configured permissions boundary, in this account.
    boundary: Option<String>,
}

impl Configured {
    /// `path`: the one the role is to have (a new one replaces it).
    pub fn find(
        desired: &Desired,
        account: &AccountId,
        partition: &str,
        resources: &AccountResources,
        path: &str,
    ) -> Self {
        let role = &desired.role;
        let arn = |kind: &str, name: &str| account.iam_arn(partition, &format!("{kind}/{name}"));
        let slot = |address: Address, own_policy: &str, made: String| {
            let found = found(&address, own_policy, resources);
            let arn = found.as_ref().map_or_else(|| made.clone(), |f| f.arn.clone());
            Slot { address, arn, made, found }
        };
        let policy = slot(Address::policy(account, &role.policy_name), "", arn("policy", &role.policy_name));
        // The path is part of the role's ARN: `role/vendor/NAME`.
        let role_arn = account.iam_arn(partition, &format!("role{path}{}", role.name));
        let role_slot = slot(Address::role(account, &role.name), &policy.arn, role_arn);
        let attachment_address = Address::attachment(account, &role.name, &role.policy_name);
        let attachment = slot(attachment_address, &policy.arn, policy.arn.clone());
        let boundary = role.boundary_in(account);
        // Kept also when the role is replaced (a new path): put on the new one.
        let kept = match (role.other_policies, role_slot.found.as_ref().map(|f| &f.value)) {
            (OtherPoliciesMode::Keep, Some(ResourceValue::Role { other, .. })) => {
                // A configured boundary is wanted, not kept.
                let kept = OtherPolicies {
                    boundary: other.boundary.clone().filter(|_| boundary.is_none()),
                    ..other.clone()
                };
                (!kept.is_empty()).then_some(kept)
            }
            _ => None,
        };
        Self { policy, role: role_slot, attachment, kept, boundary }
    }

    /// What the role carries besides orgrole's policy: the configured
    /// boundary, and the other policies kept (recorded in `plan` as kept).
    pub fn other(&mut self, plan: &mut Plan) -> OtherPolicies {
        let mut other = match self.kept.take() {
            Some(kept) => {
                plan.kept.push(Kept { address: self.role.address.clone(), other: kept.clone() });
                kept
            }
            None => OtherPolicies::default(),
        };
        if self.boundary.is_some() {
            other.boundary = self.boundary.clone();
        }
        other
    }
}

impl Slot {
    /// The attachment of a role that is replaced: made again on the new
    /// role. `before` is the attachment found, which a saved plan's
    /// staleness check reads again.
    pub fn reattached(self, attachment: ResourceValue, stack_set: Option<String>) -> Change {
        Change {
            address: self.address,
            action: Action::Create,
            arn: self.arn,
            before: self.found.map(|f| f.value),
            after: Some(attachment),
            reasons: vec![Reason::RoleReplaced],
            drift: false,
            stack_set,
        }
    }
}
