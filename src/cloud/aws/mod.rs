//! The `Cloud` traits on top of the AWS SDK for Rust. SDK types stay in here.
//! Endpoint, region and credentials come from the SDK's standard chain
//! (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, SSO, ...).

mod call;
mod cloudformation;
mod http;
mod iam;
mod organizations;
mod pace;
mod retries;
mod s3;
mod sts;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::OnceCell;

pub use cloudformation::AwsStackSets;
pub use iam::AwsIam;
pub use retries::summary as retry_summary;
pub use s3::S3Objects;

use super::{Caller, Cloud, CloudError, Organization};
use crate::model::{AccountId, CallAs};

pub struct AwsCloud {
    config: SdkConfig,
    sts: sts::Sts,
    /// The caller's CloudFormation calls, however many StackSets clients make them.
    cloudformation: Arc<pace::Pacer>,
    caller: OnceCell<Caller>,
    /// One IAM client per account, made once per run: its credentials
    /// (the access role, assumed again as they expire) on the shared
    /// connections.
    accounts: Mutex<HashMap<AccountId, Arc<OnceCell<AwsIam>>>>,
}

impl AwsCloud {
    pub async fn from_env() -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retries::standard())
            .http_client(http::shared_client())
            .load()
            .await;
        let sts = sts::Sts::new(&config);
        let cloudformation = Arc::default();
        Self { config, sts, cloudformation, caller: OnceCell::new(), accounts: Mutex::default() }
    }

    async fn caller_cached(&self) -> Result<&Caller, CloudError> {
        self.caller.get_or_try_init(|| self.sts.caller_identity()).await
    }
}

impl Cloud for AwsCloud {
    type Iam = AwsIam;
    type StackSets = AwsStackSets;
    type Objects = S3Objects;

    async fn caller(&self) -> Result<Caller, CloudError> {
        self.caller_cached().await.cloned()
    }

    async fn organization(&self) -> Result<Option<Organization>, CloudError> {
        organizations::read(&self.config).await
    }

    async fn iam(&self, account: &AccountId, access_role: &str) -> Result<AwsIam, CloudError> {
        let cell = self.accounts.lock().expect("not poisoned").entry(account.clone()).or_default().clone();
        let caller = self.caller_cached().await?;
        cell.get_or_try_init(|| async {
            if &caller.account == account {
                return Ok(AwsIam::new(&self.config, account.clone(), None));
            }
            let role_arn = account.iam_arn(&caller.partition, &format!("role/{access_role}"));
            let credentials = sts::AssumedRole::assume(&self.sts, account, &role_arn).await?;
            Ok(AwsIam::new(&self.config, account.clone(), Some(SharedCredentialsProvider::new(credentials))))
        })
        .await
        .cloned()
    }

    fn stacksets(&self, call_as: CallAs) -> AwsStackSets {
        AwsStackSets::new(&self.config, call_as, self.cloudformation.clone())
    }

    fn region(&self) -> Option<String> {
        self.config.region().map(|r| r.to_string())
    }

    fn objects(&self, bucket: &str, region: Option<&str>) -> S3Objects {
        S3Objects::new(&self.config, bucket, region)
    }
}
