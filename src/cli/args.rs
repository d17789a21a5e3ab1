use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Keeps a security vendor's cross-account, read-only IAM role present and
/// correct across an AWS organization.
#[derive(Debug, Parser)]
#[command(name = "orgrole", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that work before or after the subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// The configuration file.
    #[arg(short, long, global = true, default_value = "orgrole.kdl", value_name = "FILE")]
    pub config: PathBuf,
    /// The state file [default: state/<config file stem>.state.json].
    #[arg(long, global = true, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// How many accounts to read, and changes to make, at once.
    #[arg(long, global = true, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub parallelism: u16,
    /// How long to wait for the state lock held by another run (e.g. 30s, 5m).
    #[arg(long, global = true, default_value = "0s", value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub lock_timeout: Duration,
    /// No colors (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the configuration; makes no AWS call.
    Validate,
    /// Show what apply would change.
    Plan {
        /// Exit 0 when nothing would change, 2 when something would, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Take over same-named roles and policies that orgrole did not create.
        #[arg(long)]
        adopt: bool,
    },
    /// Make the accounts match the configuration.
    Apply {
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// Take over same-named roles and policies that orgrole did not create.
        #[arg(long)]
        adopt: bool,
    },
    /// Remove every role, policy and attachment orgrole manages in this state.
    Destroy {
        /// Destroy without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Inspect the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Remove a state lock left behind by a run that is gone.
    ForceUnlock {
        /// The lock ID, as shown by the error that named the lock.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the addresses of the resources orgrole manages.
    List,
    /// Show one resource of the state.
    Show {
        /// e.g. account/111111111111/role/radiant-aws-api-access-role
        address: String,
    },
}
