//! How calls are retried (5xx answers, dropped connections and timeouts by
//! the SDK; throttling by `call::send`, paced), and a count of the retries,
//! so that a run can say how often AWS pushed back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_iam::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_iam::config::retry::RetryPartition;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason,
};
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use aws_smithy_types::retry::ErrorKind;

use super::pace::Pacer;

/// Attempts per call, with a jittered exponential backoff of at most
/// `MAX_BACKOFF` at a time (so an unreachable endpoint fails in seconds).
const MAX_ATTEMPTS: u32 = 8;
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The SDK's standard mode, not its adaptive one (a client-side rate
/// limiter), which was measured slower by far: its first throttle drops a
/// client to the rate it measured, near nothing for one that made a few
/// calls (a 51-account plan with 30% of calls throttled: 76 s adaptive with
/// the default partition, 28 s adaptive per account, 11 s standard).
/// `pace::Pacer` paces by what AWS accepts instead.
pub fn standard() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS).with_max_backoff(MAX_BACKOFF)
}

/// IAM's request quotas are per account, and so is the SDK's retry quota
/// here (by default one per service and process: a burst of failures in
/// one account would use up every account's retries).
pub fn per_account(account: &impl std::fmt::Display) -> RetryPartition {
    RetryPartition::new(format!("iam-{account}"))
}

/// Retries made in this process, across every client (the SDK's retry quota
/// and rate limiter are process-wide too).
static THROTTLED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);

/// Added to every client orgrole builds: counts the retries, and tells the
/// client's pacer how its calls fare.
#[derive(Debug, Clone)]
pub struct CountRetries {
    pacer: Arc<Pacer>,
}

impl CountRetries {
    pub fn new(pacer: Arc<Pacer>) -> Self {
        Self { pacer }
    }
}

/// A throttled call, sent again by `call::send` once its pacer allows.
pub fn throttled_again() {
    THROTTLED.fetch_add(1, Ordering::Relaxed);
}

/// The previous attempt of a call failed (a 5xx, a dropped connection, a
/// timeout: throttling is not retried by the SDK, see `ThrottlingIsPaced`).
#[derive(Debug, Clone, Copy)]
struct Failed;

impl Storable for Failed {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CountRetries {
    fn name(&self) -> &'static str {
        "CountRetries"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match context.response().map(|r| r.status().as_u16()) {
            Some(status) if status < 400 => self.pacer.succeeded(),
            _ => {
                cfg.interceptor_state().store_put(Failed);
            }
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let retry = cfg.load::<RequestAttempts>().is_some_and(|a| a.attempts() > 1);
        if retry && cfg.load::<Failed>().is_some() {
            FAILED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Throttling is not the SDK's to retry: its retries would go out at once,
/// unpaced, and draw on its retry quota. `call::send` sends a throttled call
/// again when the client's pacer allows.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlingIsPaced;

impl ClassifyRetry for ThrottlingIsPaced {
    fn classify_retry(&self, _: &InterceptorContext) -> RetryAction {
        RetryAction::NoActionIndicated
    }

    fn classify_retry_v2(&self, _: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        match previous {
            RetryAction::RetryIndicated(RetryReason::RetryableError {
                kind: ErrorKind::ThrottlingError,
                ..
            }) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "ThrottlingIsPaced"
    }

    /// After every classifier of the SDK's: it overrides their verdict.
    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// What the retries were, or `None` when every call went through at once.
pub fn summary() -> Option<String> {
    let (throttled, failed) = (THROTTLED.load(Ordering::Relaxed), FAILED.load(Ordering::Relaxed));
    (throttled + failed > 0).then(|| {
        format!(
            "Retried {} AWS calls: {throttled} after throttling, {failed} after a 5xx, a dropped connection or a timeout.",
            throttled + failed
        )
    })
}
