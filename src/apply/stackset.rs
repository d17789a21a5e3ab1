//! StackSet mode's steps, in order, one operation at a time: each call that
//! starts an operation records its ID in state, then polls it to its end
//! with a capped backoff, showing progress per region. An operation someone
//! else started is waited for, not failed on.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use super::{ApplyEvent, Observer, Persist};
use crate::cloud::{
    running_operation, CloudError, ErrorKind, OperationInfo, OperationResult, OperationStatus, ResultStatus,
    StackSets, TrustedAccess,
};
use crate::plan::{StackSetAction, StackSetPlan, StackSetStep};
use crate::state::{Effect, PendingOperation, StackSetRecord, State, StateError};

/// Polls start at this interval and double up to the cap.
const FIRST_POLL: Duration = Duration::from_secs(1);
const POLL_CAP: Duration = Duration::from_secs(15);

#[derive(Debug, Default)]
pub struct StackSetOutcome {
    /// Indexes into the plan's stack set steps.
    pub completed: Vec<usize>,
    /// What stopped the steps, if anything did.
    pub error: Option<StackSetError>,
    /// Accounts and regions whose instance failed, with AWS's reason.
    pub failed_instances: Vec<OperationResult>,
    /// The operation still running when `--timeout` ran out.
    pub timed_out: Option<String>,
    pub interrupted: bool,
}

/// Why a stack set step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackSetError {
    Call(CloudError),
    /// The operation ended without succeeding everywhere.
    Operation {
        id: String,
        status: OperationStatus,
        /// AWS's StatusReason.
        reason: Option<String>,
        /// How many (account, region) instances failed.
        failed: usize,
    },
}

/// How a wait for an operation ended.
enum Waited {
    Ended(OperationInfo),
    TimedOut(String),
    Interrupted,
}

/// What waiting needs: where, until when, and how to stop early.
pub struct Waiter<'a, S> {
    pub sets: S,
    pub name: &'a str,
    pub deadline: Instant,
    pub observer: &'a dyn Observer,
    pub interrupt: Pin<&'a mut (dyn Future<Output = ()> + Send)>,
}

impl<S: StackSets> Waiter<'_, S> {
    /// Sleeps `pause` (at most until the deadline); `Err`: the deadline
    /// passed or an interrupt came, waiting for operation `id`.
    async fn pause(&mut self, pause: Duration, id: &str) -> Result<(), Waited> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(Waited::TimedOut(id.to_owned()));
        }
        tokio::select! {
            biased;
            () = self.interrupt.as_mut() => Err(Waited::Interrupted),
            () = tokio::time::sleep(pause.min(self.deadline - now)) => Ok(()),
        }
    }

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
                    self.observer.event(ApplyEvent::Progress {
                        stackset: self.name,
                        operation: id,
                        region,
                        done: *done,
                        failed: *failed,
                        total: expected,
                    });
                }
                shown = Some(progress);
            }
            if let Err(stopped) = self.pause(delay, id).await {
                return Ok(stopped);
            }
            delay = (delay * 2).min(POLL_CAP);
        }
    }

    /// After OperationInProgressException: waits for the operation running
    /// on the stack set; `None`: it ended meanwhile (after a pause, so that
    /// a refusal and a list that disagree cannot spin).
    async fn wait_for_running(&mut self) -> Result<Option<Waited>, CloudError> {
        // An operation someone started may be of a stack set with managed
        // execution; read until one is found.
        match running_operation(&self.sets, self.name, true).await? {
            Some(op) => {
                self.observer.event(ApplyEvent::WaitingForOther { stackset: self.name, operation: &op });
                self.wait(&op.id, 0).await.map(Some)
            }
            None => Ok(self.pause(FIRST_POLL, "(none listed)").await.err()),
        }
    }
}

impl<S: StackSets> Waiter<'_, S> {
    /// ActivateOrganizationsAccess, unless it is on already (a saved plan
    /// may be applied after someone activated it), then until
    /// DescribeOrganizationsAccess says ENABLED; `Some`: it did not by the
    /// deadline, or an interrupt came.
    async fn activate_trusted_access(&mut self) -> Result<Option<Waited>, CloudError> {
        let mut delay = FIRST_POLL;
        let mut activated = false;
        while self.sets.trusted_access().await? != TrustedAccess::Enabled {
            if !activated {
                self.sets.activate_trusted_access().await?;
                activated = true;
                continue;
            }
            if let Err(stopped) = self.pause(delay, "ActivateOrganizationsAccess").await {
                return Ok(Some(stopped));
            }
            delay = (delay * 2).min(POLL_CAP);
        }
        Ok(None)
    }
}

/// Accounts done and failed per region.
fn by_region(results: &[OperationResult]) -> BTreeMap<String, (usize, usize)> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in results {
        let entry = counts.entry(r.region.clone()).or_default();
        match r.status {
            Some(ResultStatus::Succeeded) => entry.0 += 1,
            Some(ResultStatus::Failed | ResultStatus::Cancelled) => entry.1 += 1,
            _ => {}
        }
    }
    counts
}

/// Runs the stack set's steps; stops at the first that does not complete.
pub async fn apply_stackset<S: StackSets>(
    plan: &StackSetPlan,
    state: &mut State,
    store: &impl Persist,
    waiter: &mut Waiter<'_, S>,
) -> Result<StackSetOutcome, StateError> {
    let mut outcome = StackSetOutcome::default();
    for (i, step) in plan.steps.iter().enumerate() {
        waiter.observer.event(ApplyEvent::StepStarted { stackset: plan, step });
        let started = Instant::now();
        match run_step(plan, step, state, store, waiter, &mut outcome).await {
            Ok(true) => {
                let elapsed = started.elapsed();
                waiter.observer.event(ApplyEvent::StepFinished { stackset: plan, step, elapsed });
                outcome.completed.push(i);
            }
            Ok(false) => break,
            Err(Failure::State(e)) => return Err(e),
            Err(Failure::Cloud(e)) => {
                let error = StackSetError::Call(e);
                waiter.observer.event(ApplyEvent::StepFailed { stackset: plan, step, error: &error });
                outcome.error = Some(error);
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

/// Starts the step's operation; `Ok(None)`: the step needed none and is done.
async fn start<S: StackSets>(
    plan: &StackSetPlan,
    step: &StackSetStep,
    state: &mut State,
    store: &impl Persist,
    sets: &S,
) -> Result<Option<String>, Failure> {
    let name = plan.name.as_str();
    let id = match &step.action {
        StackSetAction::Create { spec } => {
            let id = sets.create(spec).await?;
            let parameters = match &step.effect {
                Some(Effect::Updated { parameters, .. }) => parameters.clone(),
                _ => String::new(),
            };
            state.set_stackset(StackSetRecord {
                name: plan.name.clone(),
                id,
                call_as: plan.call_as,
                parameters,
                auto_deployment: spec.auto_deployment,
                deployed: vec![],
                pending: None,
            });
            None
        }
        StackSetAction::Delete => {
            match sets.delete(name).await {
                // Deleted, or already gone.
                Err(e) if e.kind != ErrorKind::NotFound => return Err(e.into()),
                _ => state.remove_stackset(name),
            }
            None
        }
        StackSetAction::Forget => {
            state.remove_stackset(name);
            None
        }
        StackSetAction::ActivateTrustedAccess => unreachable!("run_step activates, with its waiter"),
        StackSetAction::Update { spec } => Some(sets.update(spec, &plan.preferences).await?),
        StackSetAction::AddInstances { targets, regions } => {
            Some(sets.create_instances(name, targets, regions, &plan.preferences).await?)
        }
        // Offboarding removes the stacks, and the role with them (but where AWS can no longer act).
        StackSetAction::RemoveInstances { targets, regions, retain_stacks } => {
            Some(sets.delete_instances(name, targets, regions, *retain_stacks, &plan.preferences).await?)
        }
    };
    if id.is_none() {
        store.persist(state).await?;
    }
    Ok(id)
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
    if step.action == StackSetAction::ActivateTrustedAccess {
        return Ok(match waiter.activate_trusted_access().await? {
            None => true,
            Some(why) => stopped(outcome, why),
        });
    }
    let id = loop {
        match start(plan, step, state, store, &waiter.sets).await {
            Ok(Some(id)) => break id,
            Ok(None) => return Ok(true),
            // One operation at a time per stack set: wait for the other, then go on.
            Err(Failure::Cloud(e)) if e.kind == ErrorKind::OperationInProgress => {
                match waiter.wait_for_running().await? {
                    Some(Waited::TimedOut(op)) => return Ok(stopped(outcome, Waited::TimedOut(op))),
                    Some(Waited::Interrupted) => return Ok(stopped(outcome, Waited::Interrupted)),
                    _ => continue,
                }
            }
            Err(e) => return Err(e),
        }
    };
    // Recorded before waiting: a run that stops waiting leaves it for the next.
    let mut record = state.stackset(name).cloned().unwrap_or_else(|| unrecorded(plan));
    record.pending = Some(PendingOperation { id: id.clone(), effect: step.effect.clone() });
    state.set_stackset(record);
    store.persist(state).await?;
    let op = match waiter.wait(&id, step.accounts.len()).await? {
        Waited::Ended(op) => op,
        other => return Ok(stopped(outcome, other)),
    };
    settle(state, name, &op);
    store.persist(state).await?;
    let results = waiter.sets.operation_results(name, &id).await?;
    let failed: Vec<OperationResult> =
        results.into_iter().filter(|r| r.status == Some(ResultStatus::Failed)).collect();
    if op.status == OperationStatus::Succeeded && failed.is_empty() {
        return Ok(true);
    }
    let error =
        StackSetError::Operation { id, status: op.status, reason: op.reason.clone(), failed: failed.len() };
    waiter.observer.event(ApplyEvent::StepFailed { stackset: plan, step, error: &error });
    for result in &failed {
        waiter.observer.event(ApplyEvent::InstanceFailed { stackset: name, result });
    }
    outcome.error = Some(error);
    outcome.failed_instances.extend(failed);
    Ok(false)
}

/// Notes why the steps stopped before their end; returns `false`.
fn stopped(outcome: &mut StackSetOutcome, why: Waited) -> bool {
    match why {
        Waited::TimedOut(id) => outcome.timed_out = Some(id),
        Waited::Interrupted => outcome.interrupted = true,
        Waited::Ended(_) => {}
    }
    false
}

/// A stack set orgrole is taking over (tagged, or `--adopt`): recorded with
/// nothing applied yet, so that until its update ends, every plan updates it.
fn unrecorded(plan: &StackSetPlan) -> StackSetRecord {
    let spec = plan.steps.iter().find_map(|s| match &s.action {
        StackSetAction::Update { spec } => Some(spec),
        _ => None,
    });
    StackSetRecord {
        name: plan.name.clone(),
        id: plan.id.clone().unwrap_or_default(),
        call_as: plan.call_as,
        parameters: String::new(),
        auto_deployment: spec
            .map_or(crate::model::AutoDeployment { enabled: false, retain_stacks: false }, |s| {
                s.auto_deployment
            }),
        deployed: vec![],
        pending: None,
    }
}

/// Records what an ended operation did, and that it is no longer pending.
/// An update changes the stack set even when some instances fail, and a
/// failed create still made some instances (the next plan shows the failed
/// ones as drift); a removal counts only once it succeeded, so that a
/// failed one is planned again.
pub fn settle(state: &mut State, name: &str, op: &OperationInfo) {
    let Some(mut record) = state.stackset(name).cloned() else { return };
    let Some(pending) = record.pending.take().filter(|p| p.id == op.id) else { return };
    match pending.effect {
        Some(Effect::Updated { parameters, auto_deployment }) if op.status != OperationStatus::Stopped => {
            record.parameters = parameters;
            record.auto_deployment = auto_deployment;
        }
        Some(Effect::Deployed(deployments)) => {
            let place = |d: &crate::state::Deployment| (d.ou.clone(), d.region.clone());
            record.deployed.retain(|d| !deployments.iter().any(|n| place(n) == place(d)));
            record.deployed.extend(deployments);
            record.deployed.sort();
        }
        Some(Effect::Withdrawn(gone)) if op.status == OperationStatus::Succeeded => {
            record.deployed.retain(|d| !gone.iter().any(|g| g.ou == d.ou && g.region == d.region));
        }
        _ => {}
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
    waiter.observer.event(ApplyEvent::WaitingForPending { stackset: waiter.name, operation: &pending.id });
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
