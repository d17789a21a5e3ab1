use std::future::Future;
use std::time::Duration;

use crate::cloud::{CloudError, ErrorKind};

/// IAM is eventually consistent: a role or policy created a moment ago can
/// be reported missing by the next call for a few seconds. Retry such calls
/// with a growing delay (about 25 s in all), and only for NotFound.
pub async fn until_visible<F, Fut, T>(mut call: F) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    let mut delay = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if e.kind == ErrorKind::NotFound && attempt < ATTEMPTS => {
                tracing::debug!(target: "orgrole::retry", attempt, "not visible yet: {e}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
            other => return other,
        }
    }
}

const ATTEMPTS: u32 = 9;

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test(start_paused = true)]
    async fn retries_not_found_until_it_succeeds_and_gives_up_on_other_errors() {
        let calls = Cell::new(0);
        let result = until_visible(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(CloudError::from_code("iam:AttachRolePolicy", Some("NoSuchEntity"), "not yet"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 3);

        calls.set(0);
        let result: Result<(), _> = until_visible(|| {
            calls.set(calls.get() + 1);
            async { Err(CloudError::from_code("iam:AttachRolePolicy", Some("AccessDenied"), "no")) }
        })
        .await;
        assert_eq!(result.unwrap_err().kind, ErrorKind::AccessDenied);
        assert_eq!(calls.get(), 1);

        calls.set(0);
        let result: Result<(), _> = until_visible(|| {
            calls.set(calls.get() + 1);
            async { Err(CloudError::from_code("iam:AttachRolePolicy", Some("NoSuchEntity"), "never")) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), ATTEMPTS);
    }
}
