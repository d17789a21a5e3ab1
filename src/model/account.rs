use std::fmt;

use serde::{Deserialize, Serialize};

/// A 12-digit AWS account ID. Kept as a string: as a number, an ID like
/// `012345678901` would lose its leading zero.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an AWS account ID: it must be exactly 12 digits")]
pub struct AccountIdError(pub String);

impl AccountId {
    pub fn parse(s: &str) -> Result<Self, AccountIdError> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(AccountIdError(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `arn:<partition>:iam::<account>:<resource>`, e.g. `role/name`.
    pub fn iam_arn(&self, partition: &str, resource: &str) -> String {
        format!("arn:{partition}:iam::{}:{resource}", self.0)
    }
}

impl TryFrom<String> for AccountId {
    type Error = AccountIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> Self {
        id.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros_and_rejects_other_shapes() {
        assert_eq!(AccountId::parse("012345678901").unwrap().as_str(), "012345678901");
        assert!(AccountId::parse("12345678901").is_err());
        assert!(AccountId::parse("1234567890123").is_err());
        assert!(AccountId::parse("12345678901a").is_err());
    }
}
