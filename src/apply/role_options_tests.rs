//! The role options against cloud/sim, which keeps IAM's rules for them:
//! the path is in the ARN and fixed at creation (a new one replaces the
//! role), UpdateRole changes the description and session length, a boundary
//! must be an existing managed policy, and SimulatePrincipalPolicy
//! evaluates the boundary with the role's policies.

use crate::cloud::sim::{SimCloud, SimPolicy, World};
use crate::cloud::{ErrorKind, Iam};
use crate::config::{Desired, OtherPoliciesMode};
use crate::model::{AccountId, RoleSettings};
use crate::operation::testing::{converge, plan_for};
use crate::plan::{Action, PlanOptions, Reason};
use crate::state::State;
use crate::testing::{desired, document, id};

const A: &str = "111111111111";
const BOUNDARY: &str = "arn:aws:iam::{account}:policy/VendorBoundary";

/// A sim whose accounts each have a `VendorBoundary` policy allowing `allows`.
fn sim_with_boundary(accounts: &[&str], allows: &[&str]) -> SimCloud {
    let cloud = SimCloud::new(id("999999999999"), World::default());
    for account in accounts {
        let account = id(account);
        let arn = account.iam_arn("aws", "policy/VendorBoundary");
        let policy = SimPolicy {
            name: "VendorBoundary".into(),
            tags: Default::default(),
            versions: vec![("v1".into(), document(allows), 1)],
            default_version: "v1".into(),
            next_version: 2,
            invisible: 0,
        };
        cloud.world().accounts.entry(account).or_default().policies.insert(arn, policy);
    }
    cloud
}

fn with_options(accounts: &[&str]) -> Desired {
    let mut d = desired(accounts);
    d.role.settings = RoleSettings {
        path: "/vendor/".into(),
        description: Some("the vendor's read-only access".into()),
        max_session_duration: 7200,
    };
    d.role.permissions_boundary = Some(BOUNDARY.into());
    d
}

fn role(cloud: &SimCloud, account: &AccountId) -> crate::cloud::sim::SimRole {
    cloud.world().accounts[account].roles["role"].clone()
}

fn calls(cloud: &SimCloud, operation: &str) -> usize {
    cloud.world().calls.iter().filter(|c| c.ends_with(operation)).count()
}

#[tokio::test]
async fn a_role_is_made_with_its_options_at_once_and_then_plans_nothing() {
    let cloud = sim_with_boundary(&[A], &["s3:GetObject", "iam:GetRole"]);
    let d = with_options(&[A]);
    let mut state = State::new();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(plan.summary().add, 3);
    let r = role(&cloud, &id(A));
    assert_eq!(r.info.arn, format!("arn:aws:iam::{A}:role/vendor/role"));
    assert_eq!(r.info.settings, d.role.settings);
    assert_eq!(r.info.boundary, Some(format!("arn:aws:iam::{A}:policy/VendorBoundary")));
    // One CreateRole with everything: an organization may refuse a role without its boundary.
    assert_eq!((calls(&cloud, "iam:CreateRole"), calls(&cloud, "iam:PutRolePermissionsBoundary")), (1, 0));
    assert_eq!(state.resources().iter().find(|r| r.address.kind.as_str() == "role").unwrap().arn, r.info.arn);
    assert!(!plan_for(&cloud, &d, &state, PlanOptions::default()).await.has_changes());
}

#[tokio::test]
async fn a_new_description_or_session_length_is_one_update_in_place() {
    let cloud = sim_with_boundary(&[A], &["*"]);
    let mut d = with_options(&[A]);
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let made = role(&cloud, &id(A)).info.arn;
    d.role.settings.description = Some("reviewed in 2026".into());
    d.role.settings.max_session_duration = 3600;
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let [change] = plan.changes.as_slice() else { panic!("one change: {:?}", plan.changes) };
    assert_eq!((change.action, change.drift), (Action::Update, false));
    assert_eq!(
        change.reasons,
        [
            Reason::DescriptionChanged {
                before: Some("the vendor's read-only access".into()),
                after: Some("reviewed in 2026".into())
            },
            Reason::MaxSessionDurationChanged { before: 7200, after: 3600 },
        ]
    );
    assert_eq!(calls(&cloud, "iam:UpdateRole"), 1);
    assert_eq!(calls(&cloud, "iam:CreateRole"), 1, "not made again");
    let r = role(&cloud, &id(A));
    assert_eq!((r.info.arn, r.info.settings.max_session_duration), (made, 3600));
    // No description configured: orgrole's own, as it gives every role it makes.
    d.role.settings.description = None;
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert_eq!(role(&cloud, &id(A)).info.settings.description, d.role.direct_settings().description);
    assert!(!plan_for(&cloud, &d, &state, PlanOptions::default()).await.has_changes());
}

#[tokio::test]
async fn a_boundary_removed_or_replaced_by_hand_is_drift_and_is_put_back() {
    let cloud = sim_with_boundary(&[A], &["*"]);
    let d = with_options(&[A]);
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let wanted = format!("arn:aws:iam::{A}:policy/VendorBoundary");
    for by_hand in [None, Some("arn:aws:iam::aws:policy/PowerUserAccess")] {
        cloud.world().accounts.get_mut(&id(A)).unwrap().roles.get_mut("role").unwrap().info.boundary =
            by_hand.map(str::to_owned);
        let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
        let [change] = plan.changes.as_slice() else { panic!("one change: {:?}", plan.changes) };
        assert!(change.drift, "{by_hand:?}");
        assert_eq!(
            change.reasons,
            [Reason::PermissionsBoundaryChanged {
                before: by_hand.map(str::to_owned),
                after: Some(wanted.clone())
            }]
        );
        assert_eq!(role(&cloud, &id(A)).info.boundary.as_deref(), Some(wanted.as_str()));
    }
    assert_eq!(calls(&cloud, "iam:PutRolePermissionsBoundary"), 2);
    // Configured away: deleted.
    let mut without = d.clone();
    without.role.permissions_boundary = None;
    converge(&cloud, &without, &mut state, PlanOptions::default()).await;
    assert_eq!(role(&cloud, &id(A)).info.boundary, None);
    assert!(!plan_for(&cloud, &without, &state, PlanOptions::default()).await.has_changes());
}

#[tokio::test]
async fn a_new_path_replaces_the_role_and_attaches_the_policy_again() {
    let cloud = sim_with_boundary(&[A], &["*"]);
    let plain = desired(&[A]);
    let mut state = State::new();
    converge(&cloud, &plain, &mut state, PlanOptions::default()).await;
    let mut d = plain.clone();
    d.role.settings.path = "/vendor/".into();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let actions: Vec<(String, Action)> =
        plan.changes.iter().map(|c| (c.address.to_string(), c.action)).collect();
    assert_eq!(
        actions,
        [
            (format!("account/{A}/role/role"), Action::Replace),
            (format!("account/{A}/attachment/role/policy"), Action::Create),
        ]
    );
    assert_eq!(
        plan.changes[0].reasons,
        [Reason::PathChanged { before: "/".into(), after: "/vendor/".into() }]
    );
    assert_eq!(
        (plan.changes[1].reasons.as_slice(), plan.changes[1].drift),
        ([Reason::RoleReplaced].as_slice(), false)
    );
    let s = plan.summary();
    assert_eq!((s.add, s.change, s.destroy), (2, 0, 1), "a replacement is one destroyed and one added");

    let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let r = role(&cloud, &id(A));
    assert_eq!(r.info.arn, format!("arn:aws:iam::{A}:role/vendor/role"));
    assert_eq!(r.attached, [format!("arn:aws:iam::{A}:policy/policy")]);
    let recorded =
        state.resources().iter().find(|x| x.address.to_string() == format!("account/{A}/role/role"));
    assert_eq!(recorded.map(|x| x.arn.as_str()), Some(r.info.arn.as_str()), "the state has the new ARN");
    assert!(!plan_for(&cloud, &d, &state, PlanOptions::default()).await.has_changes());
}

#[tokio::test]
async fn a_boundary_that_does_not_exist_fails_as_iam_does() {
    // AWS behaviour: CreateRole/PutRolePermissionsBoundary with a policy ARN
    // that does not exist: NoSuchEntity, "Scope ARN: ... does not exist or is not attachable."
    let cloud = SimCloud::new(id("999999999999"), World::default());
    let d = with_options(&[A]);
    let mut state = State::new();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let [(i, error)] = outcome.failed.as_slice() else { panic!("one failure: {:?}", outcome.failed) };
    assert_eq!(plan.changes[*i].address.to_string(), format!("account/{A}/role/role"));
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.to_string().contains("does not exist or is not attachable"), "{error}");
}

#[tokio::test]
async fn verify_sees_what_the_boundary_takes_away() {
    // AWS behaviour: the effective permissions are what both the role's
    // policies and its boundary allow.
    let cloud = sim_with_boundary(&[A], &["s3:GetObject"]);
    let d = with_options(&[A]);
    converge(&cloud, &d, &mut State::new(), PlanOptions::default()).await;
    let iam = crate::cloud::Cloud::iam(&cloud, &id(A), "OrganizationAccountAccessRole").await.unwrap();
    let arn = format!("arn:aws:iam::{A}:role/vendor/role");
    let actions = ["s3:GetObject".to_owned(), "iam:GetRole".to_owned()];
    assert_eq!(iam.denied_actions(&arn, &actions, "*").await.unwrap(), ["iam:GetRole"]);
}

#[tokio::test]
async fn kept_policies_stay_beside_a_configured_boundary_and_the_boundary_is_not_kept() {
    let cloud = sim_with_boundary(&[A], &["*"]);
    let mut d = with_options(&[A]);
    d.role.other_policies = OtherPoliciesMode::Keep;
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    cloud
        .world()
        .accounts
        .get_mut(&id(A))
        .unwrap()
        .roles
        .get_mut("role")
        .unwrap()
        .inline
        .insert("theirs".into(), document(&["s3:ListBucket"]));
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert!(!plan.has_changes(), "{:?}", plan.changes);
    let [kept] = plan.kept.as_slice() else { panic!("one role keeps its own") };
    assert_eq!((kept.other.inline.len(), kept.other.boundary.as_deref()), (1, None));
}

#[tokio::test]
async fn a_replaced_role_gets_again_what_other_policies_keep_keeps() {
    let cloud = sim_with_boundary(&[A], &["*"]);
    let mut d = desired(&[A]);
    d.role.other_policies = OtherPoliciesMode::Keep;
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    // Someone's own managed policy, kept on the role.
    let theirs = format!("arn:aws:iam::{A}:policy/VendorBoundary");
    {
        let mut world = cloud.world();
        let r = world.accounts.get_mut(&id(A)).unwrap().roles.get_mut("role").unwrap();
        r.inline.insert("theirs".into(), document(&["s3:ListBucket"]));
        r.attached.push(theirs.clone());
    }
    d.role.settings.path = "/vendor/".into();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert_eq!(
        plan.changes[0].reasons,
        [Reason::PathChanged { before: "/".into(), after: "/vendor/".into() }]
    );
    let r = role(&cloud, &id(A));
    assert_eq!(r.info.arn, format!("arn:aws:iam::{A}:role/vendor/role"));
    assert_eq!(r.inline.keys().collect::<Vec<_>>(), ["theirs"]);
    let mut attached = r.attached.clone();
    attached.sort();
    assert_eq!(attached, [theirs, format!("arn:aws:iam::{A}:policy/policy")]);
    let next = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert!(!next.has_changes(), "{:?}", next.changes);
    assert_eq!(next.kept.len(), 1);
}
