//! Every AWS call orgrole makes, who makes it and when: the one list that
//! `orgrole permissions` derives its policies from. A test checks that the
//! adapters in `cloud/aws` make no call missing from it.

/// Whose credentials make the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The account orgrole runs as (management account or delegated administrator).
    Caller,
    /// Each account the role goes to: the access role there, or the caller in its own.
    Account,
}

/// What needs the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// StackSet mode.
    StackSet,
    /// StackSet mode, from the management account only.
    StackSetManagement,
    /// A state kept in S3.
    S3State,
    /// A permissions boundary is configured, or kept (`other-policies "keep"`).
    Boundary,
    /// `other-policies "keep"`: what is kept is put on a role made again.
    Keep,
}

pub struct Call {
    pub operation: &'static str,
    pub who: Who,
    pub when: When,
}

const fn call(operation: &'static str, who: Who, when: When) -> Call {
    Call { operation, who, when }
}

use When::*;
use Who::*;

pub const CALLS: &[Call] = &[
    call("sts:GetCallerIdentity", Caller, Always),
    call("sts:AssumeRole", Caller, Always),
    call("organizations:DescribeOrganization", Caller, Always),
    call("organizations:ListRoots", Caller, Always),
    call("organizations:ListOrganizationalUnitsForParent", Caller, Always),
    call("organizations:ListAccountsForParent", Caller, Always),
    call("cloudformation:DescribeOrganizationsAccess", Caller, StackSet),
    call("cloudformation:ActivateOrganizationsAccess", Caller, StackSetManagement),
    call("cloudformation:CreateStackSet", Caller, StackSet),
    call("cloudformation:UpdateStackSet", Caller, StackSet),
    call("cloudformation:DeleteStackSet", Caller, StackSet),
    call("cloudformation:DescribeStackSet", Caller, StackSet),
    call("cloudformation:ListStackInstances", Caller, StackSet),
    call("cloudformation:CreateStackInstances", Caller, StackSet),
    call("cloudformation:DeleteStackInstances", Caller, StackSet),
    call("cloudformation:DescribeStackSetOperation", Caller, StackSet),
    call("cloudformation:ListStackSetOperations", Caller, StackSet),
    call("cloudformation:ListStackSetOperationResults", Caller, StackSet),
    call("s3:GetObject", Caller, S3State),
    call("s3:PutObject", Caller, S3State),
    call("s3:DeleteObject", Caller, S3State),
    call("iam:GetRole", Account, Always),
    call("iam:ListAttachedRolePolicies", Account, Always),
    call("iam:ListRolePolicies", Account, Always),
    call("iam:GetRolePolicy", Account, Always),
    call("iam:GetPolicy", Account, Always),
    call("iam:GetPolicyVersion", Account, Always),
    call("iam:ListPolicyVersions", Account, Always),
    call("iam:CreatePolicy", Account, Always),
    call("iam:CreatePolicyVersion", Account, Always),
    call("iam:DeletePolicyVersion", Account, Always),
    call("iam:DeletePolicy", Account, Always),
    call("iam:TagPolicy", Account, Always),
    call("iam:UntagPolicy", Account, Always),
    call("iam:CreateRole", Account, Always),
    call("iam:UpdateAssumeRolePolicy", Account, Always),
    call("iam:UpdateRole", Account, Always),
    call("iam:TagRole", Account, Always),
    call("iam:UntagRole", Account, Always),
    call("iam:AttachRolePolicy", Account, Always),
    call("iam:DetachRolePolicy", Account, Always),
    call("iam:PutRolePolicy", Account, Keep),
    call("iam:DeleteRolePolicy", Account, Always),
    call("iam:PutRolePermissionsBoundary", Account, Boundary),
    call("iam:DeleteRolePermissionsBoundary", Account, Always),
    call("iam:DeleteRole", Account, Always),
    // verify and accounts simulate the vendor's role.
    call("iam:SimulatePrincipalPolicy", Account, Always),
];

#[cfg(test)]
mod tests {
    use super::CALLS;

    /// The adapters' sources: every `"service:Operation"` they name.
    const ADAPTERS: [&str; 6] = [
        include_str!("aws/call.rs"),
        include_str!("aws/cloudformation.rs"),
        include_str!("aws/iam.rs"),
        include_str!("aws/organizations.rs"),
        include_str!("aws/s3.rs"),
        include_str!("aws/sts.rs"),
    ];

    #[test]
    fn every_call_the_adapters_make_is_in_the_list_and_every_listed_call_is_made() {
        let mut named = std::collections::BTreeSet::new();
        for source in ADAPTERS {
            for (i, _) in source.match_indices('"') {
                let rest = &source[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let literal = &rest[..end];
                let services = ["sts:", "iam:", "organizations:", "cloudformation:", "s3:"];
                let operation = literal.split_once(':').map(|(_, op)| op).unwrap_or_default();
                if services.iter().any(|s| literal.starts_with(s))
                    && operation.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && operation.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    named.insert(literal);
                }
            }
        }
        let listed: std::collections::BTreeSet<&str> = CALLS.iter().map(|c| c.operation).collect();
        assert_eq!(named, listed);
    }
}
