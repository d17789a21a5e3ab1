//! verify, accounts and graph: reports on the deployed result.

use serde_json::Value;

use crate::support::{radiant_config, Org, Test};

const ROLE: &str = "radiant-aws-api-access-role";

#[test]
fn verify_passes_after_apply_and_names_the_tampered_account_after() {
    let org = Org::builder().account("a", "Team").account("b", "Team").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Team"))));
    t.run(&["verify"]).code(1).stdout_has("PROBLEM");
    t.run(&["apply", "--auto-approve"]).code(0);

    let ok = t.run(&["verify"]).code(0).stdout_has("2 account(s) checked, 0 with problems.");
    // moto does not implement iam:SimulatePrincipalPolicy: the permissions are reported unchecked.
    assert!(ok.stdout.contains("not checked"), "{}", ok.stdout);

    org.iam("b").detach(ROLE, "radiant-aws-api-access-policy");
    let failed = t.run(&["verify"]).code(1).stdout_has("1 with problems.");
    let b_row = failed.stdout.lines().find(|l| l.starts_with(org.id("b"))).expect("a row for b").to_owned();
    assert!(b_row.contains("PROBLEM") && b_row.contains("detached outside orgrole"), "{b_row}");
    let a_row = failed.stdout.lines().find(|l| l.starts_with(org.id("a"))).expect("a row for a").to_owned();
    assert!(a_row.contains(" ok "), "{a_row}");

    let json: Value = serde_json::from_str(&t.run(&["verify", "--format", "json"]).code(1).stdout).unwrap();
    assert_eq!(json["ok"], false);
    let accounts = json["accounts"].as_array().unwrap();
    let b = accounts.iter().find(|a| a["account"] == org.id("b")).unwrap();
    assert_eq!(b["problems"].as_array().unwrap().len(), 1);
}

#[test]
fn the_accounts_csv_marks_verified_accounts_and_round_trips_through_accounts_csv() {
    let org = Org::builder().account("a", "Team").account("b", "Team").suspended("gone", "Team").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Team"))));
    t.run(&["apply", "--auto-approve"]).code(0);
    org.iam("b").delete_role(ROLE);

    let csv = t.run(&["accounts", "--format", "csv"]).code(0).stdout;
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("Account ID,ARN,Email,Name,State,Joined method,Joined timestamp,Verified"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.starts_with(org.id(name)))
            .copied()
            .unwrap_or_else(|| panic!("no row for {name}: {csv}"))
    };
    assert!(row("a").ends_with(",ACTIVE,CREATED,") || row("a").contains(",a,ACTIVE,"), "{}", row("a"));
    assert!(row("a").ends_with(",yes"), "{}", row("a"));
    assert!(row("b").ends_with(",no"), "{}", row("b"));

    // The file goes back into a configuration as the account list.
    let t = t.file("accounts.csv", &csv).config(&radiant_config(r#"accounts-csv "accounts.csv""#));
    t.run(&["plan"])
        .code(0)
        .stdout_has("Plan: 2 to add, 0 to change, 0 to destroy.")
        .stdout_lacks("no longer in the configuration");
}

#[test]
fn graph_shows_attachments_waiting_for_their_role_and_policy() {
    let org = Org::builder().account("a", "").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{}""#, org.id("a"))));
    let dot = t.run(&["graph"]).code(0).stdout;
    assert!(dot.starts_with("digraph orgrole {"), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 2, "{dot}");
    t.run(&["plan", "--out", "p.bin"]).code(0);
    let mermaid = t.run(&["graph", "p.bin", "--format", "mermaid"]).code(0).stdout;
    assert!(mermaid.starts_with("flowchart LR") && mermaid.matches(" --> ").count() == 2, "{mermaid}");
}
