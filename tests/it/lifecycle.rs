//! The main story: a first apply across an organization with nested OUs, a
//! no-op second plan, and destroy leaving nothing of orgrole's behind.

use serde_json::json;

use crate::support::{radiant_config, Org, Test, EXTERNAL_ID, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";

fn nested_org() -> Org {
    Org::builder()
        .account("audit", "Security")
        .account("payments", "Workloads/Prod/EU")
        .account("web", "Workloads/Prod")
        .account("sandbox", "Workloads/Dev")
        .suspended("retired", "Workloads")
        .seed()
}

#[test]
fn apply_gives_every_active_target_the_guides_role_then_plans_nothing_then_destroy_removes_it() {
    let org = nested_org();
    let sandbox = org.id("sandbox").to_owned();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"organization; exclude "{sandbox}""#)));

    let plan = t
        .run(&["plan", "--detailed-exitcode"])
        .code(2)
        // management, audit, payments, web: a policy, a role and an attachment each.
        .stdout_has("Plan: 12 to add, 0 to change, 0 to destroy.")
        .stdout_has(&format!("{sandbox} (sandbox): excluded by the configuration"))
        .stdout_has(&format!("{} (retired): account is SUSPENDED", org.id("retired")))
        // The four get the same: shown once, each named.
        .stdout_has("# 3 to add in each of 4 accounts")
        .stdout_has(&format!("{} (payments)", org.id("payments")));
    assert!(plan.write_calls().is_empty(), "plan wrote: {:?}", plan.write_calls());

    t.run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has("Apply complete! Resources: 12 added, 0 changed, 0 destroyed.");

    for name in ["management", "audit", "payments", "web"] {
        let iam = org.iam(name);
        let (trust, tags) = iam.role(ROLE).unwrap_or_else(|| panic!("{name} has no role"));
        assert_eq!(trust["Statement"][0]["Principal"]["AWS"], json!(VENDOR), "{name}");
        assert_eq!(trust["Statement"][0]["Action"], json!("sts:AssumeRole"));
        assert_eq!(trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], json!(EXTERNAL_ID));
        assert_eq!(tags.get("managed-by").map(String::as_str), Some("orgrole"));
        assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)], "{name}");
        let document = iam.policy_document(POLICY).expect("the policy");
        let actions: usize = document["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Action"].as_array().unwrap().len())
            .sum();
        assert_eq!(actions, 66, "{name}");
    }
    for untouched in ["sandbox", "retired"] {
        assert!(org.iam(untouched).role(ROLE).is_none(), "{untouched} got the role");
    }
    assert_eq!(t.state_json()["resources"].as_array().unwrap().len(), 12);

    let noop = t.run(&["plan", "--detailed-exitcode"]).code(0).stdout_has("No changes.");
    // Per account: GetRole, ListAttachedRolePolicies, GetPolicy, GetPolicyVersion
    // (+ AssumeRole in members); plus STS and the organization walk.
    assert!(noop.api_calls() < 4 * 5 + 3 + 20, "{} calls", noop.api_calls());
    let apply = t.run(&["apply", "--auto-approve"]).code(0);
    assert!(apply.write_calls().is_empty(), "a no-op apply wrote: {:?}", apply.write_calls());

    // Unrelated roles stay: the access role moto's CreateAccount made, and one of the user's.
    org.iam("web").create_role("their-own-role", &json!({"Version": "2012-10-17", "Statement": []}));
    t.run(&["destroy", "--auto-approve"])
        .code(0)
        .stdout_has("Destroy complete! Resources: 0 added, 0 changed, 12 destroyed.");
    for name in ["management", "audit", "payments", "web"] {
        let iam = org.iam(name);
        assert!(iam.role(ROLE).is_none(), "{name} still has the role");
        assert!(!iam.policy_names().contains(&POLICY.to_owned()), "{name} still has the policy");
    }
    let web_roles = org.iam("web").role_names();
    assert!(
        web_roles.contains(&"their-own-role".to_owned())
            && web_roles.contains(&"OrganizationAccountAccessRole".to_owned())
    );
    assert_eq!(t.state_json()["resources"].as_array().unwrap().len(), 0);
    t.run(&["plan", "--detailed-exitcode"]).code(2);
}

#[test]
fn an_ou_target_reaches_accounts_in_nested_ous_only() {
    let org = nested_org();
    let prod = org.ou("Workloads/Prod").to_owned();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{prod}""#)));
    t.run(&["apply", "--auto-approve"]).code(0).stdout_has("6 added");
    assert!(org.iam("payments").role(ROLE).is_some());
    assert!(org.iam("web").role(ROLE).is_some());
    assert!(org.iam("audit").role(ROLE).is_none());
}

#[test]
fn a_changed_external_id_is_rolled_out_to_every_account() {
    let org = Org::builder().account("a", "Team").account("b", "Team").seed();
    let (a, b) = (org.id("a").to_owned(), org.id("b").to_owned());
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{a}" "{b}""#)));
    t.run(&["apply", "--auto-approve"]).code(0);

    let t = t.env("RS_CREDENTIAL_ID", "rotated-external-id-0002");
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("~ external ID (value hidden)")
        .stdout_has("Plan: 0 to add, 2 to change, 0 to destroy.")
        .stdout_lacks("rotated-external-id-0002");
    t.run(&["apply", "--auto-approve"]).code(0);
    for name in ["a", "b"] {
        let (trust, _) = org.iam(name).role(ROLE).unwrap();
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
            json!("rotated-external-id-0002")
        );
    }
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn an_account_leaving_the_configuration_loses_the_role() {
    let org = Org::builder().account("a", "").account("b", "").seed();
    let (a, b) = (org.id("a").to_owned(), org.id("b").to_owned());
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{a}" "{b}""#)));
    t.run(&["apply", "--auto-approve"]).code(0);
    let t = t.config(&radiant_config(&format!(r#"accounts "{a}""#)));
    t.run(&["plan"])
        .code(0)
        .stdout_has("Plan: 0 to add, 0 to change, 3 to destroy.")
        .stdout_has("no longer in the configuration");
    t.run(&["apply", "--auto-approve"]).code(0);
    assert!(org.iam("b").role(ROLE).is_none());
    assert!(org.iam("a").role(ROLE).is_some());
}

#[test]
fn apply_without_a_terminal_or_auto_approve_refuses_and_changes_nothing() {
    let org = Org::builder().account("a", "").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{}""#, org.id("a"))));
    t.run(&["apply"]).code(1).stderr_has("--auto-approve");
    assert!(org.iam("a").role(ROLE).is_none());
}
