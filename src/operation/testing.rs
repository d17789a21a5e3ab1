//! The pipeline on the sim, for tests everywhere: the same settle → observe
//! → plan → lock → apply → save as the CLI runs on AWS.

use std::future::pending;
use std::time::Duration;

use super::{Approval, Operation, Ran, Request, Review};
use crate::apply::{ApplyEvent, Observer, Outcome};
use crate::cloud::sim::SimCloud;
use crate::config::Desired;
use crate::plan::{Plan, PlanOptions};
use crate::state::{MemoryObjects, RemoteState, State, StateStore};

/// Draws nothing.
pub struct Quiet;

impl Observer for Quiet {
    fn event(&self, _: ApplyEvent<'_>) {}
}

/// Approves every plan, and keeps the last one shown.
#[derive(Default)]
pub struct Approve {
    pub shown: Option<Plan>,
}

impl Review for Approve {
    fn show(&mut self, plan: &Plan) {
        self.shown = Some(plan.clone());
    }

    fn approve(&mut self) -> Approval {
        Approval::Yes
    }
}

/// A remote state in memory holding `state`.
pub async fn store_of(state: &mut State) -> StateStore<MemoryObjects> {
    let store =
        StateStore::S3(RemoteState::new(MemoryObjects::default(), "s3://test/state".into(), "state".into()));
    store.save(state).await.expect("an empty bucket takes it");
    store
}

/// What `orgrole plan` would show.
pub async fn plan_for(cloud: &SimCloud, d: &Desired, state: &State, options: PlanOptions) -> Plan {
    let store = store_of(&mut state.clone()).await;
    let op = Operation::new(cloud, d, &store, 4);
    op.plan(state, options).await.expect("planned").1
}

/// `orgrole apply --auto-approve` (or destroy): the plan it showed, and
/// what applying it did; `state` is the state it saved.
pub async fn converge(
    cloud: &SimCloud,
    d: &Desired,
    state: &mut State,
    options: PlanOptions,
) -> (Plan, Outcome) {
    let store = store_of(state).await;
    let op = Operation::new(cloud, d, &store, 4);
    let request = Request {
        saved: None,
        options,
        approved: true,
        timeout: Duration::from_secs(3600),
        lock_timeout: Duration::ZERO,
    };
    let mut review = Approve::default();
    let ran = op.run(request, &mut review, &Quiet, pending()).await.expect("ran");
    *state = store.load().await.expect("saved");
    let outcome = match ran {
        Ran::Applied { outcome, .. } => *outcome,
        Ran::NoChanges { .. } => Outcome::default(),
        other => panic!("the run did not apply: {other:?}"),
    };
    (review.shown.expect("a plan is shown"), outcome)
}
