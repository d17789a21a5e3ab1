//! Organizations seeded in moto, one per test: each test gets its own
//! management account (an assumed role in a random account), so tests run in
//! parallel on one server without seeing each other.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use serde_json::Value;

use super::moto::moto;

pub fn block_on<F: Future>(f: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().expect("a runtime")).block_on(f)
}

pub fn sdk(credentials: Credentials) -> SdkConfig {
    block_on(
        aws_config::defaults(BehaviorVersion::latest())
            .region("us-east-1")
            .endpoint_url(&moto().endpoint)
            .credentials_provider(credentials)
            .load(),
    )
}

fn assume(from: &SdkConfig, account: &str, role: &str) -> Credentials {
    let out = block_on(
        aws_sdk_sts::Client::new(from)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("orgrole-test")
            .send(),
    )
    .expect("AssumeRole in moto");
    let c = out.credentials().expect("credentials");
    Credentials::new(c.access_key_id(), c.secret_access_key(), Some(c.session_token().into()), None, "test")
}

pub fn random_account_id() -> String {
    format!("{:012}", uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000)
}

pub struct Org {
    pub management: String,
    pub credentials: Credentials,
    /// Account name → ID.
    pub accounts: BTreeMap<String, String>,
    /// OU path (`Workloads/Prod`) → ID.
    pub ous: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct OrgBuilder {
    /// (name, OU path or "" for the root, suspended)
    accounts: Vec<(String, String, bool)>,
}

impl OrgBuilder {
    pub fn account(mut self, name: &str, ou: &str) -> Self {
        self.accounts.push((name.into(), ou.into(), false));
        self
    }

    pub fn suspended(mut self, name: &str, ou: &str) -> Self {
        self.accounts.push((name.into(), ou.into(), true));
        self
    }

    pub fn seed(self) -> Org {
        let base = sdk(Credentials::new("testing", "testing", None, None, "test"));
        let management = random_account_id();
        let credentials = assume(&base, &management, "orgrole-test-admin");
        let org = aws_sdk_organizations::Client::new(&sdk(credentials.clone()));
        block_on(async {
            org.create_organization()
                .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
                .send()
                .await
                .expect("CreateOrganization");
            let root = org.list_roots().send().await.expect("ListRoots").roots()[0].id().unwrap().to_owned();
            let mut ous = BTreeMap::new();
            let mut accounts = BTreeMap::new();
            for (name, path, suspended) in self.accounts {
                let mut parent = root.clone();
                let mut so_far = String::new();
                for part in path.split('/').filter(|p| !p.is_empty()) {
                    so_far = if so_far.is_empty() { part.to_owned() } else { format!("{so_far}/{part}") };
                    if let Some(id) = ous.get(&so_far) {
                        parent = String::clone(id);
                        continue;
                    }
                    let ou = org
                        .create_organizational_unit()
                        .parent_id(&parent)
                        .name(part)
                        .send()
                        .await
                        .expect("CreateOU");
                    parent = ou.organizational_unit().unwrap().id().unwrap().to_owned();
                    ous.insert(so_far.clone(), parent.clone());
                }
                let created = org
                    .create_account()
                    .account_name(&name)
                    .email(format!("{name}-{management}@example.com"))
                    .send()
                    .await
                    .expect("CreateAccount");
                let id = created.create_account_status().unwrap().account_id().unwrap().to_owned();
                if parent != root {
                    org.move_account()
                        .account_id(&id)
                        .source_parent_id(&root)
                        .destination_parent_id(&parent)
                        .send()
                        .await
                        .expect("MoveAccount");
                }
                if suspended {
                    org.close_account().account_id(&id).send().await.expect("CloseAccount");
                }
                accounts.insert(name, id);
            }
            Org { management, credentials, accounts, ous }
        })
    }
}

impl Org {
    pub fn builder() -> OrgBuilder {
        OrgBuilder::default()
    }

    pub fn id(&self, name: &str) -> &str {
        self.accounts.get(name).unwrap_or_else(|| panic!("no account named {name}"))
    }

    /// The organization's root (`r-...`).
    pub fn root(&self) -> String {
        let org = aws_sdk_organizations::Client::new(&sdk(self.credentials.clone()));
        let roots = block_on(org.list_roots().send()).expect("ListRoots");
        roots.roots()[0].id().expect("a root ID").to_owned()
    }

    pub fn ou(&self, path: &str) -> &str {
        self.ous.get(path).unwrap_or_else(|| panic!("no OU {path}"))
    }

    /// Credentials in the named account (or "management"), as orgrole
    /// would reach it: the access role assumed from the management account.
    pub fn credentials_of(&self, name: &str) -> Credentials {
        if name == "management" {
            return self.credentials.clone();
        }
        assume(&sdk(self.credentials.clone()), self.id(name), "OrganizationAccountAccessRole")
    }

    /// IAM in the named account (or "management"), as orgrole would reach it.
    pub fn iam(&self, name: &str) -> AccountIam {
        let config = sdk(self.credentials_of(name));
        let account = if name == "management" { self.management.clone() } else { self.id(name).to_owned() };
        AccountIam { client: aws_sdk_iam::Client::new(&config), account }
    }

    /// CloudFormation in the management account.
    pub fn cloudformation(&self) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(&sdk(self.credentials.clone()))
    }

    /// Trusted access between StackSets and Organizations, as
    /// DescribeOrganizationsAccess says from the management account.
    pub fn trusted_access(&self) -> String {
        let out = block_on(self.cloudformation().describe_organizations_access().send())
            .expect("DescribeOrganizationsAccess");
        out.status().map(|s| s.as_str().to_owned()).unwrap_or_default()
    }

    /// The accounts with an instance of the management account's stack set `name`.
    pub fn stack_instance_accounts(&self, name: &str) -> Vec<String> {
        let out = block_on(self.cloudformation().list_stack_instances().stack_set_name(name).send())
            .expect("ListStackInstances");
        out.summaries().iter().filter_map(|s| s.account().map(str::to_owned)).collect()
    }

    /// ActivateOrganizationsAccess, from the management account.
    pub fn activate_trusted_access(&self) {
        block_on(self.cloudformation().activate_organizations_access().send())
            .expect("ActivateOrganizationsAccess");
    }

    /// Registers the named account as a delegated administrator for StackSets.
    pub fn register_stacksets_admin(&self, name: &str) {
        self.register_admin(name, "member.org.stacksets.cloudformation.amazonaws.com");
    }

    /// Registers the named account as a delegated administrator for `service`.
    pub fn register_admin(&self, name: &str, service: &str) {
        let org = aws_sdk_organizations::Client::new(&sdk(self.credentials.clone()));
        block_on(
            org.register_delegated_administrator()
                .account_id(self.id(name))
                .service_principal(service)
                .send(),
        )
        .expect("RegisterDelegatedAdministrator");
    }
}

/// Reads and out-of-band changes in one account, as a person in the console would make them.
pub struct AccountIam {
    pub client: aws_sdk_iam::Client,
    pub account: String,
}

fn decode(text: &str) -> Value {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
    serde_json::from_str(&decoded).expect("a JSON document")
}

impl AccountIam {
    pub fn policy_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:policy/{name}", self.account)
    }

    /// The role's trust policy and tags, if the role exists.
    pub fn role(&self, name: &str) -> Option<(Value, BTreeMap<String, String>)> {
        let out = block_on(self.client.get_role().role_name(name).send()).ok()?;
        let role = out.role()?;
        let tags = role.tags().iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect();
        Some((decode(role.assume_role_policy_document().unwrap_or_default()), tags))
    }

    pub fn attached(&self, role: &str) -> Vec<String> {
        let out = block_on(self.client.list_attached_role_policies().role_name(role).send())
            .expect("ListAttachedRolePolicies");
        out.attached_policies().iter().filter_map(|p| p.policy_arn().map(str::to_owned)).collect()
    }

    /// The policy's default document, if the policy exists.
    pub fn policy_document(&self, name: &str) -> Option<Value> {
        let arn = self.policy_arn(name);
        let policy = block_on(self.client.get_policy().policy_arn(&arn).send()).ok()?.policy()?.clone();
        let version = block_on(
            self.client
                .get_policy_version()
                .policy_arn(&arn)
                .version_id(policy.default_version_id().unwrap())
                .send(),
        )
        .expect("GetPolicyVersion");
        Some(decode(version.policy_version()?.document()?))
    }

    pub fn policy_version_count(&self, name: &str) -> usize {
        let out = block_on(self.client.list_policy_versions().policy_arn(self.policy_arn(name)).send())
            .expect("ListPolicyVersions");
        out.versions().len()
    }

    pub fn set_trust(&self, role: &str, document: &Value) {
        block_on(
            self.client
                .update_assume_role_policy()
                .role_name(role)
                .policy_document(document.to_string())
                .send(),
        )
        .expect("UpdateAssumeRolePolicy");
    }

    pub fn detach(&self, role: &str, policy: &str) {
        block_on(self.client.detach_role_policy().role_name(role).policy_arn(self.policy_arn(policy)).send())
            .expect("DetachRolePolicy");
    }

    pub fn new_policy_version(&self, policy: &str, document: &Value, default: bool) {
        block_on(
            self.client
                .create_policy_version()
                .policy_arn(self.policy_arn(policy))
                .policy_document(document.to_string())
                .set_as_default(default)
                .send(),
        )
        .expect("CreatePolicyVersion");
    }

    /// Detaches the role's policies, then deletes it.
    pub fn delete_role(&self, role: &str) {
        for arn in self.attached(role) {
            block_on(self.client.detach_role_policy().role_name(role).policy_arn(arn).send())
                .expect("DetachRolePolicy");
        }
        block_on(self.client.delete_role().role_name(role).send()).expect("DeleteRole");
    }

    /// An inline policy on the role (PutRolePolicy).
    pub fn put_inline(&self, role: &str, name: &str, document: &Value) {
        block_on(
            self.client
                .put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(document.to_string())
                .send(),
        )
        .expect("PutRolePolicy");
    }

    pub fn inline_names(&self, role: &str) -> Vec<String> {
        block_on(self.client.list_role_policies().role_name(role).send())
            .expect("ListRolePolicies")
            .policy_names()
            .to_vec()
    }

    /// A customer-managed policy of its own; returns its ARN.
    pub fn create_policy(&self, name: &str, document: &Value) -> String {
        let out = block_on(
            self.client.create_policy().policy_name(name).policy_document(document.to_string()).send(),
        )
        .expect("CreatePolicy");
        out.policy().and_then(|p| p.arn()).expect("an ARN").to_owned()
    }

    /// A customer-managed policy of its own, attached to the role.
    pub fn attach_new_policy(&self, role: &str, name: &str, document: &Value) -> String {
        let arn = self.create_policy(name, document);
        block_on(self.client.attach_role_policy().role_name(role).policy_arn(&arn).send())
            .expect("AttachRolePolicy");
        arn
    }

    /// A customer-managed policy of its own, made the role's permissions boundary.
    pub fn set_boundary(&self, role: &str, name: &str, document: &Value) {
        let arn = self.create_policy(name, document);
        block_on(
            self.client.put_role_permissions_boundary().role_name(role).permissions_boundary(arn).send(),
        )
        .expect("PutRolePermissionsBoundary");
    }

    /// The role's ARN, path, description and session length, as GetRole gives them.
    pub fn role_settings(&self, role: &str) -> (String, String, Option<String>, i32) {
        let out = block_on(self.client.get_role().role_name(role).send()).expect("GetRole");
        let r = out.role().expect("a role");
        let description = r.description().filter(|d| !d.is_empty()).map(str::to_owned);
        (r.arn().to_owned(), r.path().to_owned(), description, r.max_session_duration().unwrap_or(3600))
    }

    /// UpdateRole, by hand: a new description and session length.
    pub fn update_role(&self, role: &str, description: &str, max_session_duration: i32) {
        block_on(
            self.client
                .update_role()
                .role_name(role)
                .description(description)
                .max_session_duration(max_session_duration)
                .send(),
        )
        .expect("UpdateRole");
    }

    /// DeleteRolePermissionsBoundary, by hand.
    pub fn delete_boundary(&self, role: &str) {
        block_on(self.client.delete_role_permissions_boundary().role_name(role).send())
            .expect("DeleteRolePermissionsBoundary");
    }

    /// The role's permissions boundary, if it has one.
    pub fn boundary(&self, role: &str) -> Option<String> {
        let out = block_on(self.client.get_role().role_name(role).send()).expect("GetRole");
        out.role()?.permissions_boundary()?.permissions_boundary_arn().map(str::to_owned)
    }

    pub fn create_role(&self, name: &str, trust: &Value) {
        block_on(
            self.client.create_role().role_name(name).assume_role_policy_document(trust.to_string()).send(),
        )
        .expect("CreateRole");
    }

    pub fn role_names(&self) -> Vec<String> {
        let out = block_on(self.client.list_roles().send()).expect("ListRoles");
        out.roles().iter().map(|r| r.role_name().to_owned()).collect()
    }

    pub fn policy_names(&self) -> Vec<String> {
        let out =
            block_on(self.client.list_policies().scope(aws_sdk_iam::types::PolicyScopeType::Local).send())
                .expect("ListPolicies");
        out.policies().iter().filter_map(|p| p.policy_name().map(str::to_owned)).collect()
    }
}

/// S3 in the test's management account, for remote state.
pub struct Bucket {
    pub name: String,
    client: aws_sdk_s3::Client,
}

impl Org {
    /// A new bucket with versioning on, as the README recommends for state.
    pub fn bucket(&self) -> Bucket {
        let config =
            aws_sdk_s3::config::Builder::from(&sdk(self.credentials.clone())).force_path_style(true).build();
        let client = aws_sdk_s3::Client::from_conf(config);
        let name = format!("orgrole-state-{}", random_account_id());
        block_on(client.create_bucket().bucket(&name).send()).expect("CreateBucket");
        let enabled = aws_sdk_s3::types::VersioningConfiguration::builder()
            .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
            .build();
        block_on(client.put_bucket_versioning().bucket(&name).versioning_configuration(enabled).send())
            .expect("PutBucketVersioning");
        Bucket { name, client }
    }
}

impl Bucket {
    pub fn get(&self, key: &str) -> Option<String> {
        let out = block_on(self.client.get_object().bucket(&self.name).key(key).send()).ok()?;
        let bytes = block_on(out.body.collect()).expect("the object's body").into_bytes();
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn delete(&self, key: &str) {
        block_on(self.client.delete_object().bucket(&self.name).key(key).send()).expect("DeleteObject");
    }

    pub fn versions(&self, key: &str) -> usize {
        let out = block_on(self.client.list_object_versions().bucket(&self.name).prefix(key).send())
            .expect("ListObjectVersions");
        out.versions().iter().filter(|v| v.key() == Some(key)).count()
    }
}
