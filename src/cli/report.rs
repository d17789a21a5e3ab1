//! Reports on the deployed result: verify, accounts, graph.

use std::collections::HashMap;
use std::path::Path;

use miette::IntoDiagnostic;
use serde_json::json;

use super::{Context, Exit, Format, GraphFormat};
use crate::cloud::aws::AwsCloud;
use crate::cloud::Organization;
use crate::plan::PlanOptions;
use crate::render::{graph_dot, graph_mermaid};
use crate::saved_plan::SavedPlan;
use crate::verify::{verify as check, AccountCheck, Permissions};

/// `verify`, or with `csv` the `accounts` list marked with the verdicts.
pub fn verify(cx: &Context, format: Format, csv: bool) -> miette::Result<Exit> {
    let desired = cx.config()?;
    let (checks, organization) = cx.runtime()?.block_on(async {
        let cloud = AwsCloud::from_env().await;
        let state = cx.load_state(&desired, &cloud).await?;
        let (observed, plan) = cx.observe_and_plan(&cloud, &desired, &state, PlanOptions::default()).await?;
        let checks = check(&cloud, &desired, &observed, &plan, desired.access_role(), cx.parallelism()).await;
        Ok::<_, miette::Report>((checks, observed.organization))
    })?;
    let all_ok = checks.iter().all(AccountCheck::ok);
    if csv {
        print!("{}", accounts_csv(&checks, organization.as_ref())?);
        return Ok(Exit::Success);
    }
    match format {
        Format::Json => {
            let report = json!({"format_version": "1.0", "ok": all_ok, "accounts": checks});
            println!("{report:#}");
        }
        Format::Text | Format::Markdown => print!("{}", table(&checks, format == Format::Markdown)),
    }
    Ok(if all_ok { Exit::Success } else { Exit::Failure })
}

fn permissions(p: &Permissions) -> String {
    match p {
        Permissions::Allowed => "all actions allowed".into(),
        Permissions::Denied(actions) => format!("denied: {}", actions.join(", ")),
        Permissions::NotChecked(why) => format!("not checked ({why})"),
    }
}

/// One row per account and problem: account, name, status, problem.
fn table(checks: &[AccountCheck], markdown: bool) -> String {
    let mut rows =
        vec![["ACCOUNT".to_owned(), "NAME".into(), "STATUS".into(), "PROBLEM / PERMISSIONS".into()]];
    for c in checks {
        let status = if c.ok() { "ok" } else { "PROBLEM" };
        let mut details = c.problems.clone();
        details.extend(c.kept.iter().map(|k| format!("kept: {k}")));
        details.push(permissions(&c.permissions));
        for (i, detail) in details.into_iter().enumerate() {
            let (account, name, status) = if i == 0 {
                (c.account.to_string(), c.name.clone(), status.to_owned())
            } else {
                Default::default()
            };
            rows.push([account, name, status, detail]);
        }
    }
    let mut out = String::new();
    if markdown {
        for (i, row) in rows.iter().enumerate() {
            out += &format!("| {} |\n", row.join(" | "));
            if i == 0 {
                out += "|---|---|---|---|\n";
            }
        }
    } else {
        let width = |col: usize| rows.iter().map(|r| r[col].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        for row in &rows {
            out += format!("{:w0$}  {:w1$}  {:w2$}  {}", row[0], row[1], row[2], row[3]).trim_end();
            out.push('\n');
        }
    }
    let problems = checks.iter().filter(|c| !c.ok()).count();
    out += &format!("\n{} account(s) checked, {problems} with problems.\n", checks.len());
    out
}

/// The Organizations console export's columns, plus `Verified`, so that the
/// file goes to the vendor's credential form and back into `accounts-csv`.
fn accounts_csv(checks: &[AccountCheck], org: Option<&Organization>) -> miette::Result<String> {
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
    ])
    .into_diagnostic()?;
    let members: HashMap<_, _> = org.iter().flat_map(|o| &o.accounts).map(|a| (&a.id, a)).collect();
    for c in checks {
        let member = members.get(&c.account).copied();
        let field = |f: fn(&crate::cloud::OrgAccount) -> &str| member.map_or("", f).to_owned();
        w.write_record([
            c.account.to_string(),
            field(|a| &a.arn),
            field(|a| &a.email),
            c.name.clone(),
            field(|a| a.state.as_str()),
            field(|a| &a.joined_method),
            field(|a| &a.joined),
            if c.ok() { "yes" } else { "no" }.into(),
        ])
        .into_diagnostic()?;
    }
    String::from_utf8(w.into_inner().into_diagnostic()?).into_diagnostic()
}

pub fn graph(cx: &Context, saved: Option<&Path>, format: GraphFormat) -> miette::Result<Exit> {
    let plan = match saved {
        Some(path) => SavedPlan::read(path).into_diagnostic()?.plan,
        None => {
            let desired = cx.config()?;
            cx.runtime()?
                .block_on(async {
                    let cloud = AwsCloud::from_env().await;
                    let state = cx.load_state(&desired, &cloud).await?;
                    cx.observe_and_plan(&cloud, &desired, &state, PlanOptions::default()).await
                })?
                .1
        }
    };
    print!("{}", if format == GraphFormat::Dot { graph_dot(&plan) } else { graph_mermaid(&plan) });
    Ok(Exit::Success)
}
