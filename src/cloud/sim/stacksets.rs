//! CloudFormation StackSets, service-managed, as the CloudFormation API
//! reference describes them, in memory and deterministic (the local emulator
//! is not faithful here). Time is counted in DescribeStackSetOperation polls:
//! an operation stays RUNNING for `StackSetWorld::running_for` polls of it,
//! then ends, and only then do its effects on instances happen.
//!
//! Modelled: CreateStackSet (NameAlreadyExistsException), DescribeStackSet
//! (NoEcho parameters as `****`), UpdateStackSet (every instance OUTDATED
//! while it runs), DeleteStackSet (StackSetNotEmptyException),
//! CreateStackInstances and DeleteStackInstances by OU (deployment targets
//! resolved by the API reference's rules, see `reach`), ListStackInstances,
//! DescribeStackSetOperation, ListStackSetOperations (newest first),
//! ListStackSetOperationResults, one operation at a time per stack set
//! (OperationInProgressException: orgrole does not ask for
//! `ManagedExecution`, so AWS does not queue), failure tolerance per region,
//! automatic deployment to accounts that join a targeted OU (which ignores
//! account filters, as AWS's does), trusted access with Organizations
//! (DescribeOrganizationsAccess, ActivateOrganizationsAccess from the
//! management account only, CreateStackSet refused while it is off), and
//! the check that CallAs fits the caller (the management account as SELF,
//! a registered delegated administrator as DELEGATED_ADMIN).
//!
//! ListStackSetOperations pages (`operations_per_page`); AWS does not
//! document its order. Answers seen from AWS list the newest first, the
//! default here; `newest_first = false` lists the oldest first, so that
//! orgrole is tested on both.
//!
//! Not modelled: QUEUED and STOPPING, MaxConcurrent and region order (every
//! account of an operation is handled when it ends), cancelling the rest of
//! a region once its failure tolerance is exceeded, and drift.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::World;
use crate::cloud::{
    AccountState, CloudError, DeploymentTargets, DetailedStatus, InstanceInfo, InstanceStatus,
    OperationAction, OperationInfo, OperationResult, OperationStatus, OperationsPage, OrgAccount,
    Organization, ResultStatus, StackSetInfo, StackSetSpec, StackSets, TrustedAccess,
};
use crate::model::{AccountFilter, AccountId, Amount, AutoDeployment, CallAs, Preferences};

/// The StackSets part of the world: the caller's stack sets in its region.
#[derive(Debug)]
pub struct StackSetWorld {
    /// Stack sets by name (not deleted ones).
    pub sets: BTreeMap<String, SimStackSet>,
    /// Deleted stack sets, oldest first: AWS keeps them with status DELETED,
    /// reachable by ID only, so their name is free again.
    pub deleted: Vec<SimStackSet>,
    /// DescribeStackSetOperation polls an operation stays RUNNING for; 1
    /// (the default): the first poll shows RUNNING, the next its end.
    pub running_for: u32,
    /// DescribeStackSet returns every parameter value as `****`, as AWS does
    /// for the template's NoEcho parameters (orgrole's are). Default true.
    pub mask_no_echo: bool,
    /// (account, region) → the reason its stack fails to create or update.
    pub failing: BTreeMap<(AccountId, String), String>,
    /// The CallAs of every StackSets call, with its operation
    /// (`cloudformation:CreateStackInstances`), in order.
    pub call_as: Vec<(String, CallAs)>,
    /// CloudFormation's trusted access with Organizations. Default Enabled:
    /// the world of an organization that turned it on.
    pub trusted_access: TrustedAccess,
    /// Accounts registered (RegisterDelegatedAdministrator) for StackSets.
    pub delegated_admins: Vec<AccountId>,
    /// ListStackSetOperations' page size.
    pub operations_per_page: usize,
    /// ListStackSetOperations lists the newest first (default) or the oldest.
    pub newest_first: bool,
    next_operation: u64,
    next_stack_set: u64,
}

impl Default for StackSetWorld {
    fn default() -> Self {
        Self {
            sets: BTreeMap::new(),
            deleted: Vec::new(),
            running_for: 1,
            mask_no_echo: true,
            failing: BTreeMap::new(),
            call_as: Vec::new(),
            trusted_access: TrustedAccess::Enabled,
            delegated_admins: Vec::new(),
            operations_per_page: 100,
            newest_first: true,
            next_operation: 0,
            next_stack_set: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimStackSet {
    pub id: String,
    /// What the last CreateStackSet or UpdateStackSet sent.
    pub spec: StackSetSpec,
    /// One per (account, region).
    pub instances: BTreeMap<(AccountId, String), InstanceInfo>,
    /// Oldest first.
    pub operations: Vec<SimOperation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// CreateStackInstances.
    CreateInstances,
    /// UpdateStackSet.
    Update,
    /// DeleteStackInstances.
    DeleteInstances,
    /// Started by someone else (`StackSetWorld::start_foreign_operation`):
    /// it only keeps the stack set busy.
    Foreign,
}

impl OperationKind {
    /// StackSetOperation.Action.
    pub fn action(self) -> OperationAction {
        match self {
            Self::CreateInstances => OperationAction::Create,
            Self::Update | Self::Foreign => OperationAction::Update,
            Self::DeleteInstances => OperationAction::Delete,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimOperation {
    pub id: String,
    pub kind: OperationKind,
    pub status: OperationStatus,
    pub reason: Option<String>,
    /// DescribeStackSetOperation polls left before it ends.
    pub polls_left: u32,
    pub preferences: Preferences,
    /// (account, region, OU) it works on, resolved when it started, as AWS
    /// resolves OU membership at the start of an operation.
    pub targets: Vec<(AccountId, String, Option<String>)>,
    /// ListStackSetOperationResults once it has ended.
    pub results: Vec<OperationResult>,
    /// The CallAs it was started with; `None` for a foreign one.
    pub call_as: Option<CallAs>,
    /// Its creation, in the sim's clock (one tick per operation).
    pub created: i64,
}

impl SimOperation {
    pub fn info(&self) -> OperationInfo {
        OperationInfo {
            id: self.id.clone(),
            action: Some(self.kind.action()),
            status: self.status,
            reason: self.reason.clone(),
            created: Some(self.created),
        }
    }
}

impl StackSetWorld {
    /// Makes the stack of `account` in `region` fail to create or update
    /// with `reason` (e.g. the role exists already), from now on.
    pub fn fail_instance(&mut self, account: &AccountId, region: &str, reason: &str) {
        self.failing.insert((account.clone(), region.to_owned()), reason.to_owned());
    }

    /// Starts an operation on `name` as someone else would (the console,
    /// another run), RUNNING for `polls` DescribeStackSetOperation polls of
    /// it; it changes no instance. Returns its ID. Panics if there is no
    /// such stack set.
    pub fn start_foreign_operation(&mut self, name: &str, polls: u32) -> String {
        assert!(self.sets.contains_key(name), "no stack set {name}");
        let id = self.start(name, OperationKind::Foreign, &Preferences::default(), vec![], None);
        self.sets.get_mut(name).expect("exists").operations.last_mut().expect("just started").polls_left =
            polls;
        id
    }

    pub fn stack_set(&self, name: &str) -> Option<&SimStackSet> {
        self.sets.get(name)
    }

    /// Every operation on `name`, oldest first (not a call: nothing is
    /// recorded and nothing advances).
    pub fn history(&self, name: &str) -> Vec<OperationInfo> {
        self.sets.get(name).map(|s| s.operations.iter().map(SimOperation::info).collect()).unwrap_or_default()
    }

    fn start(
        &mut self,
        name: &str,
        kind: OperationKind,
        preferences: &Preferences,
        targets: Vec<(AccountId, String, Option<String>)>,
        call_as: Option<CallAs>,
    ) -> String {
        self.next_operation += 1;
        let id = format!("op-{}", self.next_operation);
        let set = self.sets.get_mut(name).expect("the stack set exists");
        set.operations.push(SimOperation {
            id: id.clone(),
            kind,
            status: OperationStatus::Running,
            reason: None,
            polls_left: self.running_for,
            preferences: preferences.clone(),
            targets,
            results: vec![],
            call_as,
            created: i64::try_from(self.next_operation).expect("few operations"),
        });
        id
    }

    /// Ends operation `index` of `name`: its effects on instances, its
    /// results, and SUCCEEDED or FAILED by the failure tolerance, which AWS
    /// applies per region. Returns the stacks it deployed (`true`) and
    /// deleted (`false`), for their resources in the accounts.
    fn finish(&mut self, name: &str, index: usize) -> Vec<(AccountId, bool)> {
        let Self { sets, failing, .. } = self;
        let SimStackSet { instances, operations, .. } = sets.get_mut(name).expect("the stack set exists");
        let mut stacks = vec![];
        let op = &mut operations[index];
        // region → (accounts, failed)
        let mut regions: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        let mut results = Vec::with_capacity(op.targets.len());
        for (account, region, ou) in &op.targets {
            let key = (account.clone(), region.clone());
            let failure = match op.kind {
                OperationKind::CreateInstances | OperationKind::Update => failing.get(&key),
                OperationKind::DeleteInstances | OperationKind::Foreign => None,
            };
            match op.kind {
                OperationKind::CreateInstances | OperationKind::Update => {
                    instances.insert(key, settled(account, region, ou.clone(), failure));
                    if failure.is_none() {
                        stacks.push((account.clone(), true));
                    }
                }
                OperationKind::DeleteInstances => {
                    instances.remove(&key);
                    stacks.push((account.clone(), false));
                }
                OperationKind::Foreign => {}
            }
            let counts = regions.entry(region).or_default();
            counts.0 += 1;
            counts.1 += u32::from(failure.is_some());
            results.push(OperationResult {
                account: Some(account.clone()),
                region: region.clone(),
                status: Some(if failure.is_some() { ResultStatus::Failed } else { ResultStatus::Succeeded }),
                reason: failure.cloned(),
            });
        }
        let exceeded = regions.iter().find_map(|(region, &(accounts, failed))| {
            let tolerance = tolerance(op.preferences.failure_tolerance, accounts);
            (failed > tolerance).then(|| {
                format!(
                    "{failed} of {accounts} accounts failed in {region}, more than the failure tolerance of {tolerance}"
                )
            })
        });
        op.status = if exceeded.is_some() { OperationStatus::Failed } else { OperationStatus::Succeeded };
        op.reason = exceeded;
        op.results = results;
        stacks
    }
}

/// FailureToleranceCount, or FailureTolerancePercentage of the region's
/// accounts rounded down (as AWS does); none given: 0.
fn tolerance(amount: Option<Amount>, accounts: u32) -> u32 {
    match amount {
        None => 0,
        Some(Amount::Count(n)) => n,
        Some(Amount::Percent(p)) => p * accounts / 100,
    }
}

/// An instance once an operation (or automatic deployment) is done with it:
/// CURRENT and SUCCEEDED, or OUTDATED and FAILED with the reason.
fn settled(account: &AccountId, region: &str, ou: Option<String>, failure: Option<&String>) -> InstanceInfo {
    InstanceInfo {
        account: account.clone(),
        region: region.to_owned(),
        ou,
        status: if failure.is_some() { InstanceStatus::Outdated } else { InstanceStatus::Current },
        detailed: Some(if failure.is_some() { DetailedStatus::Failed } else { DetailedStatus::Succeeded }),
        reason: failure.cloned(),
    }
}

impl World {
    /// Puts `account` in `ou` (an OU or the root) of `world.organization`:
    /// moves it there if it is a member, otherwise adds it, ACTIVE, named
    /// `name`. Then StackSets' automatic deployment, for every stack set
    /// with it enabled: the account's instances deployed through an OU it
    /// is no longer below leave the stack set (RetainStacks only decides
    /// whether AWS keeps the stack, which the sim does not model), and it
    /// gets an instance in every region where the stack set has instances
    /// deployed through an OU it is now below (CURRENT/SUCCEEDED, or
    /// OUTDATED/FAILED if `fail_instance` says so). Automatic deployment
    /// records no operation here and does not wait for a running one.
    pub fn join_account(&mut self, account: &AccountId, ou: &str, name: &str) {
        let org = self.organization.as_mut().expect("join_account needs world.organization");
        assert!(ou == org.root || org.has_unit(ou), "no OU {ou} in {}", org.id);
        match org.accounts.iter_mut().find(|a| &a.id == account) {
            Some(member) => member.parent = ou.to_owned(),
            None => org.accounts.push(OrgAccount {
                id: account.clone(),
                name: name.to_owned(),
                email: format!("{account}@example.com"),
                state: AccountState::Active,
                parent: ou.to_owned(),
                arn: format!(
                    "arn:aws:organizations::{}:account/{}/{account}",
                    org.management_account, org.id
                ),
                joined_method: "CREATED".into(),
                joined: "2025-01-01T00:00:00Z".into(),
            }),
        }
        let org = self.organization.as_ref().expect("just used");
        let member = org.accounts.iter().find(|a| &a.id == account).expect("just joined");
        if *account == org.management_account || member.state != AccountState::Active {
            return;
        }
        let below = |unit: &str| org.accounts_below(unit).iter().any(|a| &a.id == account);
        let StackSetWorld { sets, failing, .. } = &mut self.stacksets;
        let mut deployed = vec![];
        for set in sets.values_mut().filter(|s| s.spec.auto_deployment.enabled) {
            set.instances.retain(|(a, _), i| a != account || i.ou.as_deref().is_none_or(below));
            let mut wanted: BTreeMap<String, String> = BTreeMap::new();
            for instance in set.instances.values() {
                if let Some(unit) = instance.ou.as_deref().filter(|u| below(u)) {
                    wanted.entry(instance.region.clone()).or_insert_with(|| unit.to_owned());
                }
            }
            for (region, unit) in wanted {
                let key = (account.clone(), region);
                let failure = failing.get(&key);
                let instance = settled(account, &key.1, Some(unit), failure);
                if failure.is_none() && !set.instances.contains_key(&key) {
                    deployed.push(set.spec.clone());
                }
                set.instances.entry(key).or_insert(instance);
            }
        }
        for spec in deployed {
            self.deploy_stack(account, &spec);
        }
    }
}

/// StackSets in the caller's account and region, every call made as `call_as`.
#[derive(Clone)]
pub struct SimStackSets {
    caller: AccountId,
    call_as: CallAs,
    world: Arc<Mutex<World>>,
}

fn error(operation: &str, code: &str, message: impl Into<String>) -> CloudError {
    CloudError::from_code(operation, Some(code), message)
}

/// StackSetNotFoundException for a name with no (live) stack set.
fn live<'a>(
    sets: &'a mut BTreeMap<String, SimStackSet>,
    operation: &str,
    name: &str,
) -> Result<&'a mut SimStackSet, CloudError> {
    sets.get_mut(name)
        .ok_or_else(|| error(operation, "StackSetNotFoundException", format!("StackSet {name} not found")))
}

/// OperationInProgressException while another operation is QUEUED or RUNNING.
fn idle(set: &SimStackSet, operation: &str) -> Result<(), CloudError> {
    match set.operations.iter().find(|o| o.status.is_active()) {
        Some(running) => Err(error(
            operation,
            "OperationInProgressException",
            format!("Another Operation on StackSet {} is in progress: {}", set.id, running.id),
        )),
        None => Ok(()),
    }
}

/// The accounts service-managed deployment targets reach, each with the
/// first of the targets' OUs (in the order given) it lies below; `None` for
/// an account reached only because the UNION filter lists it. Written from
/// the API reference (DeploymentTargets), not with orgrole's own
/// `stackset::expected`, so that tests check orgrole against it: every
/// account below the OUs at any depth; INTERSECTION keeps the listed ones,
/// DIFFERENCE drops them, UNION adds them (refused by CreateStackInstances);
/// never the management account; suspended accounts are skipped (but a
/// delete that keeps the stacks, the one way to drop their instances,
/// reaches them).
fn reach(
    org: Option<&Organization>,
    targets: &DeploymentTargets,
    operation: &str,
    suspended_too: bool,
) -> Result<Vec<(AccountId, Option<String>)>, CloudError> {
    let org = org.ok_or_else(|| {
        error(operation, "ValidationError", "service-managed stack sets need the caller's organization")
    })?;
    let listed = !targets.accounts.is_empty();
    if operation.ends_with("CreateStackInstances") && targets.filter == AccountFilter::Union && listed {
        return Err(error(
            operation,
            "ValidationError",
            "AccountFilterType UNION is not supported for CreateStackInstances",
        ));
    }
    let mut reached: Vec<(AccountId, Option<String>)> = vec![];
    let mut add = |account: &AccountId, ou: Option<&String>| {
        if !reached.iter().any(|(a, _)| a == account) {
            reached.push((account.clone(), ou.cloned()));
        }
    };
    for ou in &targets.ous {
        if *ou != org.root && !org.units.iter().any(|u| &u.id == ou) {
            return Err(error(operation, "ValidationError", format!("no OU {ou} in the organization")));
        }
        // The OU and every OU below it.
        let mut units = vec![ou.as_str()];
        let mut i = 0;
        while i < units.len() {
            let parent = units[i];
            units.extend(org.units.iter().filter(|u| u.parent == parent).map(|u| u.id.as_str()));
            i += 1;
        }
        for account in org.accounts.iter().filter(|a| units.contains(&a.parent.as_str())) {
            let kept = match targets.filter {
                AccountFilter::Intersection => targets.accounts.contains(&account.id),
                AccountFilter::Difference => !targets.accounts.contains(&account.id),
                AccountFilter::None | AccountFilter::Union => true,
            };
            if kept {
                add(&account.id, Some(ou));
            }
        }
    }
    if targets.filter == AccountFilter::Union {
        for account in &targets.accounts {
            add(account, None);
        }
    }
    let active = |a: &AccountId| org.accounts.iter().any(|m| &m.id == a && m.state == AccountState::Active);
    reached.retain(|(a, _)| *a != org.management_account && (suspended_too || active(a)));
    Ok(reached)
}

/// Every (account, region, OU), region by region as AWS deploys.
fn pairs(
    accounts: &[(AccountId, Option<String>)],
    regions: &[String],
) -> Vec<(AccountId, String, Option<String>)> {
    regions
        .iter()
        .flat_map(|region| accounts.iter().map(move |(a, ou)| (a.clone(), region.clone(), ou.clone())))
        .collect()
}

impl SimStackSets {
    pub(super) fn new(caller: AccountId, call_as: CallAs, world: Arc<Mutex<World>>) -> Self {
        Self { caller, call_as, world }
    }

    /// Records the call (`<caller> cloudformation:<operation>`) and its
    /// CallAs, fails it if the test said so, then runs `f`.
    fn with<T>(
        &self,
        operation: &str,
        f: impl FnOnce(&mut World, &str) -> Result<T, CloudError>,
    ) -> Result<T, CloudError> {
        let operation = format!("cloudformation:{operation}");
        let mut world = self.world.lock().expect("not poisoned");
        world.stacksets.call_as.push((operation.clone(), self.call_as));
        world.call(&self.caller, &operation)?;
        self.check_call_as(&world, &operation)?;
        f(&mut world, &operation)
    }

    /// AWS's refusals of a caller that is not what its CallAs says.
    fn check_call_as(&self, world: &World, operation: &str) -> Result<(), CloudError> {
        let Some(org) = &world.organization else { return Ok(()) };
        let management = self.caller == org.management_account;
        match self.call_as {
            CallAs::DelegatedAdmin if !world.stacksets.delegated_admins.contains(&self.caller) => {
                Err(error(operation, "ValidationError", "Account used is not a delegated administrator"))
            }
            CallAs::Caller if !management => Err(error(
                operation,
                "ValidationError",
                "You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set",
            )),
            _ => Ok(()),
        }
    }
}

impl StackSets for SimStackSets {
    /// DescribeStackSet; a name with no stack set (or a deleted one): `None`.
    async fn describe(&self, name: &str) -> Result<Option<StackSetInfo>, CloudError> {
        self.with("DescribeStackSet", |world, _| {
            let mask = world.stacksets.mask_no_echo;
            Ok(world.stacksets.sets.get(name).map(|set| StackSetInfo {
                id: set.id.clone(),
                template_body: set.spec.template_body.clone(),
                parameters: set
                    .spec
                    .parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), if mask { "****".into() } else { v.clone() }))
                    .collect(),
                tags: set.spec.tags.clone(),
                auto_deployment: Some(set.spec.auto_deployment),
                managed_execution: false,
            }))
        })
    }

    /// ListStackInstances, by account then region.
    async fn instances(&self, name: &str) -> Result<Vec<InstanceInfo>, CloudError> {
        self.with("ListStackInstances", |world, op| {
            Ok(live(&mut world.stacksets.sets, op, name)?.instances.values().cloned().collect())
        })
    }

    /// ListStackSetOperations: `operations_per_page` at a time, in the
    /// world's order; the token is the index of the next one.
    async fn operations_page(&self, name: &str, next: Option<String>) -> Result<OperationsPage, CloudError> {
        self.with("ListStackSetOperations", |world, op| {
            let (per_page, newest_first) =
                (world.stacksets.operations_per_page, world.stacksets.newest_first);
            let mut all: Vec<OperationInfo> = live(&mut world.stacksets.sets, op, name)?
                .operations
                .iter()
                .map(SimOperation::info)
                .collect();
            if newest_first {
                all.reverse();
            }
            let start: usize = next
                .map_or(Ok(0), |t| t.parse())
                .map_err(|_| error(op, "ValidationError", "invalid NextToken"))?;
            let end = (start + per_page).min(all.len());
            let next = (end < all.len()).then(|| end.to_string());
            Ok(OperationsPage { operations: all.get(start..end).unwrap_or_default().to_vec(), next })
        })
    }

    /// DescribeStackSetOperation: each poll of a running operation counts
    /// down its `polls_left`; the poll after the last ends it.
    async fn operation(&self, name: &str, id: &str) -> Result<OperationInfo, CloudError> {
        self.with("DescribeStackSetOperation", |world, op| {
            let set = live(&mut world.stacksets.sets, op, name)?;
            let index = set.operations.iter().position(|o| o.id == id).ok_or_else(|| {
                error(op, "OperationNotFoundException", format!("Operation {id} not found"))
            })?;
            let operation = &mut set.operations[index];
            if operation.status.is_active() {
                if operation.polls_left > 0 {
                    operation.polls_left -= 1;
                } else {
                    let stacks = world.stacksets.finish(name, index);
                    let spec = world.stacksets.sets[name].spec.clone();
                    for (account, deployed) in stacks {
                        if deployed {
                            world.deploy_stack(&account, &spec);
                        } else {
                            world.delete_stack(&account, &spec);
                        }
                    }
                }
            }
            Ok(world.stacksets.sets[name].operations[index].info())
        })
    }

    /// ListStackSetOperationResults: one row per (account, region) of the
    /// operation, RUNNING until it ends, then SUCCEEDED or FAILED with the
    /// reason.
    async fn operation_results(&self, name: &str, id: &str) -> Result<Vec<OperationResult>, CloudError> {
        self.with("ListStackSetOperationResults", |world, op| {
            let set = live(&mut world.stacksets.sets, op, name)?;
            let operation = set.operations.iter().find(|o| o.id == id).ok_or_else(|| {
                error(op, "OperationNotFoundException", format!("Operation {id} not found"))
            })?;
            if !operation.status.is_active() {
                return Ok(operation.results.clone());
            }
            Ok(operation
                .targets
                .iter()
                .map(|(account, region, _)| OperationResult {
                    account: Some(account.clone()),
                    region: region.clone(),
                    status: Some(ResultStatus::Running),
                    reason: None,
                })
                .collect())
        })
    }

    /// CreateStackSet: synchronous, no operation; a live stack set of that
    /// name → NameAlreadyExistsException.
    async fn create(&self, spec: &StackSetSpec) -> Result<String, CloudError> {
        self.with("CreateStackSet", |world, op| {
            let stacksets = &mut world.stacksets;
            if stacksets.trusted_access != TrustedAccess::Enabled {
                return Err(error(
                    op,
                    "ValidationError",
                    "You must enable organizations access to operate a service managed stack set",
                ));
            }
            if stacksets.sets.contains_key(&spec.name) {
                return Err(error(
                    op,
                    "NameAlreadyExistsException",
                    format!("StackSet {} already exists", spec.name),
                ));
            }
            stacksets.next_stack_set += 1;
            let id = format!("{}:00000000-0000-4000-8000-{:012}", spec.name, stacksets.next_stack_set);
            let set = SimStackSet {
                id: id.clone(),
                spec: spec.clone(),
                instances: BTreeMap::new(),
                operations: vec![],
            };
            stacksets.sets.insert(spec.name.clone(), set);
            Ok(id)
        })
    }

    /// UpdateStackSet: the stack set takes the new template, parameters,
    /// tags, description and auto-deployment at once; every instance is
    /// OUTDATED (detailed RUNNING) until the operation ends, then CURRENT,
    /// except failing ones.
    async fn update(&self, spec: &StackSetSpec, preferences: &Preferences) -> Result<String, CloudError> {
        self.with("UpdateStackSet", |world, op| {
            let set = live(&mut world.stacksets.sets, op, &spec.name)?;
            idle(set, op)?;
            set.spec = spec.clone();
            let targets = set
                .instances
                .values_mut()
                .map(|i| {
                    i.status = InstanceStatus::Outdated;
                    i.detailed = Some(DetailedStatus::Running);
                    i.reason = None;
                    (i.account.clone(), i.region.clone(), i.ou.clone())
                })
                .collect();
            let call_as = Some(self.call_as);
            Ok(world.stacksets.start(&spec.name, OperationKind::Update, preferences, targets, call_as))
        })
    }

    /// CreateStackInstances for the accounts the targets reach in `regions`;
    /// the instances appear when the operation ends. An existing instance is
    /// deployed again (and takes the OU it was reached through now).
    async fn create_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        preferences: &Preferences,
    ) -> Result<String, CloudError> {
        self.with("CreateStackInstances", |world, op| {
            let World { organization, stacksets, .. } = world;
            idle(live(&mut stacksets.sets, op, name)?, op)?;
            let accounts = reach(organization.as_ref(), targets, op, false)?;
            let call_as = Some(self.call_as);
            let kind = OperationKind::CreateInstances;
            Ok(stacksets.start(name, kind, preferences, pairs(&accounts, regions), call_as))
        })
    }

    /// DeleteStackInstances: the instances of the accounts the targets reach,
    /// in `regions`, leave the stack set when the operation ends.
    /// With `retain_stacks` AWS keeps the stacks (not modelled) and also
    /// drops suspended accounts' instances; `fail_instance` does not apply
    /// to deletion.
    async fn delete_instances(
        &self,
        name: &str,
        targets: &DeploymentTargets,
        regions: &[String],
        retain_stacks: bool,
        preferences: &Preferences,
    ) -> Result<String, CloudError> {
        self.with("DeleteStackInstances", |world, op| {
            let World { organization, stacksets, .. } = world;
            idle(live(&mut stacksets.sets, op, name)?, op)?;
            let accounts = reach(organization.as_ref(), targets, op, retain_stacks)?;
            let call_as = Some(self.call_as);
            let kind = OperationKind::DeleteInstances;
            Ok(stacksets.start(name, kind, preferences, pairs(&accounts, regions), call_as))
        })
    }

    /// DeleteStackSet: synchronous; refused while an operation runs
    /// (OperationInProgressException) or instances remain
    /// (StackSetNotEmptyException).
    async fn delete(&self, name: &str) -> Result<(), CloudError> {
        self.with("DeleteStackSet", |world, op| {
            let set = live(&mut world.stacksets.sets, op, name)?;
            idle(set, op)?;
            if !set.instances.is_empty() {
                return Err(error(
                    op,
                    "StackSetNotEmptyException",
                    format!("StackSet {name} still has {} stack instances", set.instances.len()),
                ));
            }
            let set = world.stacksets.sets.remove(name).expect("found above");
            world.stacksets.deleted.push(set);
            Ok(())
        })
    }

    async fn trusted_access(&self) -> Result<TrustedAccess, CloudError> {
        self.with("DescribeOrganizationsAccess", |world, _| Ok(world.stacksets.trusted_access))
    }

    /// ActivateOrganizationsAccess: synchronous here; from a delegated
    /// administrator refused (AWS: the management account only).
    async fn activate_trusted_access(&self) -> Result<(), CloudError> {
        self.with("ActivateOrganizationsAccess", |world, op| {
            let management = world.organization.as_ref().map(|o| &o.management_account);
            if management != Some(&self.caller) {
                return Err(error(
                    op,
                    "ValidationError",
                    "Only the management account can activate organizations access",
                ));
            }
            world.stacksets.trusted_access = TrustedAccess::Enabled;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::SimCloud;
    use super::*;
    use crate::cloud::{Cloud, ErrorKind};
    use crate::testing::{id, org_account, org_unit};

    const MANAGEMENT: &str = "100000000001";
    const A2: &str = "200000000002";
    const A3: &str = "300000000003";
    const B4: &str = "400000000004";
    const Z5: &str = "500000000005";
    const NEW: &str = "600000000006";
    const NAME: &str = "orgrole-access";
    const REGION: &str = "us-east-1";

    /// root ─ management; ou-a ─ A2, A3; ou-a/ou-b ─ B4; ou-z ─ Z5
    fn org() -> Organization {
        let account = |n: &str, parent: &str| org_account(&id(n), parent, "ACTIVE");
        let unit = org_unit;
        Organization {
            id: "o-test".into(),
            management_account: id(MANAGEMENT),
            root: "r-root".into(),
            units: vec![unit("ou-a", "r-root"), unit("ou-b", "ou-a"), unit("ou-z", "r-root")],
            accounts: vec![
                account(MANAGEMENT, "r-root"),
                account(A2, "ou-a"),
                account(A3, "ou-a"),
                account(B4, "ou-b"),
                account(Z5, "ou-z"),
            ],
        }
    }

    fn cloud() -> SimCloud {
        SimCloud::new(id(MANAGEMENT), World { organization: Some(org()), ..Default::default() })
    }

    fn spec(template: &str) -> StackSetSpec {
        StackSetSpec {
            name: NAME.into(),
            description: "orgrole".into(),
            template_body: template.into(),
            parameters: BTreeMap::from([("ExternalId".into(), "secret".into())]),
            tags: Default::default(),
            auto_deployment: AutoDeployment { enabled: true, retain_stacks: false },
        }
    }

    fn ous(ous: &[&str]) -> DeploymentTargets {
        DeploymentTargets {
            ous: ous.iter().map(|s| s.to_string()).collect(),
            accounts: vec![],
            filter: AccountFilter::None,
        }
    }

    fn regions() -> Vec<String> {
        vec![REGION.into()]
    }

    /// Polls until the operation ends; returns its end.
    async fn wait(ss: &SimStackSets, op: &str) -> OperationInfo {
        wait_for(ss, NAME, op).await
    }

    async fn wait_for(ss: &SimStackSets, name: &str, op: &str) -> OperationInfo {
        loop {
            let info = ss.operation(name, op).await.unwrap();
            if !info.status.is_active() {
                return info;
            }
        }
    }

    /// A stack set with instances in ou-a (A2, A3, B4), the operation done.
    async fn deployed(ss: &SimStackSets) {
        ss.create(&spec("v1")).await.unwrap();
        let op =
            ss.create_instances(NAME, &ous(&["ou-a"]), &regions(), &Preferences::default()).await.unwrap();
        assert_eq!(wait(ss, &op).await.status, OperationStatus::Succeeded);
    }

    fn accounts(instances: &[InstanceInfo]) -> Vec<AccountId> {
        instances.iter().map(|i| i.account.clone()).collect()
    }

    #[tokio::test]
    async fn create_stack_instances_stays_running_for_a_poll_then_succeeds() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        ss.create(&spec("v1")).await.unwrap();
        let op =
            ss.create_instances(NAME, &ous(&["ou-a"]), &regions(), &Preferences::default()).await.unwrap();
        assert_eq!(op, "op-1");

        let first = ss.operation(NAME, &op).await.unwrap();
        assert_eq!((first.action, first.status), (Some(OperationAction::Create), OperationStatus::Running));
        assert!(ss.instances(NAME).await.unwrap().is_empty(), "effects happen when it ends");
        let running = ss.operation_results(NAME, &op).await.unwrap();
        assert!(running.iter().all(|r| r.status == Some(ResultStatus::Running)));

        assert_eq!(ss.operation(NAME, &op).await.unwrap().status, OperationStatus::Succeeded);
        let instances = ss.instances(NAME).await.unwrap();
        // Recursively below ou-a; never the management account.
        assert_eq!(accounts(&instances), vec![id(A2), id(A3), id(B4)]);
        for i in &instances {
            assert_eq!((i.status, i.detailed), (InstanceStatus::Current, Some(DetailedStatus::Succeeded)));
            assert_eq!(i.ou.as_deref(), Some("ou-a"));
        }
        let results = ss.operation_results(NAME, &op).await.unwrap();
        assert_eq!(results.len(), 3);
        assert!(results.iter().all(|r| r.status == Some(ResultStatus::Succeeded) && r.region == REGION));

        let world = cloud.world();
        assert!(world.calls.contains(&format!("{MANAGEMENT} cloudformation:CreateStackInstances")));
        assert_eq!(world.stacksets.call_as.len(), 8);
        assert!(world.stacksets.call_as.iter().all(|(_, c)| *c == CallAs::Caller));
    }

    #[tokio::test]
    async fn a_mutating_call_while_an_operation_runs_gets_operation_in_progress() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        deployed(&ss).await;

        let op = ss.update(&spec("v2"), &Preferences::default()).await.unwrap();
        let (targets, prefs) = (ous(&["ou-a"]), Preferences::default());
        let err = ss.delete_instances(NAME, &targets, &regions(), false, &prefs).await.unwrap_err();
        assert_eq!(err.code.as_deref(), Some("OperationInProgressException"));
        assert_eq!(err.kind, ErrorKind::OperationInProgress);
        wait(&ss, &op).await;

        // Someone else's operation blocks orgrole's too, until it ends.
        let foreign = cloud.world().stacksets.start_foreign_operation(NAME, 2);
        let errors = [
            ss.create_instances(NAME, &ous(&["ou-z"]), &regions(), &prefs).await.unwrap_err(),
            ss.update(&spec("v3"), &prefs).await.unwrap_err(),
            ss.delete(NAME).await.unwrap_err(),
        ];
        assert!(errors.iter().all(|e| e.kind == ErrorKind::OperationInProgress), "{errors:?}");
        let running = crate::cloud::running_operation(&ss, NAME, false).await.unwrap().expect("running");
        assert_eq!((running.id.as_str(), running.status), (foreign.as_str(), OperationStatus::Running));
        assert_eq!(wait(&ss, &foreign).await.status, OperationStatus::Succeeded);
        ss.create_instances(NAME, &ous(&["ou-z"]), &regions(), &prefs).await.unwrap();
    }

    #[tokio::test]
    async fn delete_stack_set_with_instances_is_refused_as_not_empty() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        deployed(&ss).await;

        let err = ss.delete(NAME).await.unwrap_err();
        assert_eq!((err.kind, err.code.as_deref()), (ErrorKind::NotEmpty, Some("StackSetNotEmptyException")));

        // By OU: ou-a reaches ou-b's account too.
        let (targets, prefs) = (ous(&["ou-a"]), Preferences::default());
        let op = ss.delete_instances(NAME, &targets, &regions(), false, &prefs).await.unwrap();
        assert_eq!(ss.instances(NAME).await.unwrap().len(), 3, "still there while it runs");
        assert_eq!(wait(&ss, &op).await.action, Some(OperationAction::Delete));
        assert!(ss.instances(NAME).await.unwrap().is_empty());

        ss.delete(NAME).await.unwrap();
        assert_eq!(ss.describe(NAME).await.unwrap(), None);
        let err = ss.instances(NAME).await.unwrap_err();
        assert_eq!(err.code.as_deref(), Some("StackSetNotFoundException"));
        // A deleted stack set's name is free again.
        ss.create(&spec("v1")).await.unwrap();
    }

    #[tokio::test]
    async fn create_stack_set_on_an_existing_name_is_name_already_exists() {
        let ss = cloud().stacksets(CallAs::Caller);
        assert_eq!(ss.describe(NAME).await.unwrap(), None);
        let err = ss.update(&spec("v1"), &Preferences::default()).await.unwrap_err();
        assert_eq!(err.code.as_deref(), Some("StackSetNotFoundException"));
        ss.create(&spec("v1")).await.unwrap();
        let err = ss.create(&spec("v1")).await.unwrap_err();
        assert_eq!(
            (err.kind, err.code.as_deref()),
            (ErrorKind::AlreadyExists, Some("NameAlreadyExistsException"))
        );
    }

    #[tokio::test]
    async fn a_failing_instance_fails_the_operation_beyond_the_failure_tolerance() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        ss.create(&spec("v1")).await.unwrap();
        let reason = "Resource handler returned message: \"Role already exists\"";
        cloud.world().stacksets.fail_instance(&id(A3), REGION, reason);

        let op =
            ss.create_instances(NAME, &ous(&["ou-a"]), &regions(), &Preferences::default()).await.unwrap();
        let end = wait(&ss, &op).await;
        assert_eq!(end.status, OperationStatus::Failed, "failure tolerance 0 by default");
        let results = ss.operation_results(NAME, &op).await.unwrap();
        let failed: Vec<_> = results.iter().filter(|r| r.status == Some(ResultStatus::Failed)).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!((failed[0].account.clone(), failed[0].reason.as_deref()), (Some(id(A3)), Some(reason)));
        let instances = ss.instances(NAME).await.unwrap();
        let a3 = instances.iter().find(|i| i.account == id(A3)).unwrap();
        assert_eq!(
            (a3.status, a3.detailed, a3.reason.as_deref()),
            (InstanceStatus::Outdated, Some(DetailedStatus::Failed), Some(reason))
        );
        assert!(instances
            .iter()
            .filter(|i| i.account != id(A3))
            .all(|i| i.status == InstanceStatus::Current));

        // One failure in three accounts is within a tolerance of one account, or of 34%.
        for tolerance in [Amount::Count(1), Amount::Percent(34)] {
            let prefs = Preferences { failure_tolerance: Some(tolerance), ..Default::default() };
            let op = ss.update(&spec("v2"), &prefs).await.unwrap();
            assert_eq!(wait(&ss, &op).await.status, OperationStatus::Succeeded, "{tolerance:?}");
        }
        // 33% of three accounts rounds down to none.
        let prefs = Preferences { failure_tolerance: Some(Amount::Percent(33)), ..Default::default() };
        let op = ss.update(&spec("v2"), &prefs).await.unwrap();
        assert_eq!(wait(&ss, &op).await.status, OperationStatus::Failed);
    }

    #[tokio::test]
    async fn update_stack_set_outdates_every_instance_while_it_runs_and_no_echo_comes_back_masked() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        deployed(&ss).await;

        let op = ss.update(&spec("v2"), &Preferences::default()).await.unwrap();
        let info = ss.describe(NAME).await.unwrap().unwrap();
        assert_eq!(info.template_body, "v2");
        assert_eq!(info.parameters["ExternalId"], "****");
        assert!(ss.instances(NAME).await.unwrap().iter().all(|i| i.status == InstanceStatus::Outdated));
        wait(&ss, &op).await;
        assert!(ss.instances(NAME).await.unwrap().iter().all(|i| i.status == InstanceStatus::Current));

        let page = ss.operations_page(NAME, None).await.unwrap();
        let history: Vec<_> = page.operations.into_iter().map(|o| o.action_name()).collect();
        assert_eq!(history, ["UPDATE", "CREATE"], "newest first");
        cloud.world().stacksets.mask_no_echo = false;
        assert_eq!(ss.describe(NAME).await.unwrap().unwrap().parameters["ExternalId"], "secret");
    }

    #[tokio::test]
    async fn auto_deployment_deploys_to_an_account_joining_a_targeted_ou() {
        let cloud = cloud();
        let ss = cloud.stacksets(CallAs::Caller);
        deployed(&ss).await;

        // Below ou-a, through its child ou-b.
        cloud.world().join_account(&id(NEW), "ou-b", "new");
        let instances = ss.instances(NAME).await.unwrap();
        let new = instances.iter().find(|i| i.account == id(NEW)).expect("deployed automatically");
        assert_eq!(
            (new.status, new.ou.as_deref(), new.region.as_str()),
            (InstanceStatus::Current, Some("ou-a"), REGION)
        );

        // Moving out of the targeted OU takes its instance out of the stack set.
        cloud.world().join_account(&id(NEW), "ou-z", "new");
        assert!(!accounts(&ss.instances(NAME).await.unwrap()).contains(&id(NEW)));

        // Without auto-deployment, nothing happens.
        let mut manual = spec("v2");
        manual.auto_deployment.enabled = false;
        let op = ss.update(&manual, &Preferences::default()).await.unwrap();
        wait(&ss, &op).await;
        cloud.world().join_account(&id(NEW), "ou-a", "new");
        assert!(!accounts(&ss.instances(NAME).await.unwrap()).contains(&id(NEW)));
    }

    #[tokio::test]
    async fn an_injected_error_fails_the_call_and_is_recorded() {
        let cloud = cloud();
        cloud.world().fail(&id(MANAGEMENT), "cloudformation:DescribeStackSet", "ThrottlingException");
        let err = cloud.stacksets(CallAs::Caller).describe(NAME).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttled);
        let world = cloud.world();
        assert_eq!(world.calls, [format!("{MANAGEMENT} cloudformation:DescribeStackSet")]);
        assert_eq!(world.stacksets.call_as, [("cloudformation:DescribeStackSet".to_owned(), CallAs::Caller)]);
    }

    /// AWS: "You must enable organizations access to operate a service
    /// managed stack set"; ActivateOrganizationsAccess from the management
    /// account only.
    #[tokio::test]
    async fn a_service_managed_stack_set_needs_trusted_access_which_only_the_management_account_activates() {
        let cloud = cloud();
        cloud.world().stacksets.trusted_access = TrustedAccess::Disabled;
        cloud.world().stacksets.delegated_admins.push(id(A2));
        let ss = cloud.stacksets(CallAs::Caller);
        assert_eq!(ss.create(&spec("v1")).await.unwrap_err().kind, ErrorKind::TrustedAccessOff);
        let admin = SimStackSets::new(id(A2), CallAs::DelegatedAdmin, cloud.world.clone());
        assert_eq!(admin.trusted_access().await.unwrap(), TrustedAccess::Disabled);
        assert!(admin.activate_trusted_access().await.is_err());
        ss.activate_trusted_access().await.unwrap();
        assert_eq!(admin.trusted_access().await.unwrap(), TrustedAccess::Enabled);
        ss.create(&spec("v1")).await.unwrap();
    }

    /// AWS: CallAs DELEGATED_ADMIN from an account not registered for
    /// StackSets (or from the management account), and SELF from a member
    /// account, are refused.
    #[tokio::test]
    async fn call_as_must_fit_the_caller() {
        let cloud = cloud();
        let as_admin =
            |account: &str| SimStackSets::new(id(account), CallAs::DelegatedAdmin, cloud.world.clone());
        for refused in [
            as_admin(A2),
            as_admin(MANAGEMENT),
            SimStackSets::new(id(A2), CallAs::Caller, cloud.world.clone()),
        ] {
            assert_eq!(refused.describe(NAME).await.unwrap_err().kind, ErrorKind::NotDelegatedAdmin);
        }
        cloud.world().stacksets.delegated_admins.push(id(A2));
        assert_eq!(as_admin(A2).describe(NAME).await.unwrap(), None);
    }

    /// ListStackSetOperations pages in an order AWS does not document:
    /// orgrole finds a running operation either way, from one page when the
    /// newest come first.
    #[tokio::test]
    async fn a_running_operation_is_found_in_either_order_from_as_few_pages_as_it_allows() {
        for newest_first in [true, false] {
            let cloud = cloud();
            let ss = cloud.stacksets(CallAs::Caller);
            deployed(&ss).await;
            for n in 0..9 {
                let op = ss.update(&spec(&format!("v{n}")), &Preferences::default()).await.unwrap();
                wait(&ss, &op).await;
            }
            {
                let mut world = cloud.world();
                world.stacksets.operations_per_page = 3;
                world.stacksets.newest_first = newest_first;
            }
            let listings =
                || cloud.world().calls.iter().filter(|c| c.ends_with("ListStackSetOperations")).count();
            assert_eq!(crate::cloud::running_operation(&ss, NAME, false).await.unwrap(), None);
            let idle = listings();
            let foreign = cloud.world().stacksets.start_foreign_operation(NAME, 1);
            let running = crate::cloud::running_operation(&ss, NAME, false).await.unwrap();
            assert_eq!(running.map(|o| o.id), Some(foreign));
            // 10 operations, 3 a page: the newest first, one page; else all four, each time.
            let pages = if newest_first { (1, 2) } else { (4, 8) };
            assert_eq!((idle, listings()), pages, "newest first: {newest_first}");
        }
    }

    /// The shared scenario (tests/fixtures/stackset-scenario.json): the sim
    /// reaches what the fixture says AWS reaches, and so does orgrole's own
    /// reading of the targets; the patched moto is checked on the same file
    /// (tests/it/stackset_emulators.rs).
    #[tokio::test]
    async fn the_sim_reaches_the_shared_scenarios_accounts() {
        let scenario: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/stackset-scenario.json")).unwrap();
        let unit = |path: &str| {
            if path.is_empty() || path == "root" {
                "r-root".to_owned()
            } else {
                format!("ou-{}", path.replace('/', "-"))
            }
        };
        let mut org = Organization {
            id: "o-scenario".into(),
            management_account: id(MANAGEMENT),
            root: "r-root".into(),
            units: vec![],
            accounts: vec![org_account(&id(MANAGEMENT), "r-root", "ACTIVE")],
        };
        let mut names: BTreeMap<AccountId, String> = BTreeMap::new();
        for (n, a) in scenario["accounts"].as_array().unwrap().iter().enumerate() {
            let path = a["ou"].as_str().unwrap();
            let mut parent = "r-root".to_owned();
            for depth in path.split('/').filter(|p| !p.is_empty()).scan(String::new(), |so_far, part| {
                *so_far = if so_far.is_empty() { part.to_owned() } else { format!("{so_far}/{part}") };
                Some(so_far.clone())
            }) {
                if !org.units.iter().any(|u| u.id == unit(&depth)) {
                    org.units.push(org_unit(&unit(&depth), &parent));
                }
                parent = unit(&depth);
            }
            let account = id(&format!("{:012}", 700_000_000_000u64 + n as u64));
            let state = if a["suspended"].as_bool().unwrap_or_default() { "SUSPENDED" } else { "ACTIVE" };
            org.accounts.push(org_account(&account, &parent, state));
            names.insert(account, a["name"].as_str().unwrap().to_owned());
        }
        let by_name: BTreeMap<&str, &AccountId> = names.iter().map(|(a, n)| (n.as_str(), a)).collect();
        let cloud =
            SimCloud::new(id(MANAGEMENT), World { organization: Some(org.clone()), ..Default::default() });
        let ss = cloud.stacksets(CallAs::Caller);
        for (n, case) in scenario["cases"].as_array().unwrap().iter().enumerate() {
            let strings = |key: &str| {
                case[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            };
            let targets = DeploymentTargets {
                ous: strings("ous").iter().map(|p| unit(p)).collect(),
                accounts: strings("accounts").iter().map(|a| by_name[a.as_str()].clone()).collect(),
                filter: match case["filter"].as_str().unwrap() {
                    "none" => AccountFilter::None,
                    "intersection" => AccountFilter::Intersection,
                    "difference" => AccountFilter::Difference,
                    other => panic!("filter {other}"),
                },
            };
            let name = format!("scenario-{n}");
            ss.create(&StackSetSpec { name: name.clone(), ..spec("v1") }).await.unwrap();
            let op = ss.create_instances(&name, &targets, &regions(), &Preferences::default()).await.unwrap();
            wait_for(&ss, &name, &op).await;
            let mut reached: Vec<&str> =
                ss.instances(&name).await.unwrap().iter().map(|i| names[&i.account].as_str()).collect();
            reached.sort();
            assert_eq!(reached, strings("reached"), "case {n}: {case}");
            let orgrole = crate::stackset::expected(&targets, &org).unwrap();
            let mut seen: Vec<&str> = orgrole.targets.keys().map(|a| names[a].as_str()).collect();
            seen.sort();
            assert_eq!(seen, strings("reached"), "orgrole, case {n}");
        }
    }
}
