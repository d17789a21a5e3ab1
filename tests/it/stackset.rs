//! StackSet mode on the emulator: trusted access activated, create, a no-op
//! plan, an OU removed, and destroy, with the role really made in the member
//! accounts by moto, patched where AWS's behaviour is documented
//! (tests/it/support/moto_stacksets.py, docs/moto-stacksets.md): OUs reached
//! at every depth, never the management account, trusted access, CallAs
//! checked, operations that run for a few polls. What moto still does not
//! show is in the sim tests (src/apply/stackset_tests.rs).

use serde_json::json;

use crate::support::{stackset_config, Org, Test, EXTERNAL_ID, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";

fn org() -> Org {
    Org::builder()
        .account("audit", "Security")
        .account("payments", "Workloads/Prod")
        .account("sandbox", "Workloads")
        .account("lab", "Research")
        .seed()
}

/// The guide's role, with its policy attached, made by the stack set's template.
fn assert_has_role(org: &Org, name: &str) {
    let iam = org.iam(name);
    let (trust, _) = iam.role(ROLE).unwrap_or_else(|| panic!("{name} has no role"));
    assert_eq!(trust["Statement"][0]["Principal"]["AWS"], json!(VENDOR), "{name}");
    assert_eq!(trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], json!(EXTERNAL_ID));
    assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)], "{name}");
}

#[test]
fn an_ou_targeted_stack_set_deploys_the_role_plans_nothing_more_and_destroy_removes_it_all() {
    let org = org();
    let targets = format!(r#"ou "{}" "{}""#, org.ou("Security"), org.ou("Workloads"));
    let t = Test::new(&org).config(&stackset_config(&targets, true));
    t.run(&["validate"]).code(0);

    // A new organization: CloudFormation's trusted access with Organizations is off.
    assert_eq!(org.trusted_access(), "DISABLED");
    let plan = t
        .run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("# stack set radiant-aws-api-access")
        .stdout_has("+ activating trusted access between CloudFormation StackSets and AWS Organizations")
        .stdout_has("trusted access is DISABLED: CreateStackSet is refused without it")
        .stdout_has("+ creating the stack set")
        .stdout_has("+ 3 accounts in us-east-1: no instance → new instance: ")
        .stdout_has(&format!("{} (payments)", org.id("payments")))
        .stdout_has(&format!("# account {}", org.management))
        // The activation, the stack set's two steps, and the management account's policy, role and attachment.
        .stdout_has("Plan: 6 to add, 0 to change, 0 to destroy.");
    assert!(plan.write_calls().is_empty(), "plan wrote: {:?}", plan.write_calls());
    t.run(&["plan", "--format", "markdown"])
        .code(0)
        .stdout_has("activating trusted access between CloudFormation StackSets and AWS Organizations");
    t.run(&["plan", "--format", "json"])
        .code(0)
        .stdout_has("\"action\": \"activate_trusted_access\"")
        .stdout_has("\"trusted_access\": \"DISABLED\"");
    t.run(&["graph"])
        .code(0)
        .stdout_has("s0 [label=\"+ stackset/radiant-aws-api-access: Activating trusted access between CloudFormation StackSets and AWS Organizations\"];")
        .stdout_has("s1 [label=\"+ stackset/radiant-aws-api-access: Creating the stack set\"];")
        .stdout_has("s0 -> s1;");

    let apply = t
        .run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has("stackset/radiant-aws-api-access: Activating trusted access between CloudFormation StackSets and AWS Organizations: complete")
        .stdout_has("stackset/radiant-aws-api-access: Adding instances in")
        .stdout_has("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");
    let activations =
        apply.write_calls().iter().filter(|c| c.contains("ActivateOrganizationsAccess")).count();
    assert_eq!(activations, 1);
    assert_eq!(org.trusted_access(), "ENABLED");
    for name in ["audit", "payments", "sandbox", "management"] {
        assert_has_role(&org, name);
    }
    assert!(org.iam("lab").role(ROLE).is_none(), "lab is in no targeted OU");

    let again = t.run(&["plan", "--detailed-exitcode"]).code(0).stdout_has("No changes.");
    assert!(again.write_calls().is_empty());
    t.run(&["state", "list"])
        .code(0)
        .stdout_has("stackset/radiant-aws-api-access\n")
        .stdout_has(&format!("stackset/radiant-aws-api-access/instances/{}/us-east-1", org.ou("Workloads")));
    // verify checks the accounts the stack set reaches too.
    t.run(&["verify"])
        .code(0)
        .stdout_has(&format!("{}  payments", org.id("payments")))
        .stdout_has("4 account(s) checked, 0 with problems.");

    t.run(&["destroy", "--auto-approve"])
        .code(0)
        .stdout_has("trusted access between CloudFormation StackSets and AWS Organizations stays on")
        .stdout_has("stackset/radiant-aws-api-access: Deleting the stack set: complete")
        .stdout_has("Destroy complete! Resources: 0 added, 0 changed, 5 destroyed.");
    assert_eq!(org.trusted_access(), "ENABLED", "destroy left trusted access on");
    for name in ["audit", "payments", "sandbox", "management"] {
        assert!(org.iam(name).role(ROLE).is_none(), "{name} kept the role");
        assert!(org.iam(name).policy_names().is_empty(), "{name} kept the policy");
    }
    t.run(&["plan", "--destroy", "--detailed-exitcode"]).code(0);
}

#[test]
fn an_organization_wide_stack_set_reaches_every_depth_but_the_management_account_and_an_ou_dropped_later_loses_its_instances(
) {
    // AWS: the root reaches every ACTIVE member at any depth (OUs nest five
    // levels), never the management account (it gets a direct role), and
    // skips suspended accounts.
    let org = Org::builder()
        .account("audit", "Security")
        .account("sandbox", "Workloads")
        .account("lab", "Research")
        .account("deep3", "Research/Teams/Genomics")
        .account("deep5", "Research/Teams/Genomics/Lab/Bench")
        .suspended("closed", "Research/Teams")
        .seed();
    let t = Test::new(&org).config(&stackset_config("organization", true));
    let events =
        t.run(&["apply", "--auto-approve", "--json"]).code(0).stdout_has("\"stackset_step_completed\"");
    assert!(!events.stdout.contains(EXTERNAL_ID), "the external ID is in the events:\n{}", events.stdout);
    let state = std::fs::read_to_string(t.path("state/orgrole.state.json")).unwrap();
    assert!(!state.contains(EXTERNAL_ID), "the external ID is in the state:\n{state}");
    for name in ["audit", "sandbox", "lab", "deep3", "deep5", "management"] {
        assert_has_role(&org, name);
    }
    let instances = org.stack_instance_accounts("radiant-aws-api-access");
    assert!(!instances.contains(&org.management), "the management account got an instance: {instances:?}");
    assert!(!instances.iter().any(|a| a == org.id("closed")), "the suspended account got an instance");
    assert_eq!(instances.len(), 5, "{instances:?}");
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["destroy", "--auto-approve"]).code(0);
    for name in ["lab", "deep5", "management"] {
        assert!(org.iam(name).role(ROLE).is_none(), "{name} kept the role");
    }

    let both = format!(r#"ou "{}" "{}""#, org.ou("Security"), org.ou("Research"));
    let t = t.config(&stackset_config(&both, false));
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_has_role(&org, "lab");

    let t = t.config(&stackset_config(&format!(r#"ou "{}""#, org.ou("Security")), false));
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has(&format!("- deleting instances in {} × us-east-1 (3 accounts)", org.ou("Research")))
        .stdout_has("(no longer in the configuration)");
    t.run(&["apply", "--auto-approve"]).code(0);
    for name in ["lab", "deep3", "deep5"] {
        assert!(org.iam(name).role(ROLE).is_none(), "{name} kept the role");
    }
    assert_has_role(&org, "audit");
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn direct_and_stackset_covering_the_same_account_is_an_error_naming_it() {
    let org = org();
    let mut text = stackset_config(&format!(r#"ou "{}""#, org.ou("Security")), false);
    text += &format!("direct {{ accounts \"{}\"; }}\n", org.id("audit"));
    let t = Test::new(&org).config(&text);
    t.run(&["plan"]).code(1).stderr_has(&format!(
        "account {} (audit) is covered by both `direct` and `stackset`",
        org.id("audit")
    ));
}
