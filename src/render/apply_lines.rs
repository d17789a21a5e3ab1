//! apply's events as lines, as Terraform prints them; on a terminal a
//! progress bar stays below the lines. A plan of many changes is told in
//! steps of a tenth, with every failure named.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::prose::{cloud_error, step_description};
use crate::apply::{ApplyEvent, Observer, Outcome, StackSetError};
use crate::cloud::OperationResult;
use crate::plan::{Action, Plan, Summary};

/// Plans of more changes than this are told in tenths, not a line per change.
const ONE_BY_ONE: usize = 60;

pub struct ApplyLines {
    terminal: bool,
    /// On a terminal, from the start of the plan's steps.
    bar: OnceLock<ProgressBar>,
    /// The plan's changes, once it starts.
    total: OnceLock<usize>,
    /// Changes that ended, one way or another.
    ended: AtomicUsize,
    failed: AtomicUsize,
    started: OnceLock<std::time::Instant>,
}

impl ApplyLines {
    pub fn new(terminal: bool) -> Self {
        Self {
            terminal,
            bar: OnceLock::new(),
            total: OnceLock::new(),
            ended: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            started: OnceLock::new(),
        }
    }

    fn one_by_one(&self) -> bool {
        self.total.get().is_none_or(|&total| total <= ONE_BY_ONE)
    }

    /// A change ended; told as a line each tenth of a large plan.
    fn ended(&self, failed: bool) {
        let ended = self.ended.fetch_add(1, Ordering::Relaxed) + 1;
        let failures = self.failed.fetch_add(usize::from(failed), Ordering::Relaxed) + usize::from(failed);
        let total = self.total.get().copied().unwrap_or_default();
        if !self.one_by_one() && (ended * 10 / total > (ended - 1) * 10 / total || ended == total) {
            let elapsed = self.started.get().map_or(0.0, |s| s.elapsed().as_secs_f64());
            self.line(format!("{ended}/{total} changes done, {failures} failed, after {elapsed:.1}s"));
        }
        self.advance();
    }

    /// A line between the plan and the steps, and a bar counting the
    /// plan's changes and stack set steps.
    fn start(&self, plan: &Plan) {
        println!();
        let _ = self.total.set(plan.changes.len());
        let _ = self.started.set(std::time::Instant::now());
        if !self.one_by_one() {
            let accounts: std::collections::BTreeSet<_> =
                plan.changes.iter().map(|c| &c.address.account).collect();
            self.line(format!("Applying {} changes in {} accounts...", plan.changes.len(), accounts.len()));
        }
        if !self.terminal {
            return;
        }
        let bar = ProgressBar::new((plan.changes.len() + plan.stackset_steps().count()) as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} changes, {elapsed}").expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let _ = self.bar.set(bar);
    }

    fn line(&self, text: String) {
        match self.bar.get() {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }

    fn advance(&self) {
        if let Some(bar) = self.bar.get() {
            bar.inc(1);
        }
    }
}

impl Observer for ApplyLines {
    fn event(&self, event: ApplyEvent<'_>) {
        match event {
            ApplyEvent::Starting(plan) => self.start(plan),
            ApplyEvent::ChangeStarted(_) if !self.one_by_one() => {}
            ApplyEvent::ChangeFinished { .. } if !self.one_by_one() => self.ended(false),
            ApplyEvent::ChangeStarted(change) => {
                let verb = match change.action {
                    Action::Create => "Creating...",
                    Action::Update => "Modifying...",
                    Action::Delete => "Destroying...",
                    Action::Replace => "Replacing...",
                    Action::Record => "Recording in state...",
                    Action::Forget => "Removing from state...",
                };
                self.line(format!("{}: {verb}", change.address));
            }
            ApplyEvent::ChangeFinished { change, elapsed } => {
                let done = match change.action {
                    Action::Create => "Creation complete",
                    Action::Update => "Modifications complete",
                    Action::Delete => "Destruction complete",
                    Action::Replace => "Replacement complete",
                    Action::Record => "Recorded",
                    Action::Forget => "Removed from state",
                };
                self.line(format!("{}: {done} after {:.1}s", change.address, elapsed.as_secs_f64()));
                self.ended(false);
            }
            ApplyEvent::ChangeFailed { change, error } => {
                self.line(format!("{}: Error: {}", change.address, cloud_error(error)));
                self.ended(true);
            }
            ApplyEvent::ChangeSkipped { change, failed } => {
                self.line(format!("{}: Skipped: {}", change.address, skipped_because(failed)));
                self.ended(false);
            }
            ApplyEvent::Interrupted { in_flight } => self.line(format!(
                "Interrupt received: finishing {in_flight} change(s) in flight, starting no more."
            )),
            ApplyEvent::StepStarted { stackset, step } => {
                let reach = if step.accounts.is_empty() {
                    String::new()
                } else {
                    format!(" ({} account(s))", step.accounts.len())
                };
                self.line(format!("stackset/{}: {}{reach}...", stackset.name, step_description(&step.action)));
            }
            ApplyEvent::StepFinished { stackset, step, elapsed } => {
                let what = step_description(&step.action);
                self.line(format!("stackset/{}: {what}: complete after {:.1}s", stackset.name, elapsed.as_secs_f64()));
                self.advance();
            }
            ApplyEvent::StepFailed { stackset, step, error } => {
                let what = step_description(&step.action);
                self.line(format!("stackset/{}: {what}: Error: {}", stackset.name, stackset_error(error)));
            }
            ApplyEvent::InstanceFailed { stackset, result } => {
                let account =
                    result.account.as_ref().map_or("an account".to_owned(), |a| format!("account {a}"));
                self.line(format!("stackset/{stackset}: {account} in {}", instance_failure(result)));
            }
            ApplyEvent::Progress { stackset, operation, region, done, failed, total } => {
                let of = if total > 0 { format!(" of {total}") } else { String::new() };
                self.line(format!(
                    "stackset/{stackset}: operation {operation}: {region}: {done}{of} account(s) done, {failed} failed"
                ));
            }
            ApplyEvent::WaitingForOther { stackset, operation: op } => self.line(format!(
                "stackset/{stackset}: waiting for operation {} ({}, {}), which another run started: StackSets run one operation at a time",
                op.id,
                op.action_name(),
                op.status.as_str()
            )),
            ApplyEvent::WaitingForPending { stackset, operation } => self.line(format!(
                "stackset/{stackset}: waiting for operation {operation}, which an earlier run started and did not see end"
            )),
            ApplyEvent::Finished { plan, outcome } => {
                if let Some(bar) = self.bar.get() {
                    bar.finish_and_clear();
                }
                println!("{}", summary(plan, outcome));
            }
        }
    }
}

/// Why a change was skipped.
pub fn skipped_because(failed: &crate::model::Address) -> String {
    format!("it depends on {failed}, which failed")
}

/// `operation ID FAILED: reason`, or the call's error.
pub fn stackset_error(error: &StackSetError) -> String {
    match error {
        StackSetError::Call(e) => cloud_error(e),
        StackSetError::Operation { id, status, reason, failed } => {
            let reason = reason.clone().unwrap_or_else(|| format!("{failed} account(s) failed"));
            format!("operation {id} {}: {reason}", status.as_str())
        }
    }
}

/// `us-east-1: FAILED: reason`.
fn instance_failure(result: &OperationResult) -> String {
    let reason = result.reason.as_deref().unwrap_or("AWS gave no reason");
    format!("{}: {}: {reason}", result.region, result.status_name())
}

/// Resources added, changed and destroyed, counting the stack set's steps.
pub fn counts(plan: &Plan, outcome: &Outcome) -> (usize, usize, usize) {
    let steps: Vec<_> = plan.stackset_steps().collect();
    // A replacement is one added and one destroyed, as in the plan's summary.
    let mut done = Summary::default();
    outcome.completed.iter().for_each(|&i| done.count(plan.changes[i].action));
    outcome.stackset.completed.iter().for_each(|&i| done.count(steps[i].action.action()));
    (done.add, done.change, done.destroy)
}

/// The closing lines: every failure, then the counts.
fn summary(plan: &Plan, outcome: &Outcome) -> String {
    let (added, changed, destroyed) = counts(plan, outcome);
    let stackset = &outcome.stackset;
    let mut out = String::new();
    if outcome.interrupted {
        out += &format!(
            "\nInterrupted: {} change(s) completed and saved to state, {} not started. Run the same command again to finish.\n",
            outcome.completed.len(),
            outcome.not_started
        );
    }
    if let (Some(id), Some(s)) = (&stackset.timed_out, &plan.stackset) {
        out += &format!(
            "\nTimed out: operation {id} on stack set {} is still running. Run the same command again (with a longer --timeout if needed): it waits for the operation and goes on.\n",
            s.name
        );
    }
    if let Some(error) = &stackset.error {
        out += &format!("\nError: stack set: {}\n", stackset_error(error));
        for f in &stackset.failed_instances {
            let account = f.account.as_ref().map_or("?".to_owned(), |a| a.to_string());
            out += &format!("  account {account} in {}\n", instance_failure(f));
        }
    }
    for (i, error) in &outcome.failed {
        out += &format!("\nError: {}: {}\n", plan.changes[*i].address, cloud_error(error));
    }
    if !outcome.skipped.is_empty() {
        out += &format!(
            "\n{} change(s) skipped because a change they depend on failed.\n",
            outcome.skipped.len()
        );
    }
    let verdict = match (outcome.complete(), plan.destroy) {
        (true, false) => "Apply complete!",
        (true, true) => "Destroy complete!",
        (false, false) => "Apply incomplete.",
        (false, true) => "Destroy incomplete.",
    };
    out += &format!("\n{verdict} Resources: {added} added, {changed} changed, {destroyed} destroyed.");
    out
}
