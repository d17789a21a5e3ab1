//! The policy checked against IAM's own reference: an unknown action stops
//! everything at its line; what IAM would not grant as written is shown by
//! validate and verify, and counted by plan.

use crate::support::{radiant_config, Org, Test};

const MISSPELT: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "iam:GetRoles"], "Resource": "*"}
  ]
}
"#;

#[test]
fn a_misspelt_action_in_a_policy_file_is_an_error_at_its_line() {
    let config = radiant_config(r#"accounts "111111111111""#)
        .replace(r#"preset="radiant""#, r#"file="policies/read.json""#);
    let t = Test::without_aws().config(&config);
    std::fs::create_dir(t.path("policies")).unwrap();
    let t = t.file("policies/read.json", MISSPELT);
    let run = t.run(&["validate"]).code(1);
    assert!(
        run.stderr.contains("`iam:GetRoles` is not an IAM action (policies/read.json:4:67)"),
        "{}",
        run.stderr
    );
    t.run(&["plan"]).code(1);
    assert_eq!(t.run(&["plan"]).api_calls(), 0, "refused before any AWS call");
}

#[test]
fn the_guides_policy_validates_with_its_warnings_which_a_plan_only_counts() {
    let t = Test::without_aws().config(&radiant_config(r#"accounts "111111111111""#));
    let run = t.run(&["validate"]).code(0);
    assert!(run.stderr.contains("IAM matches them only against \"*\""), "{}", run.stderr);
    assert!(run.stderr.contains("iam:ListRoles"), "{}", run.stderr);

    let org = Org::builder().account("a", "Team").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Team"))));
    let plan = t.run(&["plan"]).code(0);
    assert!(plan.stderr.contains("`orgrole validate` shows them"), "{}", plan.stderr);
    assert!(!plan.stderr.contains("iam:ListRoles"), "a plan does not repeat them:\n{}", plan.stderr);
    let verify = t.run(&["verify"]).code(1);
    assert!(verify.stderr.contains("iam:ListRoles"), "verify shows them:\n{}", verify.stderr);
}
