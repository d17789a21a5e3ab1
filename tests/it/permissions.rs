//! `orgrole permissions`: the policies it prints allow every call a whole
//! lifecycle makes (plan, apply, verify, accounts, destroy), in both modes.

use serde_json::Value;

use crate::support::{radiant_config, stackset_config, Org, Test};

/// Every `(operation, account)` the runs logged (`ORGROLE_LOG=orgrole::api=debug`).
fn calls(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter(|l| l.contains("orgrole::api"))
        .filter_map(|l| {
            let operation = l.split(" call ").nth(1)?.split_whitespace().next()?.to_owned();
            let account = l.split("account=").nth(1)?.split_whitespace().next()?.to_owned();
            Some((operation, account))
        })
        .collect()
}

fn allows(policy: &Value, operation: &str) -> bool {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["Action"].as_array().unwrap().iter().any(|a| a == operation))
}

fn lifecycle_is_allowed(org: &Org, t: &Test) {
    let needed: Value =
        serde_json::from_str(&t.run(&["permissions", "--format", "json"]).code(0).stdout).unwrap();
    let mut logged = vec![];
    for (args, code) in [
        (&["plan"][..], 0),
        (&["apply", "--auto-approve"], 0),
        (&["verify"], 0),
        (&["accounts", "--format", "csv"], 0),
        (&["destroy", "--auto-approve"], 0),
    ] {
        logged.extend(calls(&t.run(args).code(code).stderr));
    }
    assert!(logged.len() > 20, "{logged:?}");
    assert_allowed(org, &needed, logged);
}

/// Each logged call is in the policy of whoever made it.
fn assert_allowed(org: &Org, needed: &Value, logged: Vec<(String, String)>) {
    for (operation, account) in logged {
        // The caller in its own account; the access role everywhere else.
        let by = if account == org.management || !operation.starts_with("iam:") {
            "caller"
        } else {
            "access_role"
        };
        assert!(
            allows(&needed[by], &operation),
            "{operation} in {account} is not in the {by} policy:\n{needed:#}"
        );
    }
}

#[test]
fn the_printed_policies_allow_every_call_of_a_direct_lifecycle() {
    let org = Org::builder().account("a", "Team").seed();
    let t = Test::new(&org).config(&radiant_config("organization"));
    lifecycle_is_allowed(&org, &t);
}

#[test]
fn the_printed_policies_allow_every_call_of_a_stackset_lifecycle() {
    let org = Org::builder().account("a", "Team").seed();
    let t = Test::new(&org).config(&stackset_config(&format!(r#"ou "{}""#, org.ou("Team")), true));
    lifecycle_is_allowed(&org, &t);
    let text = t.run(&["permissions"]).code(0).stdout;
    assert!(text.contains("cloudformation:ActivateOrganizationsAccess"), "{text}");
}

#[test]
fn the_printed_policies_allow_the_calls_of_the_role_options_at_any_path() {
    let org = Org::builder().account("a", "Team").seed();
    let options = |description: &str| {
        radiant_config("organization").replace(
            "preset=\"radiant\"\n",
            &format!("preset=\"radiant\"\n    permissions-boundary \"arn:aws:iam::{{account}}:policy/B\"\n    path \"/vendor/\"\n    description \"{description}\"\n"),
        )
    };
    let t = Test::new(&org).config(&options("first"));
    let needed: Value =
        serde_json::from_str(&t.run(&["permissions", "--format", "json"]).code(0).stdout).unwrap();
    let mut logged = calls(&t.run(&["apply", "--auto-approve"]).code(0).stderr);
    org.iam("a").delete_boundary("radiant-aws-api-access-role");
    let t = t.config(&options("second"));
    let repaired = t.run(&["apply", "--auto-approve"]).code(0);
    for call in ["iam:UpdateRole", "iam:PutRolePermissionsBoundary"] {
        assert!(repaired.stderr.contains(call), "{call} not made:\n{}", repaired.stderr);
    }
    logged.extend(calls(&repaired.stderr));
    logged.extend(calls(&t.run(&["destroy", "--auto-approve"]).code(0).stderr));
    assert_allowed(&org, &needed, logged);
    assert_eq!(
        needed["access_role"]["Statement"][0]["Resource"],
        serde_json::json!([
            "arn:*:iam::*:role/radiant-aws-api-access-role",
            "arn:*:iam::*:role/*/radiant-aws-api-access-role"
        ]),
        "the role at any path: read where it is, made where configured"
    );
}

#[test]
fn preflight_checks_every_target_before_any_change() {
    let org = Org::builder().account("a", "Team").account("b", "Team").seed();
    let t = Test::new(&org).config(&radiant_config("organization"));
    let run =
        t.run(&["preflight"]).code(0).stdout_has("3 account(s) checked, 0 that this run cannot change.");
    for name in ["a", "b"] {
        let row = run
            .stdout
            .lines()
            .find(|l| l.starts_with(org.id(name)))
            .unwrap_or_else(|| panic!("{}", run.stdout));
        // moto does not implement iam:SimulatePrincipalPolicy: the calls are reported unchecked.
        assert!(row.contains(" ok ") && row.contains("not checked"), "{row}");
    }
    assert!(run.write_calls().is_empty(), "preflight wrote: {:?}", run.write_calls());
    let plan = t.run(&["plan", "--preflight", "--detailed-exitcode"]).code(2);
    assert!(plan.stderr.contains("3 account(s) checked"), "{}", plan.stderr);
    assert!(plan.stdout.contains("# 3 to add in each of 3 accounts"), "{}", plan.stdout);
}
