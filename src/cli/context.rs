use std::io::IsTerminal;
use std::path::PathBuf;

use miette::{IntoDiagnostic, MietteHandlerOpts};

use super::args::Global;
use crate::cloud::Cloud;
use crate::config::{self, Desired, StateBackend};
use crate::observe::Observed;
use crate::operation::Operation;
use crate::plan::{Plan, PlanOptions};
use crate::render::{Paint, ReadingBar};
use crate::state::{RemoteState, State, StateFile, StateStore};

/// What every command shares: the global flags and how to print.
pub struct Context {
    pub global: Global,
    pub paint: Paint,
}

fn s3_store<C: Cloud>(cloud: &C, bucket: &str, key: &str, region: Option<&str>) -> StateStore<C::Objects> {
    let objects = cloud.objects(bucket, region);
    StateStore::S3(RemoteState::new(objects, format!("s3://{bucket}/{key}"), key.to_owned()))
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

    /// The validated configuration; warnings go to standard error, and the
    /// policy lint's as a count (`validate` and `verify` show them).
    pub fn config(&self) -> miette::Result<Desired> {
        self.load(false)
    }

    /// The configuration, with the policy lint's warnings in full.
    pub fn config_linted(&self) -> miette::Result<Desired> {
        self.load(true)
    }

    fn load(&self, lint: bool) -> miette::Result<Desired> {
        let loaded = config::load(&self.global.config)?;
        if let Some(warnings) = loaded.warnings {
            eprintln!("{:?}", miette::Report::new(warnings));
        }
        match loaded.lint {
            Some(report) if lint => eprintln!("{:?}", miette::Report::new(report)),
            Some(report) => {
                let n = report.problems().len();
                eprintln!(
                    "Warning: the policy lint has {n} warning{} (actions IAM would not grant as written): `orgrole validate` shows {}.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                );
            }
            None => {}
        }
        Ok(loaded.desired)
    }

    /// The bucket and key of `--state s3://bucket/key`; `None` for another `--state`.
    fn state_flag_s3(&self) -> miette::Result<Option<(&str, &str)>> {
        let Some(text) = self.global.state.as_ref().and_then(|l| l.to_str()) else { return Ok(None) };
        let Some(rest) = text.strip_prefix("s3://") else { return Ok(None) };
        let parts = rest.split_once('/').filter(|(b, k)| !b.is_empty() && !k.is_empty());
        parts.map(Some).ok_or_else(|| {
            miette::miette!(
                help = "e.g. --state s3://my-orgrole-state/orgrole/prod.json",
                "`{text}` is not an s3://bucket/key URL"
            )
        })
    }

    /// The bucket and key of a state kept in S3: `--state s3://…`, else the
    /// configuration's `state` block (unless `--state` names a file).
    pub fn s3_state<'a>(&'a self, desired: &'a Desired) -> miette::Result<Option<(&'a str, &'a str)>> {
        match (&self.global.state, self.state_flag_s3()?) {
            (_, Some(flag)) => Ok(Some(flag)),
            (Some(_), None) => Ok(None),
            (None, None) => Ok(desired.s3_state()),
        }
    }

    /// Where the state lives: `--state` (a path or `s3://bucket/key`), else
    /// the configuration's `state` block, else `state/<config stem>.state.json`.
    pub fn state_store<C: Cloud>(
        &self,
        desired: Option<&Desired>,
        cloud: &C,
    ) -> miette::Result<StateStore<C::Objects>> {
        if let Some(location) = &self.global.state {
            if let Some((bucket, key)) = self.state_flag_s3()? {
                return Ok(s3_store(cloud, bucket, key, None));
            }
            return Ok(StateStore::Local(StateFile::new(location)));
        }
        if let Some(StateBackend::S3 { bucket, key, region }) = desired.and_then(|d| d.state.as_ref()) {
            return Ok(s3_store(cloud, bucket, key, region.as_deref()));
        }
        let stem =
            self.global.config.file_stem().map_or("orgrole".into(), |s| s.to_string_lossy().into_owned());
        Ok(StateStore::Local(StateFile::new(PathBuf::from("state").join(format!("{stem}.state.json")))))
    }

    /// The pipeline on `cloud`, for `desired` and its state.
    pub fn operation<'a, C: Cloud>(
        &self,
        cloud: &'a C,
        desired: &'a Desired,
        store: &'a StateStore<C::Objects>,
    ) -> Operation<'a, C, C::Objects> {
        Operation::new(cloud, desired, store, self.parallelism())
    }

    /// What the commands that read start with: the state, and the accounts
    /// observed and planned from it (a bar while reading, unless the output
    /// is for a machine).
    pub async fn planned<C: Cloud>(
        &self,
        cloud: &C,
        desired: &Desired,
        options: PlanOptions,
        machine: bool,
    ) -> miette::Result<(State, Observed, Plan)> {
        let store = self.state_store(Some(desired), cloud)?;
        let bar = self.reading_bar(machine);
        let op = self.operation(cloud, desired, &store).watched(&bar);
        let state = op.load().await.into_diagnostic()?;
        let (observed, plan) = op.plan(&state, options).await.into_diagnostic()?;
        Ok((state, observed, plan))
    }

    pub fn parallelism(&self) -> usize {
        usize::from(self.global.parallelism)
    }

    /// Reading the accounts shows a bar: on a terminal, never for a machine.
    pub fn reading_bar(&self, machine: bool) -> ReadingBar {
        ReadingBar::new(!machine && std::io::stderr().is_terminal())
    }

    /// The configuration if its file exists: commands on the state alone
    /// need it only for its `state` block.
    pub fn desired_if_present(&self) -> miette::Result<Option<Desired>> {
        if self.global.state.is_some() || !self.global.config.exists() {
            return Ok(None);
        }
        self.config().map(Some)
    }

    pub fn runtime(&self) -> miette::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()
    }
}
