//! The organization as a tree — root, OUs at every depth, accounts — with
//! each account's coverage: a pure function of what `plan` read and planned.

use std::collections::BTreeMap;

use crate::cloud::{CloudError, InstanceStatus, Organization};
use crate::model::AccountId;
use crate::observe::Observed;
use crate::plan::{Change, Plan};
use crate::targets::SkipReason;

#[derive(Debug, Clone)]
pub struct Status {
    pub organization: String,
    pub root: Unit,
    /// Named in the configuration, but not members of the organization.
    pub outside: Vec<AccountStatus>,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub units: Vec<Unit>,
    pub accounts: Vec<AccountStatus>,
}

#[derive(Debug, Clone)]
pub struct AccountStatus {
    pub id: AccountId,
    pub name: String,
    pub coverage: Coverage,
}

/// How the role reaches an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Direct,
    /// The stack set, with each instance's status (`None`: no instance yet).
    StackSet(Vec<(String, Option<InstanceStatus>)>),
}

#[derive(Debug, Clone)]
pub enum Coverage {
    InSync(Via),
    /// The role is there but not as configured: the changes a plan would
    /// make, and (StackSet mode) instances that are not current.
    Drifted {
        via: Via,
        changes: Vec<Change>,
    },
    /// Nothing of the role yet.
    Missing(Via),
    /// A role or policy of the configured name that orgrole does not own.
    Conflict,
    Unreachable(CloudError),
    /// Named by the configuration but not a target (excluded, suspended, ...).
    Skipped(SkipReason),
    NotTargeted,
}

impl Coverage {
    /// A target that is as configured; `None` for accounts that are no target.
    pub fn in_sync(&self) -> Option<bool> {
        match self {
            Coverage::InSync(_) => Some(true),
            Coverage::Skipped(_) | Coverage::NotTargeted => None,
            _ => Some(false),
        }
    }
}

impl Status {
    /// Every account, depth first.
    pub fn accounts(&self) -> impl Iterator<Item = &AccountStatus> {
        let mut all = vec![];
        collect(&self.root, &mut all);
        all.extend(&self.outside);
        all.into_iter()
    }

    /// Every target is as configured.
    pub fn in_sync(&self) -> bool {
        self.accounts().all(|a| a.coverage.in_sync() != Some(false))
    }
}

fn collect<'a>(unit: &'a Unit, all: &mut Vec<&'a AccountStatus>) {
    all.extend(&unit.accounts);
    unit.units.iter().for_each(|u| collect(u, all));
}

type Instance = (String, Option<InstanceStatus>, bool);

/// `None` when the caller's account is not in an organization.
pub fn status(observed: &Observed, plan: &Plan) -> Option<Status> {
    let org = observed.organization.as_ref()?;
    let mut coverage: BTreeMap<AccountId, Coverage> = BTreeMap::new();
    // Per account: the resources a plan changes, and whether it only creates them.
    let mut changed: BTreeMap<&AccountId, (Vec<Change>, bool)> = BTreeMap::new();
    for c in &plan.changes {
        let (changes, creates_only) = changed.entry(&c.address.account).or_insert((vec![], true));
        changes.push(c.clone());
        *creates_only &= c.before.is_none() && !c.drift;
    }
    // Each account is a direct target or the stack set's (overlap is refused): its changes move.
    for account in observed.resolution.targets.keys() {
        let c = match changed.remove(account) {
            None => Coverage::InSync(Via::Direct),
            Some((_, true)) => Coverage::Missing(Via::Direct),
            Some((changes, false)) => Coverage::Drifted { via: Via::Direct, changes },
        };
        coverage.insert(account.clone(), c);
    }
    if let Some(stackset) = &observed.stackset {
        // Per account: each region's instance status, and whether it is as configured.
        let mut instances: BTreeMap<&AccountId, Vec<Instance>> = BTreeMap::new();
        for v in plan.stackset.iter().flat_map(|s| &s.instances) {
            let entry = (v.region.clone(), v.found.as_ref().map(|f| f.status), v.settled());
            instances.entry(&v.account).or_default().push(entry);
        }
        for account in stackset.expected.targets.keys() {
            let found = instances.remove(account).unwrap_or_default();
            let via = Via::StackSet(found.iter().map(|(r, s, _)| (r.clone(), *s)).collect());
            let settled = !found.is_empty() && found.iter().all(|(_, _, settled)| *settled);
            let none = found.iter().all(|(_, status, _)| status.is_none());
            let repairs = changed.remove(account).map(|(c, _)| c).unwrap_or_default();
            let c = if none {
                Coverage::Missing(via)
            } else if settled && repairs.is_empty() {
                Coverage::InSync(via)
            } else {
                Coverage::Drifted { via, changes: repairs }
            };
            coverage.insert(account.clone(), c);
        }
        for s in &stackset.expected.skipped {
            coverage.entry(s.account.clone()).or_insert_with(|| Coverage::Skipped(s.reason.clone()));
        }
    }
    for s in &observed.resolution.skipped {
        coverage.entry(s.account.clone()).or_insert_with(|| Coverage::Skipped(s.reason.clone()));
    }
    for c in &plan.conflicts {
        coverage.insert(c.address.account.clone(), Coverage::Conflict);
    }
    for u in &plan.unreachable {
        coverage.insert(u.account.clone(), Coverage::Unreachable(u.error.clone()));
    }
    let mut members: BTreeMap<&str, Vec<AccountStatus>> = BTreeMap::new();
    for a in &org.accounts {
        let coverage = coverage.remove(&a.id).unwrap_or(Coverage::NotTargeted);
        members.entry(&a.parent).or_default().push(AccountStatus {
            id: a.id.clone(),
            name: a.name.clone(),
            coverage,
        });
    }
    let outside = coverage
        .into_iter()
        .map(|(id, coverage)| AccountStatus { name: plan.account_name(&id).to_owned(), id, coverage })
        .collect();
    let root = unit(org, &org.root, "Root", &mut members);
    Some(Status { organization: org.id.clone(), root, outside })
}

fn unit(org: &Organization, id: &str, name: &str, members: &mut BTreeMap<&str, Vec<AccountStatus>>) -> Unit {
    let mut children: Vec<_> = org.units.iter().filter(|u| u.parent == id).collect();
    children.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let units = children.into_iter().map(|u| unit(org, &u.id, &u.name, members)).collect();
    let mut accounts = members.remove(id).unwrap_or_default();
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    Unit { id: id.to_owned(), name: name.to_owned(), units, accounts }
}
