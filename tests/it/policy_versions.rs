//! A changed permissions policy becomes a new default version; at IAM's limit
//! of five versions the oldest non-default one makes room.

use serde_json::json;

use crate::support::{Org, Test, VENDOR};

const POLICY: &str = "radiant-aws-api-access-policy";

fn config(account: &str) -> String {
    format!(
        r#"credential "c" {{ external-id "ext-id-1234"; }}
role "radiant-aws-api-access-role" {{
    trust "{VENDOR}"
    policy "{POLICY}" file="policy.json"
}}
direct {{ accounts "{account}"; }}
"#
    )
}

fn policy(actions: &[&str]) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
        .to_string()
}

#[test]
fn a_policy_at_five_versions_is_pruned_before_the_update() {
    let org = Org::builder().account("a", "").seed();
    let id = org.id("a").to_owned();
    let t = Test::new(&org).config(&config(&id)).file("policy.json", &policy(&["s3:GetObject"]));
    t.run(&["apply", "--auto-approve"]).code(0);
    let iam = org.iam("a");
    for i in 0..4 {
        iam.new_policy_version(POLICY, &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": format!("s3:Get{i}"), "Resource": "*"}]}), false);
    }
    assert_eq!(iam.policy_version_count(POLICY), 5);

    let t = t.file("policy.json", &policy(&["s3:GetObject", "s3:ListBucket"]));
    t.run(&["plan"]).code(0).stdout_has("+ action s3:ListBucket");
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_eq!(iam.policy_version_count(POLICY), 5);
    let document = iam.policy_document(POLICY).unwrap();
    assert_eq!(document["Statement"][0]["Action"], json!(["s3:GetObject", "s3:ListBucket"]));
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}
