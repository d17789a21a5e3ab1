//! Reading the accounts, as a progress bar on a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::observe::Reading;

pub struct ReadingBar {
    bar: ProgressBar,
    /// On a terminal, and not for a machine (JSON): never in pipes.
    shown: bool,
}

impl ReadingBar {
    pub fn new(shown: bool) -> Self {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} accounts read, {elapsed}")
                .expect("valid template"),
        );
        Self { bar, shown }
    }
}

impl Reading for ReadingBar {
    fn reading(&self, total: usize) {
        if !self.shown {
            return;
        }
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
        self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn read(&self) {
        self.bar.inc(1);
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}
