//! An in-memory, deterministic model of the IAM, STS and Organizations calls
//! orgrole makes, for tests where the local emulator is not faithful or a
//! failure must be made on purpose. It keeps AWS's rules where orgrole
//! relies on them: five policy versions at most, DeletePolicy refused while
//! attached or versioned, DeleteRole refused while policies are attached,
//! EntityAlreadyExists, and (on request) IAM's eventual consistency; and
//! CloudFormation StackSets (see `stacksets`).

mod iam;
mod stacks;
mod stacksets;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

pub use iam::{SimIam, SimPolicy, SimRole};
pub use stacksets::{SimStackSets, StackSetWorld};

use super::{Caller, Cloud, CloudError, Organization};
use crate::model::{AccountId, CallAs};
use crate::state::MemoryObjects;

#[derive(Debug, Default)]
pub struct World {
    pub organization: Option<Organization>,
    pub accounts: BTreeMap<AccountId, SimAccount>,
    /// (account, operation) → the error code every such call fails with.
    pub failures: BTreeMap<(AccountId, String), String>,
    /// IAM's eventual consistency: a role or policy is invisible to
    /// AttachRolePolicy for this many calls after its creation.
    pub invisible_for: u32,
    /// CloudFormation StackSets in the caller's account and region.
    pub stacksets: StackSetWorld,
    /// Every call made, as `account operation`.
    pub calls: Vec<String>,
    /// S3 buckets, by name.
    pub buckets: BTreeMap<String, MemoryObjects>,
    /// What GetCallerIdentity answers when not a user `orgrole` (a role's session).
    pub caller_arn: Option<String>,
    /// Orders policy versions by creation.
    clock: u64,
}

#[derive(Debug, Default, Clone)]
pub struct SimAccount {
    pub roles: BTreeMap<String, SimRole>,
    /// By ARN.
    pub policies: BTreeMap<String, SimPolicy>,
}

#[derive(Clone)]
pub struct SimCloud {
    caller: AccountId,
    world: Arc<Mutex<World>>,
}

impl SimCloud {
    pub fn new(caller: AccountId, world: World) -> Self {
        Self { caller, world: Arc::new(Mutex::new(world)) }
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().expect("not poisoned")
    }
}

impl World {
    /// Records the call; fails it if a failure was set for it.
    fn call(&mut self, account: &AccountId, operation: &str) -> Result<(), CloudError> {
        self.calls.push(format!("{account} {operation}"));
        match self.failures.get(&(account.clone(), operation.to_owned())) {
            Some(code) => Err(CloudError::from_code(operation, Some(code), "injected by the test")),
            None => Ok(()),
        }
    }

    pub fn fail(&mut self, account: &AccountId, operation: &str, code: &str) {
        self.failures.insert((account.clone(), operation.to_owned()), code.to_owned());
    }
}

impl Cloud for SimCloud {
    type Iam = SimIam;
    type StackSets = SimStackSets;
    type Objects = MemoryObjects;

    async fn caller(&self) -> Result<Caller, CloudError> {
        let mut world = self.world();
        world.call(&self.caller, "sts:GetCallerIdentity")?;
        let arn = world.caller_arn.clone().unwrap_or_else(|| self.caller.iam_arn("aws", "user/orgrole"));
        Ok(Caller { account: self.caller.clone(), arn, partition: "aws".into() })
    }

    async fn organization(&self) -> Result<Option<Organization>, CloudError> {
        let mut world = self.world();
        world.call(&self.caller, "organizations:DescribeOrganization")?;
        Ok(world.organization.clone())
    }

    async fn iam(&self, account: &AccountId, _access_role: &str) -> Result<SimIam, CloudError> {
        let mut world = self.world();
        if account != &self.caller {
            world.call(account, "sts:AssumeRole")?;
        }
        world.accounts.entry(account.clone()).or_default();
        Ok(SimIam::new(account.clone(), self.world.clone()))
    }

    fn stacksets(&self, call_as: CallAs) -> SimStackSets {
        SimStackSets::new(self.caller.clone(), call_as, self.world.clone())
    }

    fn region(&self) -> Option<String> {
        Some("us-east-1".into())
    }

    fn objects(&self, bucket: &str, _region: Option<&str>) -> MemoryObjects {
        self.world().buckets.entry(bucket.to_owned()).or_default().clone()
    }
}
