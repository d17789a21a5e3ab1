use std::error::Error;
use std::future::Future;
use std::time::Duration;

use aws_runtime::retries::classifiers::THROTTLING_ERRORS;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use tokio::time::Instant;

use super::pace::Pacer;
use super::retries;
use crate::cloud::CloudError;

/// How long a call may stay throttled before it fails: a storm slows a run
/// down, it does not end it.
const THROTTLE_BUDGET: Duration = Duration::from_secs(300);

/// Sends one call when `pacer` allows, logged, with the SDK's retries of
/// 5xx answers and dropped connections; a throttled one again, when the
/// pacer (slowed down by it) allows, until `THROTTLE_BUDGET` is spent.
pub async fn send<T, E, F, Fut>(
    pacer: &Pacer,
    operation: &str,
    account: &(dyn std::fmt::Display + Sync),
    mut call: F,
) -> Result<T, SdkError<E, HttpResponse>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
{
    let deadline = Instant::now() + THROTTLE_BUDGET;
    loop {
        pacer.acquire().await;
        log(operation, account);
        let sent = Instant::now();
        match call().await {
            // The codes the SDK classifies as throttling (and `ThrottlingIsPaced` leaves to here).
            Err(e)
                if e.code().is_some_and(|c| THROTTLING_ERRORS.contains(&c)) && Instant::now() < deadline =>
            {
                pacer.throttled(sent);
                retries::throttled_again();
            }
            other => return other,
        }
    }
}

/// Every page of a listing, each page sent through `send`: paced, logged
/// and, if throttled, sent again alone. (An SDK paginator sent as one call
/// took one pace for all its pages, logged them as one call, and sent them
/// all again when one was throttled.) `next`: the page's token for the next.
pub async fn pages<P, E, F, Fut>(
    pacer: &Pacer,
    operation: &str,
    account: &(dyn std::fmt::Display + Sync),
    mut page: F,
    next: impl Fn(&P) -> Option<&str>,
) -> Result<Vec<P>, CloudError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<P, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let mut pages = vec![];
    let mut token: Option<String> = None;
    loop {
        let answer =
            send(pacer, operation, account, || page(token.clone())).await.map_err(|e| error(operation, e))?;
        // An empty token is the end too.
        token = next(&answer).filter(|t| !t.is_empty()).map(str::to_owned);
        pages.push(answer);
        if token.is_none() {
            return Ok(pages);
        }
    }
}

/// Logs one API call at debug level (target `orgrole::api`), so that a run's
/// calls can be counted: `ORGROLE_LOG=orgrole::api=debug orgrole plan`.
pub fn log(operation: &str, account: &dyn std::fmt::Display) {
    tracing::debug!(target: "orgrole::api", %account, "call {operation}");
}

/// Maps an SDK error onto a `CloudError`, keeping AWS's code and message,
/// and saying briefly what happened when AWS gave neither.
pub fn error<E>(operation: &str, e: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let code = e.code().map(str::to_owned);
    let message = match (e.message(), &e) {
        (Some(m), _) => m.to_owned(),
        (None, SdkError::ServiceError(s)) => {
            format!("HTTP {} with no AWS error in the answer", s.raw().status().as_u16())
        }
        (None, _) => causes(&e),
    };
    CloudError::from_code(operation, code.as_deref(), message)
}

/// `dispatch failure: io error: Connection refused`: each cause once.
fn causes(e: &dyn Error) -> String {
    let mut parts: Vec<String> = vec![];
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}
