use std::io::IsTerminal;
use std::path::PathBuf;

use miette::{IntoDiagnostic, MietteHandlerOpts};

use super::args::Global;
use crate::cloud::aws::AwsCloud;
use crate::config::{self, Desired};
use crate::observe::{observe, Observed};
use crate::plan::{plan, Plan, PlanOptions};
use crate::render::Paint;
use crate::state::{State, StateFile};

/// What every command shares: the global flags and how to print.
pub struct Context {
    pub global: Global,
    pub paint: Paint,
}

impl Context {
    pub fn new(global: Global) -> Self {
        let enabled =
            !global.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
        // Graphical diagnostics even without a terminal: they show file:line:col.
        // Unwrapped, so that IDs and commands in messages can be copied.
        let _ = miette::set_hook(Box::new(move |_| {
            Box::new(
                MietteHandlerOpts::new()
                    .force_graphical(true)
                    .wrap_lines(false)
                    .color(enabled)
                    .unicode(enabled)
                    .build(),
            )
        }));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("ORGROLE_LOG"))
            .with_writer(std::io::stderr)
            .with_ansi(enabled && std::io::stderr().is_terminal())
            .with_target(true)
            .try_init();
        Self { global, paint: Paint { enabled } }
    }

    /// The validated configuration; warnings go to standard error.
    pub fn desired(&self) -> miette::Result<Desired> {
        let loaded = config::load(&self.global.config)?;
        if let Some(warnings) = loaded.warnings {
            eprintln!("{:?}", miette::Report::new(warnings));
        }
        Ok(loaded.desired)
    }

    pub fn state_file(&self) -> StateFile {
        let path = self.global.state.clone().unwrap_or_else(|| {
            let stem =
                self.global.config.file_stem().map_or("orgrole".into(), |s| s.to_string_lossy().into_owned());
            PathBuf::from("state").join(format!("{stem}.state.json"))
        });
        StateFile::new(path)
    }

    pub fn runtime(&self) -> miette::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()
    }

    /// The role orgrole assumes in the target accounts.
    pub fn access_role<'a>(&self, desired: &'a Desired) -> &'a str {
        desired.direct.as_ref().map_or(crate::config::DEFAULT_ACCESS_ROLE, |d| d.access_role.as_str())
    }

    pub fn parallelism(&self) -> usize {
        usize::from(self.global.parallelism)
    }

    /// Observes the accounts and plans: the shared first half of plan,
    /// apply and destroy.
    pub async fn observe_and_plan(
        &self,
        cloud: &AwsCloud,
        desired: &Desired,
        state: &State,
        options: PlanOptions,
    ) -> miette::Result<(Observed, Plan)> {
        let observed = observe(cloud, desired, state, options.destroy, self.parallelism())
            .await
            .map_err(|e| miette::miette!("{e}"))?;
        let plan = plan(desired, &observed, state, options);
        Ok((observed, plan))
    }
}
