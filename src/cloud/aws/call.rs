use std::error::Error;
use std::fmt::Debug;

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::cloud::CloudError;

/// Logs one API call at debug level (target `orgrole::api`), so that a run's
/// calls can be counted: `ORGROLE_LOG=orgrole::api=debug orgrole plan`.
pub fn log(operation: &str, account: &dyn std::fmt::Display) {
    tracing::debug!(target: "orgrole::api", %account, "call {operation}");
}

/// Maps an SDK error onto a `CloudError`, keeping AWS's code and message.
pub fn error<E, R>(operation: &str, e: SdkError<E, R>) -> CloudError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    let code = e.code().map(str::to_owned);
    let message = match (e.message(), &code) {
        (Some(m), _) => m.to_owned(),
        _ => DisplayErrorContext(&e).to_string(),
    };
    CloudError::from_code(operation, code.as_deref(), message)
}
