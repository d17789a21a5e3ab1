//! Reports on the deployed result: verify, accounts, graph.

use std::path::Path;

use miette::IntoDiagnostic;

use super::{Context, Exit, Format, GraphFormat};
use crate::cloud::aws::AwsCloud;
use crate::plan::PlanOptions;
use crate::render::{accounts_csv, graph_dot, graph_mermaid, verify_json, verify_table};
use crate::saved_plan::SavedPlan;
use crate::verify::{verify as check, AccountCheck};

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
        print!("{}", accounts_csv(&checks, organization.as_ref()).into_diagnostic()?);
        return Ok(Exit::Success);
    }
    match format {
        Format::Json => println!("{:#}", verify_json(&checks)),
        Format::Text | Format::Markdown => print!("{}", verify_table(&checks, format == Format::Markdown)),
    }
    Ok(if all_ok { Exit::Success } else { Exit::Failure })
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
