//! `orgrole status`: the organization as a tree, each account's coverage,
//! and an exit code that says whether every target is in sync.

use serde_json::Value;

use crate::support::{radiant_config, Org, Test};

const ROLE: &str = "radiant-aws-api-access-role";

/// Every account of a status JSON's tree, at any depth.
fn accounts(unit: &Value) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = unit["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap().to_owned(), a["coverage"].as_str().unwrap().to_owned()))
        .collect();
    for u in unit["units"].as_array().unwrap() {
        all.extend(accounts(u));
    }
    all
}

#[test]
fn status_shows_every_account_in_its_ou_with_its_coverage_and_exits_1_until_every_target_is_in_sync() {
    let org = Org::builder()
        .account("a", "Team")
        .account("b", "Team/Prod")
        .account("c", "Sandbox")
        .suspended("gone", "Team")
        .seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Team"))));
    let line = |run: &crate::support::Run, name: &str| {
        let id = org.id(name);
        run.stdout
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("no line for {name}:\n{}", run.stdout))
            .to_owned()
    };

    let before = t.run(&["status"]).code(1);
    assert!(line(&before, "a").contains("+ ") && line(&before, "a").contains("missing"), "{}", before.stdout);
    t.run(&["apply", "--auto-approve"]).code(0);

    let synced = t.run(&["status"]).code(0).stdout_has("Team (").stdout_has("Prod (");
    assert!(line(&synced, "a").contains("✓") && line(&synced, "a").contains("in sync"), "{}", synced.stdout);
    assert!(line(&synced, "b").starts_with("      "), "b is shown below Team/Prod:\n{}", synced.stdout);
    assert!(line(&synced, "c").contains("not targeted"), "{}", synced.stdout);
    assert!(line(&synced, "gone").contains("account is"), "{}", synced.stdout);

    // Someone detaches the policy by hand in one account, and gives the role
    // more in another: each is named with what changed.
    org.iam("b").detach(ROLE, "radiant-aws-api-access-policy");
    let backdoor = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    org.iam("a").put_inline(ROLE, "backdoor", &backdoor);
    let drifted = t.run(&["status"]).code(1);
    assert!(
        line(&drifted, "b").contains("~ ") && line(&drifted, "b").contains("drifted: attachment"),
        "{}",
        drifted.stdout
    );
    assert!(
        line(&drifted, "a").contains("inline policy backdoor, not in the configuration (allows s3:*)"),
        "{}",
        drifted.stdout
    );

    let json: Value = serde_json::from_str(&t.run(&["status", "--format", "json"]).code(1).stdout).unwrap();
    assert_eq!(json["in_sync"], false);
    let mut listed = accounts(&json["root"]);
    listed.sort();
    let mut expected: Vec<String> = org.accounts.values().cloned().chain([org.management.clone()]).collect();
    expected.sort();
    assert_eq!(listed.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), expected, "every account, once");
    assert!(listed.contains(&(org.id("b").to_owned(), "drifted".to_owned())));

    t.run(&["status", "--format", "markdown"]).code(1).stdout_has("<details open><summary>Root");
    t.run(&["status", "--format", "mermaid"]).code(1).stdout_has("flowchart TD").stdout_has(":::drifted");
}

#[test]
fn a_plan_of_many_accounts_shows_their_common_changes_once_and_each_drifted_account_on_its_own() {
    let mut builder = Org::builder();
    let names: Vec<String> = (0..14).map(|i| format!("m{i}")).collect();
    for name in &names {
        builder = builder.account(name, "Fleet");
    }
    let org = builder.seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Fleet"))));
    t.run(&["plan"])
        .code(0)
        .stdout_has("# 3 to add in each of 14 accounts")
        .stdout_has("and 4 more (every account is in the JSON plan")
        .stdout_has("Plan: 42 to add, 0 to change, 0 to destroy.");
    t.run(&["apply", "--auto-approve"]).code(0);
    org.iam("m3").detach(ROLE, "radiant-aws-api-access-policy");
    org.iam("m7").delete_role(ROLE);
    let text = t.run(&["plan"]).code(0).stdout;
    let markdown = t.run(&["plan", "--format", "markdown"]).code(0).stdout;
    for name in ["m3", "m7"] {
        assert!(text.contains(&format!("# account {}", org.id(name))), "{name}:\n{text}");
        assert!(markdown.contains(&format!("<code>{}</code>", org.id(name))), "{name}:\n{markdown}");
    }
}
