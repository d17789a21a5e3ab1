//! StackSet mode's reads: the stack set, its instances, any operation
//! running on it, and the accounts its targets reach.

use crate::cloud::{
    running_operation, Caller, Cloud, CloudError, ErrorKind, InstanceInfo, OperationInfo, Organization,
    StackSetInfo, StackSets, TrustedAccess,
};
use crate::config::Desired;
use crate::model::CallAs;
use crate::stackset::{deployment_targets, expected, target_units};
use crate::state::State;
use crate::targets::{Resolution, TargetError};

use super::ObserveError;

#[derive(Debug, Clone)]
pub struct ObservedStackSet {
    pub name: String,
    pub call_as: CallAs,
    /// `None`: there is no such stack set.
    pub info: Option<StackSetInfo>,
    pub instances: Vec<InstanceInfo>,
    /// An operation still running on it.
    pub running: Option<OperationInfo>,
    /// CloudFormation's trusted access with Organizations; `None`: not read
    /// (destroying, or no longer configured).
    pub trusted_access: Option<TrustedAccess>,
    /// The configured target OUs (the root for `organization`); empty when
    /// destroying or no longer configured.
    pub units: Vec<String>,
    /// The accounts those targets reach, as AWS decides.
    pub expected: Resolution,
}

impl ObservedStackSet {
    /// The accounts whose stacks made the role: reached by the targets,
    /// with an instance.
    pub fn inspected(&self) -> impl Iterator<Item = &crate::model::AccountId> {
        let targets = &self.expected.targets;
        let with_instance: std::collections::BTreeSet<_> =
            self.instances.iter().map(|i| &i.account).filter(|a| targets.contains_key(*a)).collect();
        with_instance.into_iter()
    }
}

/// The configured stack set, or (when destroying, or when the block was
/// removed) the one in state; `None` when there is neither.
pub async fn observe_stackset<C: Cloud>(
    cloud: &C,
    caller: &Caller,
    desired: &Desired,
    state: &State,
    org: Option<&Organization>,
    destroy: bool,
) -> Result<Option<ObservedStackSet>, ObserveError> {
    let configured = desired.stackset.as_ref();
    let config = configured.filter(|_| !destroy);
    let recorded = state.stacksets().first();
    // The configured one, else the one in state; destroying without a
    // record, the configured name still finds a stack set orgrole made (tagged).
    let chosen = config
        .map(|c| (&c.name, c.call_as))
        .or(recorded.map(|r| (&r.name, r.call_as)))
        .or(configured.map(|c| (&c.name, c.call_as)));
    let Some((name, call_as)) = chosen else { return Ok(None) };
    let name = name.clone();
    // The management account calls as itself, any other account as a
    // delegated administrator: AWS refuses the rest.
    if let Some(org) = org {
        let management = org.management_account == caller.account;
        if management == (call_as == CallAs::DelegatedAdmin) {
            return Err(not_admin(caller, org, call_as));
        }
    }
    // AWS's own refusal of a caller that is not what CallAs says.
    let refused = |e: CloudError| match (e.kind, org) {
        (ErrorKind::NotDelegatedAdmin, Some(org)) => not_admin(caller, org, call_as),
        _ => ObserveError::StackSet(e),
    };
    let sets = cloud.stacksets(call_as);
    let trusted_access = match config {
        Some(_) => Some(sets.trusted_access().await.map_err(refused)?),
        None => None,
    };
    let info = sets.describe(&name).await.map_err(refused)?;
    let pending = recorded.filter(|r| r.name == name).and_then(|r| r.pending.as_ref());
    let (instances, running) = match &info {
        Some(info) => tokio::try_join!(
            sets.instances(&name),
            running(&sets, &name, info, pending.map(|p| p.id.as_str()))
        )
        .map_err(refused)?,
        None => (vec![], None),
    };
    let (units, expected) = match config {
        Some(c) => {
            let org = org.ok_or(TargetError::NoOrganization)?;
            let units = target_units(c, org);
            let expected = expected(&deployment_targets(c, units.clone()), org)?;
            (units, expected)
        }
        None => (vec![], Resolution::default()),
    };
    Ok(Some(ObservedStackSet { name, call_as, info, instances, running, trusted_access, units, expected }))
}

/// The operation running on the stack set: the one an earlier run started
/// (in state), if it still runs; else from the listing.
async fn running<S: StackSets>(
    sets: &S,
    name: &str,
    info: &StackSetInfo,
    pending: Option<&str>,
) -> Result<Option<OperationInfo>, CloudError> {
    if let Some(id) = pending {
        match sets.operation(name, id).await {
            Ok(op) if op.status.is_active() => return Ok(Some(op)),
            Err(e) if e.kind != ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    running_operation(sets, name, info.managed_execution).await
}

fn not_admin(caller: &Caller, org: &Organization, call_as: CallAs) -> ObserveError {
    ObserveError::NotStackSetsAdmin {
        account: caller.account.clone(),
        management: Some(org.management_account.clone()),
        call_as,
    }
}
