//! StackSet mode's steps, in order, one operation at a time: each call that
//! starts an operation records its ID in state, then polls it to its end
//! with a capped backoff, showing progress per region. An operation someone
//! else started is waited for, not failed on.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use super::report::Reporter;
use super::Persist;
use crate::cloud::{
    AccountFilter, CloudError, DeploymentTargets, ErrorKind, OperationInfo, OperationResult, OperationStatus,
    StackSets,
};
use crate::plan::{fingerprint_text, StackSetAction, StackSetPlan, StackSetStep};
use crate::state::{PendingOperation, StackSetRecord, State, StateError};

/// Polls start at this interval and double up to the cap.
const FIRST_POLL: Duration = Duration::from_secs(1);
const POLL_CAP: Duration = Duration::from_secs(15);

#[derive(Debug, Default)]
pub struct StackSetOutcome {
    /// Indexes into the plan's stack set steps.
    pub completed: Vec<usize>,
    /// What stopped the steps, if anything did.
    pub error: Option<String>,
    /// Accounts and regions whose instance failed, with AWS's reason.
    pub failed_instances: Vec<OperationResult>,
    /// The operation still running when `--timeout` ran out.
    pub timed_out: Option<String>,
    pub interrupted: bool,
}

/// How a wait for an operation ended.
enum Waited {
    Ended(OperationInfo),
    TimedOut(OperationInfo),
    Interrupted,
}

/// What waiting needs: where, until when, and how to stop early.
pub struct Waiter<'a, S> {
    pub sets: S,
    pub name: &'a str,
    pub deadline: Instant,
    pub reporter: &'a Reporter,
    pub interrupt: Pin<&'a mut (dyn Future<Output = ()> + Send)>,
}

impl<S: StackSets> Waiter<'_, S> {
    /// Polls operation `id` until it ends, the deadline passes or an
    /// interrupt comes, reporting per-region progress as it changes.
    async fn wait(&mut self, id: &str, expected: usize) -> Result<Waited, CloudError> {
        let mut delay = FIRST_POLL;
        let mut shown: Option<BTreeMap<String, (usize, usize)>> = None;
        loop {
            let op = self.sets.operation(self.name, id).await?;
            if !op.status.is_active() {
                return Ok(Waited::Ended(op));
            }
            let progress = by_region(&self.sets.operation_results(self.name, id).await?);
            if shown.as_ref() != Some(&progress) {
                for (region, (done, failed)) in &progress {
                    self.reporter.stackset_progress(self.name, id, region, *done, *failed, expected);
                }
                shown = Some(progress);
            }
            let now = Instant::now();
            if now >= self.deadline {
                return Ok(Waited::TimedOut(op));
            }
            let pause = delay.min(self.deadline - now);
            tokio::select! {
                biased;
                () = self.interrupt.as_mut() => return Ok(Waited::Interrupted),
                () = tokio::time::sleep(pause) => {}
            }
            delay = (delay * 2).min(POLL_CAP);
        }
    }

    /// Waits for whatever operation is running on the stack set.
    async fn wait_for_running(&mut self) -> Result<Option<Waited>, CloudError> {
        let running = self.sets.operations(self.name).await?.into_iter().find(|o| o.status.is_active());
        let Some(op) = running else { return Ok(None) };
        self.reporter.stackset_waiting(self.name, &op);
        self.wait(&op.id, 0).await.map(Some)
    }
}

/// Accounts done and failed per region.
fn by_region(results: &[OperationResult]) -> BTreeMap<String, (usize, usize)> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in results {
        let entry = counts.entry(r.region.clone()).or_default();
        match r.status.as_str() {
            "SUCCEEDED" => entry.0 += 1,
            "FAILED" | "CANCELLED" => entry.1 += 1,
            _ => {}
        }
    }
    counts
}

/// Runs the stack set's steps; stops at the first that fails.
pub async fn apply_stackset<S: StackSets>(
    plan: &StackSetPlan,
    state: &mut State,
    store: &impl Persist,
    waiter: &mut Waiter<'_, S>,
) -> Result<StackSetOutcome, StateError> {
    let mut outcome = StackSetOutcome::default();
    for (i, step) in plan.steps.iter().enumerate() {
        waiter.reporter.stackset_started(plan, step);
        let started = Instant::now();
        match run_step(plan, step, state, store, waiter, &mut outcome).await {
            Ok(true) => {
                waiter.reporter.stackset_finished(plan, step, started.elapsed());
                outcome.completed.push(i);
            }
            Ok(false) => break,
            Err(Failure::State(e)) => return Err(e),
            Err(Failure::Cloud(e)) => {
                waiter.reporter.stackset_failed(plan, step, &e.to_string());
                outcome.error = Some(e.to_string());
                break;
            }
        }
    }
    Ok(outcome)
}

pub enum Failure {
    Cloud(CloudError),
    State(StateError),
}

impl From<CloudError> for Failure {
    fn from(e: CloudError) -> Self {
        Self::Cloud(e)
    }
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Self {
        Self::State(e)
    }
}

/// One step to its end. `Ok(false)`: it did not complete (failed
/// operation, timeout or interrupt), with the outcome saying why.
async fn run_step<S: StackSets>(
    plan: &StackSetPlan,
    step: &StackSetStep,
    state: &mut State,
    store: &impl Persist,
    waiter: &mut Waiter<'_, S>,
    outcome: &mut StackSetOutcome,
) -> Result<bool, Failure> {
    let name = plan.name.as_str();
    let id = loop {
        let started = match &step.action {
            StackSetAction::Create { spec } => {
                let id = waiter.sets.create(spec).await?;
                state.set_stackset(new_record(plan, &id, spec));
                store.persist(state).await?;
                return Ok(true);
            }
            StackSetAction::Delete => match waiter.sets.delete(name).await {
                Err(e) if e.kind != ErrorKind::NotFound => Err(e),
                // Deleted, or already gone.
                _ => {
                    state.remove_stackset(name);
                    store.persist(state).await?;
                    return Ok(true);
                }
            },
            StackSetAction::Forget => {
                state.remove_stackset(name);
                store.persist(state).await?;
                return Ok(true);
            }
            StackSetAction::Update { spec } => waiter.sets.update(spec, &plan.preferences).await,
            StackSetAction::AddInstances { targets, regions } => {
                waiter.sets.create_instances(name, targets, regions, &plan.preferences).await
            }
            StackSetAction::RemoveInstances { targets, regions } => {
                // Offboarding removes the stacks, and the role with them.
                waiter.sets.delete_instances(name, targets, regions, false, &plan.preferences).await
            }
        };
        match started {
            // One operation at a time per stack set: wait for the other, then go on.
            Err(e) if e.kind == ErrorKind::OperationInProgress => match waiter.wait_for_running().await? {
                Some(Waited::TimedOut(op)) => return Ok(timed_out(outcome, op)),
                Some(Waited::Interrupted) => return Ok(interrupted(outcome)),
                _ => continue,
            },
            other => break other?,
        }
    };
    let record = state.stackset(name).cloned().unwrap_or_else(|| unrecorded(plan));
    state.set_stackset(StackSetRecord {
        pending: Some(PendingOperation { id: id.clone(), step: step.action.clone() }),
        ..record
    });
    store.persist(state).await?;
    match waiter.wait(&id, step.accounts.len()).await? {
        Waited::Ended(op) => {
            settle(state, name, &op);
            store.persist(state).await?;
            let results = waiter.sets.operation_results(name, &id).await?;
            let failed: Vec<OperationResult> = results.into_iter().filter(|r| r.status == "FAILED").collect();
            let ok = op.status == OperationStatus::Succeeded && failed.is_empty();
            if !ok {
                let reason =
                    op.reason.clone().unwrap_or_else(|| format!("{} account(s) failed", failed.len()));
                waiter.reporter.stackset_failed(
                    plan,
                    step,
                    &format!("operation {id} {}: {reason}", op.status.as_str()),
                );
                for f in &failed {
                    waiter.reporter.stackset_instance_failed(name, f);
                }
                outcome.error = Some(format!("operation {id} {}: {reason}", op.status.as_str()));
                outcome.failed_instances.extend(failed);
            }
            Ok(ok)
        }
        Waited::TimedOut(op) => Ok(timed_out(outcome, op)),
        Waited::Interrupted => Ok(interrupted(outcome)),
    }
}

fn timed_out(outcome: &mut StackSetOutcome, op: OperationInfo) -> bool {
    outcome.timed_out = Some(op.id);
    false
}

fn interrupted(outcome: &mut StackSetOutcome) -> bool {
    outcome.interrupted = true;
    false
}

fn new_record(plan: &StackSetPlan, id: &str, spec: &crate::cloud::StackSetSpec) -> StackSetRecord {
    StackSetRecord {
        name: plan.name.clone(),
        id: id.to_owned(),
        call_as: plan.call_as,
        parameters: fingerprint_text(&spec.parameters),
        auto_deployment: spec.auto_deployment,
        targets: DeploymentTargets { ous: vec![], accounts: vec![], filter: AccountFilter::None },
        deployed: vec![],
        pending: None,
    }
}

/// A stack set orgrole is taking over (tagged, or `--adopt`): recorded as
/// it is about to be set.
fn unrecorded(plan: &StackSetPlan) -> StackSetRecord {
    let spec = plan.steps.iter().find_map(|s| match &s.action {
        StackSetAction::Update { spec } => Some(spec.clone()),
        _ => None,
    });
    let spec = spec.expect("an unrecorded stack set is planned with an update");
    new_record(plan, plan.id.as_deref().unwrap_or(&plan.name), &spec)
}

/// Records what an ended operation did, and that it is no longer pending.
/// A failed operation still changed what it reached: its instances are
/// recorded, and the next plan shows the failed ones as drift.
pub fn settle(state: &mut State, name: &str, op: &OperationInfo) {
    let Some(mut record) = state.stackset(name).cloned() else { return };
    let Some(pending) = record.pending.take().filter(|p| p.id == op.id) else { return };
    if op.status != OperationStatus::Stopped {
        match pending.step {
            StackSetAction::Update { spec } => {
                record.parameters = fingerprint_text(&spec.parameters);
                record.auto_deployment = spec.auto_deployment;
            }
            StackSetAction::AddInstances { targets, regions } => {
                for ou in &targets.ous {
                    for region in &regions {
                        record.deployed.push((ou.clone(), region.clone()));
                    }
                }
                record.deployed.sort();
                record.deployed.dedup();
                record.targets = DeploymentTargets { ous: vec![], ..targets };
            }
            StackSetAction::RemoveInstances { targets, regions } => {
                record
                    .deployed
                    .retain(|(ou, region)| !(targets.ous.contains(ou) && regions.contains(region)));
            }
            _ => {}
        }
    }
    state.set_stackset(record);
}

/// Before planning: waits for the operation an earlier run started and did
/// not see end (it timed out or was interrupted), and records its effect.
/// `Ok(false)`: it is still running.
pub async fn finish_pending<S: StackSets>(
    state: &mut State,
    store: &impl Persist,
    waiter: &mut Waiter<'_, S>,
) -> Result<bool, Failure> {
    let Some(pending) = state.stackset(waiter.name).and_then(|r| r.pending.clone()) else { return Ok(true) };
    waiter.reporter.stackset_pending(waiter.name, &pending.id);
    match waiter.wait(&pending.id, 0).await {
        Ok(Waited::Ended(op)) => {
            settle(state, waiter.name, &op);
            store.persist(state).await?;
            Ok(true)
        }
        Ok(Waited::TimedOut(_) | Waited::Interrupted) => Ok(false),
        // Not found: AWS keeps operations for 90 days; an older one ended long ago.
        Err(e) if e.kind == ErrorKind::NotFound => {
            let mut record = state.stackset(waiter.name).cloned().expect("read above");
            record.pending = None;
            state.set_stackset(record);
            store.persist(state).await?;
            Ok(true)
        }
        Err(e) => Err(e.into()),
    }
}
