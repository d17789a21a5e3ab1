//! Commands that only read: validate and plan.

use std::path::PathBuf;

use miette::IntoDiagnostic;

use super::{Context, Exit, Format};
use crate::cloud::Cloud;
use crate::config::{Desired, Template};
use crate::plan::{Plan, PlanOptions};
use crate::render::{plan_json, plan_markdown, plan_text, Paint};
use crate::saved_plan::SavedPlan;
use crate::stackset::template_body;

pub struct PlanArgs {
    pub detailed_exitcode: bool,
    pub adopt: bool,
    pub destroy: bool,
    pub preflight: bool,
    pub out: Option<PathBuf>,
    pub format: Format,
}

pub fn validate(cx: &Context) -> miette::Result<Exit> {
    let desired = cx.config_linted()?;
    let stackset = desired.stackset.as_ref().map(|stackset| {
        let body = template_body(&stackset.template, &desired.role, &desired.credential.external_id);
        let source = match &stackset.template {
            Template::Generated => "generated from the role block".to_owned(),
            Template::File { path, .. } => format!("from {path}"),
        };
        format!(
            "StackSet {}: template {source} ({} bytes), in {}.",
            stackset.name,
            body.len(),
            stackset.regions.join(", ")
        )
    });
    println!(
        "The configuration is valid: role {} with policy {}.",
        desired.role.name, desired.role.policy_name
    );
    if let Some(line) = stackset {
        println!("{line}");
    }
    Ok(Exit::Success)
}

pub async fn plan<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: &Desired,
    args: PlanArgs,
) -> miette::Result<Exit> {
    let options = PlanOptions { adopt: args.adopt, destroy: args.destroy };
    let (state, observed, plan) = cx.planned(cloud, desired, options, args.format == Format::Json).await?;
    // On standard error, so that the plan's own output (JSON) stays as it is.
    let preflight_failed = if args.preflight {
        let checked = crate::preflight::preflight(cloud, desired, &observed, cx.parallelism()).await;
        eprint!("{}", crate::render::preflight_table(&checked));
        !checked.ok()
    } else {
        false
    };
    print!("{}", rendered(&plan, args.format, cx.paint));
    let failed = plan.has_conflicts() || !plan.unreachable.is_empty() || preflight_failed;
    let exit = if failed {
        Exit::Failure
    } else if args.detailed_exitcode && plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Success
    };
    if let Some(out) = &args.out {
        if failed {
            return Err(miette::miette!("the plan was not saved: it has errors (above)"));
        }
        SavedPlan::new(plan, &cx.global.config, desired, &state, desired.access_role())
            .write(out)
            .into_diagnostic()?;
        if args.format == Format::Text {
            println!(
                "\nSaved the plan to {}. To apply exactly it: orgrole apply {}",
                out.display(),
                out.display()
            );
        }
    }
    Ok(exit)
}

pub fn rendered(plan: &Plan, format: Format, paint: Paint) -> String {
    match format {
        Format::Text => plan_text(plan, paint),
        Format::Markdown => plan_markdown(plan),
        Format::Json => format!("{:#}\n", plan_json(plan)),
    }
}
