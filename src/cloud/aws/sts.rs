use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;

use super::call;
use super::pace::Pacer;
use super::retries::{CountRetries, ThrottlingIsPaced};
use crate::cloud::{Caller, CloudError};
use crate::model::{AccountId, Arn};

/// STS as the caller: one client for the run, every AssumeRole through it.
#[derive(Clone, Debug)]
pub struct Sts {
    client: aws_sdk_sts::Client,
    /// Every AssumeRole of the run draws on the caller's STS quota.
    pacer: Arc<Pacer>,
}

impl Sts {
    pub fn new(config: &SdkConfig) -> Self {
        let pacer = Arc::new(Pacer::default());
        let conf = aws_sdk_sts::config::Builder::from(config)
            .interceptor(CountRetries::new(pacer.clone()))
            .retry_classifier(ThrottlingIsPaced)
            .build();
        Self { client: aws_sdk_sts::Client::from_conf(conf), pacer }
    }

    pub async fn caller_identity(&self) -> Result<Caller, CloudError> {
        const OP: &str = "sts:GetCallerIdentity";
        let out = call::send(&self.pacer, OP, &"caller", || self.client.get_caller_identity().send())
            .await
            .map_err(|e| call::error(OP, e))?;
        let arn = out.arn().unwrap_or_default().to_owned();
        let account = AccountId::parse(out.account().unwrap_or_default())
            .map_err(|e| CloudError::from_code(OP, None, e.to_string()))?;
        let partition =
            Arn::parse(&arn).map(|a| a.partition).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned();
        Ok(Caller { account, arn, partition })
    }

    pub async fn assume_role(&self, account: &AccountId, role_arn: &str) -> Result<Credentials, CloudError> {
        const OP: &str = "sts:AssumeRole";
        let assume = || self.client.assume_role().role_arn(role_arn).role_session_name("orgrole").send();
        let out = call::send(&self.pacer, OP, account, assume).await.map_err(|e| {
            let mut err = call::error(OP, e);
            err.message = format!("could not assume {role_arn}: {}", err.message);
            err
        })?;
        let c = out.credentials().ok_or_else(|| {
            CloudError::from_code(OP, None, format!("no credentials returned for {role_arn}"))
        })?;
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            SystemTime::try_from(*c.expiration()).ok(),
            "orgrole-assume-role",
        ))
    }
}

/// The credentials of the access role in one account. The SDK asks again
/// shortly before the ones it holds expire (AssumeRole sessions last an
/// hour by default, the role's MaxSessionDuration at most), and the role
/// is assumed again: a run may outlast its sessions.
#[derive(Debug)]
pub struct AssumedRole {
    sts: Sts,
    account: AccountId,
    role_arn: String,
    /// The first session, assumed up front so that an account orgrole
    /// cannot enter is reported as such before anything else is tried.
    first: Mutex<Option<Credentials>>,
}

impl AssumedRole {
    pub async fn assume(sts: &Sts, account: &AccountId, role_arn: &str) -> Result<Self, CloudError> {
        let first = sts.assume_role(account, role_arn).await?;
        Ok(Self {
            sts: sts.clone(),
            account: account.clone(),
            role_arn: role_arn.to_owned(),
            first: Mutex::new(Some(first)),
        })
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            if let Some(first) = self.first.lock().expect("not poisoned").take() {
                return Ok(first);
            }
            self.sts
                .assume_role(&self.account, &self.role_arn)
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}
