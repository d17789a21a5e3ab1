use std::io::IsTerminal;
use std::path::PathBuf;

use miette::{IntoDiagnostic, MietteHandlerOpts};

use super::args::Global;
use crate::cloud::aws::{AwsCloud, S3Objects};
use crate::cloud::{Cloud, StackSets};
use crate::config::{self, Desired, StateBackend};
use crate::observe::{observe, Observed};
use crate::plan::{plan, Plan, PlanOptions};
use crate::render::Paint;
use crate::state::{RemoteState, State, StateFile, StateStore};

/// Where the CLI keeps the state: a local file, or S3.
pub type Store = StateStore<S3Objects>;

/// What every command shares: the global flags and how to print.
pub struct Context {
    pub global: Global,
    pub paint: Paint,
}

fn s3_store(cloud: &AwsCloud, bucket: &str, key: &str, region: Option<&str>) -> Store {
    let objects = S3Objects::new(cloud.config(), bucket, region);
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

    /// The validated configuration; warnings go to standard error.
    pub fn config(&self) -> miette::Result<Desired> {
        let loaded = config::load(&self.global.config)?;
        if let Some(warnings) = loaded.warnings {
            eprintln!("{:?}", miette::Report::new(warnings));
        }
        Ok(loaded.desired)
    }

    /// Where the state lives: `--state` (a path or `s3://bucket/key`), else
    /// the configuration's `state` block, else `state/<config stem>.state.json`.
    pub fn state_store(&self, desired: Option<&Desired>, cloud: &AwsCloud) -> miette::Result<Store> {
        if let Some(location) = &self.global.state {
            let text = location.to_string_lossy();
            if let Some(rest) = text.strip_prefix("s3://") {
                let (bucket, key) = rest
                    .split_once('/')
                    .filter(|(b, k)| !b.is_empty() && !k.is_empty())
                    .ok_or_else(|| {
                        miette::miette!(
                            help = "e.g. --state s3://my-orgrole-state/orgrole/prod.json",
                            "`{text}` is not an s3://bucket/key URL"
                        )
                    })?;
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

    /// The state, from wherever `state_store` says it lives.
    pub async fn load_state(&self, desired: &Desired, cloud: &AwsCloud) -> miette::Result<State> {
        self.state_store(Some(desired), cloud)?.load().await.into_diagnostic()
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

    pub fn parallelism(&self) -> usize {
        usize::from(self.global.parallelism)
    }

    /// Reads what `desired` and `state` mention in the accounts.
    pub async fn observe(
        &self,
        cloud: &AwsCloud,
        desired: &Desired,
        state: &State,
        destroy: bool,
    ) -> miette::Result<Observed> {
        observe(cloud, desired, state, destroy, self.parallelism()).await.map_err(|e| miette::miette!("{e}"))
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
        let settled = settled(cloud, state).await?;
        let state = settled.as_ref().unwrap_or(state);
        let observed = self.observe(cloud, desired, state, options.destroy).await?;
        let plan = plan(desired, &observed, state, options);
        Ok((observed, plan))
    }

    /// Runs `work` holding the state lock, and gives the lock back whatever
    /// happened; a failed release is reported after the work's own error.
    pub async fn under_lock<T>(
        &self,
        store: &Store,
        operation: &str,
        work: impl AsyncFnOnce() -> miette::Result<T>,
    ) -> miette::Result<T> {
        let lock = store.lock(operation, self.global.lock_timeout).await.into_diagnostic()?;
        let result = work().await;
        let released = store.unlock(&lock).await.into_diagnostic();
        let value = result?;
        released?;
        Ok(value)
    }
}

/// The state as it will be once a StackSet operation an earlier run left
/// pending is recorded (apply and destroy record it first; a plan, which
/// writes nothing, plans from this copy). `None`: nothing pending has ended.
async fn settled(cloud: &AwsCloud, state: &State) -> miette::Result<Option<State>> {
    let Some(record) = state.pending_stackset() else { return Ok(None) };
    let pending = record.pending.as_ref().expect("found above");
    let op = match cloud.stacksets(record.call_as).operation(&record.name, &pending.id).await {
        Ok(op) if !op.status.is_active() => op,
        // Still running (apply waits for it); or long gone, as apply would find it too.
        Ok(_) => return Ok(None),
        Err(e) if e.kind == crate::cloud::ErrorKind::NotFound => return Ok(None),
        Err(e) => miette::bail!("could not read stack set operation {}: {e}", pending.id),
    };
    let mut settled = state.clone();
    crate::apply::settle(&mut settled, &record.name, &op);
    Ok(Some(settled))
}
