//! Commands that write: apply (fresh or from a saved plan) and destroy.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::{miette, IntoDiagnostic};

use super::{Context, Exit};
use crate::apply::Observer;
use crate::cloud::Cloud;
use crate::config::Desired;
use crate::operation::{Approval, Ran, Request, Review};
use crate::plan::{Plan, PlanOptions};
use crate::render::{plan_event, plan_text, ApplyJson, ApplyLines, Paint};
use crate::saved_plan::SavedPlan;

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

impl ApplyArgs {
    /// Refuses what cannot work whatever the configuration says.
    pub fn check(&self) -> miette::Result<()> {
        if self.json && !self.auto_approve && self.plan.is_none() {
            return Err(miette!(
                help = "pass --auto-approve, or apply a plan saved with `orgrole plan --out`",
                "--json prints events, not a prompt"
            ));
        }
        Ok(())
    }
}

pub async fn apply<C: Cloud>(
    cx: &Context,
    cloud: &C,
    desired: &Desired,
    args: ApplyArgs,
) -> miette::Result<Exit> {
    let saved = args.plan.as_deref().map(SavedPlan::read).transpose().into_diagnostic()?;
    let store = cx.state_store(Some(desired), cloud)?;
    let request = Request {
        saved,
        options: PlanOptions { adopt: args.adopt, destroy: args.destroy },
        approved: args.auto_approve,
        timeout: args.timeout,
        lock_timeout: cx.global.lock_timeout,
    };
    let observer: Box<dyn Observer> = if args.json {
        Box::new(ApplyJson)
    } else {
        Box::new(ApplyLines::new(std::io::stderr().is_terminal()))
    };
    let mut review = Terminal { json: args.json, destroy: args.destroy, paint: cx.paint };
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let bar = cx.reading_bar(args.json);
    let op = cx.operation(cloud, desired, &store).watched(&bar);
    let ran = op.run(request, &mut review, observer.as_ref(), interrupt).await.into_diagnostic()?;
    ended(ran, args.plan.as_deref())
}

/// The exit code of how the run ended, and what to say about it.
fn ended(ran: Ran, saved: Option<&Path>) -> miette::Result<Exit> {
    Ok(match ran {
        Ran::StillRunning(still) => {
            eprintln!(
                "Operation {} on stack set {} is still running. Nothing was changed; run the same command again later (or with a longer --timeout).",
                still.operation, still.stackset
            );
            Exit::Failure
        }
        Ran::Stale(stale) => {
            let reasons: Vec<String> = stale.iter().map(|s| format!("  - {s}")).collect();
            return Err(miette!(
                help = "make a new plan with `orgrole plan --out FILE`, review it, and apply that",
                "the saved plan {} no longer describes the accounts; nothing was changed:\n{}",
                saved.map_or_else(String::new, |p| p.display().to_string()),
                reasons.join("\n")
            ));
        }
        Ran::Conflicts => return Err(miette!("nothing was changed: resolve the conflicts above first")),
        Ran::NoChanges { reached_all } => {
            if reached_all {
                Exit::Success
            } else {
                Exit::Failure
            }
        }
        Ran::Cancelled => {
            println!("\nApply cancelled.");
            Exit::Failure
        }
        Ran::CannotAsk => {
            return Err(miette!(
                help = "review the plan with `orgrole plan`, then pass --auto-approve (or save it with --out and apply the file)",
                "no terminal to ask for confirmation on, and --auto-approve was not given"
            ))
        }
        Ran::Applied { outcome, reached_all } => {
            if outcome.interrupted {
                Exit::Interrupted
            } else if !outcome.complete() || !reached_all {
                Exit::Failure
            } else {
                Exit::Success
            }
        }
    })
}

/// The plan on standard output, and a yes/no on the terminal.
struct Terminal {
    json: bool,
    destroy: bool,
    paint: Paint,
}

impl Review for Terminal {
    fn show(&mut self, plan: &Plan) {
        if self.json {
            println!("{}", plan_event(plan));
        } else {
            print!("{}", plan_text(plan, self.paint));
        }
    }

    fn approve(&mut self) -> Approval {
        if !std::io::stdin().is_terminal() {
            return Approval::CannotAsk;
        }
        let question = if self.destroy {
            "Do you really want to destroy every role, policy and attachment orgrole manages in this state?"
        } else {
            "Do you want to perform these actions?"
        };
        print!("\n{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
        let mut answer = String::new();
        let read = std::io::stdout().flush().and_then(|()| std::io::stdin().lock().read_line(&mut answer));
        if read.is_err() || answer.trim() != "yes" {
            return Approval::No;
        }
        Approval::Yes
    }
}
