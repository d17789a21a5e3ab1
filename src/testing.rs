//! Fixtures shared by the unit tests.

use serde_json::json;

use crate::cloud::{AccountState, OrgAccount, OrgUnit, Organization};
use crate::config::{
    Credential, Desired, DirectTargets, RoleConfig, StackSetConfig, StackSetTargets, Template,
};
use crate::model::{AccountFilter, AccountId, CallAs, PolicyDocument, Preferences, Tags};

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
            settings: Default::default(),
            permissions_boundary: None,
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

/// `o-test`, rooted at `r-root`, with its management account at the root:
/// OUs as (id, parent), accounts as (id, parent, state).
pub fn organization(
    management: &str,
    units: &[(&str, &str)],
    accounts: &[(&str, &str, &str)],
) -> Organization {
    let mut members = vec![org_account(&id(management), "r-root", "ACTIVE")];
    members.extend(accounts.iter().map(|(a, parent, state)| org_account(&id(a), parent, state)));
    Organization {
        id: "o-test".into(),
        management_account: id(management),
        root: "r-root".into(),
        units: units.iter().map(|(u, parent)| org_unit(u, parent)).collect(),
        accounts: members,
    }
}

pub fn ous(ous: &[&str]) -> StackSetTargets {
    StackSetTargets::Ous(ous.iter().map(|s| s.to_string()).collect())
}

/// The role deployed by stack set `radiant` to `targets` in us-east-1, with
/// auto-deployment and the management account's direct role, as the management account.
pub fn stackset(targets: StackSetTargets) -> Desired {
    Desired {
        direct: None,
        stackset: Some(StackSetConfig {
            name: "radiant".into(),
            targets,
            accounts: vec![],
            filter: AccountFilter::None,
            regions: vec!["us-east-1".into()],
            auto_deployment: true,
            retain_stacks: false,
            preferences: Preferences::default(),
            management_account: true,
            template: Template::Generated,
            call_as: CallAs::Caller,
            access_role: None,
        }),
        ..desired(&[])
    }
}

/// The stack set of a `stackset` configuration, to change in a test.
pub fn config(d: &mut Desired) -> &mut StackSetConfig {
    d.stackset.as_mut().expect("a stackset configuration")
}
