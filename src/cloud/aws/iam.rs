use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_iam::types::Tag;
use aws_sdk_iam::Client;

use std::sync::Arc;

use super::call;
use super::pace::Pacer;
use super::retries::{self, CountRetries, ThrottlingIsPaced};
use crate::cloud::{CloudError, ErrorKind, Iam, PolicyInfo, PolicyVersion, RoleInfo};
use crate::model::{AccountId, PolicyDocument, RoleSettings, Tags, DEFAULT_MAX_SESSION};

/// IAM in one account, with that account's credentials.
#[derive(Clone)]
pub struct AwsIam {
    client: Client,
    account: AccountId,
    /// IAM's quotas are per account: so is its pace.
    pacer: Arc<Pacer>,
}

impl AwsIam {
    pub fn new(
        config: &SdkConfig,
        account: AccountId,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Self {
        let pacer = Arc::new(Pacer::default());
        let mut builder = aws_sdk_iam::config::Builder::from(config)
            .interceptor(CountRetries::new(pacer.clone()))
            .retry_classifier(ThrottlingIsPaced)
            .retry_partition(retries::per_account(&account));
        if let Some(credentials) = credentials {
            builder = builder.credentials_provider(credentials);
        }
        Self { client: Client::from_conf(builder.build()), account, pacer }
    }
}

fn to_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build().expect("key and value are set")).collect()
}

fn from_tags(tags: &[Tag]) -> Tags {
    tags.iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect()
}

fn document(operation: &str, text: &str) -> Result<PolicyDocument, CloudError> {
    PolicyDocument::parse_encoded(text)
        .map_err(|e| CloudError::from_code(operation, None, format!("unreadable policy document: {e}")))
}

/// `Ok(None)` for NoSuchEntity: a read of something that is not there.
fn absent<T>(result: Result<T, CloudError>) -> Result<Option<T>, CloudError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

impl Iam for AwsIam {
    async fn get_role(&self, name: &str) -> Result<Option<RoleInfo>, CloudError> {
        const OP: &str = "iam:GetRole";
        let out = absent(
            call::send(&self.pacer, OP, &self.account, || self.client.get_role().role_name(name).send())
                .await
                .map_err(|e| call::error(OP, e)),
        )?;
        let Some(role) = out.and_then(|o| o.role) else { return Ok(None) };
        Ok(Some(RoleInfo {
            name: role.role_name().to_owned(),
            arn: role.arn().to_owned(),
            trust: document(OP, role.assume_role_policy_document().unwrap_or_default())?,
            tags: from_tags(role.tags()),
            boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_owned),
            settings: RoleSettings {
                path: role.path().to_owned(),
                // A description set to "" reads back empty: none.
                description: role.description().filter(|d| !d.is_empty()).map(str::to_owned),
                max_session_duration: role
                    .max_session_duration()
                    .and_then(|s| u32::try_from(s).ok())
                    .unwrap_or(DEFAULT_MAX_SESSION),
            },
        }))
    }

    async fn attached_role_policies(&self, role: &str) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:ListAttachedRolePolicies";
        let pages = call::pages(
            &self.pacer,
            OP,
            &self.account,
            |marker| self.client.list_attached_role_policies().role_name(role).set_marker(marker).send(),
            |p| p.is_truncated.then_some(p.marker()).flatten(),
        )
        .await?;
        let items = pages.iter().flat_map(|p| p.attached_policies());
        Ok(items.filter_map(|p| p.policy_arn().map(str::to_owned)).collect())
    }

    async fn get_policy(&self, arn: &str) -> Result<Option<PolicyInfo>, CloudError> {
        const OP: &str = "iam:GetPolicy";
        let out = absent(
            call::send(&self.pacer, OP, &self.account, || self.client.get_policy().policy_arn(arn).send())
                .await
                .map_err(|e| call::error(OP, e)),
        )?;
        let Some(p) = out.and_then(|o| o.policy) else { return Ok(None) };
        Ok(Some(PolicyInfo {
            name: p.policy_name().unwrap_or_default().to_owned(),
            arn: p.arn().unwrap_or(arn).to_owned(),
            default_version: p.default_version_id().unwrap_or_default().to_owned(),
            tags: from_tags(p.tags()),
        }))
    }

    async fn get_policy_document(&self, arn: &str, version: &str) -> Result<PolicyDocument, CloudError> {
        const OP: &str = "iam:GetPolicyVersion";
        let out = call::send(&self.pacer, OP, &self.account, || {
            self.client.get_policy_version().policy_arn(arn).version_id(version).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        document(OP, out.policy_version().and_then(|v| v.document()).unwrap_or_default())
    }

    async fn policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>, CloudError> {
        const OP: &str = "iam:ListPolicyVersions";
        let pages = call::pages(
            &self.pacer,
            OP,
            &self.account,
            |marker| self.client.list_policy_versions().policy_arn(arn).set_marker(marker).send(),
            |p| p.is_truncated.then_some(p.marker()).flatten(),
        )
        .await?;
        Ok(pages
            .iter()
            .flat_map(|p| p.versions())
            .map(|v| PolicyVersion {
                id: v.version_id().unwrap_or_default().to_owned(),
                is_default: v.is_default_version(),
                created: v.create_date().map(|d| d.secs()).unwrap_or_default(),
            })
            .collect())
    }

    async fn create_policy(
        &self,
        name: &str,
        document: &PolicyDocument,
        tags: &Tags,
    ) -> Result<String, CloudError> {
        const OP: &str = "iam:CreatePolicy";
        let out = call::send(&self.pacer, OP, &self.account, || {
            self.client
                .create_policy()
                .policy_name(name)
                .policy_document(document.to_json())
                .description(
                    "Read-only access for the security vendor's AWS API connector (managed by orgrole)",
                )
                .set_tags(Some(to_tags(tags)))
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(out.policy().and_then(|p| p.arn()).unwrap_or_default().to_owned())
    }

    async fn create_policy_version(&self, arn: &str, document: &PolicyDocument) -> Result<(), CloudError> {
        const OP: &str = "iam:CreatePolicyVersion";
        call::send(&self.pacer, OP, &self.account, || {
            self.client
                .create_policy_version()
                .policy_arn(arn)
                .policy_document(document.to_json())
                .set_as_default(true)
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn delete_policy_version(&self, arn: &str, version: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeletePolicyVersion";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.delete_policy_version().policy_arn(arn).version_id(version).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn delete_policy(&self, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeletePolicy";
        call::send(&self.pacer, OP, &self.account, || self.client.delete_policy().policy_arn(arn).send())
            .await
            .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn tag_policy(&self, arn: &str, tags: &Tags) -> Result<(), CloudError> {
        const OP: &str = "iam:TagPolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.tag_policy().policy_arn(arn).set_tags(Some(to_tags(tags))).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn untag_policy(&self, arn: &str, keys: &[String]) -> Result<(), CloudError> {
        const OP: &str = "iam:UntagPolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.untag_policy().policy_arn(arn).set_tag_keys(Some(keys.to_vec())).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn create_role(
        &self,
        name: &str,
        trust: &PolicyDocument,
        tags: &Tags,
        settings: &RoleSettings,
        boundary: Option<&str>,
    ) -> Result<String, CloudError> {
        const OP: &str = "iam:CreateRole";
        let out = call::send(&self.pacer, OP, &self.account, || {
            self.client
                .create_role()
                .role_name(name)
                .path(&settings.path)
                .assume_role_policy_document(trust.to_json())
                .set_description(settings.description.clone())
                .max_session_duration(settings.max_session_duration as i32)
                .set_permissions_boundary(boundary.map(str::to_owned))
                .set_tags(Some(to_tags(tags)))
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(out.role().map(|r| r.arn().to_owned()).unwrap_or_default())
    }

    async fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: u32,
    ) -> Result<(), CloudError> {
        const OP: &str = "iam:UpdateRole";
        call::send(&self.pacer, OP, &self.account, || {
            self.client
                .update_role()
                .role_name(role)
                // IAM takes an empty description as none.
                .description(description.unwrap_or_default())
                .max_session_duration(max_session_duration as i32)
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn update_trust(&self, role: &str, trust: &PolicyDocument) -> Result<(), CloudError> {
        const OP: &str = "iam:UpdateAssumeRolePolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.update_assume_role_policy().role_name(role).policy_document(trust.to_json()).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn tag_role(&self, role: &str, tags: &Tags) -> Result<(), CloudError> {
        const OP: &str = "iam:TagRole";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.tag_role().role_name(role).set_tags(Some(to_tags(tags))).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn untag_role(&self, role: &str, keys: &[String]) -> Result<(), CloudError> {
        const OP: &str = "iam:UntagRole";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.untag_role().role_name(role).set_tag_keys(Some(keys.to_vec())).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn attach_role_policy(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:AttachRolePolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.attach_role_policy().role_name(role).policy_arn(arn).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn detach_role_policy(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DetachRolePolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.detach_role_policy().role_name(role).policy_arn(arn).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn inline_role_policies(&self, role: &str) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:ListRolePolicies";
        let pages = call::pages(
            &self.pacer,
            OP,
            &self.account,
            |marker| self.client.list_role_policies().role_name(role).set_marker(marker).send(),
            |p| p.is_truncated.then_some(p.marker()).flatten(),
        )
        .await?;
        Ok(pages.iter().flat_map(|p| p.policy_names()).cloned().collect())
    }

    async fn inline_role_policy(&self, role: &str, name: &str) -> Result<Option<PolicyDocument>, CloudError> {
        const OP: &str = "iam:GetRolePolicy";
        let out = absent(
            call::send(&self.pacer, OP, &self.account, || {
                self.client.get_role_policy().role_name(role).policy_name(name).send()
            })
            .await
            .map_err(|e| call::error(OP, e)),
        )?;
        out.map(|o| document(OP, o.policy_document())).transpose()
    }

    async fn put_inline_role_policy(
        &self,
        role: &str,
        name: &str,
        document: &PolicyDocument,
    ) -> Result<(), CloudError> {
        const OP: &str = "iam:PutRolePolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client
                .put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(document.to_json())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn delete_inline_role_policy(&self, role: &str, name: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRolePolicy";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.delete_role_policy().role_name(role).policy_name(name).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn put_role_permissions_boundary(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:PutRolePermissionsBoundary";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.put_role_permissions_boundary().role_name(role).permissions_boundary(arn).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn delete_role_permissions_boundary(&self, role: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRolePermissionsBoundary";
        call::send(&self.pacer, OP, &self.account, || {
            self.client.delete_role_permissions_boundary().role_name(role).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRole";
        call::send(&self.pacer, OP, &self.account, || self.client.delete_role().role_name(name).send())
            .await
            .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn denied_actions(
        &self,
        role_arn: &str,
        actions: &[String],
        resource: &str,
    ) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:SimulatePrincipalPolicy";
        self.pacer.acquire().await;
        call::log(OP, &self.account);
        // Best effort: a check that cannot run is reported, not waited on.
        let config =
            self.client.config().to_builder().retry_config(RetryConfig::standard().with_max_attempts(2));
        let pages = Client::from_conf(config.build())
            .simulate_principal_policy()
            .policy_source_arn(role_arn)
            .set_action_names(Some(actions.to_vec()))
            .resource_arns(resource)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| call::error(OP, e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.evaluation_results())
            .filter(|r| r.eval_decision().as_str() != "allowed")
            .map(|r| r.eval_action_name().to_owned())
            .collect())
    }
}
