use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::cloud::{CloudError, OperationInfo, OperationResult};
use crate::plan::{Action, Change, Plan, StackSetPlan, StackSetStep};
use crate::render::step_description;

#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes into the plan's changes.
    pub completed: Vec<usize>,
    pub failed: Vec<(usize, String)>,
    pub skipped: Vec<(usize, String)>,
    pub not_started: usize,
    pub interrupted: bool,
    pub stackset: super::StackSetOutcome,
}

impl Outcome {
    /// Everything planned was done.
    pub fn complete(&self) -> bool {
        self.failed.is_empty()
            && !self.interrupted
            && self.stackset.error.is_none()
            && self.stackset.timed_out.is_none()
    }
}

/// How a run reports its steps.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// One line per step, as Terraform prints them; on a terminal a
    /// progress bar stays below the lines.
    Lines { terminal: bool },
    /// One JSON object per line, for pipelines (`--json`).
    Json,
}

pub struct Reporter {
    bar: Option<ProgressBar>,
    json: bool,
}

impl Reporter {
    pub fn new(total: usize, style: Style) -> Self {
        let (terminal, json) = match style {
            Style::Lines { terminal } => (terminal, false),
            Style::Json => (false, true),
        };
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} changes, {elapsed}")
                    .expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { bar, json }
    }

    fn emit(&self, line: String, event: impl FnOnce() -> serde_json::Value) {
        let text = if self.json { event().to_string() } else { line };
        match &self.bar {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }

    fn event(kind: &str, change: &Change) -> serde_json::Value {
        json!({"type": kind, "address": change.address.to_string(), "action": change.action})
    }

    pub fn started(&self, change: &Change) {
        let verb = match change.action {
            Action::Create => "Creating...",
            Action::Update => "Modifying...",
            Action::Delete => "Destroying...",
            Action::Record => "Recording in state...",
            Action::Forget => "Removing from state...",
        };
        self.emit(format!("{}: {verb}", change.address), || Self::event("change_started", change));
    }

    pub fn finished(&self, change: &Change, elapsed: Duration) {
        let done = match change.action {
            Action::Create => "Creation complete",
            Action::Update => "Modifications complete",
            Action::Delete => "Destruction complete",
            Action::Record => "Recorded",
            Action::Forget => "Removed from state",
        };
        self.emit(format!("{}: {done} after {:.1}s", change.address, elapsed.as_secs_f64()), || {
            let mut e = Self::event("change_completed", change);
            e["elapsed_ms"] = json!(elapsed.as_millis() as u64);
            e
        });
        self.advance();
    }

    pub fn failed(&self, change: &Change, error: &CloudError) {
        self.emit(format!("{}: Error: {error}", change.address), || {
            let mut e = Self::event("change_failed", change);
            e["error"] = json!(error.to_string());
            e
        });
        self.advance();
    }

    pub fn skipped(&self, change: &Change, why: &str) {
        self.emit(format!("{}: Skipped: {why}", change.address), || {
            let mut e = Self::event("change_skipped", change);
            e["reason"] = json!(why);
            e
        });
        self.advance();
    }

    pub fn interrupted(&self, in_flight: usize) {
        self.emit(
            format!("Interrupt received: finishing {in_flight} change(s) in flight, starting no more."),
            || json!({"type": "interrupted", "in_flight": in_flight}),
        );
    }

    /// The closing lines: every failure, then the counts.
    pub fn summary(&self, plan: &Plan, outcome: &Outcome) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let steps: Vec<_> = plan.stackset_steps().collect();
        let count = |action: Action| {
            outcome.completed.iter().filter(|&&i| plan.changes[i].action == action).count()
                + outcome.stackset.completed.iter().filter(|&&i| steps[i].action.action() == action).count()
        };
        let (added, changed, destroyed) =
            (count(Action::Create), count(Action::Update), count(Action::Delete));
        let complete = outcome.complete();
        let stackset = &outcome.stackset;
        if self.json {
            let failures: Vec<_> = outcome
                .failed
                .iter()
                .map(|(i, e)| json!({"address": plan.changes[*i].address.to_string(), "error": e}))
                .collect();
            let summary = json!({"type": "summary", "complete": complete, "interrupted": outcome.interrupted,
                "added": added, "changed": changed, "destroyed": destroyed, "failed": failures,
                "skipped": outcome.skipped.len(), "not_started": outcome.not_started,
                "stackset_error": stackset.error, "failed_instances": stackset.failed_instances,
                "timed_out_operation": stackset.timed_out});
            println!("{summary}");
            return;
        }
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
            out += &format!("\nError: stack set: {error}\n");
            for f in &stackset.failed_instances {
                let account = f.account.as_ref().map_or("?".to_owned(), |a| a.to_string());
                let reason = f.reason.as_deref().unwrap_or("AWS gave no reason");
                out += &format!("  account {account} in {}: {}: {reason}\n", f.region, f.status_name());
            }
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
        let verdict = match (complete, plan.destroy) {
            (true, false) => "Apply complete!",
            (true, true) => "Destroy complete!",
            (false, false) => "Apply incomplete.",
            (false, true) => "Destroy incomplete.",
        };
        out += &format!("\n{verdict} Resources: {added} added, {changed} changed, {destroyed} destroyed.");
        println!("{out}");
    }

    pub fn stackset_started(&self, plan: &StackSetPlan, step: &StackSetStep) {
        let what = step_description(&step.action);
        let reach = if step.accounts.is_empty() {
            String::new()
        } else {
            format!(" ({} account(s))", step.accounts.len())
        };
        self.emit(format!("stackset/{}: {what}{reach}...", plan.name), || {
            json!({"type": "stackset_step_started", "stackset": plan.name, "step": what, "accounts": step.accounts.len()})
        });
    }

    pub fn stackset_finished(&self, plan: &StackSetPlan, step: &StackSetStep, elapsed: Duration) {
        let what = step_description(&step.action);
        self.emit(format!("stackset/{}: {what}: complete after {:.1}s", plan.name, elapsed.as_secs_f64()), || {
            json!({"type": "stackset_step_completed", "stackset": plan.name, "step": what, "elapsed_ms": elapsed.as_millis() as u64})
        });
        self.advance();
    }

    pub fn stackset_failed(&self, plan: &StackSetPlan, step: &StackSetStep, error: &str) {
        let what = step_description(&step.action);
        self.emit(
            format!("stackset/{}: {what}: Error: {error}", plan.name),
            || json!({"type": "stackset_step_failed", "stackset": plan.name, "step": what, "error": error}),
        );
    }

    pub fn stackset_instance_failed(&self, name: &str, result: &OperationResult) {
        let account = result.account.as_ref().map_or("an account".to_owned(), |a| format!("account {a}"));
        let reason = result.reason.as_deref().unwrap_or("AWS gave no reason");
        self.emit(format!("stackset/{name}: {account} in {}: {}: {reason}", result.region, result.status_name()), || {
            json!({"type": "stackset_instance_failed", "stackset": name, "account": result.account, "region": result.region, "status": result.status, "reason": result.reason})
        });
    }

    pub fn stackset_progress(
        &self,
        name: &str,
        id: &str,
        region: &str,
        done: usize,
        failed: usize,
        total: usize,
    ) {
        let of = if total > 0 { format!(" of {total}") } else { String::new() };
        self.emit(format!("stackset/{name}: operation {id}: {region}: {done}{of} account(s) done, {failed} failed"), || {
            json!({"type": "stackset_progress", "stackset": name, "operation": id, "region": region, "done": done, "failed": failed, "total": total})
        });
    }

    pub fn stackset_waiting(&self, name: &str, op: &OperationInfo) {
        self.emit(
            format!("stackset/{name}: waiting for operation {} ({}, {}), which another run started: StackSets run one operation at a time", op.id, op.action_name(), op.status.as_str()),
            || json!({"type": "stackset_waiting", "stackset": name, "operation": op}),
        );
    }

    pub fn stackset_pending(&self, name: &str, id: &str) {
        self.emit(
            format!("stackset/{name}: waiting for operation {id}, which an earlier run started and did not see end"),
            || json!({"type": "stackset_pending", "stackset": name, "operation": id}),
        );
    }

    fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}
