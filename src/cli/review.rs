//! Commands that only read: validate and plan.

use miette::IntoDiagnostic;

use super::{Context, Exit};
use crate::cloud::aws::AwsCloud;
use crate::plan::PlanOptions;
use crate::render::plan_text;

pub fn validate(cx: &Context) -> miette::Result<Exit> {
    let desired = cx.desired()?;
    println!(
        "The configuration is valid: role {} with policy {}.",
        desired.role.name, desired.role.policy_name
    );
    Ok(Exit::Success)
}

pub fn plan(cx: &Context, detailed_exitcode: bool, adopt: bool) -> miette::Result<Exit> {
    let desired = cx.desired()?;
    let state = cx.state_file().load().into_diagnostic()?;
    let plan = cx.runtime()?.block_on(async {
        let cloud = AwsCloud::from_env().await;
        cx.observe_and_plan(&cloud, &desired, &state, PlanOptions { adopt, destroy: false }).await
    })?;
    let (_, plan) = plan;
    print!("{}", plan_text(&plan, cx.paint));
    Ok(if !plan.conflicts.is_empty() || !plan.unreachable.is_empty() {
        Exit::Failure
    } else if detailed_exitcode && plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    })
}
