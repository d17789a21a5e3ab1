//! Reports on the deployed result: verify, accounts, graph.

use std::path::Path;

use miette::IntoDiagnostic;

use super::{Context, Exit, Format, GraphFormat, StatusFormat};
use crate::cloud::Cloud;
use crate::config::Desired;
use crate::plan::{Plan, PlanOptions};
use crate::render::{
    accounts_csv, graph_dot, graph_mermaid, status_json, status_markdown, status_mermaid, status_text,
    verify_json, verify_table,
};
use crate::saved_plan::SavedPlan;
use crate::verify::{verify as check, AccountCheck};

/// `verify`, or with `csv` the `accounts` list marked with the verdicts.
pub async fn verify<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: &Desired,
    format: Format,
    csv: bool,
) -> miette::Result<Exit> {
    let machine = format == Format::Json || csv;
    let (_, observed, plan) = cx.planned(cloud, desired, PlanOptions::default(), machine).await?;
    let checks = check(cloud, desired, &observed, &plan, desired.access_role(), cx.parallelism()).await;
    let organization = observed.organization;
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

/// The organization's tree and each account's coverage, from what a plan reads.
pub async fn status<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: &Desired,
    format: StatusFormat,
    all: bool,
) -> miette::Result<Exit> {
    let machine = format == StatusFormat::Json;
    let (_, observed, plan) = cx.planned(cloud, desired, PlanOptions::default(), machine).await?;
    let status = crate::status::status(&observed, &plan).ok_or_else(|| {
        miette::miette!(
            help = "run orgrole in the organization's management account or a delegated administrator",
            "status shows the organization, and the caller's account is not in one (or may not read it)"
        )
    })?;
    match format {
        StatusFormat::Text => print!("{}", status_text(&status, all, cx.paint)),
        StatusFormat::Markdown => print!("{}", status_markdown(&status, all)),
        StatusFormat::Json => println!("{:#}", status_json(&status)),
        StatusFormat::Mermaid => print!("{}", status_mermaid(&status, all)),
    }
    Ok(if status.in_sync() { Exit::Success } else { Exit::Failure })
}

/// Whether this run can succeed, account by account, before any change.
pub async fn preflight<C: Cloud>(cx: &Context, cloud: &C, desired: &Desired) -> miette::Result<Exit> {
    // What a plan would read (and refuse), without planning.
    let store = cx.state_store(Some(desired), cloud)?;
    let bar = cx.reading_bar(false);
    let op = cx.operation(cloud, desired, &store).watched(&bar);
    let state = op.load().await.into_diagnostic()?;
    let observed = op.observe(&state, false).await.into_diagnostic()?;
    let checked = crate::preflight::preflight(cloud, desired, &observed, op.parallelism).await;
    print!("{}", crate::render::preflight_table(&checked));
    Ok(if checked.ok() { Exit::Success } else { Exit::Failure })
}

/// The graph of a saved plan.
pub fn graph_saved(path: &Path, format: GraphFormat) -> miette::Result<Exit> {
    draw(&SavedPlan::read(path).into_diagnostic()?.plan, format)
}

/// The graph of the plan the accounts need now.
pub async fn graph<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: &Desired,
    format: GraphFormat,
) -> miette::Result<Exit> {
    let (_, _, plan) = cx.planned(cloud, desired, PlanOptions::default(), true).await?;
    draw(&plan, format)
}

fn draw(plan: &Plan, format: GraphFormat) -> miette::Result<Exit> {
    print!("{}", if format == GraphFormat::Dot { graph_dot(plan) } else { graph_mermaid(plan) });
    Ok(Exit::Success)
}
