//! Commands that write: apply and destroy.

use std::io::{BufRead, IsTerminal, Write};

use miette::{miette, IntoDiagnostic};

use super::{Context, Exit};
use crate::apply::{apply as apply_plan, ApplyOptions, Outcome, Reporter};
use crate::cloud::aws::AwsCloud;
use crate::config::DEFAULT_ACCESS_ROLE;
use crate::plan::{Action, Plan, PlanOptions};
use crate::render::plan_text;

pub fn apply(cx: &Context, auto_approve: bool, adopt: bool, destroy: bool) -> miette::Result<Exit> {
    let desired = cx.desired()?;
    let state_file = cx.state_file();
    let operation = if destroy { "destroy" } else { "apply" };
    let _lock = state_file.lock(operation, cx.global.lock_timeout).into_diagnostic()?;
    let mut state = state_file.load().into_diagnostic()?;
    let access_role =
        desired.direct.as_ref().map_or(DEFAULT_ACCESS_ROLE, |d| d.access_role.as_str()).to_owned();

    cx.runtime()?.block_on(async {
        let cloud = AwsCloud::from_env().await;
        let (_, plan) = cx.observe_and_plan(&cloud, &desired, &state, PlanOptions { adopt, destroy }).await?;
        print!("{}", plan_text(&plan, cx.paint));
        if !plan.conflicts.is_empty() {
            return Err(miette!("nothing was changed: resolve the conflicts above first"));
        }
        let reached_all = plan.unreachable.is_empty();
        if !plan.has_changes() {
            return Ok(if reached_all { Exit::Success } else { Exit::Failure });
        }
        if !auto_approve && !confirm(destroy)? {
            println!("\nApply cancelled.");
            return Ok(Exit::Failure);
        }
        println!();
        let reporter = Reporter::new(plan.changes.len(), std::io::stderr().is_terminal());
        let options = ApplyOptions { parallelism: cx.parallelism(), access_role: &access_role };
        let interrupt = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let outcome =
            apply_plan(&cloud, &plan, &options, &mut state, |s| state_file.save(s), &reporter, interrupt)
                .await
                .into_diagnostic()?;
        reporter.finish();
        print!("{}", summary(&plan, &outcome, destroy));
        Ok(if outcome.interrupted {
            Exit::Interrupted
        } else if !outcome.failed.is_empty() || !reached_all {
            Exit::Failure
        } else {
            Exit::Success
        })
    })
}

/// Asks on the terminal; without one, refuses rather than guess.
fn confirm(destroy: bool) -> miette::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(miette!(
            help = "review the plan with `orgrole plan`, then pass --auto-approve",
            "no terminal to ask for confirmation on, and --auto-approve was not given"
        ));
    }
    let question = if destroy {
        "Do you really want to destroy every role, policy and attachment orgrole manages in this state?"
    } else {
        "Do you want to perform these actions?"
    };
    print!("\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    std::io::stdout().flush().into_diagnostic()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).into_diagnostic()?;
    Ok(answer.trim() == "yes")
}

fn summary(plan: &Plan, outcome: &Outcome, destroy: bool) -> String {
    let count =
        |action: Action| outcome.completed.iter().filter(|&&i| plan.changes[i].action == action).count();
    let mut out = String::new();
    if outcome.interrupted {
        out += &format!(
            "\nInterrupted: {} change(s) completed and saved to state, {} not started. Run the same command again to finish.\n",
            outcome.completed.len(),
            outcome.not_started
        );
    }
    for (i, error) in &outcome.failed {
        out += &format!("\nError: {}: {error}\n", plan.changes[*i].address);
    }
    if !outcome.skipped.is_empty() {
        out += &format!(
            "\n{} change(s) skipped because a change they depend on failed.\n",
            outcome.skipped.len()
        );
    }
    let verdict = if outcome.failed.is_empty() && !outcome.interrupted {
        if destroy {
            "Destroy complete!"
        } else {
            "Apply complete!"
        }
    } else if destroy {
        "Destroy incomplete."
    } else {
        "Apply incomplete."
    };
    out += &format!(
        "\n{verdict} Resources: {} added, {} changed, {} destroyed.\n",
        count(Action::Create),
        count(Action::Update),
        count(Action::Delete)
    );
    out
}
