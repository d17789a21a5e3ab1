//! Executes a plan: the only code that writes to AWS. Changes run as their
//! dependencies complete, at most `parallelism` at a time; a failure skips
//! what depends on it and nothing else; state is saved after every step.

mod event;
mod outcome;
mod retry;
mod stackset;
mod steps;

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;

pub use event::{ApplyEvent, Observer};
pub use outcome::Outcome;
pub use stackset::{finish_pending, settle, Failure, StackSetError, StackSetOutcome, Waiter};

use crate::cloud::{Cloud, CloudError};
use crate::graph::ChangeGraph;
use crate::plan::Plan;
use crate::state::{ObjectStore, State, StateError, StateStore};
use steps::StateEffect;

pub struct ApplyOptions<'a> {
    pub parallelism: usize,
    /// The role orgrole assumes in each account.
    pub access_role: &'a str,
    /// How long to wait for StackSet operations, in all.
    pub timeout: Duration,
}

/// Where apply keeps the state after each step.
pub trait Persist {
    fn persist(&self, state: &mut State) -> impl Future<Output = Result<(), StateError>>;
}

impl<O: ObjectStore> Persist for StateStore<O> {
    async fn persist(&self, state: &mut State) -> Result<(), StateError> {
        self.save(state).await
    }
}

/// Applies `plan`. `store` keeps the state after each completed step; if
/// that fails, nothing more is started. When `interrupt` resolves, changes
/// in flight finish and no new ones start. Ends with `ApplyEvent::Finished`.
pub async fn apply<C: Cloud>(
    cloud: &C,
    plan: &Plan,
    options: &ApplyOptions<'_>,
    state: &mut State,
    store: &impl Persist,
    observer: &dyn Observer,
    interrupt: impl Future<Output = ()> + Send,
) -> Result<Outcome, StateError> {
    observer.event(ApplyEvent::Starting(plan));
    let outcome = run_plan(cloud, plan, options, state, store, observer, interrupt).await?;
    observer.event(ApplyEvent::Finished { plan, outcome: &outcome });
    Ok(outcome)
}

async fn run_plan<C: Cloud>(
    cloud: &C,
    plan: &Plan,
    options: &ApplyOptions<'_>,
    state: &mut State,
    store: &impl Persist,
    observer: &dyn Observer,
    interrupt: impl Future<Output = ()> + Send,
) -> Result<Outcome, StateError> {
    let mut interrupt = std::pin::pin!(interrupt);
    let mut outcome = Outcome::default();
    // The stack set first: on the emulator, a role made directly in the
    // management account would collide with an organization-wide stack set.
    if let Some(stackset) = plan.stackset.as_ref().filter(|s| !s.steps.is_empty()) {
        let mut waiter = Waiter {
            sets: cloud.stacksets(stackset.call_as),
            name: &stackset.name,
            deadline: tokio::time::Instant::now() + options.timeout,
            observer,
            interrupt: interrupt.as_mut(),
        };
        outcome.stackset = stackset::apply_stackset(stackset, state, store, &mut waiter).await?;
        if outcome.stackset.interrupted {
            outcome.interrupted = true;
            outcome.not_started = plan.changes.len();
            return Ok(outcome);
        }
    }
    let graph = ChangeGraph::new(&plan.changes);
    let mut waiting: Vec<usize> = (0..graph.len()).map(|i| graph.dependencies(i)).collect();
    let mut ready: Vec<usize> = (0..graph.len()).filter(|&i| waiting[i] == 0).rev().collect();
    let mut running = FuturesUnordered::new();
    let mut interrupted = false;

    loop {
        while !interrupted && running.len() < options.parallelism.max(1) {
            let Some(i) = ready.pop() else { break };
            let change = &plan.changes[i];
            observer.event(ApplyEvent::ChangeStarted(change));
            running.push(async move {
                let started = Instant::now();
                let result = run(cloud, options.access_role, change).await;
                (i, result, started.elapsed())
            });
        }
        let Some(first) = (tokio::select! {
            // An interrupt is seen before further results, so nothing new starts after it.
            biased;
            () = interrupt.as_mut(), if !interrupted => {
                interrupted = true;
                observer.event(ApplyEvent::Interrupted { in_flight: running.len() });
                continue;
            }
            next = running.next() => next,
        }) else {
            break;
        };
        // Results that are in already share one state write: with many
        // accounts, one write per step would make the state the bottleneck.
        let mut batch = vec![first];
        while let Some(Some(next)) = running.next().now_or_never() {
            batch.push(next);
        }
        let mut completed = vec![];
        for (i, result, elapsed) in batch {
            let change = &plan.changes[i];
            match result {
                Ok(effect) => {
                    observer.event(ApplyEvent::ChangeFinished { change, elapsed });
                    match effect {
                        StateEffect::Upsert(resource) => state.upsert(resource),
                        StateEffect::Remove => {
                            state.remove(&change.address);
                        }
                        StateEffect::None => {}
                    }
                    completed.push(i);
                }
                Err(e) => {
                    observer.event(ApplyEvent::ChangeFailed { change, error: &e });
                    outcome.failed.push((i, e));
                    skip_dependents(&graph, plan, i, observer, &mut outcome);
                }
            }
        }
        if completed.is_empty() {
            continue;
        }
        // Saved before anything that depends on these steps starts.
        store.persist(state).await?;
        for i in completed {
            outcome.completed.push(i);
            for next in graph.dependents(i) {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    ready.push(next);
                }
            }
        }
    }
    outcome.interrupted = interrupted;
    outcome.not_started =
        plan.changes.len() - outcome.completed.len() - outcome.failed.len() - outcome.skipped.len();
    Ok(outcome)
}

/// Everything that (transitively) waits for a failed change.
fn skip_dependents(
    graph: &ChangeGraph,
    plan: &Plan,
    failed: usize,
    observer: &dyn Observer,
    outcome: &mut Outcome,
) {
    let mut stack: Vec<usize> = graph.dependents(failed).collect();
    while let Some(i) = stack.pop() {
        if outcome.skipped.iter().any(|(s, _)| *s == i) {
            continue;
        }
        let failed_address = &plan.changes[failed].address;
        observer.event(ApplyEvent::ChangeSkipped { change: &plan.changes[i], failed: failed_address });
        outcome.skipped.push((i, failed));
        stack.extend(graph.dependents(i));
    }
}

async fn run<C: Cloud>(
    cloud: &C,
    access_role: &str,
    change: &crate::plan::Change,
) -> Result<StateEffect, CloudError> {
    let iam = cloud.iam(&change.address.account, access_role).await?;
    steps::execute(&iam, change).await
}

#[cfg(test)]
mod role_options_tests;
#[cfg(test)]
mod stackset_tests;
#[cfg(test)]
pub(crate) mod tests;
