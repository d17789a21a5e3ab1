//! The patched moto (tests/it/support/moto_stacksets.py) behaves as AWS
//! documents StackSets, and as cloud/sim does: the shared scenario's
//! targets reach the same accounts in both; operations run for a few polls,
//! one at a time, and orgrole waits for someone else's; and a long
//! operation history costs a plan one page of ListStackSetOperations.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::{
    AccountFilterType, Capability, DeploymentTargets, PermissionModels, StackSetOperationStatus,
};
use serde_json::Value;

use crate::support::org::block_on;
use crate::support::{stackset_config, Org, Test};

const NAME: &str = "radiant-aws-api-access";

/// Polls an operation to its end, as a person with the CLI would (bounded).
fn wait(org: &Org, name: &str, id: &str) -> StackSetOperationStatus {
    let cfn = org.cloudformation();
    for _ in 0..50 {
        let out = block_on(cfn.describe_stack_set_operation().stack_set_name(name).operation_id(id).send())
            .expect("DescribeStackSetOperation");
        let status = out.stack_set_operation().and_then(|o| o.status()).cloned().expect("a status");
        if !matches!(status, StackSetOperationStatus::Running | StackSetOperationStatus::Queued) {
            return status;
        }
    }
    panic!("operation {id} still running after 50 polls");
}

/// A template of one role named for the case, so that cases do not collide.
fn template(n: usize) -> String {
    format!(
        r#"{{"Resources": {{"Role": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "scenario-{n}", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::123456789012:root"}}, "Action": "sts:AssumeRole"}}]}}}}}}}}}}"#
    )
}

#[test]
fn the_shared_scenarios_targets_reach_the_same_accounts_on_moto_as_in_the_sim() {
    let scenario: Value =
        serde_json::from_str(include_str!("../fixtures/stackset-scenario.json")).expect("the scenario");
    let mut builder = Org::builder();
    for a in scenario["accounts"].as_array().unwrap() {
        let (name, ou) = (a["name"].as_str().unwrap(), a["ou"].as_str().unwrap());
        builder = if a["suspended"].as_bool().unwrap_or_default() {
            builder.suspended(name, ou)
        } else {
            builder.account(name, ou)
        };
    }
    let org = builder.seed();
    org.activate_trusted_access();
    let names: BTreeMap<&str, &str> = org.accounts.iter().map(|(n, id)| (id.as_str(), n.as_str())).collect();
    let root = org.root();
    let cfn = org.cloudformation();
    for (n, case) in scenario["cases"].as_array().unwrap().iter().enumerate() {
        let strings = |key: &str| -> Vec<String> {
            case[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
        };
        let ous: Vec<String> = strings("ous")
            .iter()
            .map(|p| if p == "root" { root.clone() } else { org.ou(p).to_owned() })
            .collect();
        let accounts: Vec<String> = strings("accounts").iter().map(|a| org.id(a).to_owned()).collect();
        let filter = match case["filter"].as_str().unwrap() {
            "none" => None,
            "intersection" => Some(AccountFilterType::Intersection),
            "difference" => Some(AccountFilterType::Difference),
            other => panic!("filter {other}"),
        };
        let name = format!("scenario-{n}");
        block_on(
            cfn.create_stack_set()
                .stack_set_name(&name)
                .template_body(template(n))
                .permission_model(PermissionModels::ServiceManaged)
                .capabilities(Capability::CapabilityNamedIam)
                .send(),
        )
        .expect("CreateStackSet");
        let targets = DeploymentTargets::builder()
            .set_organizational_unit_ids(Some(ous))
            .set_accounts((!accounts.is_empty()).then_some(accounts))
            .set_account_filter_type(filter)
            .build();
        let op = block_on(
            cfn.create_stack_instances()
                .stack_set_name(&name)
                .deployment_targets(targets)
                .regions("us-east-1")
                .send(),
        )
        .expect("CreateStackInstances");
        assert_eq!(wait(&org, &name, op.operation_id().unwrap()), StackSetOperationStatus::Succeeded);
        let mut reached: Vec<&str> =
            org.stack_instance_accounts(&name).iter().map(|a| names[a.as_str()]).collect();
        reached.sort();
        assert_eq!(reached, strings("reached"), "case {n}: {case}");
    }
}

/// A stack set on one OU, applied.
fn deployed() -> (Org, Test) {
    let org = Org::builder().account("audit", "Security").seed();
    let t = Test::new(&org).config(&stackset_config(&format!(r#"ou "{}""#, org.ou("Security")), false));
    t.run(&["apply", "--auto-approve"]).code(0);
    (org, t)
}

/// Starts an UpdateStackSet of the template deployed, as a person with the CLI would.
fn start_update(org: &Org) -> String {
    block_on(org.cloudformation().update_stack_set().stack_set_name(NAME).use_previous_template(true).send())
        .expect("UpdateStackSet")
        .operation_id
        .expect("an operation ID")
}

/// AWS: one operation at a time per stack set; another is refused with
/// OperationInProgressException until it ends. orgrole waits for it.
#[test]
fn an_operation_someone_else_started_is_shown_waited_for_and_then_orgroles_runs() {
    let (org, t) = deployed();

    let foreign = start_update(&org);
    let refused = block_on(
        org.cloudformation().update_stack_set().stack_set_name(NAME).use_previous_template(true).send(),
    );
    let code = refused
        .map(|_| ())
        .map_err(|e| aws_sdk_cloudformation::error::ProvideErrorMetadata::code(&e).map(str::to_owned));
    assert_eq!(code, Err(Some("OperationInProgressException".into())));

    t.run(&["plan"])
        .code(0)
        .stdout_has(&format!("operation {foreign} (UPDATE) is RUNNING: apply waits for it to end first"));
    let tagged = stackset_config(&format!(r#"ou "{}""#, org.ou("Security")), false)
        .replace("preset=\"radiant\"\n", "preset=\"radiant\"\n    tags { owner \"secops\"; }\n");
    let t = t.config(&tagged);
    t.run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has(&format!("waiting for operation {foreign}"))
        .stdout_has("Updating the stack set and its instances: complete");
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

/// ListStackSetOperations pages (100 at most) and AWS keeps 90 days of
/// operations: a plan reads only the first page when the newest come first.
#[test]
fn a_long_operation_history_costs_a_plan_one_page() {
    let (org, t) = deployed();
    for _ in 0..250 {
        let id = start_update(&org);
        assert_eq!(wait(&org, NAME, &id), StackSetOperationStatus::Succeeded);
    }
    let plan = t.run(&["plan", "--detailed-exitcode"]).code(0);
    let listings =
        plan.stderr.lines().filter(|l| l.contains("call cloudformation:ListStackSetOperations")).count();
    assert_eq!(listings, 1, "{}", plan.stderr);
}
