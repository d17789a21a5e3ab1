//! Reads exactly the live state that the desired state and the state file
//! mention, account by account, concurrently.

mod stackset;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};

use crate::cloud::{
    AccountState, Caller, Cloud, CloudError, ErrorKind, Iam, Organization, PolicyInfo, RoleInfo,
};
use crate::config::{Desired, DirectTargets};
use crate::model::{AccountId, Address, CallAs, PolicyDocument, ResourceKind};
use crate::state::State;
use crate::targets::{self, Resolution, TargetError};
pub use stackset::ObservedStackSet;

#[derive(Debug, Clone)]
pub struct Observed {
    pub caller: Caller,
    pub organization: Option<Organization>,
    /// Empty targets when destroying.
    pub resolution: Resolution,
    pub accounts: BTreeMap<AccountId, AccountView>,
    /// StackSet mode.
    pub stackset: Option<ObservedStackSet>,
}

#[derive(Debug, Clone)]
pub enum AccountView {
    Read(AccountResources),
    /// Credentials or reads failed: nothing is planned for this account.
    Unreachable(CloudError),
}

/// The roles and policies read in one account, by name; a name that was
/// read and found missing is absent.
#[derive(Debug, Clone, Default)]
pub struct AccountResources {
    pub roles: BTreeMap<String, ObservedRole>,
    pub policies: BTreeMap<String, ObservedPolicy>,
}

#[derive(Debug, Clone)]
pub struct ObservedRole {
    pub info: RoleInfo,
    /// ARNs of the managed policies attached to it.
    pub attached: Vec<String>,
    /// Its inline policies, by name.
    pub inline: BTreeMap<String, PolicyDocument>,
}

#[derive(Debug, Clone)]
pub struct ObservedPolicy {
    pub info: PolicyInfo,
    pub document: PolicyDocument,
}

#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    #[error("could not tell who orgrole runs as: {0}")]
    Caller(CloudError),
    #[error("could not read the organization: {0}")]
    Organization(CloudError),
    #[error(transparent)]
    Targets(#[from] TargetError),
    #[error("could not read the stack set: {0}")]
    StackSet(CloudError),
    #[error("{}", not_stacksets_admin(.account, .management, *.call_as))]
    NotStackSetsAdmin { account: AccountId, management: Option<AccountId>, call_as: CallAs },
}

/// Why StackSets refuse `account` as it calls, and what to do.
fn not_stacksets_admin(account: &AccountId, management: &Option<AccountId>, call_as: CallAs) -> String {
    let there = management.as_ref().map(|m| format!(" {m}")).unwrap_or_default();
    let register = format!(
        "in the management account{there}, run `aws organizations register-delegated-administrator --account-id {account} --service-principal member.org.stacksets.cloudformation.amazonaws.com`, then plan again"
    );
    let Some(management) = management else {
        // Organizations itself refused: only the management account and
        // delegated administrators read the organization.
        return format!(
            "account {account} may not read the organization (AccessDenied), so it is neither the management account nor a delegated administrator for CloudFormation StackSets: run orgrole in the management account, or register it: {register}"
        );
    };
    match call_as {
        CallAs::DelegatedAdmin if account == management => format!(
            "orgrole runs in the management account {account}, which calls StackSets as itself, not as a delegated administrator: set `call-as \"self\"` in the `stackset` block (or run from the delegated administrator's account)"
        ),
        CallAs::DelegatedAdmin => format!(
            "account {account} is not a delegated administrator for CloudFormation StackSets, so `call-as \"delegated-admin\"` is refused: {register}"
        ),
        CallAs::Caller => format!(
            "account {account} is not the organization's management account ({management}), and only that account calls StackSets as itself: run orgrole in {management}, or from a delegated administrator with `call-as \"delegated-admin\"` in the `stackset` block (to register {account}: {register})"
        ),
    }
}

/// What to read in one account.
#[derive(Debug, Default)]
pub struct Wanted {
    pub roles: BTreeSet<String>,
    /// Policy name → ARN (from state where orgrole recorded it).
    pub policies: BTreeMap<String, String>,
}

impl Wanted {
    /// What reading `address` takes: a role (for an attachment, its role)
    /// or a policy by its ARN.
    pub fn add(&mut self, address: &Address, policy_arn: &str) {
        match address.kind {
            ResourceKind::Role | ResourceKind::Attachment => {
                self.roles.insert(address.name.clone());
            }
            ResourceKind::Policy => {
                self.policies.insert(address.name.clone(), policy_arn.to_owned());
            }
        }
    }
}

/// Told as accounts are read (a progress bar draws it); observe prints nothing.
pub trait Reading: Sync {
    /// `total` accounts are about to be read.
    fn reading(&self, total: usize);
    /// One more was read.
    fn read(&self);
    fn done(&self);
}

/// Nobody watches.
pub struct Unwatched;

impl Reading for Unwatched {
    fn reading(&self, _: usize) {}
    fn read(&self) {}
    fn done(&self) {}
}

/// Everything observed but the accounts: who runs, the organization, the
/// targets, the stack set, and what to read in each account. What cannot
/// be planned at all is known from this, before thousands of accounts are read.
pub struct Survey {
    /// With no accounts yet.
    pub observed: Observed,
    wanted: BTreeMap<AccountId, Wanted>,
}

impl Survey {
    /// Reads the accounts, `parallelism` at a time.
    pub async fn read<C: Cloud>(
        self,
        cloud: &C,
        access_role: &str,
        parallelism: usize,
        reading: &dyn Reading,
    ) -> Observed {
        let accounts = read_accounts(cloud, self.wanted, access_role, parallelism, reading).await;
        Observed { accounts, ..self.observed }
    }
}

/// The survey and its accounts read, unwatched.
#[cfg(test)]
pub async fn observe<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    state: &State,
    destroy: bool,
    parallelism: usize,
) -> Result<Observed, ObserveError> {
    let survey = survey(cloud, desired, state, destroy).await?;
    Ok(survey.read(cloud, desired.access_role(), parallelism, &Unwatched).await)
}

pub async fn survey<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    state: &State,
    destroy: bool,
) -> Result<Survey, ObserveError> {
    let caller = cloud.caller().await.map_err(ObserveError::Caller)?;
    let no_targets = DirectTargets::default();
    let direct = desired.direct.as_ref().unwrap_or(&no_targets);
    let needs_org = !destroy && (direct.organization || !direct.ous.is_empty() || desired.stackset.is_some());
    let organization = match cloud.organization().await {
        Ok(org) => org,
        Err(e) if needs_org => {
            return Err(match (&desired.stackset, e.kind) {
                (Some(s), ErrorKind::AccessDenied) if !destroy => ObserveError::NotStackSetsAdmin {
                    account: caller.account,
                    management: None,
                    call_as: s.call_as,
                },
                _ => ObserveError::Organization(e),
            })
        }
        // Explicit accounts work without Organizations; their state is then unknown.
        Err(_) => None,
    };
    let mut resolution =
        if destroy { Resolution::default() } else { targets::resolve(direct, organization.as_ref())? };
    let stackset =
        stackset::observe_stackset(cloud, &caller, desired, state, organization.as_ref(), destroy).await?;
    // StackSets never reach the management account: it gets the role directly.
    if let (Some(config), Some(org)) = (&desired.stackset, &organization) {
        if config.management_account && !destroy {
            let name = org.accounts.iter().find(|a| a.id == org.management_account).map(|a| a.name.clone());
            resolution.targets.insert(org.management_account.clone(), name.unwrap_or_default());
        }
    }

    let role = &desired.role;
    let mut wanted: BTreeMap<AccountId, Wanted> = BTreeMap::new();
    // The targets, and in StackSet mode the accounts whose stacks made the
    // role: what was changed there by hand is drift too.
    let reached = stackset.iter().flat_map(ObservedStackSet::inspected);
    for account in resolution.targets.keys().chain(reached) {
        let w = wanted.entry(account.clone()).or_default();
        let policy_arn = account.iam_arn(&caller.partition, &format!("policy/{}", role.policy_name));
        w.add(&Address::role(account, &role.name), "");
        w.add(&Address::policy(account, &role.policy_name), &policy_arn);
    }
    // Accounts of the state that are no longer ACTIVE members cannot be acted on.
    let active: Option<BTreeSet<&AccountId>> = organization
        .as_ref()
        .map(|o| o.accounts.iter().filter(|a| a.state == AccountState::Active).map(|a| &a.id).collect());
    for r in state.resources() {
        let account = &r.address.account;
        if active.as_ref().is_some_and(|active| !active.contains(account)) {
            continue;
        }
        wanted.entry(account.clone()).or_default().add(&r.address, &r.arn);
    }

    let observed = Observed { caller, organization, resolution, accounts: BTreeMap::new(), stackset };
    Ok(Survey { observed, wanted })
}

/// Reads what is wanted in each account, `parallelism` accounts at a time,
/// telling `reading` how far it got.
pub async fn read_accounts<C: Cloud>(
    cloud: &C,
    wanted: BTreeMap<AccountId, Wanted>,
    access_role: &str,
    parallelism: usize,
    reading: &dyn Reading,
) -> BTreeMap<AccountId, AccountView> {
    reading.reading(wanted.len());
    let read = stream::iter(wanted)
        .map(|(account, w)| async move {
            let view = match read_account(cloud, &account, access_role, &w).await {
                Ok(resources) => AccountView::Read(resources),
                Err(e) => AccountView::Unreachable(e),
            };
            reading.read();
            (account, view)
        })
        .buffer_unordered(parallelism.max(1))
        .collect()
        .await;
    reading.done();
    read
}

async fn read_account<C: Cloud>(
    cloud: &C,
    account: &AccountId,
    access_role: &str,
    wanted: &Wanted,
) -> Result<AccountResources, CloudError> {
    let iam = cloud.iam(account, access_role).await?;
    let mut resources = AccountResources::default();
    // One role and one policy per account in practice: read them together.
    let roles = futures_util::future::try_join_all(wanted.roles.iter().map(|name| read_role(&iam, name)));
    let policies =
        futures_util::future::try_join_all(wanted.policies.values().map(|arn| read_policy(&iam, arn)));
    let (roles, policies) = tokio::try_join!(roles, policies)?;
    for role in roles.into_iter().flatten() {
        resources.roles.insert(role.info.name.clone(), role);
    }
    for (name, policy) in wanted.policies.keys().zip(policies) {
        if let Some(policy) = policy {
            resources.policies.insert(name.clone(), policy);
        }
    }
    Ok(resources)
}

/// The role and everything that grants through it: its managed and inline
/// policies (the boundary comes with GetRole).
async fn read_role<I: Iam>(iam: &I, name: &str) -> Result<Option<ObservedRole>, CloudError> {
    let Some(info) = iam.get_role(name).await? else { return Ok(None) };
    let (attached, names) =
        tokio::try_join!(iam.attached_role_policies(name), iam.inline_role_policies(name))?;
    let documents =
        futures_util::future::try_join_all(names.iter().map(|policy| iam.inline_role_policy(name, policy)))
            .await?;
    // A policy deleted between the list and the read is gone.
    let inline = names.into_iter().zip(documents).filter_map(|(n, d)| Some((n, d?))).collect();
    Ok(Some(ObservedRole { info, attached, inline }))
}

pub(crate) async fn read_policy<I: Iam>(iam: &I, arn: &str) -> Result<Option<ObservedPolicy>, CloudError> {
    let Some(info) = iam.get_policy(arn).await? else { return Ok(None) };
    let document = iam.get_policy_document(arn, &info.default_version).await?;
    Ok(Some(ObservedPolicy { info, document }))
}
