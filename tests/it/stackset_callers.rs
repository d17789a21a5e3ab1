//! Who may run StackSet mode, as AWS decides it (patched moto,
//! tests/it/support/moto_stacksets.py): the management account as itself,
//! a delegated administrator the management account registered for
//! StackSets with `call-as "delegated-admin"`; anyone else is told, before
//! any change, what to run and where.

use crate::support::{stackset_config, Org, Test};

const REGISTER: &str = "--service-principal member.org.stacksets.cloudformation.amazonaws.com";

fn org() -> Org {
    Org::builder().account("admin", "Security").account("payments", "Workloads/Prod/Cards").seed()
}

/// The stack set on the Workloads OU, called as a delegated administrator.
fn as_delegated_admin(org: &Org) -> String {
    let targets = format!(r#"ou "{}""#, org.ou("Workloads"));
    stackset_config(&targets, false)
        .replace("    management-account", "    call-as \"delegated-admin\"\n    management-account")
}

#[test]
fn an_account_not_registered_as_delegated_administrator_is_told_what_the_management_account_runs() {
    let org = org();
    let t = Test::as_account(&org, "admin").config(&as_delegated_admin(&org));
    let plan = t
        .run(&["plan"])
        .code(1)
        // Organizations refuses it first: only the management account and delegated administrators read it.
        .stderr_has(&format!("account {} may not read the organization (AccessDenied)", org.id("admin")))
        .stderr_has(&format!(
            "run `aws organizations register-delegated-administrator --account-id {} {REGISTER}`",
            org.id("admin")
        ));
    assert!(plan.write_calls().is_empty(), "{:?}", plan.write_calls());
    let apply = t.run(&["apply", "--auto-approve"]).code(1).stderr_has("may not read the organization");
    assert!(apply.write_calls().is_empty(), "{:?}", apply.write_calls());

    // A member account calling as itself is refused the same way.
    let t = t.config(&as_delegated_admin(&org).replace("call-as \"delegated-admin\"", "call-as \"self\""));
    t.run(&["plan"]).code(1).stderr_has("may not read the organization").stderr_has(REGISTER);
}

/// A delegated administrator for another service reads the organization;
/// StackSets still refuse it (AWS: "Account used is not a delegated administrator").
#[test]
fn a_delegated_administrator_for_another_service_is_told_to_register_for_stacksets() {
    let org = org();
    org.register_admin("admin", "config-multiaccountsetup.amazonaws.com");
    let t = Test::as_account(&org, "admin").config(&as_delegated_admin(&org));
    let plan = t
        .run(&["plan"])
        .code(1)
        .stderr_has(&format!("account {} is not a delegated administrator for CloudFormation StackSets", org.id("admin")))
        .stderr_has(&format!("in the management account {}, run `aws organizations register-delegated-administrator --account-id {} {REGISTER}`", org.management, org.id("admin")));
    assert!(plan.write_calls().is_empty(), "{:?}", plan.write_calls());

    let t = t.config(&as_delegated_admin(&org).replace("call-as \"delegated-admin\"", "call-as \"self\""));
    t.run(&["plan"])
        .code(1)
        .stderr_has(&format!(
            "account {} is not the organization's management account ({})",
            org.id("admin"),
            org.management
        ))
        .stderr_has("`call-as \"delegated-admin\"`");
}

#[test]
fn the_management_account_calling_as_a_delegated_administrator_is_refused() {
    let org = org();
    let t = Test::new(&org).config(&as_delegated_admin(&org));
    let plan = t
        .run(&["plan"])
        .code(1)
        .stderr_has("which calls StackSets as itself")
        .stderr_has("set `call-as \"self\"`");
    assert!(plan.write_calls().is_empty(), "{:?}", plan.write_calls());
}

#[test]
fn a_registered_delegated_administrator_deploys_once_the_management_account_activated_trusted_access() {
    let org = org();
    org.register_stacksets_admin("admin");
    let t = Test::as_account(&org, "admin").config(&as_delegated_admin(&org));
    // Only the management account can activate trusted access.
    let plan = t
        .run(&["plan", "--detailed-exitcode"])
        .code(1)
        .stdout_has("trusted access with AWS Organizations is DISABLED, and only the management account can activate it")
        .stdout_has("aws cloudformation activate-organizations-access");
    assert!(plan.write_calls().is_empty(), "{:?}", plan.write_calls());

    org.activate_trusted_access();
    t.run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has("# stack set radiant-aws-api-access (as delegated administrator)");
    let (trust, _) = org.iam("payments").role("radiant-aws-api-access-role").expect("payments has the role");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        crate::support::EXTERNAL_ID
    );
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["destroy", "--auto-approve"]).code(0);
    assert!(org.iam("payments").role("radiant-aws-api-access-role").is_none(), "payments kept the role");
}
