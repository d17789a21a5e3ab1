//! StackSet mode on the emulator: create, a no-op plan, an OU removed, and
//! destroy, with the role really made in the member accounts by moto.
//!
//! What moto shows (docs/moto-stacksets.md): it reaches an OU and its child
//! OUs only (not grandchildren), deploys to the management account and to
//! suspended accounts when their OU is targeted, and ends every operation at
//! once. The organizations here are shaped so that what AWS would do and
//! what moto does agree; the rest is in the sim tests (src/apply/stackset_tests.rs).

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

    let plan = t
        .run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("# stack set radiant-aws-api-access")
        .stdout_has("+ creating the stack set")
        .stdout_has(&format!("{} (payments) us-east-1: no instance → new instance", org.id("payments")))
        .stdout_has(&format!("# account {}", org.management))
        // The stack set's two steps and the management account's policy, role and attachment.
        .stdout_has("Plan: 5 to add, 0 to change, 0 to destroy.");
    assert!(plan.write_calls().is_empty(), "plan wrote: {:?}", plan.write_calls());
    t.run(&["graph"])
        .code(0)
        .stdout_has("s0 [label=\"+ stackset/radiant-aws-api-access: Creating the stack set\"];")
        .stdout_has("s0 -> s1;");

    t.run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has("stackset/radiant-aws-api-access: Adding instances in")
        .stdout_has("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.");
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
        .stdout_has("stackset/radiant-aws-api-access: Deleting the stack set: complete")
        .stdout_has("Destroy complete! Resources: 0 added, 0 changed, 5 destroyed.");
    for name in ["audit", "payments", "sandbox", "management"] {
        assert!(org.iam(name).role(ROLE).is_none(), "{name} kept the role");
        assert!(org.iam(name).policy_names().is_empty(), "{name} kept the policy");
    }
    t.run(&["plan", "--destroy", "--detailed-exitcode"]).code(0);
}

#[test]
fn an_organization_wide_stack_set_reaches_the_members_and_an_ou_dropped_later_loses_its_instances() {
    // One level of OUs: moto reaches the root's child OUs but not their
    // children (AWS reaches every depth; the sim tests show that).
    let org = Org::builder()
        .account("audit", "Security")
        .account("sandbox", "Workloads")
        .account("lab", "Research")
        .seed();
    // moto also deploys to the management account when the root is targeted
    // (AWS never does), so the management account gets no direct role here.
    let t = Test::new(&org).config(&stackset_config("organization", false));
    let events =
        t.run(&["apply", "--auto-approve", "--json"]).code(0).stdout_has("\"stackset_step_completed\"");
    assert!(!events.stdout.contains(EXTERNAL_ID), "the external ID is in the events:\n{}", events.stdout);
    let state = std::fs::read_to_string(t.path("state/orgrole.state.json")).unwrap();
    assert!(!state.contains(EXTERNAL_ID), "the external ID is in the state:\n{state}");
    for name in ["audit", "sandbox", "lab"] {
        assert_has_role(&org, name);
    }
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["destroy", "--auto-approve"]).code(0);
    assert!(org.iam("lab").role(ROLE).is_none(), "lab kept the role");

    let both = format!(r#"ou "{}" "{}""#, org.ou("Security"), org.ou("Research"));
    let t = t.config(&stackset_config(&both, false));
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_has_role(&org, "lab");

    let t = t.config(&stackset_config(&format!(r#"ou "{}""#, org.ou("Security")), false));
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has(&format!("- deleting instances in {} × us-east-1 (1 account)", org.ou("Research")))
        .stdout_has("(no longer in the configuration)");
    t.run(&["apply", "--auto-approve"]).code(0);
    assert!(org.iam("lab").role(ROLE).is_none(), "lab kept the role");
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
