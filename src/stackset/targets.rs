//! Which accounts a service-managed stack set's deployment targets reach, as
//! AWS decides it: every account below the OUs (at any depth), narrowed or
//! widened by the account filter; never the management account; suspended
//! and closed accounts skipped. A pure function: the plan shows it, and the
//! simulator deploys by it.

use std::collections::{BTreeSet, HashMap};

use crate::cloud::{AccountState, DeploymentTargets, OrgAccount, Organization};
use crate::model::{AccountFilter, AccountId};
use crate::targets::{Resolution, SkipReason, TargetError};

pub fn expected(targets: &DeploymentTargets, org: &Organization) -> Result<Resolution, TargetError> {
    let mut below: BTreeSet<&AccountId> = BTreeSet::new();
    for unit in &targets.ous {
        if *unit != org.root && !org.has_unit(unit) {
            return Err(TargetError::UnknownOu { ou: unit.clone(), organization: org.id.clone() });
        }
        below.extend(org.accounts_below(unit).into_iter().map(|a| &a.id));
    }
    let listed: BTreeSet<&AccountId> = targets.accounts.iter().collect();
    let candidates: BTreeSet<&AccountId> = match targets.filter {
        AccountFilter::None => below,
        AccountFilter::Intersection => below.intersection(&listed).copied().collect(),
        AccountFilter::Difference => below.difference(&listed).copied().collect(),
        AccountFilter::Union => below.union(&listed).copied().collect(),
    };
    let members: HashMap<&AccountId, &OrgAccount> = org.accounts.iter().map(|a| (&a.id, a)).collect();
    let mut resolution = Resolution::default();
    for account in candidates {
        let member = members.get(account);
        let name = member.map(|a| a.name.clone()).unwrap_or_default();
        let reason = match member {
            _ if *account == org.management_account => Some(SkipReason::ManagementAccount),
            Some(a) if a.state != AccountState::Active => {
                Some(SkipReason::InactiveForStackSets { state: a.state.clone() })
            }
            None => Some(SkipReason::NotMember { organization: org.id.clone() }),
            Some(_) => None,
        };
        resolution.add(account.clone(), name, reason);
    }
    Ok(resolution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{org_account, org_unit};

    fn id(n: u8) -> AccountId {
        AccountId::parse(&format!("{n:012}")).unwrap()
    }

    /// root ─ 1 (management), 2; ou-a ─ 3; ou-a/ou-b ─ 4, 5 (suspended); ou-a/ou-b/ou-c ─ 6; ou-z ─ 7
    fn org() -> Organization {
        let account = |n, parent: &str, state: &str| org_account(&id(n), parent, state);
        let unit = org_unit;
        Organization {
            id: "o-test".into(),
            management_account: id(1),
            root: "r-root".into(),
            units: vec![
                unit("ou-a", "r-root"),
                unit("ou-b", "ou-a"),
                unit("ou-c", "ou-b"),
                unit("ou-z", "r-root"),
            ],
            accounts: vec![
                account(1, "r-root", "ACTIVE"),
                account(2, "r-root", "ACTIVE"),
                account(3, "ou-a", "ACTIVE"),
                account(4, "ou-b", "ACTIVE"),
                account(5, "ou-b", "SUSPENDED"),
                account(6, "ou-c", "ACTIVE"),
                account(7, "ou-z", "ACTIVE"),
            ],
        }
    }

    fn reached(ous: &[&str], accounts: &[u8], filter: AccountFilter) -> Vec<AccountId> {
        let targets = DeploymentTargets {
            ous: ous.iter().map(|s| s.to_string()).collect(),
            accounts: accounts.iter().map(|&n| id(n)).collect(),
            filter,
        };
        expected(&targets, &org()).unwrap().targets.into_keys().collect()
    }

    fn ids(ns: &[u8]) -> Vec<AccountId> {
        ns.iter().map(|&n| id(n)).collect()
    }

    #[test]
    fn the_root_reaches_every_active_member_at_any_depth_but_never_the_management_account() {
        let targets =
            DeploymentTargets { ous: vec!["r-root".into()], accounts: vec![], filter: AccountFilter::None };
        let r = expected(&targets, &org()).unwrap();
        assert_eq!(r.targets.into_keys().collect::<Vec<_>>(), ids(&[2, 3, 4, 6, 7]));
        let skipped: Vec<_> = r.skipped.iter().map(|s| s.account.clone()).collect();
        assert_eq!(skipped, ids(&[1, 5]));
        assert_eq!(r.skipped[0].reason, SkipReason::ManagementAccount);
        let suspended = AccountState::from_api("SUSPENDED");
        assert_eq!(r.skipped[1].reason, SkipReason::InactiveForStackSets { state: suspended });
    }

    /// AccountFilterType as the CloudFormation API reference defines it.
    #[test]
    fn each_account_filter_selects_the_accounts_aws_would() {
        // NONE: every account in the OUs (recursively).
        assert_eq!(reached(&["ou-a"], &[], AccountFilter::None), ids(&[3, 4, 6]));
        // INTERSECTION: only the listed accounts that are in the OUs.
        assert_eq!(reached(&["ou-a"], &[4, 7], AccountFilter::Intersection), ids(&[4]));
        // DIFFERENCE: the OUs' accounts except the listed ones.
        assert_eq!(reached(&["ou-a"], &[4, 7], AccountFilter::Difference), ids(&[3, 6]));
        // UNION: the OUs' accounts and the listed ones, wherever they are.
        assert_eq!(reached(&["ou-a"], &[4, 7], AccountFilter::Union), ids(&[3, 4, 6, 7]));
        // Listing the management account does not make it a target.
        assert_eq!(reached(&["ou-z"], &[1], AccountFilter::Union), ids(&[7]));
    }

    #[test]
    fn an_unknown_ou_is_an_error() {
        let targets =
            DeploymentTargets { ous: vec!["ou-nope".into()], accounts: vec![], filter: AccountFilter::None };
        assert!(matches!(expected(&targets, &org()), Err(TargetError::UnknownOu { .. })));
    }
}
