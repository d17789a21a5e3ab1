//! The least-privilege IAM policies orgrole needs for the configured mode:
//! the caller's, and the access role's in the accounts it changes. Derived
//! from `cloud::calls::CALLS`, the list the adapters are checked against.

use serde_json::{json, Value};

use crate::cloud::calls::{When, Who, CALLS};
use crate::config::{Desired, OtherPoliciesMode, StateBackend};
use crate::iam_reference::reference;
use crate::model::CallAs;

/// `{"caller": POLICY, "access_role": POLICY}`.
pub fn needed(desired: &Desired) -> Value {
    let stackset = desired.stackset.as_ref();
    let state = match &desired.state {
        Some(StateBackend::S3 { bucket, key, .. }) => Some((bucket, key)),
        _ => None,
    };
    let wanted = |when: When| needed_when(desired, when);
    let of = |who: Who, service: &str| -> Vec<&str> {
        CALLS
            .iter()
            .filter(|c| c.who == who && wanted(c.when) && c.operation.starts_with(&format!("{service}:")))
            .map(|c| c.operation)
            .collect()
    };
    let iam: Vec<Value> = account_grants(desired)
        .into_iter()
        .map(|g| {
            let arns: Vec<String> = g.patterns().iter().map(|p| format!("arn:*:iam::*:{p}")).collect();
            let resource = match arns.as_slice() {
                [one] => json!(one),
                many => json!(many),
            };
            statement(g.sid, g.actions.clone(), resource)
        })
        .collect();
    let mut caller = vec![
        statement(
            "Identity",
            of(Who::Caller, "sts").into_iter().filter(|a| *a != "sts:AssumeRole").collect(),
            json!("*"),
        ),
        statement("ReadTheOrganization", of(Who::Caller, "organizations"), json!("*")),
        statement(
            "AssumeTheAccessRole",
            vec!["sts:AssumeRole"],
            json!(format!("arn:*:iam::*:role/{}", desired.access_role())),
        ),
    ];
    if stackset.is_some() {
        caller.push(statement("StackSets", of(Who::Caller, "cloudformation"), json!("*")));
    }
    if let Some((bucket, key)) = state {
        let objects =
            json!([format!("arn:*:s3:::{bucket}/{key}"), format!("arn:*:s3:::{bucket}/{key}.lock")]);
        caller.push(statement("State", of(Who::Caller, "s3"), objects));
    }
    // In its own account, when that is a target, the caller makes the role itself.
    caller.extend(iam.iter().cloned().map(|mut s| {
        s["Sid"] = json!(format!("OwnAccount{}", s["Sid"].as_str().unwrap_or_default()));
        s
    }));
    json!({
        "caller": document(caller),
        "access_role": document(iam),
    })
}

impl Grant {
    /// What a policy grants it on: a role at any path, because IAM checks
    /// each call on the role where it is, and a role whose path changes is
    /// read and deleted at the old one.
    pub fn patterns(&self) -> Vec<String> {
        match self.resource.strip_prefix("role/") {
            Some(path_and_name) => {
                let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
                vec![format!("role/{name}"), format!("role/*/{name}")]
            }
            None => vec![self.resource.clone()],
        }
    }
}

/// Whether the configuration makes orgrole make the calls of `when`.
fn needed_when(desired: &Desired, when: When) -> bool {
    let stackset = desired.stackset.as_ref();
    match when {
        When::Always | When::Verify => true,
        When::StackSet => stackset.is_some(),
        When::StackSetManagement => stackset.is_some_and(|s| s.call_as == CallAs::Caller),
        When::S3State => matches!(desired.state, Some(StateBackend::S3 { .. })),
        When::Boundary => desired.role.permissions_boundary.is_some(),
        When::Keep => desired.role.other_policies == OtherPoliciesMode::Keep,
    }
}

/// The IAM calls orgrole makes in an account, on one resource of it.
pub struct Grant {
    pub sid: &'static str,
    pub actions: Vec<&'static str>,
    /// `role/PATH/NAME` or `policy/NAME`: the ARN's resource part, in any
    /// account, as configured (what preflight simulates on).
    pub resource: String,
}

/// The IAM calls in each account: those on the role, and those on the policy
/// (by the resource type IAM's reference gives each action).
pub fn account_grants(desired: &Desired) -> Vec<Grant> {
    let r = reference();
    let actions: Vec<&'static str> = CALLS
        .iter()
        .filter(|c| c.who == Who::Account && needed_when(desired, c.when))
        .map(|c| c.operation)
        .collect();
    let on = |kind: &str| -> Vec<&'static str> {
        actions
            .iter()
            .copied()
            .filter(|a| r.action(a).is_some_and(|a| a.resource_types.iter().any(|(t, _)| *t == kind)))
            .collect()
    };
    let on_role = on("role");
    let on_policy = on("policy").into_iter().filter(|a| !on_role.contains(a)).collect();
    vec![
        // The path is part of the role's ARN.
        Grant {
            sid: "Role",
            actions: on_role,
            resource: format!("role{}{}", desired.role.settings.path, desired.role.name),
        },
        Grant { sid: "Policy", actions: on_policy, resource: format!("policy/{}", desired.role.policy_name) },
    ]
}

fn statement(sid: &str, actions: Vec<&str>, resource: Value) -> Value {
    json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource})
}

fn document(statements: Vec<Value>) -> Value {
    let statements: Vec<Value> =
        statements.into_iter().filter(|s| s["Action"].as_array().is_some_and(|a| !a.is_empty())).collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::desired;

    fn actions(policy: &Value) -> Vec<String> {
        let statements = policy["Statement"].as_array().unwrap();
        statements
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_iam_call_is_scoped_to_the_role_or_the_policy_and_none_is_left_out() {
        let d = desired(&["111111111111"]);
        let needed = needed(&d);
        let access_role = actions(&needed["access_role"]);
        let iam: Vec<&str> = CALLS
            .iter()
            .filter(|c| c.who == Who::Account && needed_when(&d, c.when))
            .map(|c| c.operation)
            .collect();
        let mut sorted = access_role.clone();
        sorted.sort();
        let mut expected: Vec<String> = iam.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(sorted, expected, "each IAM call has a resource type of role or policy");
        assert!(!actions(&needed["caller"]).iter().any(|a| a.starts_with("cloudformation:")), "direct mode");
        assert_eq!(
            needed["access_role"]["Statement"][0]["Resource"],
            json!(["arn:*:iam::*:role/role", "arn:*:iam::*:role/*/role"])
        );
    }

    #[test]
    fn a_boundary_adds_its_call_and_the_role_is_granted_at_any_path() {
        let mut d = desired(&["111111111111"]);
        assert!(!actions(&needed(&d)["access_role"]).contains(&"iam:PutRolePermissionsBoundary".to_owned()));
        d.role.permissions_boundary = Some("arn:aws:iam::{account}:policy/B".into());
        d.role.settings.path = "/vendor/".into();
        let needed = needed(&d);
        assert!(actions(&needed["access_role"]).contains(&"iam:PutRolePermissionsBoundary".to_owned()));
        // Any path: the role is read and deleted where it is, made where configured.
        assert_eq!(
            needed["access_role"]["Statement"][0]["Resource"],
            json!(["arn:*:iam::*:role/role", "arn:*:iam::*:role/*/role"])
        );
        assert_eq!(account_grants(&d)[0].resource, "role/vendor/role");
    }
}
