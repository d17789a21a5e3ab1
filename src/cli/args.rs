use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// `0.1.0 (commit 1a2b3c4d5e6f)`: the version and the commit it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("ORGROLE_COMMIT"), ")");

/// Keeps a security vendor's cross-account, read-only IAM role present and
/// correct across an AWS organization.
#[derive(Debug, Parser)]
#[command(name = "orgrole", version = VERSION, about, propagate_version = true)]
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
    /// Write a first orgrole.kdl from the live organization (reads only).
    Init {
        /// StackSet mode (the guide's advice for an organization), or direct.
        #[arg(long, value_enum, default_value_t = crate::init::Mode::Stackset)]
        mode: crate::init::Mode,
        /// Where to write it; an existing file is never overwritten.
        #[arg(long, value_name = "FILE", default_value = "orgrole.kdl")]
        out: PathBuf,
    },
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
        /// Plan the removal of everything orgrole manages, as destroy would.
        #[arg(long)]
        destroy: bool,
        /// Check first that the run can succeed (as `orgrole preflight`); exit 1 if not.
        #[arg(long)]
        preflight: bool,
        /// Save the plan, for review and `orgrole apply FILE`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Make the accounts match the configuration, or apply a saved plan exactly.
    Apply {
        /// A plan saved by `orgrole plan --out`: applied as it is, without a
        /// prompt, or refused if the state, the configuration or a resource it
        /// touches changed since.
        #[arg(value_name = "PLANFILE")]
        plan: Option<PathBuf>,
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// Take over same-named roles and policies that orgrole did not create.
        #[arg(long, conflicts_with = "plan")]
        adopt: bool,
        /// One JSON event per line instead of text.
        #[arg(long)]
        json: bool,
        /// How long to wait for StackSet operations (e.g. 30m, 2h); a re-run
        /// picks up an operation still running.
        #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = humantime::parse_duration)]
        timeout: Duration,
    },
    /// Remove every role, policy and attachment orgrole manages in this state.
    Destroy {
        /// Destroy without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// One JSON event per line instead of text.
        #[arg(long)]
        json: bool,
        /// How long to wait for StackSet operations (e.g. 30m, 2h); a re-run
        /// picks up an operation still running.
        #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = humantime::parse_duration)]
        timeout: Duration,
    },
    /// Render a saved plan.
    Show {
        #[arg(value_name = "PLANFILE")]
        plan: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check the deployed role in every target account; exits 1 on any problem.
    Verify {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The organization as a tree, with each account's coverage; exits 1
    /// unless every target is in sync.
    Status {
        #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
        format: StatusFormat,
        /// List every account of large OUs, not only those to look at.
        #[arg(long)]
        all: bool,
    },
    /// The target accounts as CSV (the Organizations console export's columns
    /// plus `Verified`), for the vendor's credential form.
    Accounts {
        #[arg(long, value_enum, default_value_t = AccountsFormat::Csv)]
        format: AccountsFormat,
    },
    /// The plan's dependency graph, of a fresh plan or a saved one.
    Graph {
        #[arg(value_name = "PLANFILE")]
        plan: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Inspect the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Before any change, whether this run can succeed: per target account,
    /// the access role assumed and orgrole's calls simulated; exits 1 if not.
    Preflight,
    /// The least-privilege IAM policies orgrole needs for this configuration:
    /// the caller's and the access role's.
    Permissions {
        #[arg(long, value_enum, default_value_t = PermissionsFormat::Text)]
        format: PermissionsFormat,
    },
    /// Print a shell completion script (e.g. `orgrole completions bash > /etc/bash_completion.d/orgrole`).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page, in roff (e.g. `orgrole man > /usr/local/share/man/man1/orgrole.1`).
    Man,
    /// Remove a state lock left behind by a run that is gone.
    ForceUnlock {
        /// The lock ID, as shown by the error that named the lock.
        id: String,
    },
}

/// How a plan is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccountsFormat {
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PermissionsFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    Text,
    Markdown,
    Json,
    Mermaid,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the addresses of the resources orgrole manages.
    List,
    /// Print the state (e.g. the S3 one) as JSON.
    Pull,
    /// Replace the state (e.g. the S3 one) with a state file, under the lock.
    Push {
        /// A state file, e.g. from `state pull` or a local run.
        file: PathBuf,
        /// Also over a state of another lineage or a higher serial.
        #[arg(long)]
        force: bool,
    },
    /// Write a fresh state from the live accounts: the roles, policies and
    /// attachments of this configuration that carry orgrole's tag.
    Rebuild {
        /// Also when the current state still records resources.
        #[arg(long)]
        force: bool,
    },
    /// Show one resource of the state.
    Show {
        /// e.g. account/111111111111/role/radiant-aws-api-access-role
        address: String,
    },
}
