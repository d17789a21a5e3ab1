use aws_config::SdkConfig;
use aws_sdk_cloudformation::types as cfn;
use aws_sdk_cloudformation::Client;

use std::sync::Arc;

use super::call;
use super::pace::Pacer;
use super::retries::{CountRetries, ThrottlingIsPaced};
use crate::cloud::{
    CloudError, DeploymentTargets, DetailedStatus, ErrorKind, InstanceInfo, InstanceStatus, OperationAction,
    OperationInfo, OperationResult, OperationStatus, OperationsPage, ResultStatus, StackSetInfo,
    StackSetSpec, StackSets, TrustedAccess,
};
use crate::model::{
    AccountFilter, AccountId, Amount, AutoDeployment, CallAs, Preferences, RegionConcurrency, Tags,
};

/// CloudFormation StackSets in the caller's account and region, every call
/// made as one CallAs.
#[derive(Clone)]
pub struct AwsStackSets {
    client: Client,
    call_as: cfn::CallAs,
    /// The caller's CloudFormation quota, shared by every AwsStackSets of the run.
    pacer: Arc<Pacer>,
}

impl AwsStackSets {
    pub fn new(config: &SdkConfig, call_as: CallAs, pacer: Arc<Pacer>) -> Self {
        let config = aws_sdk_cloudformation::config::Builder::from(config)
            .interceptor(CountRetries::new(pacer.clone()))
            .retry_classifier(ThrottlingIsPaced)
            .build();
        Self::from_client(Client::from_conf(config), call_as, pacer)
    }

    fn from_client(client: Client, call_as: CallAs, pacer: Arc<Pacer>) -> Self {
        let call_as = match call_as {
            CallAs::Caller => cfn::CallAs::SelfValue,
            CallAs::DelegatedAdmin => cfn::CallAs::DelegatedAdmin,
        };
        Self { client, call_as, pacer }
    }
}

/// An ID AWS always returns; an answer without it is an error, not an empty ID.
fn required(operation: &str, value: Option<&str>, what: &str) -> Result<String, CloudError> {
    value
        .map(str::to_owned)
        .ok_or_else(|| CloudError::from_code(operation, None, format!("no {what} in the answer")))
}

fn account(operation: &str, id: &str) -> Result<AccountId, CloudError> {
    AccountId::parse(id).map_err(|e| {
        CloudError::from_code(operation, None, format!("AWS answered with a malformed account: {e}"))
    })
}

fn to_parameters(spec: &StackSetSpec) -> Vec<cfn::Parameter> {
    spec.parameters
        .iter()
        .map(|(k, v)| cfn::Parameter::builder().parameter_key(k).parameter_value(v).build())
        .collect()
}

fn to_tags(tags: &Tags) -> Vec<cfn::Tag> {
    tags.iter().map(|(k, v)| cfn::Tag::builder().key(k).value(v).build()).collect()
}

/// RetainStacksOnAccountRemoval only with auto-deployment on: AWS refuses
/// it (even `false`) when Enabled is false.
fn to_auto_deployment(a: AutoDeployment) -> cfn::AutoDeployment {
    cfn::AutoDeployment::builder()
        .enabled(a.enabled)
        .set_retain_stacks_on_account_removal(a.enabled.then_some(a.retain_stacks))
        .build()
}

fn to_targets(targets: &DeploymentTargets) -> cfn::DeploymentTargets {
    let accounts: Vec<String> = targets.accounts.iter().map(|a| a.as_str().to_owned()).collect();
    let filter = match targets.filter {
        // No filter and no accounts: every account of the OUs, AWS's default.
        AccountFilter::None if accounts.is_empty() => None,
        AccountFilter::None => Some(cfn::AccountFilterType::None),
        AccountFilter::Intersection => Some(cfn::AccountFilterType::Intersection),
        AccountFilter::Difference => Some(cfn::AccountFilterType::Difference),
        AccountFilter::Union => Some(cfn::AccountFilterType::Union),
    };
    cfn::DeploymentTargets::builder()
        .set_organizational_unit_ids(Some(targets.ous.clone()))
        .set_accounts((!accounts.is_empty()).then_some(accounts))
        .set_account_filter_type(filter)
        .build()
}

/// What CreateStackSet and UpdateStackSet both send of the spec: their
/// builders share these setters, not a type.
macro_rules! with_spec {
    ($request:expr, $spec:expr) => {
        $request
            .stack_set_name(&$spec.name)
            .description(&$spec.description)
            .template_body(&$spec.template_body)
            .set_parameters(Some(to_parameters($spec)))
            .capabilities(cfn::Capability::CapabilityNamedIam)
            .set_tags(Some(to_tags(&$spec.tags)))
            .permission_model(cfn::PermissionModels::ServiceManaged)
            .auto_deployment(to_auto_deployment($spec.auto_deployment))
    };
}

/// `None` when nothing is set: AWS then uses its defaults.
fn to_preferences(p: &Preferences) -> Option<cfn::StackSetOperationPreferences> {
    if *p == Preferences::default() {
        return None;
    }
    // AWS takes an i32; a larger count means every account anyway.
    let int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let mut b = cfn::StackSetOperationPreferences::builder();
    b = match p.max_concurrent {
        Some(Amount::Percent(n)) => b.max_concurrent_percentage(int(n)),
        Some(Amount::Count(n)) => b.max_concurrent_count(int(n)),
        None => b,
    };
    b = match p.failure_tolerance {
        Some(Amount::Percent(n)) => b.failure_tolerance_percentage(int(n)),
        Some(Amount::Count(n)) => b.failure_tolerance_count(int(n)),
        None => b,
    };
    let regions = p.region_concurrency.map(|r| match r {
        RegionConcurrency::Sequential => cfn::RegionConcurrencyType::Sequential,
        RegionConcurrency::Parallel => cfn::RegionConcurrencyType::Parallel,
    });
    Some(b.set_region_concurrency_type(regions).build())
}

/// ListStackSetOperations' largest page.
const OPERATIONS_PER_PAGE: i32 = 100;

fn operation_info(
    id: &str,
    action: Option<&cfn::StackSetOperationAction>,
    status: Option<&cfn::StackSetOperationStatus>,
    reason: Option<&str>,
) -> OperationInfo {
    use cfn::StackSetOperationAction as A;
    use cfn::StackSetOperationStatus as S;
    OperationInfo {
        id: id.to_owned(),
        action: action.and_then(|a| match a {
            A::Create => Some(OperationAction::Create),
            A::Update => Some(OperationAction::Update),
            A::Delete => Some(OperationAction::Delete),
            A::DetectDrift => Some(OperationAction::DetectDrift),
            _ => None,
        }),
        status: match status {
            Some(S::Queued) => OperationStatus::Queued,
            Some(S::Running) => OperationStatus::Running,
            Some(S::Stopping) => OperationStatus::Stopping,
            Some(S::Succeeded) => OperationStatus::Succeeded,
            Some(S::Stopped) => OperationStatus::Stopped,
            // FAILED, and a status newer than this build: ended, not as asked.
            _ => OperationStatus::Failed,
        },
        reason: reason.map(str::to_owned),
        created: None,
    }
}

fn detailed_status(d: &cfn::StackInstanceDetailedStatus) -> Option<DetailedStatus> {
    use cfn::StackInstanceDetailedStatus as D;
    Some(match d {
        D::Pending => DetailedStatus::Pending,
        D::Running => DetailedStatus::Running,
        D::Succeeded => DetailedStatus::Succeeded,
        D::Failed => DetailedStatus::Failed,
        D::Cancelled => DetailedStatus::Cancelled,
        D::Inoperable => DetailedStatus::Inoperable,
        D::SkippedSuspendedAccount => DetailedStatus::SkippedSuspendedAccount,
        D::FailedImport => DetailedStatus::FailedImport,
        _ => return None,
    })
}

fn result_status(r: &cfn::StackSetOperationResultStatus) -> Option<ResultStatus> {
    use cfn::StackSetOperationResultStatus as R;
    Some(match r {
        R::Pending => ResultStatus::Pending,
        R::Running => ResultStatus::Running,
        R::Succeeded => ResultStatus::Succeeded,
        R::Failed => ResultStatus::Failed,
        R::Cancelled => ResultStatus::Cancelled,
        _ => return None,
    })
}

impl StackSets for AwsStackSets {
    async fn describe(&self, name: &str) -> Result<Option<StackSetInfo>, CloudError> {
        const OP: &str = "cloudformation:DescribeStackSet";
        let describe =
            || self.client.describe_stack_set().stack_set_name(name).call_as(self.call_as.clone()).send();
        let out = match call::send(&self.pacer, OP, &"caller", describe).await.map_err(|e| call::error(OP, e))
        {
            Ok(out) => out,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let set =
            out.stack_set.ok_or_else(|| CloudError::from_code(OP, None, "no stack set in the answer"))?;
        // AWS can still describe a deleted stack set, with Status DELETED; to orgrole it is gone.
        if set.status() == Some(&cfn::StackSetStatus::Deleted) {
            return Ok(None);
        }
        Ok(Some(StackSetInfo {
            id: required(OP, set.stack_set_id(), "stack set ID")?,
            template_body: set.template_body().unwrap_or_default().to_owned(),
            parameters: set
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((p.parameter_key()?.to_owned(), p.parameter_value().unwrap_or_default().to_owned()))
                })
                .collect(),
            tags: set
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect(),
            auto_deployment: set.auto_deployment().map(|a| AutoDeployment {
                enabled: a.enabled().unwrap_or_default(),
                retain_stacks: a.retain_stacks_on_account_removal().unwrap_or_default(),
            }),
            managed_execution: set.managed_execution().and_then(|m| m.active()).unwrap_or_default(),
        }))
    }

    async fn instances(&self, name: &str) -> Result<Vec<InstanceInfo>, CloudError> {
        const OP: &str = "cloudformation:ListStackInstances";
        let pages = call::pages(
            &self.pacer,
            OP,
            &"caller",
            |token| {
                let list = self.client.list_stack_instances().stack_set_name(name);
                list.call_as(self.call_as.clone()).set_next_token(token).send()
            },
            |p| p.next_token(),
        )
        .await?;
        pages
            .iter()
            .flat_map(|p| p.summaries())
            .map(|s| {
                Ok(InstanceInfo {
                    account: account(OP, s.account().unwrap_or_default())?,
                    region: s.region().unwrap_or_default().to_owned(),
                    ou: s.organizational_unit_id().map(str::to_owned),
                    status: match s.status() {
                        Some(cfn::StackInstanceStatus::Current) => InstanceStatus::Current,
                        Some(cfn::StackInstanceStatus::Inoperable) => InstanceStatus::Inoperable,
                        // Unknown or new: not known to be current, so due an update.
                        _ => InstanceStatus::Outdated,
                    },
                    detailed: s
                        .stack_instance_status()
                        .and_then(|c| c.detailed_status())
                        .and_then(detailed_status),
                    reason: s.status_reason().map(str::to_owned),
                })
            })
            .collect()
    }

    async fn operations_page(&self, name: &str, next: Option<String>) -> Result<OperationsPage, CloudError> {
        const OP: &str = "cloudformation:ListStackSetOperations";
        let out = call::send(&self.pacer, OP, &"caller", || {
            self.client
                .list_stack_set_operations()
                .stack_set_name(name)
                .max_results(OPERATIONS_PER_PAGE)
                .set_next_token(next.clone())
                .call_as(self.call_as.clone())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        let operations = out
            .summaries()
            .iter()
            .map(|o| {
                let id = required(OP, o.operation_id(), "operation ID")?;
                let mut info = operation_info(&id, o.action(), o.status(), o.status_reason());
                info.created = o.creation_timestamp().and_then(|t| t.to_millis().ok());
                Ok(info)
            })
            .collect::<Result<_, CloudError>>()?;
        // An empty token is the end too.
        Ok(OperationsPage { operations, next: out.next_token.filter(|t| !t.is_empty()) })
    }

    async fn operation(&self, name: &str, id: &str) -> Result<OperationInfo, CloudError> {
        const OP: &str = "cloudformation:DescribeStackSetOperation";
        let out = call::send(&self.pacer, OP, &"caller", || {
            self.client
                .describe_stack_set_operation()
                .stack_set_name(name)
                .operation_id(id)
                .call_as(self.call_as.clone())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        let o = out
            .stack_set_operation
            .ok_or_else(|| CloudError::from_code(OP, None, "no operation in the answer"))?;
        Ok(operation_info(o.operation_id().unwrap_or(id), o.action(), o.status(), o.status_reason()))
    }

    async fn operation_results(&self, name: &str, id: &str) -> Result<Vec<OperationResult>, CloudError> {
        const OP: &str = "cloudformation:ListStackSetOperationResults";
        let pages = call::pages(
            &self.pacer,
            OP,
            &"caller",
            |token| {
                let list =
                    self.client.list_stack_set_operation_results().stack_set_name(name).operation_id(id);
                list.call_as(self.call_as.clone()).set_next_token(token).send()
            },
            |p| p.next_token(),
        )
        .await?;
        pages
            .iter()
            .flat_map(|p| p.summaries())
            .map(|r| {
                Ok(OperationResult {
                    account: r.account().map(|a| account(OP, a)).transpose()?,
                    region: r.region().unwrap_or_default().to_owned(),
                    status: r.status().and_then(result_status),
                    reason: r.status_reason().map(str::to_owned),
                })
            })
            .collect()
    }

    async fn create(&self, spec: &StackSetSpec) -> Result<String, CloudError> {
        const OP: &str = "cloudformation:CreateStackSet";
        let out = call::send(&self.pacer, OP, &"caller", || {
            with_spec!(self.client.create_stack_set(), spec).call_as(self.call_as.clone()).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        required(OP, out.stack_set_id(), "stack set ID")
    }

    async fn update(&self, spec: &StackSetSpec, preferences: &Preferences) -> Result<String, CloudError> {
        const OP: &str = "cloudformation:UpdateStackSet";
        // No DeploymentTargets or Regions: AWS then updates every instance.
        let out = call::send(&self.pacer, OP, &"caller", || {
            with_spec!(self.client.update_stack_set(), spec)
                .set_operation_preferences(to_preferences(preferences))
                .call_as(self.call_as.clone())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        required(OP, out.operation_id(), "operation ID")
    }

    async fn create_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        preferences: &Preferences,
    ) -> Result<String, CloudError> {
        const OP: &str = "cloudformation:CreateStackInstances";
        let out = call::send(&self.pacer, OP, &"caller", || {
            self.client
                .create_stack_instances()
                .stack_set_name(name)
                .deployment_targets(to_targets(targets))
                .set_regions(Some(regions.to_vec()))
                .set_operation_preferences(to_preferences(preferences))
                .call_as(self.call_as.clone())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        required(OP, out.operation_id(), "operation ID")
    }

    async fn delete_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        retain_stacks: bool,
        preferences: &Preferences,
    ) -> Result<String, CloudError> {
        const OP: &str = "cloudformation:DeleteStackInstances";
        let out = call::send(&self.pacer, OP, &"caller", || {
            self.client
                .delete_stack_instances()
                .stack_set_name(name)
                .deployment_targets(to_targets(targets))
                .set_regions(Some(regions.to_vec()))
                .retain_stacks(retain_stacks)
                .set_operation_preferences(to_preferences(preferences))
                .call_as(self.call_as.clone())
                .send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        required(OP, out.operation_id(), "operation ID")
    }

    async fn delete(&self, name: &str) -> Result<(), CloudError> {
        const OP: &str = "cloudformation:DeleteStackSet";
        call::send(&self.pacer, OP, &"caller", || {
            self.client.delete_stack_set().stack_set_name(name).call_as(self.call_as.clone()).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        Ok(())
    }

    async fn trusted_access(&self) -> Result<TrustedAccess, CloudError> {
        const OP: &str = "cloudformation:DescribeOrganizationsAccess";
        let out = call::send(&self.pacer, OP, &"caller", || {
            self.client.describe_organizations_access().call_as(self.call_as.clone()).send()
        })
        .await
        .map_err(|e| call::error(OP, e))?;
        match out.status() {
            Some(cfn::OrganizationStatus::Enabled) => Ok(TrustedAccess::Enabled),
            Some(cfn::OrganizationStatus::Disabled) => Ok(TrustedAccess::Disabled),
            Some(cfn::OrganizationStatus::DisabledPermanently) => Ok(TrustedAccess::DisabledPermanently),
            other => Err(CloudError::from_code(OP, None, format!("unknown status {other:?}"))),
        }
    }

    async fn activate_trusted_access(&self) -> Result<(), CloudError> {
        const OP: &str = "cloudformation:ActivateOrganizationsAccess";
        call::send(&self.pacer, OP, &"caller", || self.client.activate_organizations_access().send())
            .await
            .map_err(|e| call::error(OP, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use aws_sdk_cloudformation::config::http::HttpResponse;
    use aws_sdk_cloudformation::config::retry::RetryConfig;
    use aws_sdk_cloudformation::operation::create_stack_instances::CreateStackInstancesOutput;
    use aws_sdk_cloudformation::operation::create_stack_set::CreateStackSetOutput;
    use aws_sdk_cloudformation::operation::delete_stack_instances::DeleteStackInstancesOutput;
    use aws_sdk_cloudformation::operation::delete_stack_set::DeleteStackSetOutput;
    use aws_sdk_cloudformation::operation::describe_organizations_access::DescribeOrganizationsAccessOutput;
    use aws_sdk_cloudformation::operation::describe_stack_set::DescribeStackSetOutput;
    use aws_sdk_cloudformation::operation::describe_stack_set_operation::DescribeStackSetOperationOutput;
    use aws_sdk_cloudformation::operation::list_stack_instances::ListStackInstancesOutput;
    use aws_sdk_cloudformation::operation::list_stack_set_operation_results::ListStackSetOperationResultsOutput;
    use aws_sdk_cloudformation::operation::list_stack_set_operations::ListStackSetOperationsOutput;
    use aws_sdk_cloudformation::operation::update_stack_set::UpdateStackSetOutput;
    use aws_sdk_cloudformation::primitives::DateTime;
    use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    const NAME: &str = "orgrole-reader";
    const A: &str = "111111111111";
    const B: &str = "222222222222";
    const C: &str = "333333333333";

    fn handle(rules: &[&Rule]) -> AwsStackSets {
        AwsStackSets::from_client(
            mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules),
            CallAs::DelegatedAdmin,
            Arc::default(),
        )
    }

    /// An error as CloudFormation sends it (the awsQuery protocol), so that
    /// the SDK's own parsing gives the code, as it does against AWS.
    fn aws_error(status: u16, code: &str) -> HttpResponse {
        aws_refusal(status, code, &format!("{code} from the test"))
    }

    fn aws_refusal(status: u16, code: &str, message: &str) -> HttpResponse {
        let body = format!(
            "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
             <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>7d5c4d6a-0000-4000-8000-000000000000</RequestId></ErrorResponse>"
        );
        HttpResponse::new(StatusCode::try_from(status).expect("valid status"), SdkBody::from(body))
    }

    fn instance(account: &str, region: &str, status: cfn::StackInstanceStatus) -> cfn::StackInstanceSummary {
        cfn::StackInstanceSummary::builder().account(account).region(region).status(status).build()
    }

    fn spec() -> StackSetSpec {
        StackSetSpec {
            name: NAME.into(),
            description: "the vendor's read-only role".into(),
            template_body: "{\"Resources\": {}}".into(),
            parameters: BTreeMap::from([("ExternalId".to_owned(), "secret".to_owned())]),
            tags: Tags::from([("managed-by".to_owned(), "orgrole".to_owned())]),
            auto_deployment: AutoDeployment { enabled: true, retain_stacks: false },
        }
    }

    fn targets(filter: AccountFilter, accounts: &[&str]) -> DeploymentTargets {
        DeploymentTargets {
            ous: vec!["ou-ab12-11111111".into(), "ou-ab12-22222222".into()],
            accounts: accounts.iter().map(|a| AccountId::parse(a).unwrap()).collect(),
            filter,
        }
    }

    /// ListStackInstances answers a page at a time, with a NextToken until
    /// the last: every page is read, and each summary's OU, status, detailed
    /// status and reason are kept.
    #[tokio::test]
    async fn instances_are_read_over_every_page() {
        let first = mock!(Client::list_stack_instances)
            .match_requests(|r| r.stack_set_name() == Some(NAME) && r.next_token().is_none())
            .then_output(|| {
                ListStackInstancesOutput::builder()
                    .summaries(
                        cfn::StackInstanceSummary::builder()
                            .account(A)
                            .region("us-east-1")
                            .organizational_unit_id("ou-ab12-11111111")
                            .status(cfn::StackInstanceStatus::Current)
                            .stack_instance_status(
                                cfn::StackInstanceComprehensiveStatus::builder()
                                    .detailed_status(cfn::StackInstanceDetailedStatus::Succeeded)
                                    .build(),
                            )
                            .build(),
                    )
                    .summaries(instance(B, "us-east-1", cfn::StackInstanceStatus::Outdated))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(Client::list_stack_instances)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                ListStackInstancesOutput::builder()
                    .summaries(
                        cfn::StackInstanceSummary::builder()
                            .account(C)
                            .region("eu-west-1")
                            .organizational_unit_id("ou-ab12-22222222")
                            .status(cfn::StackInstanceStatus::Inoperable)
                            .stack_instance_status(
                                cfn::StackInstanceComprehensiveStatus::builder()
                                    .detailed_status(cfn::StackInstanceDetailedStatus::Failed)
                                    .build(),
                            )
                            .status_reason(
                                "ResourceLogicalId:Role, ResourceType:AWS::IAM::Role, already exists",
                            )
                            .build(),
                    )
                    .summaries(instance(A, "eu-west-1", cfn::StackInstanceStatus::from("NEW_STATUS")))
                    .build()
            });
        let instances = handle(&[&first, &second]).instances(NAME).await.unwrap();

        assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
        assert_eq!(
            instances,
            vec![
                InstanceInfo {
                    account: AccountId::parse(A).unwrap(),
                    region: "us-east-1".into(),
                    ou: Some("ou-ab12-11111111".into()),
                    status: InstanceStatus::Current,
                    detailed: Some(DetailedStatus::Succeeded),
                    reason: None,
                },
                InstanceInfo {
                    account: AccountId::parse(B).unwrap(),
                    region: "us-east-1".into(),
                    ou: None,
                    status: InstanceStatus::Outdated,
                    detailed: None,
                    reason: None,
                },
                InstanceInfo {
                    account: AccountId::parse(C).unwrap(),
                    region: "eu-west-1".into(),
                    ou: Some("ou-ab12-22222222".into()),
                    status: InstanceStatus::Inoperable,
                    detailed: Some(DetailedStatus::Failed),
                    reason: Some(
                        "ResourceLogicalId:Role, ResourceType:AWS::IAM::Role, already exists".into()
                    ),
                },
                // A status this SDK does not know is not taken for CURRENT.
                InstanceInfo {
                    account: AccountId::parse(A).unwrap(),
                    region: "eu-west-1".into(),
                    ou: None,
                    status: InstanceStatus::Outdated,
                    detailed: None,
                    reason: None,
                },
            ]
        );
    }

    /// A stack instance whose Account is not a 12-digit ID (AWS never sends
    /// one; an emulator might) fails the read, saying what it got.
    #[tokio::test]
    async fn a_malformed_instance_account_is_an_error() {
        let rule = mock!(Client::list_stack_instances).then_output(|| {
            ListStackInstancesOutput::builder()
                .summaries(instance("12345", "us-east-1", cfn::StackInstanceStatus::Current))
                .build()
        });
        let e = handle(&[&rule]).instances(NAME).await.unwrap_err();
        assert_eq!(e.operation, "cloudformation:ListStackInstances");
        assert!(e.message.contains("malformed account") && e.message.contains("`12345`"), "{e}");
    }

    /// DescribeStackSet: parameters as AWS returns them (a NoEcho value
    /// masked as `****`), tags, and AutoDeployment when the answer has it;
    /// the moto emulator leaves AutoDeployment out.
    #[tokio::test]
    async fn describe_maps_the_stack_set() {
        let full = mock!(Client::describe_stack_set)
            .match_requests(|r| r.stack_set_name() == Some(NAME))
            .then_output(|| {
                DescribeStackSetOutput::builder()
                    .stack_set(
                        cfn::StackSet::builder()
                            .stack_set_id("orgrole-reader:1b2c3d4e")
                            .status(cfn::StackSetStatus::Active)
                            .template_body("{}")
                            .parameters(
                                cfn::Parameter::builder()
                                    .parameter_key("ExternalId")
                                    .parameter_value("****")
                                    .build(),
                            )
                            .tags(cfn::Tag::builder().key("managed-by").value("orgrole").build())
                            .auto_deployment(
                                cfn::AutoDeployment::builder()
                                    .enabled(true)
                                    .retain_stacks_on_account_removal(true)
                                    .build(),
                            )
                            .managed_execution(cfn::ManagedExecution::builder().active(true).build())
                            .build(),
                    )
                    .build()
            });
        let info = handle(&[&full]).describe(NAME).await.unwrap().expect("present");
        assert_eq!(
            info,
            StackSetInfo {
                id: "orgrole-reader:1b2c3d4e".into(),
                template_body: "{}".into(),
                parameters: BTreeMap::from([("ExternalId".to_owned(), "****".to_owned())]),
                tags: Tags::from([("managed-by".to_owned(), "orgrole".to_owned())]),
                auto_deployment: Some(AutoDeployment { enabled: true, retain_stacks: true }),
                managed_execution: true,
            }
        );

        let emulated = mock!(Client::describe_stack_set).then_output(|| {
            DescribeStackSetOutput::builder()
                .stack_set(cfn::StackSet::builder().stack_set_id("orgrole-reader:1b2c3d4e").build())
                .build()
        });
        let info = handle(&[&emulated]).describe(NAME).await.unwrap().expect("present");
        assert_eq!(info.auto_deployment, None);
    }

    /// DescribeStackSet of a name that was never created answers
    /// StackSetNotFoundException (HTTP 404); a deleted one can still be
    /// described, with Status DELETED. Both are absent to orgrole.
    #[tokio::test]
    async fn a_missing_or_deleted_stack_set_is_none() {
        let missing = mock!(Client::describe_stack_set)
            .then_http_response(|| aws_error(404, "StackSetNotFoundException"));
        assert_eq!(handle(&[&missing]).describe(NAME).await.unwrap(), None);
        assert_eq!(missing.num_calls(), 1);

        let deleted = mock!(Client::describe_stack_set).then_output(|| {
            DescribeStackSetOutput::builder()
                .stack_set(
                    cfn::StackSet::builder()
                        .stack_set_id("orgrole-reader:1b2c3d4e")
                        .status(cfn::StackSetStatus::Deleted)
                        .build(),
                )
                .build()
        });
        assert_eq!(handle(&[&deleted]).describe(NAME).await.unwrap(), None);
    }

    /// CreateStackInstances while another operation runs (without managed
    /// execution, or on a conflict) answers OperationInProgressException;
    /// DeleteStackSet while instances remain answers StackSetNotEmptyException
    /// (both HTTP 409). orgrole waits on the first and deletes instances on
    /// the second, so each has its own kind.
    #[tokio::test]
    async fn conflicts_keep_their_kind() {
        let busy = mock!(Client::create_stack_instances)
            .then_http_response(|| aws_error(409, "OperationInProgressException"));
        let not_empty = mock!(Client::delete_stack_set)
            .then_http_response(|| aws_error(409, "StackSetNotEmptyException"));
        let stacksets = handle(&[&busy, &not_empty]);

        let e = stacksets
            .create_instances(
                NAME,
                &targets(AccountFilter::None, &[]),
                &["us-east-1".into()],
                &Preferences::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::OperationInProgress);
        assert_eq!(e.operation, "cloudformation:CreateStackInstances");
        assert_eq!(e.message, "OperationInProgressException from the test");

        let e = stacksets.delete(NAME).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotEmpty);
        assert_eq!(e.code.as_deref(), Some("StackSetNotEmptyException"));
        // Neither is retried: AWS would only answer the same.
        assert_eq!((busy.num_calls(), not_empty.num_calls()), (1, 1));
    }

    /// A delegated administrator must send CallAs DELEGATED_ADMIN on every
    /// StackSets call (without it AWS looks for the stack set in the
    /// delegated administrator's own, self-managed ones). Targets, account
    /// filter and regions go out as given.
    #[tokio::test]
    async fn every_call_is_made_as_the_delegated_admin() {
        let admin = |c: Option<&cfn::CallAs>| c == Some(&cfn::CallAs::DelegatedAdmin);
        let describe = mock!(Client::describe_stack_set)
            .match_requests(move |r| admin(r.call_as()))
            .then_http_response(|| aws_error(404, "StackSetNotFoundException"));
        let instances = mock!(Client::list_stack_instances)
            .match_requests(move |r| admin(r.call_as()))
            .then_output(|| ListStackInstancesOutput::builder().build());
        let operations = mock!(Client::list_stack_set_operations)
            .match_requests(move |r| admin(r.call_as()))
            .then_output(|| ListStackSetOperationsOutput::builder().build());
        let access = mock!(Client::describe_organizations_access)
            .match_requests(move |r| admin(r.call_as()))
            .then_output(|| {
                DescribeOrganizationsAccessOutput::builder().status(cfn::OrganizationStatus::Enabled).build()
            });
        let operation = mock!(Client::describe_stack_set_operation)
            .match_requests(move |r| admin(r.call_as()) && r.operation_id() == Some("op-1"))
            .then_output(|| {
                DescribeStackSetOperationOutput::builder()
                    .stack_set_operation(
                        cfn::StackSetOperation::builder()
                            .operation_id("op-1")
                            .action(cfn::StackSetOperationAction::Create)
                            .status(cfn::StackSetOperationStatus::Failed)
                            .status_reason(
                                "Account 333333333333 should have 'AWSCloudFormationStackSetExecutionRole'",
                            )
                            .build(),
                    )
                    .build()
            });
        let results = mock!(Client::list_stack_set_operation_results)
            .match_requests(move |r| admin(r.call_as()) && r.operation_id() == Some("op-1"))
            .then_output(|| {
                ListStackSetOperationResultsOutput::builder()
                    .summaries(
                        cfn::StackSetOperationResultSummary::builder()
                            .account(C)
                            .region("us-east-1")
                            .status(cfn::StackSetOperationResultStatus::Failed)
                            .status_reason("the role already exists")
                            .build(),
                    )
                    .summaries(
                        cfn::StackSetOperationResultSummary::builder()
                            .region("us-east-1")
                            .status(cfn::StackSetOperationResultStatus::Cancelled)
                            .build(),
                    )
                    .build()
            });
        let create = mock!(Client::create_stack_set)
            .match_requests(move |r| admin(r.call_as()))
            .then_output(|| CreateStackSetOutput::builder().stack_set_id("orgrole-reader:1b2c3d4e").build());
        let update = mock!(Client::update_stack_set)
            .match_requests(move |r| admin(r.call_as()))
            .then_output(|| UpdateStackSetOutput::builder().operation_id("op-update").build());
        let create_instances = mock!(Client::create_stack_instances)
            .match_requests(move |r| {
                let t = r.deployment_targets().expect("targets");
                admin(r.call_as())
                    && t.organizational_unit_ids() == ["ou-ab12-11111111", "ou-ab12-22222222"]
                    && t.accounts() == [A, B]
                    && t.account_filter_type() == Some(&cfn::AccountFilterType::Intersection)
                    && r.regions() == ["us-east-1", "eu-west-1"]
            })
            .then_output(|| CreateStackInstancesOutput::builder().operation_id("op-create").build());
        let delete_instances = mock!(Client::delete_stack_instances)
            .match_requests(move |r| {
                let t = r.deployment_targets().expect("targets");
                admin(r.call_as())
                    && t.organizational_unit_ids() == ["ou-ab12-11111111", "ou-ab12-22222222"]
                    && t.accounts() == [C]
                    && t.account_filter_type() == Some(&cfn::AccountFilterType::Difference)
                    && r.regions() == ["us-east-1"]
                    && r.retain_stacks() == Some(true)
            })
            .then_output(|| DeleteStackInstancesOutput::builder().operation_id("op-delete").build());
        let delete = mock!(Client::delete_stack_set)
            .match_requests(move |r| admin(r.call_as()) && r.stack_set_name() == Some(NAME))
            .then_output(|| DeleteStackSetOutput::builder().build());
        let rules = [
            &describe,
            &instances,
            &operations,
            &access,
            &operation,
            &results,
            &create,
            &update,
            &create_instances,
            &delete_instances,
            &delete,
        ];
        let stacksets = handle(&rules);
        let none = Preferences::default();

        assert_eq!(stacksets.describe(NAME).await.unwrap(), None);
        assert_eq!(stacksets.instances(NAME).await.unwrap(), vec![]);
        assert_eq!(crate::cloud::running_operation(&stacksets, NAME, false).await.unwrap(), None);
        assert_eq!(stacksets.trusted_access().await.unwrap(), TrustedAccess::Enabled);
        assert_eq!(
            stacksets.operation(NAME, "op-1").await.unwrap(),
            OperationInfo {
                id: "op-1".into(),
                action: Some(OperationAction::Create),
                status: OperationStatus::Failed,
                reason: Some(
                    "Account 333333333333 should have 'AWSCloudFormationStackSetExecutionRole'".into()
                ),
                created: None,
            }
        );
        assert_eq!(
            stacksets.operation_results(NAME, "op-1").await.unwrap(),
            vec![
                OperationResult {
                    account: Some(AccountId::parse(C).unwrap()),
                    region: "us-east-1".into(),
                    status: Some(ResultStatus::Failed),
                    reason: Some("the role already exists".into()),
                },
                OperationResult {
                    account: None,
                    region: "us-east-1".into(),
                    status: Some(ResultStatus::Cancelled),
                    reason: None
                },
            ]
        );
        assert_eq!(stacksets.create(&spec()).await.unwrap(), "orgrole-reader:1b2c3d4e");
        assert_eq!(stacksets.update(&spec(), &none).await.unwrap(), "op-update");
        let regions = ["us-east-1".to_owned(), "eu-west-1".to_owned()];
        let op = stacksets
            .create_instances(NAME, &targets(AccountFilter::Intersection, &[A, B]), &regions, &none)
            .await
            .unwrap();
        assert_eq!(op, "op-create");
        let op = stacksets
            .delete_instances(NAME, &targets(AccountFilter::Difference, &[C]), &regions[..1], true, &none)
            .await
            .unwrap();
        assert_eq!(op, "op-delete");
        stacksets.delete(NAME).await.unwrap();

        for rule in rules {
            assert_eq!(rule.num_calls(), 1);
        }
    }

    /// From the management account CallAs is SELF; OUs with no account
    /// list and no filter go out with neither Accounts nor AccountFilterType
    /// (AWS then deploys to every account of the OUs).
    #[tokio::test]
    async fn the_management_account_calls_as_self() {
        let rule = mock!(Client::create_stack_instances)
            .match_requests(|r| {
                let t = r.deployment_targets().expect("targets");
                r.call_as() == Some(&cfn::CallAs::SelfValue)
                    && t.accounts.is_none()
                    && t.account_filter_type().is_none()
                    && t.organizational_unit_ids().len() == 2
            })
            .then_output(|| CreateStackInstancesOutput::builder().operation_id("op-1").build());
        let client = mock_client!(aws_sdk_cloudformation, [&rule]);
        let stacksets = AwsStackSets::from_client(client, CallAs::Caller, Arc::default());
        let targets = targets(AccountFilter::None, &[]);
        let op =
            stacksets.create_instances(NAME, &targets, &["us-east-1".into()], &Preferences::default()).await;
        assert_eq!(op.unwrap(), "op-1");
    }

    /// CreateStackSet makes a service-managed stack set with the IAM
    /// capability and without managed execution (one operation at a time:
    /// AWS refuses a second with OperationInProgressException, which apply
    /// waits out); UpdateStackSet sends the same and no
    /// DeploymentTargets, Accounts or Regions, which updates every instance.
    #[tokio::test]
    async fn create_and_update_send_the_whole_spec() {
        fn service_managed(
            permission: Option<&cfn::PermissionModels>,
            capabilities: &[cfn::Capability],
            managed: Option<&cfn::ManagedExecution>,
            auto: Option<&cfn::AutoDeployment>,
        ) -> bool {
            permission == Some(&cfn::PermissionModels::ServiceManaged)
                && capabilities == [cfn::Capability::CapabilityNamedIam]
                && managed.is_none()
                && auto.map(|a| (a.enabled(), a.retain_stacks_on_account_removal()))
                    == Some((Some(true), Some(false)))
        }
        let expected = spec();
        let sent = expected.clone();
        let create = mock!(Client::create_stack_set)
            .match_requests(move |r| {
                service_managed(
                    r.permission_model(),
                    r.capabilities(),
                    r.managed_execution(),
                    r.auto_deployment(),
                ) && r.stack_set_name() == Some(NAME)
                    && r.description() == Some(sent.description.as_str())
                    && r.template_body() == Some(sent.template_body.as_str())
                    && r.parameters()
                        == [cfn::Parameter::builder()
                            .parameter_key("ExternalId")
                            .parameter_value("secret")
                            .build()]
                    && r.tags() == [cfn::Tag::builder().key("managed-by").value("orgrole").build()]
            })
            .then_output(|| CreateStackSetOutput::builder().stack_set_id("orgrole-reader:1b2c3d4e").build());
        let update = mock!(Client::update_stack_set)
            .match_requests(|r| {
                service_managed(
                    r.permission_model(),
                    r.capabilities(),
                    r.managed_execution(),
                    r.auto_deployment(),
                ) && r.parameters()[0].parameter_value() == Some("secret")
                    && r.tags().len() == 1
                    && r.deployment_targets().is_none()
                    && r.accounts.is_none()
                    && r.regions.is_none()
                    && r.operation_preferences().is_none()
            })
            .then_output(|| UpdateStackSetOutput::builder().operation_id("op-update").build());
        let stacksets = handle(&[&create, &update]);
        assert_eq!(stacksets.create(&expected).await.unwrap(), "orgrole-reader:1b2c3d4e");
        assert_eq!(stacksets.update(&expected, &Preferences::default()).await.unwrap(), "op-update");
        assert_eq!((create.num_calls(), update.num_calls()), (1, 1));
    }

    /// ListStackSetOperations pages in no documented order: listed newest
    /// first, one page says whether an operation runs; oldest first, every
    /// page is read, and the last says.
    #[tokio::test]
    async fn a_running_operation_is_found_from_as_few_pages_as_the_order_allows() {
        use cfn::StackSetOperationStatus::{Running, Succeeded};
        let op = |id: &str, secs: i64, status: cfn::StackSetOperationStatus| {
            cfn::StackSetOperationSummary::builder()
                .operation_id(id)
                .action(cfn::StackSetOperationAction::Update)
                .status(status)
                .creation_timestamp(DateTime::from_secs(secs))
                .build()
        };
        let page = |token: Option<&'static str>,
                    ops: Vec<cfn::StackSetOperationSummary>,
                    next: Option<&'static str>| {
            mock!(Client::list_stack_set_operations)
                .match_requests(move |r| r.next_token() == token && r.max_results() == Some(100))
                .then_output(move || {
                    ListStackSetOperationsOutput::builder()
                        .set_summaries(Some(ops.clone()))
                        .set_next_token(next.map(str::to_owned))
                        .build()
                })
        };
        let newest = page(None, vec![op("c", 300, Succeeded), op("b", 200, Succeeded)], Some("more"));
        let older = page(Some("more"), vec![op("a", 100, Succeeded)], None);
        let sets = handle(&[&newest, &older]);
        assert_eq!(crate::cloud::running_operation(&sets, NAME, false).await.unwrap(), None);
        assert_eq!((newest.num_calls(), older.num_calls()), (1, 0));

        let oldest = page(None, vec![op("a", 100, Succeeded), op("b", 200, Succeeded)], Some("more"));
        let newer = page(Some("more"), vec![op("c", 300, Running)], None);
        let sets = handle(&[&oldest, &newer]);
        let running = crate::cloud::running_operation(&sets, NAME, false).await.unwrap().expect("running");
        assert_eq!(
            (running.id.as_str(), running.status, running.created),
            ("c", OperationStatus::Running, Some(300_000))
        );
        assert_eq!((oldest.num_calls(), newer.num_calls()), (1, 1));
    }

    /// StackSets' refusals of a caller that is not what CallAs says come
    /// as ValidationError; orgrole acts on them by kind.
    #[tokio::test]
    async fn refusals_of_the_caller_and_of_trusted_access_have_their_kind() {
        let refusal = |message: &'static str| move || aws_refusal(400, "ValidationError", message);
        let describe = mock!(Client::describe_stack_set)
            .then_http_response(refusal("Account used is not a delegated administrator"));
        let access = mock!(Client::describe_organizations_access).then_http_response(refusal(
            "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set",
        ));
        let create = mock!(Client::create_stack_set).then_http_response(refusal(
            "You must enable organizations access to operate a service managed stack set",
        ));
        let sets = handle(&[&describe, &access, &create]);
        assert_eq!(sets.describe(NAME).await.unwrap_err().kind, ErrorKind::NotDelegatedAdmin);
        assert_eq!(sets.trusted_access().await.unwrap_err().kind, ErrorKind::NotDelegatedAdmin);
        assert_eq!(sets.create(&spec()).await.unwrap_err().kind, ErrorKind::TrustedAccessOff);
    }

    /// CloudFormation throttles with HTTP 400 and the code `Throttling`
    /// (other AWS APIs say `ThrottlingException`): the SDK retries the call,
    /// with the same OperationId, which AWS takes as an idempotency token.
    #[tokio::test]
    async fn a_throttled_call_is_retried() {
        for code in ["Throttling", "ThrottlingException"] {
            let rule = mock!(Client::create_stack_instances)
                // The SDK fills in OperationId (the test client's token is fixed).
                .match_requests(|r| r.operation_id() == Some("00000000-0000-4000-8000-000000000000"))
                .sequence()
                .http_response(move || aws_error(400, code))
                .output(|| CreateStackInstancesOutput::builder().operation_id("op-1").build())
                .build();
            let client = mock_client!(aws_sdk_cloudformation, RuleMode::Sequential, [&rule], |c| c
                .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1))));
            let stacksets = AwsStackSets::from_client(client, CallAs::DelegatedAdmin, Arc::default());
            let targets = targets(AccountFilter::None, &[]);
            let (regions, none) = (["us-east-1".to_owned()], Preferences::default());
            let op = stacksets.create_instances(NAME, &targets, &regions, &none).await;
            assert_eq!(op.unwrap(), "op-1", "{code}");
            assert_eq!(rule.num_calls(), 2, "{code}: one throttled attempt, one that went through");
        }
    }

    /// A listing goes page by page: a throttled page is sent again alone,
    /// not with the pages before it, and each page is a call of its own.
    #[tokio::test(start_paused = true)]
    async fn a_throttled_page_is_sent_again_alone() {
        let first = mock!(Client::list_stack_instances)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                ListStackInstancesOutput::builder()
                    .summaries(instance(A, "us-east-1", cfn::StackInstanceStatus::Current))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(Client::list_stack_instances)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .sequence()
            .http_response(|| aws_error(400, "Throttling"))
            .output(|| {
                ListStackInstancesOutput::builder()
                    .summaries(instance(B, "us-east-1", cfn::StackInstanceStatus::Current))
                    .build()
            })
            .build();
        let instances = handle(&[&first, &second]).instances(NAME).await.unwrap();
        let accounts: Vec<_> = instances.iter().map(|i| i.account.as_str()).collect();
        assert_eq!(accounts, [A, B]);
        assert_eq!((first.num_calls(), second.num_calls()), (1, 2));
    }

    /// StackSetOperationPreferences takes a percentage or a count for each
    /// of MaxConcurrent and FailureTolerance, and a RegionConcurrencyType;
    /// with nothing set, none is sent and AWS uses its defaults.
    #[tokio::test]
    async fn operation_preferences_are_mapped() {
        assert_eq!(to_preferences(&Preferences::default()), None);

        let percent = Preferences {
            max_concurrent: Some(Amount::Percent(25)),
            failure_tolerance: Some(Amount::Percent(10)),
            region_concurrency: Some(RegionConcurrency::Parallel),
        };
        let p = to_preferences(&percent).expect("sent");
        assert_eq!((p.max_concurrent_percentage(), p.max_concurrent_count()), (Some(25), None));
        assert_eq!((p.failure_tolerance_percentage(), p.failure_tolerance_count()), (Some(10), None));
        assert_eq!(p.region_concurrency_type(), Some(&cfn::RegionConcurrencyType::Parallel));

        let count = Preferences {
            max_concurrent: Some(Amount::Count(5)),
            failure_tolerance: Some(Amount::Count(u32::MAX)),
            region_concurrency: Some(RegionConcurrency::Sequential),
        };
        let p = to_preferences(&count).expect("sent");
        assert_eq!((p.max_concurrent_percentage(), p.max_concurrent_count()), (None, Some(5)));
        assert_eq!((p.failure_tolerance_percentage(), p.failure_tolerance_count()), (None, Some(i32::MAX)));
        assert_eq!(p.region_concurrency_type(), Some(&cfn::RegionConcurrencyType::Sequential));

        let only_regions =
            Preferences { region_concurrency: Some(RegionConcurrency::Parallel), ..Preferences::default() };
        let p = to_preferences(&only_regions).expect("sent");
        assert_eq!((p.max_concurrent_percentage(), p.max_concurrent_count()), (None, None));

        // And on the wire: DeleteStackInstances carries them.
        let rule = mock!(Client::delete_stack_instances)
            .match_requests(|r| {
                let p = r.operation_preferences().expect("preferences");
                p.max_concurrent_percentage() == Some(25) && p.failure_tolerance_percentage() == Some(10)
            })
            .then_output(|| DeleteStackInstancesOutput::builder().operation_id("op-1").build());
        let targets = targets(AccountFilter::None, &[]);
        let op =
            handle(&[&rule]).delete_instances(NAME, &targets, &["us-east-1".into()], false, &percent).await;
        assert_eq!(op.unwrap(), "op-1");
    }

    /// AutoDeployment with Enabled false must not carry RetainStacksOnAccountRemoval.
    #[test]
    fn auto_deployment_off_sends_no_retain_flag() {
        let off = to_auto_deployment(AutoDeployment { enabled: false, retain_stacks: false });
        assert_eq!((off.enabled(), off.retain_stacks_on_account_removal()), (Some(false), None));
        let on = to_auto_deployment(AutoDeployment { enabled: true, retain_stacks: true });
        assert_eq!((on.enabled(), on.retain_stacks_on_account_removal()), (Some(true), Some(true)));
    }
}
