//! The planner on plain data: no AWS, no files.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::cloud::{Caller, PolicyInfo, RoleInfo};
use crate::config::Desired;
use crate::model::{Address, PolicyDocument, Tags};
use crate::observe::{AccountResources, AccountView, Observed, ObservedPolicy, ObservedRole};
use crate::state::{State, StateResource};
use crate::targets::Resolution;
use crate::testing::{desired as desired_in, id};

const A: &str = "111111111111";

fn desired() -> Desired {
    desired_in(&[A])
}

fn observed(accounts: Vec<(&str, AccountView)>, targets: &[&str]) -> Observed {
    Observed {
        caller: Caller {
            account: id("999999999999"),
            arn: "arn:aws:iam::999999999999:root".into(),
            partition: "aws".into(),
        },
        organization: None,
        resolution: Resolution {
            targets: targets.iter().map(|t| (id(t), String::new())).collect(),
            skipped: vec![],
        },
        accounts: accounts.into_iter().map(|(a, v)| (id(a), v)).collect(),
        stackset: None,
    }
}

/// The account exactly as desired, tagged or not.
fn in_sync(d: &Desired, tagged: bool) -> AccountResources {
    let tags = if tagged { d.role.managed_tags() } else { Tags::new() };
    let policy_arn = format!("arn:aws:iam::{A}:policy/policy");
    AccountResources {
        roles: BTreeMap::from([(
            "role".into(),
            ObservedRole {
                info: RoleInfo {
                    name: "role".into(),
                    arn: format!("arn:aws:iam::{A}:role/role"),
                    trust: d.role.trust_document(&d.credential.external_id),
                    tags: tags.clone(),
                    boundary: None,
                    settings: d.role.direct_settings(),
                },
                attached: vec![policy_arn.clone()],
                inline: BTreeMap::new(),
            },
        )]),
        policies: BTreeMap::from([(
            "policy".into(),
            ObservedPolicy {
                info: PolicyInfo {
                    name: "policy".into(),
                    arn: policy_arn,
                    default_version: "v1".into(),
                    tags,
                },
                document: d.role.policy.clone(),
            },
        )]),
    }
}

/// The state apply leaves behind for `desired()`, with the fingerprints of
/// what it applied.
fn full_state() -> State {
    let d = desired();
    let a = id(A);
    let policy_arn = format!("arn:aws:iam::{A}:policy/policy");
    let tags = d.role.managed_tags();
    let applied = [
        (
            Address::policy(&a, "policy"),
            policy_arn.clone(),
            ResourceValue::Policy { document: d.role.policy.clone(), tags: tags.clone() },
        ),
        (
            Address::role(&a, "role"),
            format!("arn:aws:iam::{A}:role/role"),
            ResourceValue::Role {
                trust: d.role.trust_document("ext-1"),
                tags,
                other: Default::default(),
                settings: d.role.direct_settings(),
            },
        ),
        (
            Address::attachment(&a, "role", "policy"),
            policy_arn.clone(),
            ResourceValue::Attachment { role: "role".into(), policy_arn },
        ),
    ];
    let mut state = State::new();
    for (address, arn, value) in applied {
        state.upsert(StateResource { address, arn, applied: Some(fingerprint(Some(&value))) });
    }
    state
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes.iter().map(|c| (c.address.to_string(), c.action)).collect()
}

#[test]
fn an_empty_account_gets_policy_role_and_attachment_in_that_order() {
    let d = desired();
    let o = observed(vec![(A, AccountView::Read(AccountResources::default()))], &[A]);
    let p = plan(&d, &o, &State::new(), PlanOptions::default());
    assert_eq!(
        actions(&p),
        [
            (format!("account/{A}/policy/policy"), Action::Create),
            (format!("account/{A}/role/role"), Action::Create),
            (format!("account/{A}/attachment/role/policy"), Action::Create),
        ]
    );
    assert_eq!(p.summary(), Summary { add: 3, change: 0, destroy: 0, state_only: 0 });
}

#[test]
fn an_account_in_sync_plans_nothing() {
    let d = desired();
    let o = observed(vec![(A, AccountView::Read(in_sync(&d, true)))], &[A]);
    assert!(!plan(&d, &o, &full_state(), PlanOptions::default()).has_changes());
}

#[test]
fn tagged_resources_missing_from_state_are_recorded() {
    let d = desired();
    let o = observed(vec![(A, AccountView::Read(in_sync(&d, true)))], &[A]);
    let p = plan(&d, &o, &State::new(), PlanOptions::default());
    assert!(
        p.changes.iter().all(|c| c.action == Action::Record && c.reasons == [Reason::Unrecorded]),
        "{p:#?}"
    );
    assert_eq!(p.changes.len(), 3);
}

#[test]
fn untagged_resources_are_conflicts_unless_adopted() {
    let d = desired();
    let o = observed(vec![(A, AccountView::Read(in_sync(&d, false)))], &[A]);
    let p = plan(&d, &o, &State::new(), PlanOptions::default());
    assert_eq!(p.conflicts.len(), 2);
    assert!(p.changes.is_empty());

    let p = plan(&d, &o, &State::new(), PlanOptions { adopt: true, destroy: false });
    assert!(p.conflicts.is_empty());
    let role = p.changes.iter().find(|c| c.address.kind == crate::model::ResourceKind::Role).unwrap();
    assert_eq!(role.action, Action::Update);
    assert_eq!(role.reasons[0], Reason::Adopted);
    assert!(matches!(&role.reasons[1], Reason::TagsChanged { set, .. } if set.contains_key("managed-by")));
}

#[test]
fn drift_is_named() {
    let d = desired();
    let mut found = in_sync(&d, true);
    found.roles.get_mut("role").unwrap().attached.clear();
    found.roles.get_mut("role").unwrap().info.trust = d.role.trust_document("other-ext");
    found.policies.get_mut("policy").unwrap().document =
        PolicyDocument::from_value(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]}))
        .unwrap();
    let o = observed(vec![(A, AccountView::Read(found))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    let reasons: Vec<_> = p.changes.iter().map(|c| (c.action, c.reasons.clone())).collect();
    assert_eq!(
        reasons,
        [
            (
                Action::Update,
                vec![Reason::ActionsChanged {
                    added: vec!["iam:GetRole".into()],
                    removed: vec!["s3:PutObject".into()]
                }]
            ),
            (Action::Update, vec![Reason::ExternalIdChanged]),
            (Action::Create, vec![Reason::Detached]),
        ]
    );
    assert!(p.changes.iter().all(|c| c.drift), "every change undoes an out-of-band change");

    // The same differences after a configuration change are not drift.
    let mut changed = desired();
    changed.credential.external_id = "ext-2".into();
    let o = observed(vec![(A, AccountView::Read(in_sync(&desired(), true)))], &[A]);
    let p = plan(&changed, &o, &full_state(), PlanOptions::default());
    assert_eq!(p.changes.len(), 1);
    assert!(!p.changes[0].drift);
}

#[test]
fn every_grant_added_to_the_role_by_hand_is_drift_named_with_what_it_grants() {
    let d = desired();
    let mut found = in_sync(&d, true);
    let role = found.roles.get_mut("role").unwrap();
    role.inline.insert("admin".into(), crate::testing::document(&["*"]));
    role.attached.push("arn:aws:iam::aws:policy/AdministratorAccess".into());
    role.info.boundary = Some(format!("arn:aws:iam::{A}:policy/boundary"));
    let mut trust = role.info.trust.as_value().clone();
    trust["Statement"].as_array_mut().unwrap().push(json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}));
    role.info.trust = PolicyDocument::from_value(trust).unwrap();
    let o = observed(vec![(A, AccountView::Read(found))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    assert_eq!(p.changes.len(), 1, "{p:#?}");
    let change = &p.changes[0];
    assert_eq!(
        (change.address.kind, change.action, change.drift),
        (crate::model::ResourceKind::Role, Action::Update, true)
    );
    assert_eq!(
        change.reasons,
        [
            Reason::PrincipalsChanged {
                added: vec![],
                removed: vec!["arn:aws:iam::999999999999:root".into()]
            },
            Reason::ExternalIdNotRequired { principals: vec!["arn:aws:iam::999999999999:root".into()] },
            Reason::InlinePolicy { name: "admin".into(), allows: vec!["*".into()] },
            Reason::PolicyAttached { arn: "arn:aws:iam::aws:policy/AdministratorAccess".into() },
            Reason::PermissionsBoundaryChanged {
                before: Some(format!("arn:aws:iam::{A}:policy/boundary")),
                after: None
            },
        ]
    );
    // orgrole's own policy is not among the others.
    let Some(ResourceValue::Role { other, .. }) = &change.before else { panic!("a role") };
    assert_eq!(other.managed.len(), 1);
}

#[test]
fn with_other_policies_kept_what_others_put_on_the_role_is_reported_and_left() {
    let mut d = desired();
    d.role.other_policies = crate::config::OtherPoliciesMode::Keep;
    let mut found = in_sync(&d, true);
    let role = found.roles.get_mut("role").unwrap();
    role.inline.insert("deny-data".into(), crate::testing::document(&["s3:GetObject"]));
    role.attached.push("arn:aws:iam::aws:policy/SecurityAudit".into());
    role.info.trust = d.role.trust_document("other-ext");
    let o = observed(vec![(A, AccountView::Read(found))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    // The trust is still the configuration's; the other policies stay.
    assert_eq!(p.changes.len(), 1, "{p:#?}");
    assert_eq!(p.changes[0].reasons, [Reason::ExternalIdChanged]);
    let Some(ResourceValue::Role { other, .. }) = &p.changes[0].after else { panic!("a role") };
    assert_eq!(other.managed.len(), 1, "apply keeps them");
    assert_eq!(p.kept.len(), 1);
    assert_eq!(p.kept[0].address, Address::role(&id(A), "role"));
    assert!(p.kept[0].other.inline.contains_key("deny-data"));
}

#[test]
fn a_trust_statement_that_loses_its_external_id_is_named() {
    let d = desired();
    let mut found = in_sync(&d, true);
    let role = found.roles.get_mut("role").unwrap();
    let mut trust = role.info.trust.as_value().clone();
    trust["Statement"][0].as_object_mut().unwrap().remove("Condition");
    role.info.trust = PolicyDocument::from_value(trust).unwrap();
    let o = observed(vec![(A, AccountView::Read(found))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    assert_eq!(
        p.changes[0].reasons,
        [
            Reason::ExternalIdChanged,
            Reason::ExternalIdNotRequired { principals: vec!["arn:aws:iam::222222222222:root".into()] },
        ]
    );
}

#[test]
fn resources_deleted_outside_orgrole_are_created_again() {
    let d = desired();
    let o = observed(vec![(A, AccountView::Read(AccountResources::default()))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    assert_eq!(p.changes[0].reasons, [Reason::Missing]);
    assert_eq!(p.changes[1].reasons, [Reason::Missing]);
    assert_eq!(p.changes[2].reasons, [Reason::Detached]);
}

#[test]
fn destroy_deletes_what_is_tagged_and_forgets_what_is_gone_or_no_longer_owned() {
    let d = desired();
    let mut found = in_sync(&d, true);
    found.policies.clear();
    found.roles.get_mut("role").unwrap().info.tags.clear();
    let o = observed(vec![(A, AccountView::Read(found))], &[]);
    let p = plan(&d, &o, &full_state(), PlanOptions { adopt: false, destroy: true });
    assert_eq!(
        actions(&p),
        [
            (format!("account/{A}/policy/policy"), Action::Forget),
            (format!("account/{A}/role/role"), Action::Forget),
            (format!("account/{A}/attachment/role/policy"), Action::Delete),
        ]
    );
    assert_eq!(p.changes[1].reasons, [Reason::NotOwned]);
}

#[test]
fn unreachable_accounts_are_reported_and_get_no_changes() {
    let d = desired();
    let error = crate::cloud::CloudError::from_code("sts:AssumeRole", Some("AccessDenied"), "denied");
    let o = observed(vec![(A, AccountView::Unreachable(error))], &[A]);
    let p = plan(&d, &o, &full_state(), PlanOptions::default());
    assert!(p.changes.is_empty());
    assert_eq!(p.unreachable.len(), 1);
    assert_eq!(p.unreachable[0].error.kind, crate::cloud::ErrorKind::AccessDenied);
}
