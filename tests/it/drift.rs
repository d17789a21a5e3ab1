//! Out-of-band changes are found, named by account, and repaired.

use serde_json::json;

use crate::support::{radiant_config, Org, Test, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";

#[test]
fn drift_in_four_accounts_is_detected_named_and_repaired() {
    let org = Org::builder()
        .account("trust", "Drift")
        .account("detached", "Drift")
        .account("edited", "Drift")
        .account("deleted", "Drift")
        .account("clean", "Drift")
        .seed();
    let ou = org.ou("Drift").to_owned();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{ou}""#)));
    t.run(&["apply", "--auto-approve"]).code(0);

    org.iam("trust").set_trust(
        ROLE,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]}),
    );
    org.iam("detached").detach(ROLE, POLICY);
    let edited = json!({"Version": "2012-10-17", "Statement": [{"Sid": "S3Api", "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]});
    org.iam("edited").new_policy_version(POLICY, &edited, true);
    org.iam("deleted").delete_role(ROLE);

    let plan = t.run(&["plan", "--detailed-exitcode"]).code(2);
    let section = |name: &str| {
        let header = format!("# account {} ({name})", org.id(name));
        let start =
            plan.stdout.find(&header).unwrap_or_else(|| panic!("no section for {name}:\n{}", plan.stdout));
        let rest = &plan.stdout[start + header.len()..];
        rest[..rest.find("# account").or_else(|| rest.find("Plan:")).unwrap_or(rest.len())].to_owned()
    };
    let trust = section("trust");
    assert!(trust.contains("~ role radiant-aws-api-access-role"), "{trust}");
    assert!(trust.contains(&format!("+ trusted principal {VENDOR}")), "{trust}");
    assert!(trust.contains("- trusted principal arn:aws:iam::999999999999:root"), "{trust}");
    assert!(trust.contains("~ external ID (value hidden)"), "{trust}");
    assert!(section("detached").contains("detached outside orgrole"));
    let edited = section("edited");
    assert!(edited.contains("- action s3:PutObject"), "{edited}");
    assert!(edited.contains("+ action iam:GetRole"), "{edited}");
    assert!(
        section("deleted").contains("+ role radiant-aws-api-access-role  (deleted outside orgrole)"),
        "{}",
        section("deleted")
    );
    assert!(
        !plan.stdout.contains(&format!("({})", "clean")),
        "the clean account has changes:\n{}",
        plan.stdout
    );
    // trust role, edited policy; detached and deleted: an attachment each, and the role.
    assert!(plan.stdout.contains("Plan: 3 to add, 2 to change, 0 to destroy."), "{}", plan.stdout);

    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    for name in ["trust", "detached", "edited", "deleted"] {
        let iam = org.iam(name);
        assert_eq!(iam.role(ROLE).unwrap().0["Statement"][0]["Principal"]["AWS"], json!(VENDOR), "{name}");
        assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)], "{name}");
    }
}
