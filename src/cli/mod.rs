//! The command line: parses arguments, runs one command, returns its exit code.

mod args;
mod context;
mod execute;
mod inspect;
mod report;
mod review;

use std::process::ExitCode;

use clap::Parser;

pub use args::{AccountsFormat, Cli, Command, Format, GraphFormat, StateCommand};
use context::Context;

/// How a command ended, as the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// An error was found and reported (e.g. a failed change).
    Failure,
    /// `--detailed-exitcode`: success, and the plan has changes.
    Changes,
    Interrupted,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Changes => 2,
            Exit::Interrupted => 130,
        })
    }
}

pub fn run() -> miette::Result<Exit> {
    let cli = Cli::parse();
    let cx = Context::new(cli.global);
    let exit = command(&cx, cli.command);
    // Said after any command, error or not: pushback explains a slow or failed run.
    if let Some(retries) = crate::cloud::aws::retry_summary() {
        eprintln!("{retries}");
    }
    exit
}

fn command(cx: &Context, command: Command) -> miette::Result<Exit> {
    match command {
        Command::Validate => review::validate(cx),
        Command::Plan { detailed_exitcode, adopt, destroy, out, format } => {
            review::plan(cx, review::PlanArgs { detailed_exitcode, adopt, destroy, out, format })
        }
        Command::Apply { plan, auto_approve, adopt, json, timeout } => execute::apply(
            cx,
            execute::ApplyArgs { plan, auto_approve, adopt, destroy: false, json, timeout },
        ),
        Command::Destroy { auto_approve, json, timeout } => execute::apply(
            cx,
            execute::ApplyArgs { plan: None, auto_approve, adopt: false, destroy: true, json, timeout },
        ),
        Command::Show { plan, format } => inspect::show(&plan, format, cx.paint),
        Command::Verify { format } => report::verify(cx, format, false),
        Command::Accounts { format: AccountsFormat::Csv } => report::verify(cx, Format::Text, true),
        Command::Graph { plan, format } => report::graph(cx, plan.as_deref(), format),
        Command::State(command) => inspect::state(cx, command),
        Command::ForceUnlock { id } => inspect::force_unlock(cx, &id),
    }
}
