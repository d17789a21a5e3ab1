//! A role of the configured name that orgrole did not create is a conflict
//! until the user takes it over with --adopt.

use serde_json::json;

use crate::support::{radiant_config, Org, Test, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";

#[test]
fn an_untagged_role_is_a_conflict_until_adopted() {
    let org = Org::builder().account("hand-made", "").seed();
    let id = org.id("hand-made").to_owned();
    let iam = org.iam("hand-made");
    iam.create_role(
        ROLE,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}]}),
    );
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{id}""#)));

    t.run(&["plan", "--detailed-exitcode"])
        .code(1)
        .stdout_has(&format!("account/{id}/role/{ROLE} exists"))
        .stdout_has("orgrole apply --adopt");
    t.run(&["apply", "--auto-approve"]).code(1).stderr_has("resolve the conflicts");
    assert!(iam.role(ROLE).unwrap().1.is_empty(), "apply touched the role despite the conflict");

    t.run(&["plan", "--adopt"]).code(0).stdout_has("adopting").stdout_has("~ external ID (value hidden)");
    t.run(&["apply", "--adopt", "--auto-approve"]).code(0);
    let (trust, tags) = iam.role(ROLE).unwrap();
    assert_eq!(tags.get("managed-by").map(String::as_str), Some("orgrole"));
    assert!(trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"].is_string());
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}
