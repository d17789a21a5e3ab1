use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_credential_types::Credentials;

use super::call;
use super::retries::CountRetries;
use crate::cloud::{Caller, CloudError};
use crate::model::AccountId;

pub async fn caller_identity(config: &SdkConfig) -> Result<Caller, CloudError> {
    const OP: &str = "sts:GetCallerIdentity";
    call::log(OP, &"caller");
    let out = client(config).get_caller_identity().send().await.map_err(|e| call::error(OP, e))?;
    let arn = out.arn().unwrap_or_default().to_owned();
    let account = AccountId::parse(out.account().unwrap_or_default())
        .map_err(|e| CloudError::from_code(OP, None, e.to_string()))?;
    let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned();
    Ok(Caller { account, arn, partition })
}

pub async fn assume_role(
    config: &SdkConfig,
    account: &AccountId,
    role_arn: &str,
) -> Result<Credentials, CloudError> {
    const OP: &str = "sts:AssumeRole";
    call::log(OP, account);
    let out =
        client(config).assume_role().role_arn(role_arn).role_session_name("orgrole").send().await.map_err(
            |e| {
                let mut err = call::error(OP, e);
                err.message = format!("could not assume {role_arn}: {}", err.message);
                err
            },
        )?;
    let c = out
        .credentials()
        .ok_or_else(|| CloudError::from_code(OP, None, format!("no credentials returned for {role_arn}")))?;
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        SystemTime::try_from(*c.expiration()).ok(),
        "orgrole-assume-role",
    ))
}

fn client(config: &SdkConfig) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config).interceptor(CountRetries).build(),
    )
}
