//! One run of orgrole on any `Cloud` and state store: settle what an
//! earlier run left pending, observe, plan, and (holding the state lock)
//! apply and save. The CLI composes it with AWS; the tests with the sim.

mod error;
mod pending;
mod run;

use std::future::Future;
use std::time::Duration;

pub use error::OperationError;
pub use pending::StillRunning;
pub use run::{Approval, Ran, Request, Review};

use crate::apply::{self, ApplyOptions, Observer, Outcome};
use crate::cloud::Cloud;
use crate::config::Desired;
use crate::observe::{read_accounts, survey, Observed, Reading, Unwatched};
use crate::plan::{plan, refusal, Plan, PlanOptions};
use crate::saved_plan::{SavedPlan, Stale};
use crate::state::{ObjectStore, State, StateError, StateStore};

pub struct Operation<'a, C, O> {
    pub cloud: &'a C,
    pub desired: &'a Desired,
    pub store: &'a StateStore<O>,
    /// Accounts read or changed at once.
    pub parallelism: usize,
    /// Told as the accounts are read.
    pub reading: &'a dyn Reading,
}

impl<'a, C: Cloud, O: ObjectStore> Operation<'a, C, O> {
    pub fn new(cloud: &'a C, desired: &'a Desired, store: &'a StateStore<O>, parallelism: usize) -> Self {
        Self { cloud, desired, store, parallelism, reading: &Unwatched }
    }

    /// The same, telling `reading` how far reading the accounts got.
    pub fn watched(self, reading: &'a dyn Reading) -> Self {
        Self { reading, ..self }
    }

    pub async fn load(&self) -> Result<State, StateError> {
        self.store.load().await
    }

    /// Observes the accounts and plans, from the state as it will be once
    /// an operation an earlier run left pending is recorded (a plan, which
    /// writes nothing, plans from that copy).
    pub async fn plan(
        &self,
        state: &State,
        options: PlanOptions,
    ) -> Result<(Observed, Plan), OperationError> {
        let settled = pending::settled(self.cloud, state).await?;
        let state = settled.as_ref().unwrap_or(state);
        let observed = self.observe_settled(state, options.destroy).await?;
        let plan = plan(self.desired, &observed, state, options);
        Ok((observed, plan))
    }

    /// What a plan starts from, without planning.
    pub async fn observe(&self, state: &State, destroy: bool) -> Result<Observed, OperationError> {
        let settled = pending::settled(self.cloud, state).await?;
        self.observe_settled(settled.as_ref().unwrap_or(state), destroy).await
    }

    /// The survey, refused before any account is read if it cannot be
    /// planned, then the accounts.
    async fn observe_settled(&self, state: &State, destroy: bool) -> Result<Observed, OperationError> {
        let survey = survey(self.cloud, self.desired, state, destroy).await?;
        if let Some(refused) = refusal(self.desired, &survey.observed, state, destroy) {
            return Err(refused.into());
        }
        Ok(survey.read(self.cloud, self.desired.access_role(), self.parallelism, self.reading).await)
    }

    /// Why a saved plan no longer describes the accounts (empty: it does),
    /// reading again what its changes touch.
    pub async fn staleness(&self, saved: &SavedPlan, state: &State) -> Vec<Stale> {
        let live =
            read_accounts(self.cloud, saved.touched(), &saved.access_role, self.parallelism, self.reading)
                .await;
        saved.staleness(self.desired, state, &live)
    }

    /// Applies `plan`, saving the state after every step.
    pub async fn apply(
        &self,
        plan: &Plan,
        state: &mut State,
        timeout: Duration,
        observer: &dyn Observer,
        interrupt: impl Future<Output = ()> + Send,
    ) -> Result<Outcome, StateError> {
        let options =
            ApplyOptions { parallelism: self.parallelism, access_role: self.desired.access_role(), timeout };
        apply::apply(self.cloud, plan, &options, state, self.store, observer, interrupt).await
    }
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
