//! Plans as reviewable artifacts: saved, shown, applied exactly, or refused
//! when the world moved since.

use serde_json::{json, Value};

use crate::support::{radiant_config, Org, Test, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";

fn two_accounts() -> (Org, Test) {
    let org = Org::builder().account("a", "").account("b", "").seed();
    let config = radiant_config(&format!(r#"accounts "{}" "{}""#, org.id("a"), org.id("b")));
    let t = Test::new(&org).config(&config);
    (org, t)
}

#[test]
fn a_saved_plan_applies_exactly_without_a_prompt_and_the_next_plan_is_empty() {
    let (org, t) = two_accounts();
    t.run(&["plan", "--out", "plan.bin"]).code(0).stdout_has("Saved the plan to plan.bin");
    let text = std::fs::read_to_string(t.path("plan.bin")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.path("plan.bin")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secret = t.env_value("AWS_SECRET_ACCESS_KEY");
    let token = t.env_value("AWS_SESSION_TOKEN");
    assert!(!text.contains(&secret) && !text.contains(&token), "the saved plan holds credentials");

    t.run(&["show", "plan.bin"]).code(0).stdout_has("Plan: 6 to add, 0 to change, 0 to destroy.");
    t.run(&["apply", "plan.bin"]).code(0).stdout_has("Apply complete! Resources: 6 added");
    assert!(org.iam("a").role(ROLE).is_some() && org.iam("b").role(ROLE).is_some());
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn a_saved_plan_is_refused_after_another_apply() {
    let (_, t) = two_accounts();
    t.run(&["plan", "--out", "plan.bin"]).code(0);
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["apply", "plan.bin"])
        .code(1)
        .stderr_has("the state was written since the plan was made")
        .stderr_has("nothing was changed");
}

#[test]
fn a_saved_plan_is_refused_after_a_configuration_edit() {
    let (org, t) = two_accounts();
    t.run(&["plan", "--out", "plan.bin"]).code(0);
    let t = t.env("RS_CREDENTIAL_ID", "another-external-id");
    t.run(&["apply", "plan.bin"]).code(1).stderr_has("the configuration changed since the plan was made");
    assert!(org.iam("a").role(ROLE).is_none());
}

#[test]
fn a_saved_plan_is_refused_when_a_role_it_touches_changed_out_of_band() {
    let (org, t) = two_accounts();
    t.run(&["apply", "--auto-approve"]).code(0);
    let t = t.env("RS_CREDENTIAL_ID", "rotated-external-id");
    t.run(&["plan", "--out", "rotate.bin"]).code(0).stdout_has("2 to change");
    org.iam("b").set_trust(
        ROLE,
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole"}]}),
    );
    t.run(&["apply", "rotate.bin"])
        .code(1)
        .stderr_has(&format!("account/{}/role/{ROLE} changed since the plan was made", org.id("b")));
    let (trust, _) = org.iam("a").role(ROLE).unwrap();
    assert_ne!(
        trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        json!("rotated-external-id")
    );
}

#[test]
fn plans_render_as_markdown_and_json_and_apply_reports_json_events() {
    let (org, t) = two_accounts();
    let markdown = t.run(&["plan", "--format", "markdown"]).code(0);
    assert!(
        markdown.stdout.starts_with("## orgrole plan\n\n**Plan: 6 to add, 0 to change, 0 to destroy.**"),
        "{}",
        markdown.stdout
    );
    // Both get the same: one row and one block, each account named.
    assert!(markdown.stdout.contains("| 2 accounts | each | 3 | 0 | 0 | 0 |"), "{}", markdown.stdout);
    assert!(markdown.stdout.contains(&format!("`{}` (a)", org.id("a"))), "{}", markdown.stdout);
    assert!(markdown.stdout.contains("<details><summary>"));

    let json: Value = serde_json::from_str(&t.run(&["plan", "--format", "json"]).code(0).stdout).unwrap();
    assert_eq!(json["format_version"], "1.4");
    assert_eq!(json["summary"]["add"], 6);
    assert_eq!(json["resource_changes"].as_array().unwrap().len(), 6);
    assert_eq!(json["resource_changes"][1]["actions"], json!(["create"]));

    let run = t.run(&["apply", "--auto-approve", "--json"]).code(0);
    let events: Vec<Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"plan"));
    assert_eq!(kinds.iter().filter(|k| **k == "change_started").count(), 6);
    assert_eq!(kinds.iter().filter(|k| **k == "change_completed").count(), 6);
    let summary = events.last().unwrap();
    assert_eq!(
        (summary["type"].as_str(), summary["added"].as_u64(), summary["complete"].as_bool()),
        (Some("summary"), Some(6), Some(true))
    );

    org.iam("a").detach(ROLE, "radiant-aws-api-access-policy");
    let json: Value = serde_json::from_str(&t.run(&["plan", "--format", "json"]).code(0).stdout).unwrap();
    assert_eq!(json["drift"].as_array().unwrap().len(), 1, "{json:#}");
    assert_eq!(
        json["drift"][0]["address"],
        format!("account/{}/attachment/{ROLE}/radiant-aws-api-access-policy", org.id("a"))
    );
}
