//! The least-privilege IAM policies orgrole needs for the configured mode:
//! the caller's, and the access role's in the accounts it changes. Derived
//! from `cloud::calls::CALLS`, the list the adapters are checked against.

use serde_json::{json, Value};

use crate::cloud::calls::{When, Who, CALLS};
use crate::config::{Desired, OtherPoliciesMode};
use crate::iam_reference::reference;
use crate::model::CallAs;

/// `{"caller": POLICY, "access_role": POLICY}`. `s3_state`: the bucket and
/// key of a state kept in S3 (`--state s3://…` or the `state` block).
pub fn needed(desired: &Desired, s3_state: Option<(&str, &str)>) -> Value {
    let stackset = desired.stackset.as_ref();
    let wanted = |when: When| needed_when(desired, s3_state.is_some(), when);
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
    if let Some((bucket, key)) = s3_state {
        let objects =
            json!([format!("arn:*:s3:::{bucket}/{key}"), format!("arn:*:s3:::{bucket}/{key}.lock")]);
        caller.push(statement("State", of(Who::Caller, "s3"), objects));
        // Without it, S3 answers a GetObject of a state or lock not written
        // yet with AccessDenied rather than NoSuchKey.
        let mut list =
            statement("StateNotWrittenYet", vec!["s3:ListBucket"], json!(format!("arn:*:s3:::{bucket}")));
        list["Condition"] = json!({"StringEquals": {"s3:prefix": [key, format!("{key}.lock")]}});
        caller.push(list);
    }
    // Preflight simulates the principal that makes the calls: in its own
    // account the caller's role, found by name (its path, e.g. an SSO
    // role's /aws-reserved/..., is not in the session's ARN).
    caller.push(statement(
        "PreflightItself",
        vec!["iam:GetRole", "iam:SimulatePrincipalPolicy"],
        json!("arn:*:iam::*:role/*"),
    ));
    // In its own account, when that is a target, the caller makes the role itself.
    caller.extend(iam.iter().cloned().map(|mut s| {
        s["Sid"] = json!(format!("OwnAccount{}", s["Sid"].as_str().unwrap_or_default()));
        s
    }));
    let mut access_role = iam;
    access_role.push(statement(
        "PreflightItself",
        vec!["iam:SimulatePrincipalPolicy"],
        json!(format!("arn:*:iam::*:role/{}", desired.access_role())),
    ));
    json!({
        "caller": document(caller),
        "access_role": document(access_role),
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
fn needed_when(desired: &Desired, s3_state: bool, when: When) -> bool {
    let stackset = desired.stackset.as_ref();
    let keep = desired.role.other_policies == OtherPoliciesMode::Keep;
    match when {
        When::Always => true,
        When::StackSet => stackset.is_some(),
        When::StackSetManagement => stackset.is_some_and(|s| s.call_as == CallAs::Caller),
        When::S3State => s3_state,
        // A kept boundary goes on a role made again for a new path, by CreateRole.
        When::Boundary => desired.role.permissions_boundary.is_some() || keep,
        When::Keep => keep,
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
        .filter(|c| c.who == Who::Account && needed_when(desired, false, c.when))
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
        let needed = needed(&d, None);
        // The calls on the role and the policy; preflight's simulation of the access role itself beside them.
        let mut on_role_and_policy = needed["access_role"].clone();
        let statements = on_role_and_policy["Statement"].as_array_mut().unwrap();
        let preflight = statements.pop().unwrap();
        assert_eq!(
            (&preflight["Sid"], &preflight["Resource"]),
            (&json!("PreflightItself"), &json!("arn:*:iam::*:role/OrganizationAccountAccessRole"))
        );
        let access_role = actions(&on_role_and_policy);
        let iam: Vec<&str> = CALLS
            .iter()
            .filter(|c| c.who == Who::Account && needed_when(&d, false, c.when))
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
    fn an_s3_state_is_granted_its_objects_and_the_listing_that_tells_a_missing_one() {
        let needed = needed(&desired(&["111111111111"]), Some(("team-state", "orgrole/prod.json")));
        let caller = needed["caller"]["Statement"].as_array().unwrap();
        let state = caller.iter().find(|s| s["Sid"] == "State").expect("the objects");
        assert_eq!(state["Resource"][1], "arn:*:s3:::team-state/orgrole/prod.json.lock");
        let list = caller.iter().find(|s| s["Sid"] == "StateNotWrittenYet").expect("the listing");
        assert_eq!(list["Action"], json!(["s3:ListBucket"]));
        assert_eq!(list["Condition"]["StringEquals"]["s3:prefix"][0], "orgrole/prod.json");
        // With other-policies "keep", a kept boundary goes on a role made again.
        let mut keep = desired(&["111111111111"]);
        keep.role.other_policies = OtherPoliciesMode::Keep;
        let access_role = actions(&super::needed(&keep, None)["access_role"]);
        assert!(access_role.iter().any(|a| a == "iam:PutRolePermissionsBoundary"));
        assert!(access_role.iter().any(|a| a == "iam:PutRolePolicy"));
    }

    #[test]
    fn a_boundary_adds_its_call_and_the_role_is_granted_at_any_path() {
        let mut d = desired(&["111111111111"]);
        assert!(
            !actions(&needed(&d, None)["access_role"]).contains(&"iam:PutRolePermissionsBoundary".to_owned())
        );
        d.role.permissions_boundary = Some("arn:aws:iam::{account}:policy/B".into());
        d.role.settings.path = "/vendor/".into();
        let needed = needed(&d, None);
        assert!(actions(&needed["access_role"]).contains(&"iam:PutRolePermissionsBoundary".to_owned()));
        // Any path: the role is read and deleted where it is, made where configured.
        assert_eq!(
            needed["access_role"]["Statement"][0]["Resource"],
            json!(["arn:*:iam::*:role/role", "arn:*:iam::*:role/*/role"])
        );
        assert_eq!(account_grants(&d)[0].resource, "role/vendor/role");
    }
}
