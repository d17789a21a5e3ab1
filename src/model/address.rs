use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::AccountId;

/// Serialized as the plan JSON's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    Policy,
    Role,
    Attachment,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Policy => "policy",
            ResourceKind::Role => "role",
            ResourceKind::Attachment => "attachment",
        }
    }
}

/// Where a managed resource lives: `account/<id>/policy/<name>`,
/// `account/<id>/role/<name>` or `account/<id>/attachment/<role>/<policy>`.
/// Names are part of the address so that a rename is a delete plus a create.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Address {
    pub account: AccountId,
    pub kind: ResourceKind,
    /// The policy or role name; for an attachment, the role name.
    pub name: String,
    /// For an attachment, the policy name.
    pub target: Option<String>,
}

impl Address {
    pub fn policy(account: &AccountId, name: &str) -> Self {
        Self { account: account.clone(), kind: ResourceKind::Policy, name: name.into(), target: None }
    }

    pub fn role(account: &AccountId, name: &str) -> Self {
        Self { account: account.clone(), kind: ResourceKind::Role, name: name.into(), target: None }
    }

    pub fn attachment(account: &AccountId, role: &str, policy: &str) -> Self {
        Self {
            account: account.clone(),
            kind: ResourceKind::Attachment,
            name: role.into(),
            target: Some(policy.into()),
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account/{}/{}/{}", self.account, self.kind.as_str(), self.name)?;
        if let Some(target) = &self.target {
            write!(f, "/{target}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a resource address (account/<id>/policy/<name>, account/<id>/role/<name> or account/<id>/attachment/<role>/<policy>)")]
pub struct AddressError(String);

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddressError(s.to_owned());
        let parts: Vec<&str> = s.split('/').collect();
        let account = match parts.as_slice() {
            ["account", id, ..] => AccountId::parse(id).map_err(|_| err())?,
            _ => return Err(err()),
        };
        match parts[2..] {
            ["policy", name] if !name.is_empty() => Ok(Self::policy(&account, name)),
            ["role", name] if !name.is_empty() => Ok(Self::role(&account, name)),
            ["attachment", role, policy] if !role.is_empty() && !policy.is_empty() => {
                Ok(Self::attachment(&account, role, policy))
            }
            _ => Err(err()),
        }
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Address> for String {
    fn from(a: Address) -> Self {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_text_form() {
        let id = AccountId::parse("012345678901").unwrap();
        for a in [Address::policy(&id, "p"), Address::role(&id, "r"), Address::attachment(&id, "r", "p")] {
            assert_eq!(a.to_string().parse::<Address>().unwrap(), a);
        }
        assert_eq!(Address::attachment(&id, "r", "p").to_string(), "account/012345678901/attachment/r/p");
        assert!("account/1/role/r".parse::<Address>().is_err());
        assert!("account/012345678901/user/u".parse::<Address>().is_err());
    }
}
