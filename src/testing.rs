//! Fixtures shared by the unit tests.

use serde_json::json;

use crate::cloud::{AccountState, OrgAccount, OrgUnit};
use crate::config::{Credential, Desired, DirectTargets, RoleConfig};
use crate::model::{AccountId, PolicyDocument, Tags};

pub fn id(s: &str) -> AccountId {
    AccountId::parse(s).unwrap()
}

/// A role `role` with a two-action policy `policy`, in the given accounts.
pub fn desired(accounts: &[&str]) -> Desired {
    Desired {
        credential: Credential { name: "c".into(), external_id: "ext-1".into() },
        role: RoleConfig {
            name: "role".into(),
            trust: vec!["arn:aws:iam::222222222222:root".into()],
            policy_name: "policy".into(),
            policy: document(&["s3:GetObject", "iam:GetRole"]),
            tags: Tags::new(),
            other_policies: Default::default(),
        },
        direct: Some(DirectTargets {
            accounts: accounts.iter().map(|a| id(a)).collect(),
            access_role: "OrganizationAccountAccessRole".into(),
            ..Default::default()
        }),
        stackset: None,
        state: None,
    }
}

pub fn document(actions: &[&str]) -> PolicyDocument {
    PolicyDocument::from_value(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    .unwrap()
}

/// An account of a test organization, named `acct-<id>`, in `parent`, in
/// Organizations' `state` (ACTIVE, SUSPENDED, ...).
pub fn org_account(id: &AccountId, parent: &str, state: &str) -> OrgAccount {
    OrgAccount {
        id: id.clone(),
        name: format!("acct-{id}"),
        email: String::new(),
        state: AccountState::from_api(state),
        parent: parent.into(),
        arn: String::new(),
        joined_method: "CREATED".into(),
        joined: String::new(),
    }
}

/// An OU of a test organization, named as its ID.
pub fn org_unit(id: &str, parent: &str) -> OrgUnit {
    OrgUnit { id: id.into(), name: id.into(), parent: parent.into() }
}
