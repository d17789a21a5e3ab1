//! What orgrole says about the plan's data, in one place: why an account is
//! skipped, why a stack set plan cannot be applied, what a step does.

use crate::cloud::{CloudError, Denial};
use crate::model::{AccountFilter, AccountId};
use crate::plan::{StackSetAction, StackSetConflict};
use crate::targets::SkipReason;
use crate::verify::NotChecked;

/// An error, and what to do when it says an SCP or a boundary denied it.
pub fn cloud_error(error: &CloudError) -> String {
    match error.denial() {
        Some(Denial::ServiceControlPolicy) => format!(
            "{error} (a service control policy of the organization denies it: ask its administrators to exempt the access role, e.g. with a condition on aws:PrincipalArn, or to move the account; SCPs never apply to the management account)"
        ),
        Some(Denial::PermissionsBoundary) => format!(
            "{error} (the principal's permissions boundary denies it: the boundary must allow the calls `orgrole permissions` lists)"
        ),
        None => error.to_string(),
    }
}

/// Why the permissions were not simulated.
pub fn not_checked(why: &NotChecked) -> String {
    match why {
        NotChecked::RoleNotAsConfigured => "the role is not as configured".into(),
        NotChecked::Refused(e) => cloud_error(e),
        NotChecked::NotSimulable => "the caller is no role or user IAM can simulate".into(),
    }
}

pub fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Excluded => "excluded by the configuration".into(),
        SkipReason::Inactive { state } => format!("account is {}", state.as_str()),
        SkipReason::InactiveForStackSets { state } => format!("account is {}: StackSets skip it", state.as_str()),
        SkipReason::NotMember { organization } => format!("not a member of organization {organization}"),
        SkipReason::LeftWithResources => {
            "no longer an ACTIVE member of the organization: its resources in state are left as they are".into()
        }
        SkipReason::ManagementAccount => "the management account: StackSets never deploy there (`management-account #true` gives it a direct role)".into(),
    }
}

/// The error a stack set conflict is reported with.
pub fn stackset_conflict(name: &str, conflict: &StackSetConflict) -> String {
    match conflict {
        StackSetConflict::NotOwned { id } => format!(
            "stack set {name} ({id}) exists but orgrole did not create it: it has no managed-by=orgrole tag and is not in the state. To take it over, review `orgrole plan --adopt`, then run `orgrole apply --adopt`; or choose another name in the configuration."
        ),
        StackSetConflict::TrustedAccessOff { status } => format!(
            "CloudFormation's trusted access with AWS Organizations is {}, and only the management account can activate it: there, run `aws cloudformation activate-organizations-access` (or the console: CloudFormation → StackSets → Activate trusted access), then plan again",
            status.as_str()
        ),
    }
}

/// `Creating the stack set`, `Adding instances in ou-1 × us-east-1`, ...
pub fn step_description(action: &StackSetAction) -> String {
    let list = |accounts: &[AccountId]| accounts.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
    match action {
        StackSetAction::ActivateTrustedAccess => {
            "Activating trusted access between CloudFormation StackSets and AWS Organizations".into()
        }
        StackSetAction::Create { .. } => "Creating the stack set".into(),
        StackSetAction::Update { .. } => "Updating the stack set and its instances".into(),
        StackSetAction::AddInstances { targets, regions } => {
            let of = match targets.filter {
                AccountFilter::Intersection => format!(" of {}", list(&targets.accounts)),
                AccountFilter::Difference => format!(" except {}", list(&targets.accounts)),
                _ => String::new(),
            };
            format!("Adding instances{of} in {} × {}", targets.ous.join(", "), regions.join(", "))
        }
        StackSetAction::RemoveInstances { targets, regions, retain_stacks } => {
            let of = match targets.filter {
                AccountFilter::Intersection => format!(" of {}", list(&targets.accounts)),
                _ => String::new(),
            };
            let kept =
                if *retain_stacks { ", keeping their stacks (AWS can no longer act there)" } else { "" };
            format!("Deleting instances{of} in {} × {}{kept}", targets.ous.join(", "), regions.join(", "))
        }
        StackSetAction::Delete => "Deleting the stack set".into(),
        StackSetAction::Forget => "Removing the stack set from state (it is gone)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's messages, as IAM gives them (an SCP's deny; a boundary's).
    #[test]
    fn a_denial_by_a_service_control_policy_or_a_boundary_says_what_to_do() {
        let denied = |message: &str| CloudError::from_code("iam:CreateRole", Some("AccessDenied"), message);
        let scp = denied("User: arn:aws:sts::111111111111:assumed-role/OrganizationAccountAccessRole/orgrole is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111111111111:role/r with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-x/service_control_policy/p-1");
        assert_eq!(scp.denial(), Some(Denial::ServiceControlPolicy));
        assert!(cloud_error(&scp).contains("ask its administrators to exempt the access role"));
        let boundary = denied("User: arn:aws:sts::1:assumed-role/A/s is not authorized to perform: iam:CreateRole on resource: r because no permissions boundary allows the iam:CreateRole action");
        assert_eq!(boundary.denial(), Some(Denial::PermissionsBoundary));
        assert_eq!(denied("no").denial(), None);
        let throttled = CloudError::from_code("iam:CreateRole", Some("Throttling"), "service control policy");
        assert_eq!(throttled.denial(), None, "only a denial is one");
    }
}
