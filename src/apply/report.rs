use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cloud::CloudError;
use crate::plan::{Action, Change};

#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes into the plan's changes.
    pub completed: Vec<usize>,
    pub failed: Vec<(usize, String)>,
    pub skipped: Vec<(usize, String)>,
    pub not_started: usize,
    pub interrupted: bool,
}

/// Prints one line per step, as Terraform does; on a terminal a progress bar
/// stays below the lines.
pub struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    pub fn new(total: usize, terminal: bool) -> Self {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} changes, {elapsed}")
                    .expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { bar }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => println!("{text}"),
        }
    }

    pub fn started(&self, change: &Change) {
        let verb = match change.action {
            Action::Create => "Creating...",
            Action::Update => "Modifying...",
            Action::Delete => "Destroying...",
            Action::Record => "Recording in state...",
            Action::Forget => "Removing from state...",
        };
        self.line(format!("{}: {verb}", change.address));
    }

    pub fn finished(&self, change: &Change, elapsed: Duration) {
        let done = match change.action {
            Action::Create => "Creation complete",
            Action::Update => "Modifications complete",
            Action::Delete => "Destruction complete",
            Action::Record => "Recorded",
            Action::Forget => "Removed from state",
        };
        self.line(format!("{}: {done} after {:.1}s", change.address, elapsed.as_secs_f64()));
        self.advance();
    }

    pub fn failed(&self, change: &Change, error: &CloudError) {
        self.line(format!("{}: Error: {error}", change.address));
        self.advance();
    }

    pub fn skipped(&self, change: &Change, why: &str) {
        self.line(format!("{}: Skipped: {why}", change.address));
        self.advance();
    }

    pub fn interrupted(&self, in_flight: usize) {
        self.line(format!(
            "Interrupt received: finishing {in_flight} change(s) in flight, starting no more."
        ));
    }

    fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
