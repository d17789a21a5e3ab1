use std::error::Error;

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use crate::cloud::CloudError;

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
