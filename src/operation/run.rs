//! apply and destroy from end to end, under the state lock: finish what an
//! earlier run left pending, plan (or check a saved plan), have the plan
//! reviewed, apply it.

use std::future::Future;
use std::time::Duration;

use super::pending::StillRunning;
use super::{Operation, OperationError};
use crate::apply::{Observer, Outcome};
use crate::cloud::Cloud;
use crate::plan::{Plan, PlanOptions};
use crate::saved_plan::{SavedPlan, Stale};
use crate::state::ObjectStore;

pub struct Request {
    /// A saved plan to apply exactly (approved when it was saved).
    pub saved: Option<SavedPlan>,
    pub options: PlanOptions,
    /// Apply without asking (`--auto-approve`).
    pub approved: bool,
    /// How long to wait for StackSet operations.
    pub timeout: Duration,
    /// How long to wait for another run's state lock.
    pub lock_timeout: Duration,
}

/// Whoever reviews the plan before it is applied.
pub trait Review {
    /// The plan, before anything is changed, whether or not it will be applied.
    fn show(&mut self, plan: &Plan);
    /// Asked only when the plan has changes, can be applied and was not approved beforehand.
    fn approve(&mut self) -> Approval;
}

impl Request {
    /// `apply` or `destroy`, as the lock names it.
    fn operation(&self) -> &'static str {
        if self.options.destroy {
            "destroy"
        } else {
            "apply"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Yes,
    No,
    /// There is no one to ask (no terminal).
    CannotAsk,
}

/// How a run ended. Only `Applied` changed anything.
#[derive(Debug)]
pub enum Ran {
    StillRunning(StillRunning),
    /// The saved plan no longer describes the accounts.
    Stale(Vec<Stale>),
    Conflicts,
    NoChanges {
        reached_all: bool,
    },
    Cancelled,
    CannotAsk,
    Applied {
        outcome: Box<Outcome>,
        reached_all: bool,
    },
}

impl<C: Cloud, O: ObjectStore> Operation<'_, C, O> {
    pub async fn run(
        &self,
        request: Request,
        review: &mut dyn Review,
        observer: &dyn Observer,
        interrupt: impl Future<Output = ()> + Send,
    ) -> Result<Ran, OperationError> {
        let mut interrupt = std::pin::pin!(interrupt);
        self.store
            .under_lock(request.operation(), request.lock_timeout, async || {
                let mut state = self.load().await?;
                let pending =
                    self.finish_pending(&mut state, request.timeout, observer, interrupt.as_mut()).await?;
                if let Some(still) = pending {
                    return Ok(Ran::StillRunning(still));
                }
                let (plan, approved) = match request.saved {
                    Some(saved) => {
                        let stale = self.staleness(&saved, &state).await;
                        if !stale.is_empty() {
                            return Ok(Ran::Stale(stale));
                        }
                        (saved.plan, true)
                    }
                    None => (self.plan(&state, request.options).await?.1, request.approved),
                };
                review.show(&plan);
                if plan.has_conflicts() {
                    return Ok(Ran::Conflicts);
                }
                let reached_all = plan.unreachable.is_empty();
                if !plan.has_changes() {
                    return Ok(Ran::NoChanges { reached_all });
                }
                if !approved {
                    match review.approve() {
                        Approval::Yes => {}
                        Approval::No => return Ok(Ran::Cancelled),
                        Approval::CannotAsk => return Ok(Ran::CannotAsk),
                    }
                }
                let outcome =
                    self.apply(&plan, &mut state, request.timeout, observer, interrupt.as_mut()).await?;
                Ok(Ran::Applied { outcome: Box::new(outcome), reached_all })
            })
            .await
    }
}
