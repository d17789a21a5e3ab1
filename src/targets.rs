//! Which accounts a configuration targets, given the organization: a pure
//! function, used by `observe` (what to read) and by the plan (what to show).

use std::collections::{BTreeMap, BTreeSet};

use crate::cloud::{AccountState, Organization};
use crate::config::DirectTargets;
use crate::model::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub account: AccountId,
    pub name: String,
    pub reason: SkipReason,
}

/// Why an account the configuration names is not a target (said in `render`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Named in `exclude`.
    Excluded,
    /// Not ACTIVE in Organizations.
    Inactive {
        state: AccountState,
    },
    /// Not ACTIVE: StackSets skip it.
    InactiveForStackSets {
        state: AccountState,
    },
    NotMember {
        organization: String,
    },
    /// StackSets never deploy to the management account.
    ManagementAccount,
    /// Has resources in state but is no longer an ACTIVE member: they are left as they are.
    LeftWithResources,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    /// ACTIVE target accounts, with their names where known.
    pub targets: BTreeMap<AccountId, String>,
    pub skipped: Vec<Skipped>,
}

impl Resolution {
    /// A target, or, with a reason, a skipped account.
    pub fn add(&mut self, account: AccountId, name: String, skipped: Option<SkipReason>) {
        match skipped {
            Some(reason) => self.skipped.push(Skipped { account, name, reason }),
            None => {
                self.targets.insert(account, name);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the configuration targets `organization` or an `ou`, but the caller's account is not in an organization (or may not read it)")]
    NoOrganization,
    #[error("OU {ou} is not in organization {organization}")]
    UnknownOu { ou: String, organization: String },
}

pub fn resolve(direct: &DirectTargets, org: Option<&Organization>) -> Result<Resolution, TargetError> {
    let mut candidates: BTreeSet<AccountId> = direct.accounts.iter().cloned().collect();
    if direct.organization || !direct.ous.is_empty() {
        let org = org.ok_or(TargetError::NoOrganization)?;
        let units = if direct.organization { vec![org.root.as_str()] } else { vec![] };
        for unit in units.into_iter().chain(direct.ous.iter().map(String::as_str)) {
            if unit != org.root && !org.has_unit(unit) {
                return Err(TargetError::UnknownOu { ou: unit.to_owned(), organization: org.id.clone() });
            }
            candidates.extend(org.accounts_below(unit).into_iter().map(|a| a.id.clone()));
        }
    }
    let members: BTreeMap<&AccountId, _> = org.iter().flat_map(|o| &o.accounts).map(|a| (&a.id, a)).collect();
    let excluded: BTreeSet<&AccountId> = direct.exclude.iter().collect();
    let mut resolution = Resolution::default();
    for account in candidates {
        let member = members.get(&account);
        let name = member.map(|a| a.name.clone()).unwrap_or_default();
        let reason = match member {
            _ if excluded.contains(&account) => Some(SkipReason::Excluded),
            Some(a) if a.state != AccountState::Active => {
                Some(SkipReason::Inactive { state: a.state.clone() })
            }
            None if org.is_some() => {
                Some(SkipReason::NotMember { organization: org.map_or("", |o| &o.id).to_owned() })
            }
            _ => None,
        };
        resolution.add(account, name, reason);
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

    /// root ─ 1, ou-a ─ 2, ou-a/ou-b ─ 3 (suspended), 4
    fn org() -> Organization {
        let account = |n, parent: &str, state: &str| org_account(&id(n), parent, state);
        Organization {
            id: "o-test".into(),
            management_account: id(1),
            root: "r-root".into(),
            units: vec![org_unit("ou-a", "r-root"), org_unit("ou-b", "ou-a")],
            accounts: vec![
                account(1, "r-root", "ACTIVE"),
                account(2, "ou-a", "ACTIVE"),
                account(3, "ou-b", "SUSPENDED"),
                account(4, "ou-b", "ACTIVE"),
            ],
        }
    }

    #[test]
    fn organization_takes_every_active_account_and_says_why_others_are_skipped() {
        let direct = DirectTargets { organization: true, exclude: vec![id(2)], ..Default::default() };
        let r = resolve(&direct, Some(&org())).unwrap();
        assert_eq!(r.targets.keys().cloned().collect::<Vec<_>>(), [id(1), id(4)]);
        let skipped: Vec<_> = r.skipped.iter().map(|s| (s.account.clone(), s.reason.clone())).collect();
        let suspended = SkipReason::Inactive { state: AccountState::from_api("SUSPENDED") };
        assert_eq!(skipped, [(id(2), SkipReason::Excluded), (id(3), suspended)]);
    }

    #[test]
    fn an_ou_reaches_nested_ous() {
        let direct = DirectTargets { ous: vec!["ou-a".into()], ..Default::default() };
        let r = resolve(&direct, Some(&org())).unwrap();
        assert_eq!(r.targets.keys().cloned().collect::<Vec<_>>(), [id(2), id(4)]);
    }

    #[test]
    fn unknown_ous_and_missing_organizations_are_errors() {
        let direct = DirectTargets { ous: vec!["ou-zz".into()], ..Default::default() };
        assert!(matches!(resolve(&direct, Some(&org())), Err(TargetError::UnknownOu { .. })));
        assert_eq!(resolve(&direct, None), Err(TargetError::NoOrganization));
    }

    #[test]
    fn explicit_accounts_need_no_organization_but_must_belong_to_one_that_is_known() {
        let direct = DirectTargets { accounts: vec![id(9)], ..Default::default() };
        assert_eq!(resolve(&direct, None).unwrap().targets.len(), 1);
        let r = resolve(&direct, Some(&org())).unwrap();
        assert!(r.targets.is_empty());
        assert_eq!(r.skipped[0].reason, SkipReason::NotMember { organization: "o-test".into() });
    }
}
