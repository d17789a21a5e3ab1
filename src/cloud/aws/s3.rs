use aws_config::SdkConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use std::sync::Arc;

use super::call;
use super::pace::Pacer;
use super::retries::{CountRetries, ThrottlingIsPaced};
use crate::cloud::CloudError;
use crate::state::{Object, ObjectError, ObjectStore, Precondition, PutError};

/// Objects of one S3 bucket, for the remote state.
pub struct S3Objects {
    client: Client,
    bucket: String,
    pacer: Arc<Pacer>,
}

impl S3Objects {
    pub fn new(config: &SdkConfig, bucket: &str, region: Option<&str>) -> Self {
        let pacer = Arc::new(Pacer::default());
        let mut builder = aws_sdk_s3::config::Builder::from(config)
            .interceptor(CountRetries::new(pacer.clone()))
            .retry_classifier(ThrottlingIsPaced);
        if let Some(region) = region {
            builder = builder.region(aws_sdk_s3::config::Region::new(region.to_owned()));
        }
        // A custom endpoint (a local emulator, MinIO) rarely serves bucket subdomains.
        if config.endpoint_url().is_some() {
            builder = builder.force_path_style(true);
        }
        Self { client: Client::from_conf(builder.build()), bucket: bucket.into(), pacer }
    }
}

impl ObjectStore for S3Objects {
    async fn get(&self, key: &str) -> Result<Option<Object>, ObjectError> {
        const OP: &str = "s3:GetObject";
        let get = || self.client.get_object().bucket(&self.bucket).key(key).send();
        let out = match call::send(&self.pacer, OP, &self.bucket, get).await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(object_error(call::error(OP, e))),
        };
        let etag = out.e_tag().unwrap_or_default().to_owned();
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| ObjectError(format!("{OP}: reading the object: {e}")))?
            .into_bytes()
            .to_vec();
        Ok(Some(Object { body, etag }))
    }

    async fn put(&self, key: &str, body: Vec<u8>, condition: Precondition) -> Result<String, PutError> {
        const OP: &str = "s3:PutObject";
        let put = || {
            let request =
                self.client.put_object().bucket(&self.bucket).key(key).body(ByteStream::from(body.clone()));
            match &condition {
                Precondition::Matches(etag) => request.if_match(etag),
                Precondition::Absent => request.if_none_match("*"),
            }
            .send()
        };
        match call::send(&self.pacer, OP, &self.bucket, put).await {
            Ok(out) => Ok(out.e_tag().unwrap_or_default().to_owned()),
            Err(e) => {
                let e = call::error(OP, e);
                // 412 PreconditionFailed; 409 ConditionalRequestConflict when two writes race.
                match e.code.as_deref() {
                    Some("PreconditionFailed" | "ConditionalRequestConflict") => Err(PutError::Precondition),
                    _ => Err(PutError::Failed(object_error(e))),
                }
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        const OP: &str = "s3:DeleteObject";
        call::send(&self.pacer, OP, &self.bucket, || {
            self.client.delete_object().bucket(&self.bucket).key(key).send()
        })
        .await
        .map_err(|e| object_error(call::error(OP, e)))?;
        Ok(())
    }
}

/// S3's answer, as the state sees it: AWS's code and message.
fn object_error(e: CloudError) -> ObjectError {
    ObjectError(e.to_string())
}
