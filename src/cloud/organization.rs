use std::collections::HashSet;

use crate::model::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub management_account: AccountId,
    pub root: String,
    pub units: Vec<OrgUnit>,
    pub accounts: Vec<OrgAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    pub parent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    pub state: AccountState,
    /// The root or OU the account sits in.
    pub parent: String,
    pub arn: String,
    /// `INVITED` or `CREATED`.
    pub joined_method: String,
    /// RFC 3339.
    pub joined: String,
}

/// Organizations' account `State` (since 2025; the older `Status` maps onto
/// it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountState {
    Active,
    Other(String),
}

impl AccountState {
    pub fn from_api(s: &str) -> Self {
        match s {
            "ACTIVE" => Self::Active,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "ACTIVE",
            Self::Other(s) => s,
        }
    }
}

impl Organization {
    /// Every account below `unit` (an OU or the root), at any depth.
    pub fn accounts_below<'a>(&'a self, unit: &str) -> Vec<&'a OrgAccount> {
        let mut below: HashSet<&str> = HashSet::from([unit]);
        // OUs nest at most five levels; a pass per level reaches them all.
        loop {
            let before = below.len();
            let children: Vec<&str> = self
                .units
                .iter()
                .filter(|u| below.contains(u.parent.as_str()))
                .map(|u| u.id.as_str())
                .collect();
            below.extend(children);
            if below.len() == before {
                break;
            }
        }
        self.accounts.iter().filter(|a| below.contains(a.parent.as_str())).collect()
    }

    /// Whether `inner` (an OU or the root) is `outer` or lies below it.
    pub fn encloses(&self, outer: &str, inner: &str) -> bool {
        let mut unit = inner;
        // OUs nest at most five levels: the walk up is short.
        loop {
            if unit == outer {
                return true;
            }
            match self.units.iter().find(|u| u.id == unit) {
                Some(u) => unit = &u.parent,
                None => return false,
            }
        }
    }

    pub fn has_unit(&self, id: &str) -> bool {
        self.units.iter().any(|u| u.id == id)
    }
}
