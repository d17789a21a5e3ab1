//! Commands that write: apply (fresh or from a saved plan) and destroy.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::{miette, IntoDiagnostic};

use super::context::Store;
use super::{Context, Exit};
use crate::apply::{self, apply as apply_plan, ApplyOptions, Failure, Reporter, Style, Waiter};
use crate::cloud::aws::AwsCloud;
use crate::cloud::Cloud;
use crate::config::Desired;
use crate::observe::read_accounts;
use crate::plan::{Plan, PlanOptions};
use crate::render::{plan_json, plan_text};
use crate::saved_plan::SavedPlan;
use crate::state::State;

pub struct ApplyArgs {
    /// A saved plan to apply exactly.
    pub plan: Option<PathBuf>,
    pub auto_approve: bool,
    pub adopt: bool,
    pub destroy: bool,
    pub json: bool,
    /// How long to wait for StackSet operations.
    pub timeout: std::time::Duration,
}

pub fn apply(cx: &Context, args: ApplyArgs) -> miette::Result<Exit> {
    if args.json && !args.auto_approve && args.plan.is_none() {
        return Err(miette!(
            help = "pass --auto-approve, or apply a plan saved with `orgrole plan --out`",
            "--json prints events, not a prompt"
        ));
    }
    let desired = cx.config()?;
    let operation = if args.destroy { "destroy" } else { "apply" };
    cx.runtime()?.block_on(async {
        let cloud = AwsCloud::from_env().await;
        let store = cx.state_store(Some(&desired), &cloud)?;
        cx.under_lock(&store, operation, async || locked(cx, &args, &desired, &cloud, &store).await).await
    })
}

/// Plans (or takes the saved plan), confirms, applies: all under the lock.
async fn locked(
    cx: &Context,
    args: &ApplyArgs,
    desired: &Desired,
    cloud: &AwsCloud,
    store: &Store,
) -> miette::Result<Exit> {
    let mut state = store.load().await.into_diagnostic()?;
    let style =
        if args.json { Style::Json } else { Style::Lines { terminal: std::io::stderr().is_terminal() } };
    if !finish_pending(cloud, &mut state, store, args, style).await? {
        return Ok(Exit::Failure);
    }
    let (plan, approved) = match &args.plan {
        Some(path) => (saved(cx, cloud, path, desired, &state).await?, true),
        None => {
            let options = PlanOptions { adopt: args.adopt, destroy: args.destroy };
            let (_, plan) = cx.observe_and_plan(cloud, desired, &state, options).await?;
            (plan, args.auto_approve)
        }
    };
    if args.json {
        println!("{}", serde_json::json!({"type": "plan", "plan": plan_json(&plan)}));
    } else {
        print!("{}", plan_text(&plan, cx.paint));
    }
    if plan.has_conflicts() {
        return Err(miette!("nothing was changed: resolve the conflicts above first"));
    }
    let reached_all = plan.unreachable.is_empty();
    if !plan.has_changes() {
        return Ok(if reached_all { Exit::Success } else { Exit::Failure });
    }
    if !approved && !confirm(args.destroy)? {
        println!("\nApply cancelled.");
        return Ok(Exit::Failure);
    }
    if !args.json {
        println!();
    }
    let reporter = Reporter::new(plan.changes.len() + plan.stackset_steps().count(), style);
    let options = ApplyOptions {
        parallelism: cx.parallelism(),
        access_role: desired.access_role(),
        timeout: args.timeout,
    };
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let outcome = apply_plan(cloud, &plan, &options, &mut state, store, &reporter, interrupt)
        .await
        .into_diagnostic()?;
    reporter.summary(&plan, &outcome);
    Ok(if outcome.interrupted {
        Exit::Interrupted
    } else if !outcome.complete() || !reached_all {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// Waits for a StackSet operation an earlier run left running and records
/// its effect, so that the plan starts from what is. `false`: still running
/// after `--timeout` (or interrupted); said on standard error.
async fn finish_pending(
    cloud: &AwsCloud,
    state: &mut State,
    store: &Store,
    args: &ApplyArgs,
    style: Style,
) -> miette::Result<bool> {
    let Some(record) = state.pending_stackset().cloned() else { return Ok(true) };
    let reporter = Reporter::new(0, style);
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let mut waiter = Waiter {
        sets: cloud.stacksets(record.call_as),
        name: &record.name,
        deadline: tokio::time::Instant::now() + args.timeout,
        reporter: &reporter,
        interrupt: std::pin::pin!(interrupt),
    };
    match apply::finish_pending(state, store, &mut waiter).await {
        Ok(true) => Ok(true),
        Ok(false) => {
            let id = record.pending.map(|p| p.id).unwrap_or_default();
            eprintln!(
                "Operation {id} on stack set {} is still running. Nothing was changed; run the same command again later (or with a longer --timeout).",
                record.name
            );
            Ok(false)
        }
        Err(Failure::State(e)) => Err(e).into_diagnostic(),
        Err(Failure::Cloud(e)) => Err(miette!("could not wait for stack set operation: {e}")),
    }
}

/// The saved plan, if it still describes the world: same configuration,
/// same state, and every resource it touches as it was when planned.
async fn saved(
    cx: &Context,
    cloud: &AwsCloud,
    path: &Path,
    desired: &Desired,
    state: &State,
) -> miette::Result<Plan> {
    let saved = SavedPlan::read(path).into_diagnostic()?;
    let live = read_accounts(cloud, saved.touched(), &saved.access_role, cx.parallelism()).await;
    let stale = saved.staleness(desired, state, &live);
    if !stale.is_empty() {
        let reasons: Vec<String> = stale.iter().map(|s| format!("  - {s}")).collect();
        return Err(miette!(
            help = "make a new plan with `orgrole plan --out FILE`, review it, and apply that",
            "the saved plan {} no longer describes the accounts; nothing was changed:\n{}",
            path.display(),
            reasons.join("\n")
        ));
    }
    Ok(saved.plan)
}

/// Asks on the terminal; without one, refuses rather than guess.
fn confirm(destroy: bool) -> miette::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(miette!(
            help = "review the plan with `orgrole plan`, then pass --auto-approve (or save it with --out and apply the file)",
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
