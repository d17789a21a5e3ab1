//! `verify`'s verdicts as a table (text or Markdown), JSON, and the
//! `accounts` CSV for the vendor.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::lines::table;
use super::prose::{cloud_error, not_checked};
use super::view::{change_summary, kept_lines};
use crate::cloud::{OrgAccount, Organization};
use crate::verify::{AccountCheck, Permissions, Problem};

/// The verify JSON's format; additions bump the minor part.
pub const VERIFY_FORMAT_VERSION: &str = "1.0";

/// `role NAME: missing`, `stack instance OUTDATED in us-east-1`, ...
pub fn problem_text(problem: &Problem) -> String {
    match problem {
        Problem::Change(change) => change_summary(change),
        Problem::NotOwned(c) => {
            format!("{} {} exists but is not orgrole's", c.address.kind.as_str(), c.address.name)
        }
        Problem::Instance(v) => {
            let what = match &v.found {
                None => "no stack instance".to_owned(),
                Some(found) if !found.is_current() => {
                    let reason = found.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                    format!("stack instance {}{reason}", found.status.as_str())
                }
                Some(_) => "stack instance differs from the configuration".to_owned(),
            };
            format!("{what} in {}", v.region)
        }
        Problem::Unreachable(e) => format!("could not be read: {}", cloud_error(e)),
    }
}

fn permissions_text(p: &Permissions) -> String {
    match p {
        Permissions::Allowed => "all actions allowed".into(),
        Permissions::Denied(actions) => format!("denied: {}", actions.join(", ")),
        Permissions::NotChecked(why) => format!("not checked ({})", not_checked(why)),
    }
}

fn kept(check: &AccountCheck) -> Vec<String> {
    check.kept.iter().flat_map(kept_lines).collect()
}

/// `{"format_version", "ok", "accounts": [...]}`, documented in docs/plan-json.md.
pub fn verify_json(checks: &[AccountCheck]) -> Value {
    let accounts: Vec<Value> = checks
        .iter()
        .map(|c| {
            let permissions = match &c.permissions {
                Permissions::Allowed => json!({"result": "allowed"}),
                Permissions::Denied(actions) => json!({"result": "denied", "detail": actions}),
                Permissions::NotChecked(why) => json!({"result": "not_checked", "detail": not_checked(why)}),
            };
            let mut account = json!({
                "account": c.account,
                "name": c.name,
                "problems": c.problems.iter().map(problem_text).collect::<Vec<_>>(),
                "permissions": permissions,
            });
            let kept = kept(c);
            if !kept.is_empty() {
                account["kept"] = json!(kept);
            }
            account
        })
        .collect();
    json!({"format_version": VERIFY_FORMAT_VERSION, "ok": checks.iter().all(AccountCheck::ok), "accounts": accounts})
}

/// One row per account and problem: account, name, status, problem.
pub fn verify_table(checks: &[AccountCheck], markdown: bool) -> String {
    let mut rows =
        vec![["ACCOUNT".to_owned(), "NAME".into(), "STATUS".into(), "PROBLEM / PERMISSIONS".into()]];
    for c in checks {
        let status = if c.ok() { "ok" } else { "PROBLEM" };
        let mut details: Vec<String> = c.problems.iter().map(problem_text).collect();
        details.extend(kept(c).into_iter().map(|k| format!("kept: {k}")));
        details.push(permissions_text(&c.permissions));
        for (i, detail) in details.into_iter().enumerate() {
            let (account, name, status) = if i == 0 {
                (c.account.to_string(), c.name.clone(), status.to_owned())
            } else {
                Default::default()
            };
            rows.push([account, name, status, detail]);
        }
    }
    let mut out = table(&rows, markdown);
    let problems = checks.iter().filter(|c| !c.ok()).count();
    out += &format!("\n{} account(s) checked, {problems} with problems.\n", checks.len());
    out
}

/// The Organizations console export's columns, plus `Verified`, so that the
/// file goes to the vendor's credential form and back into `accounts-csv`.
pub fn accounts_csv(checks: &[AccountCheck], org: Option<&Organization>) -> std::io::Result<String> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "Account ID",
        "ARN",
        "Email",
        "Name",
        "State",
        "Joined method",
        "Joined timestamp",
        "Verified",
    ])?;
    let members: HashMap<_, _> = org.iter().flat_map(|o| &o.accounts).map(|a| (&a.id, a)).collect();
    for c in checks {
        let member = members.get(&c.account).copied();
        let field = |f: fn(&OrgAccount) -> &str| member.map_or("", f).to_owned();
        w.write_record([
            c.account.to_string(),
            field(|a| &a.arn),
            field(|a| &a.email),
            c.name.clone(),
            field(|a| a.state.as_str()),
            field(|a| &a.joined_method),
            field(|a| &a.joined),
            if c.ok() { "yes" } else { "no" }.into(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}
