//! The command line: parses arguments, runs one command, returns its exit code.

mod args;
mod context;
mod execute;
mod inspect;
mod report;
mod review;
mod setup;

use std::process::ExitCode;

use clap::Parser;

use crate::cloud::aws::AwsCloud;

pub use args::{
    AccountsFormat, Cli, Command, Format, GraphFormat, PermissionsFormat, StateCommand, StatusFormat,
};
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

/// The composition root: the configuration first (its errors need no
/// credentials), then the commands on AWS.
fn command(cx: &Context, command: Command) -> miette::Result<Exit> {
    match command {
        Command::Init { mode, out } => on_aws(cx, async |cloud| setup::init(cloud, mode, &out).await),
        Command::Completions { shell } => setup::completions(shell),
        Command::Preflight => {
            let desired = cx.config()?;
            on_aws(cx, async |cloud| report::preflight(cx, cloud, &desired).await)
        }
        Command::Permissions { format } => setup::permissions(cx, &cx.config()?, format),
        Command::Man => setup::man(),
        Command::Validate => review::validate(cx),
        Command::Plan { detailed_exitcode, adopt, destroy, preflight, out, format } => {
            let desired = cx.config()?;
            let args = review::PlanArgs { detailed_exitcode, adopt, destroy, preflight, out, format };
            on_aws(cx, async |cloud| review::plan(cx, cloud, &desired, args).await)
        }
        Command::Apply { plan, auto_approve, adopt, json, timeout } => {
            apply(cx, execute::ApplyArgs { plan, auto_approve, adopt, destroy: false, json, timeout })
        }
        Command::Destroy { auto_approve, json, timeout } => apply(
            cx,
            execute::ApplyArgs { plan: None, auto_approve, adopt: false, destroy: true, json, timeout },
        ),
        Command::Show { plan, format } => inspect::show(&plan, format, cx.paint),
        Command::Verify { format } => {
            let desired = cx.config_linted()?;
            on_aws(cx, async |cloud| report::verify(cx, cloud, &desired, format, false).await)
        }
        Command::Status { format, all } => {
            let desired = cx.config()?;
            on_aws(cx, async |cloud| report::status(cx, cloud, &desired, format, all).await)
        }
        Command::Accounts { format: AccountsFormat::Csv } => {
            let desired = cx.config()?;
            on_aws(cx, async |cloud| report::verify(cx, cloud, &desired, Format::Text, true).await)
        }
        Command::Graph { plan: Some(path), format } => report::graph_saved(&path, format),
        Command::Graph { plan: None, format } => {
            let desired = cx.config()?;
            on_aws(cx, async |cloud| report::graph(cx, cloud, &desired, format).await)
        }
        Command::State(command) => {
            let desired = match command {
                StateCommand::Rebuild { .. } => Some(cx.config()?),
                _ => cx.desired_if_present()?,
            };
            on_aws(cx, async |cloud| inspect::state(cx, cloud, desired, command).await)
        }
        Command::ForceUnlock { id } => {
            let desired = cx.desired_if_present()?;
            on_aws(cx, async |cloud| inspect::force_unlock(cx, cloud, desired.as_ref(), &id).await)
        }
    }
}

fn apply(cx: &Context, args: execute::ApplyArgs) -> miette::Result<Exit> {
    args.check()?;
    let desired = cx.config()?;
    on_aws(cx, async |cloud| execute::apply(cx, cloud, &desired, args).await)
}

/// Runs `work` on AWS, as the SDK's standard chain says.
fn on_aws(cx: &Context, work: impl AsyncFnOnce(&AwsCloud) -> miette::Result<Exit>) -> miette::Result<Exit> {
    cx.runtime()?.block_on(async {
        let cloud = AwsCloud::from_env().await;
        work(&cloud).await
    })
}
