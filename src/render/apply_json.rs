//! apply's events as JSON, one object per line (`--json`): a documented,
//! versioned format (docs/plan-json.md, "Events").

use serde::Serialize;
use serde_json::Value;

use super::apply_lines::{counts, skipped_because, stackset_error};
use super::plan_json;
use super::prose::step_description;
use crate::apply::{ApplyEvent, Observer};
use crate::cloud::{OperationInfo, OperationResult, ResultStatus};
use crate::model::AccountId;
use crate::plan::{Action, Plan};

/// Bumped on any change a consumer could notice; additions bump the minor part.
pub const EVENTS_FORMAT_VERSION: &str = "1.2";

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    event: Event<'a>,
    format_version: &'static str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event<'a> {
    Plan {
        plan: Value,
    },
    ChangeStarted {
        address: String,
        action: Action,
    },
    ChangeCompleted {
        address: String,
        action: Action,
        elapsed_ms: u64,
    },
    ChangeFailed {
        address: String,
        action: Action,
        error: String,
    },
    ChangeSkipped {
        address: String,
        action: Action,
        reason: String,
    },
    Interrupted {
        in_flight: usize,
    },
    StacksetStepStarted {
        stackset: &'a str,
        step: String,
        accounts: usize,
    },
    StacksetStepCompleted {
        stackset: &'a str,
        step: String,
        elapsed_ms: u64,
    },
    StacksetStepFailed {
        stackset: &'a str,
        step: String,
        error: String,
    },
    StacksetInstanceFailed {
        stackset: &'a str,
        account: &'a Option<AccountId>,
        region: &'a str,
        status: Option<ResultStatus>,
        reason: &'a Option<String>,
    },
    StacksetProgress {
        stackset: &'a str,
        operation: &'a str,
        region: &'a str,
        done: usize,
        failed: usize,
        total: usize,
    },
    StacksetWaiting {
        stackset: &'a str,
        operation: &'a OperationInfo,
    },
    StacksetPending {
        stackset: &'a str,
        operation: &'a str,
    },
    Summary {
        complete: bool,
        interrupted: bool,
        added: usize,
        changed: usize,
        destroyed: usize,
        failed: Vec<Failed>,
        skipped: usize,
        not_started: usize,
        stackset_error: Option<String>,
        failed_instances: &'a [OperationResult],
        timed_out_operation: &'a Option<String>,
    },
}

#[derive(Serialize)]
struct Failed {
    address: String,
    error: String,
}

fn line(event: Event<'_>) -> String {
    serde_json::to_string(&Line { event, format_version: EVENTS_FORMAT_VERSION }).expect("events serialize")
}

/// The first event of a run: the plan it applies.
pub fn plan_event(plan: &Plan) -> String {
    line(Event::Plan { plan: plan_json(plan) })
}

fn millis(elapsed: std::time::Duration) -> u64 {
    elapsed.as_millis() as u64
}

fn event(event: ApplyEvent<'_>) -> Option<Event<'_>> {
    Some(match event {
        // The plan was shown as the first event.
        ApplyEvent::Starting(_) => return None,
        ApplyEvent::ChangeStarted(c) => {
            Event::ChangeStarted { address: c.address.to_string(), action: c.action }
        }
        ApplyEvent::ChangeFinished { change: c, elapsed } => Event::ChangeCompleted {
            address: c.address.to_string(),
            action: c.action,
            elapsed_ms: millis(elapsed),
        },
        ApplyEvent::ChangeFailed { change: c, error } => {
            Event::ChangeFailed { address: c.address.to_string(), action: c.action, error: error.to_string() }
        }
        ApplyEvent::ChangeSkipped { change: c, failed } => Event::ChangeSkipped {
            address: c.address.to_string(),
            action: c.action,
            reason: skipped_because(failed),
        },
        ApplyEvent::Interrupted { in_flight } => Event::Interrupted { in_flight },
        ApplyEvent::StepStarted { stackset, step } => Event::StacksetStepStarted {
            stackset: &stackset.name,
            step: step_description(&step.action),
            accounts: step.accounts.len(),
        },
        ApplyEvent::StepFinished { stackset, step, elapsed } => Event::StacksetStepCompleted {
            stackset: &stackset.name,
            step: step_description(&step.action),
            elapsed_ms: millis(elapsed),
        },
        ApplyEvent::StepFailed { stackset, step, error } => Event::StacksetStepFailed {
            stackset: &stackset.name,
            step: step_description(&step.action),
            error: stackset_error(error),
        },
        ApplyEvent::InstanceFailed { stackset, result } => Event::StacksetInstanceFailed {
            stackset,
            account: &result.account,
            region: &result.region,
            status: result.status,
            reason: &result.reason,
        },
        ApplyEvent::Progress { stackset, operation, region, done, failed, total } => {
            Event::StacksetProgress { stackset, operation, region, done, failed, total }
        }
        ApplyEvent::WaitingForOther { stackset, operation } => Event::StacksetWaiting { stackset, operation },
        ApplyEvent::WaitingForPending { stackset, operation } => {
            Event::StacksetPending { stackset, operation }
        }
        ApplyEvent::Finished { plan, outcome } => {
            let (added, changed, destroyed) = counts(plan, outcome);
            let failed = outcome
                .failed
                .iter()
                .map(|(i, e)| Failed { address: plan.changes[*i].address.to_string(), error: e.to_string() })
                .collect();
            let stackset = &outcome.stackset;
            Event::Summary {
                complete: outcome.complete(),
                interrupted: outcome.interrupted,
                added,
                changed,
                destroyed,
                failed,
                skipped: outcome.skipped.len(),
                not_started: outcome.not_started,
                stackset_error: stackset.error.as_ref().map(stackset_error),
                failed_instances: &stackset.failed_instances,
                timed_out_operation: &stackset.timed_out,
            }
        }
    })
}

/// Prints each event as a line of JSON.
pub struct ApplyJson;

impl Observer for ApplyJson {
    fn event(&self, e: ApplyEvent<'_>) {
        if let Some(event) = event(e) {
            println!("{}", line(event));
        }
    }
}
