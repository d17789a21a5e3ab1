use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::cloud::CloudError;
use crate::plan::{Action, Change, Plan};

#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes into the plan's changes.
    pub completed: Vec<usize>,
    pub failed: Vec<(usize, String)>,
    pub skipped: Vec<(usize, String)>,
    pub not_started: usize,
    pub interrupted: bool,
}

/// How a run reports its steps.
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
        let count =
            |action: Action| outcome.completed.iter().filter(|&&i| plan.changes[i].action == action).count();
        let (added, changed, destroyed) =
            (count(Action::Create), count(Action::Update), count(Action::Delete));
        let complete = outcome.failed.is_empty() && !outcome.interrupted;
        if self.json {
            let failures: Vec<_> = outcome
                .failed
                .iter()
                .map(|(i, e)| json!({"address": plan.changes[*i].address.to_string(), "error": e}))
                .collect();
            let summary = json!({"type": "summary", "complete": complete, "interrupted": outcome.interrupted,
                "added": added, "changed": changed, "destroyed": destroyed, "failed": failures,
                "skipped": outcome.skipped.len(), "not_started": outcome.not_started});
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

    fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }
}
