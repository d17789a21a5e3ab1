//! The configured policy, role and attachment of one account, as found:
//! where the direct planner and the stack set's repairs both start.

use super::build::{found, Found};
use super::{Kept, Plan};
use crate::config::{Desired, OtherPoliciesMode};
use crate::model::{AccountId, Address, OtherPolicies};
use crate::observe::AccountResources;
use crate::plan::ResourceValue;

/// One resource: where it is, its ARN (as found, else the one it will
/// have), and what was found there.
pub(super) struct Slot {
    pub address: Address,
    pub arn: String,
    pub found: Option<Found>,
}

pub(super) struct Configured {
    pub policy: Slot,
    pub role: Slot,
    /// Its ARN is the policy's.
    pub attachment: Slot,
    /// With `other-policies "keep"`: the role's other policies, wanted as they are.
    kept: Option<OtherPolicies>,
}

impl Configured {
    pub fn find(
        desired: &Desired,
        account: &AccountId,
        partition: &str,
        resources: &AccountResources,
    ) -> Self {
        let role = &desired.role;
        let arn = |kind: &str, name: &str| account.iam_arn(partition, &format!("{kind}/{name}"));
        let slot = |address: Address, own_policy: &str, arn: String| {
            let found = found(&address, own_policy, resources);
            let arn = found.as_ref().map_or(arn, |f| f.arn.clone());
            Slot { address, arn, found }
        };
        let policy = slot(Address::policy(account, &role.policy_name), "", arn("policy", &role.policy_name));
        let role_slot = slot(Address::role(account, &role.name), &policy.arn, arn("role", &role.name));
        let attachment_address = Address::attachment(account, &role.name, &role.policy_name);
        let attachment = slot(attachment_address, &policy.arn, policy.arn.clone());
        let kept = match (role.other_policies, role_slot.found.as_ref().map(|f| &f.value)) {
            (OtherPoliciesMode::Keep, Some(ResourceValue::Role { other, .. })) if !other.is_empty() => {
                Some(other.clone())
            }
            _ => None,
        };
        Self { policy, role: role_slot, attachment, kept }
    }

    /// The other policies to keep on the role, recorded in `plan` as kept.
    pub fn keep(&mut self, plan: &mut Plan) -> Option<OtherPolicies> {
        let other = self.kept.take()?;
        plan.kept.push(Kept { address: self.role.address.clone(), other: other.clone() });
        Some(other)
    }
}
