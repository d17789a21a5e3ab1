//! apply() against cloud/sim, for what the emulator cannot show: failures in
//! one account, IAM's eventual consistency, AWS's delete rules, interrupts,
//! and convergence from arbitrary starting points.

use std::future::{pending, ready};

use super::*;
use crate::cloud::sim::{SimCloud, SimPolicy, SimRole, World};
use crate::cloud::RoleInfo;
use crate::config::Desired;
use crate::model::{Address, Tags, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use crate::operation::testing::{converge, plan_for, Quiet};
use crate::plan::{Plan, PlanOptions};
use crate::state::{State, StateError, StateResource};
use crate::testing::{desired, document, id};

const A: &str = "111111111111";
const B: &str = "222222222222";
const CALLER: &str = "999999999999";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// A state store that keeps nothing.
pub(crate) struct Discard;

impl Persist for Discard {
    async fn persist(&self, _: &mut State) -> Result<(), StateError> {
        Ok(())
    }
}

/// A state store whose every write fails.
struct DiskFull;

impl Persist for DiskFull {
    async fn persist(&self, _: &mut State) -> Result<(), StateError> {
        Err(StateError::Io { path: "state.json".into(), source: std::io::Error::other("disk full") })
    }
}

fn sim() -> SimCloud {
    SimCloud::new(id(CALLER), World::default())
}

async fn run(
    cloud: &SimCloud,
    plan: &Plan,
    state: &mut State,
    interrupt: impl Future<Output = ()> + Send,
) -> Outcome {
    let options = ApplyOptions {
        parallelism: 4,
        access_role: "OrganizationAccountAccessRole",
        timeout: std::time::Duration::from_secs(600),
    };
    apply(cloud, plan, &options, state, &Discard, &Quiet, interrupt).await.unwrap()
}

fn calls(cloud: &SimCloud, operation: &str) -> usize {
    cloud.world().calls.iter().filter(|c| c.ends_with(operation)).count()
}

#[tokio::test]
async fn one_accounts_failure_skips_only_what_depends_on_it() {
    // AWS behaviour: CreateRole refused in one account (e.g. an SCP denying it).
    let cloud = sim();
    cloud.world().fail(&id(B), "iam:CreateRole", "AccessDenied");
    let d = desired(&[A, B]);
    let mut state = State::new();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;

    let failed: Vec<String> =
        outcome.failed.iter().map(|(i, _)| plan.changes[*i].address.to_string()).collect();
    assert_eq!(failed, [format!("account/{B}/role/role")]);
    assert_eq!(outcome.failed[0].1.kind, crate::cloud::ErrorKind::AccessDenied);
    let skipped: Vec<String> =
        outcome.skipped.iter().map(|(i, _)| plan.changes[*i].address.to_string()).collect();
    assert_eq!(skipped, [format!("account/{B}/attachment/role/policy")]);
    assert_eq!(outcome.completed.len(), 4, "A's three changes and B's policy");
    assert_eq!(state.resources().len(), 4);

    cloud.world().failures.clear();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert_eq!(plan.summary().add, 2);
    assert!(outcome.failed.is_empty());
    assert!(!plan_for(&cloud, &d, &state, PlanOptions::default()).await.has_changes());
}

#[tokio::test(start_paused = true)]
async fn a_new_role_not_yet_visible_is_attached_once_it_is() {
    // AWS behaviour: IAM is eventually consistent; a role created a moment
    // ago can be NoSuchEntity to AttachRolePolicy for a few seconds.
    let cloud = sim();
    cloud.world().invisible_for = 2;
    let d = desired(&[A]);
    let mut state = State::new();
    let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(calls(&cloud, "iam:AttachRolePolicy"), 3);
}

#[tokio::test]
async fn destroy_removes_extra_versions_and_policies_attached_by_hand() {
    // AWS behaviour (not moto's): DeletePolicy is refused while the policy
    // has non-default versions, DeleteRole while policies are attached or
    // inline policies remain.
    let cloud = sim();
    let d = desired(&[A]);
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    {
        let mut world = cloud.world();
        let account = world.accounts.get_mut(&id(A)).unwrap();
        let policy = account.policies.values_mut().next().unwrap();
        policy.versions.push(("v7".into(), document(&["s3:ListBucket"]), 100));
        let role = account.roles.get_mut("role").unwrap();
        role.attached.push("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
        role.inline.insert("by-hand".into(), document(&["s3:ListBucket"]));
    }
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions { adopt: false, destroy: true }).await;
    assert_eq!(plan.summary().destroy, 3);
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    let world = cloud.world();
    let account = &world.accounts[&id(A)];
    assert!(account.roles.is_empty() && account.policies.is_empty());
    assert!(state.resources().is_empty());
}

#[tokio::test]
async fn an_interrupt_finishes_the_change_in_flight_and_starts_no_more() {
    let cloud = sim();
    let d = desired(&[A, B]);
    let mut state = State::new();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let options = ApplyOptions {
        parallelism: 1,
        access_role: "OrganizationAccountAccessRole",
        timeout: std::time::Duration::from_secs(600),
    };
    let outcome = apply(&cloud, &plan, &options, &mut state, &Discard, &Quiet, ready(())).await.unwrap();
    assert!(outcome.interrupted);
    assert_eq!(outcome.completed.len(), 1);
    assert_eq!(outcome.not_started, plan.changes.len() - 1);
    assert_eq!(state.resources().len(), 1);
}

#[tokio::test]
async fn a_failed_state_write_stops_the_apply() {
    let cloud = sim();
    let d = desired(&[A]);
    let mut state = State::new();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let options = ApplyOptions {
        parallelism: 1,
        access_role: "OrganizationAccountAccessRole",
        timeout: std::time::Duration::from_secs(600),
    };
    let result = apply(&cloud, &plan, &options, &mut state, &DiskFull, &Quiet, pending()).await;
    assert!(matches!(result, Err(StateError::Io { .. })));
    assert_eq!(calls(&cloud, "iam:CreatePolicy") + calls(&cloud, "iam:CreateRole"), 1);
}

/// A small deterministic generator, so that failures replay.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Any mix of what an account can hold before orgrole runs: nothing, the
/// role with another trust, untagged (hand-made), the policy with other
/// actions and up to five versions, attached or not, recorded in state or not.
fn random_world(rng: &mut Lcg, d: &Desired, accounts: &[&str]) -> (World, State) {
    let mut world = World::default();
    let mut state = State::new();
    let owned: Tags = [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())].into();
    for account in accounts {
        let acct = world.accounts.entry(id(account)).or_default();
        let policy_arn = format!("arn:aws:iam::{account}:policy/policy");
        if rng.below(3) > 0 {
            let versions = (0..=rng.below(5))
                .map(|v| {
                    (
                        format!("v{}", v + 1),
                        document(&[["s3:GetObject", "ec2:DescribeVpcs", "iam:GetRole"][v as usize % 3]]),
                        v as i64,
                    )
                })
                .collect::<Vec<_>>();
            let default_version = versions[rng.below(versions.len() as u64) as usize].0.clone();
            acct.policies.insert(
                policy_arn.clone(),
                SimPolicy {
                    name: "policy".into(),
                    tags: tags(rng, &owned),
                    next_version: versions.len() as u32 + 1,
                    versions,
                    default_version,
                    invisible: 0,
                },
            );
        }
        if rng.below(3) > 0 {
            let external_id = if rng.below(2) == 0 { "ext-1" } else { "old-ext" };
            let mut attached = if acct.policies.contains_key(&policy_arn) && rng.below(2) == 0 {
                vec![policy_arn.clone()]
            } else {
                vec![]
            };
            // Grants added by hand: another managed policy, an inline one, a boundary.
            if rng.below(4) == 0 {
                attached.push(ADMIN.into());
            }
            let info = RoleInfo {
                name: "role".into(),
                arn: format!("arn:aws:iam::{account}:role/role"),
                trust: d.role.trust_document(external_id),
                tags: tags(rng, &owned),
                boundary: (rng.below(4) == 0).then(|| ADMIN.to_owned()),
                settings: d.role.direct_settings(),
            };
            let mut role = SimRole::new(info, 0);
            role.attached = attached;
            if rng.below(4) == 0 {
                role.inline.insert("backdoor".into(), document(&["*"]));
            }
            acct.roles.insert("role".into(), role);
        }
        let a = id(account);
        for address in [
            Address::policy(&a, "policy"),
            Address::role(&a, "role"),
            Address::attachment(&a, "role", "policy"),
        ] {
            if rng.below(2) == 0 {
                state.upsert(StateResource { address, arn: policy_arn.clone(), applied: None });
            }
        }
    }
    (world, state)
}

/// Mostly orgrole's tag; now and then none (made by hand).
fn tags(rng: &mut Lcg, owned: &Tags) -> Tags {
    if rng.below(4) == 0 {
        Tags::new()
    } else {
        owned.clone()
    }
}

#[tokio::test]
async fn plans_applied_from_any_starting_point_converge_and_destroy_leaves_nothing() {
    let accounts = [A, B, CALLER];
    let d = desired(&accounts);
    for seed in 0..200 {
        let mut rng = Lcg(seed);
        let (world, mut state) = random_world(&mut rng, &d, &accounts);
        let cloud = SimCloud::new(id(CALLER), world);
        let adopt = PlanOptions { adopt: true, destroy: false };
        let (first, outcome) = converge(&cloud, &d, &mut state, adopt).await;
        assert!(
            first.conflicts.is_empty() && outcome.failed.is_empty(),
            "seed {seed}: {first:#?} {outcome:?}"
        );
        let next = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
        assert!(!next.has_changes() && next.conflicts.is_empty(), "seed {seed}: not converged: {next:#?}");

        let destroy = PlanOptions { adopt: false, destroy: true };
        let (_, outcome) = converge(&cloud, &d, &mut state, destroy).await;
        assert!(outcome.failed.is_empty(), "seed {seed}: {outcome:?}");
        assert!(state.resources().is_empty(), "seed {seed}");
        for (account, held) in &cloud.world().accounts {
            assert!(
                held.roles.is_empty() && held.policies.is_empty(),
                "seed {seed}: {account} keeps {held:?}"
            );
        }
        assert!(!plan_for(&cloud, &d, &state, destroy).await.has_changes(), "seed {seed}");
    }
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_taken_as_made_when_it_is_exactly_the_planned_resource() {
    // AWS behaviour: a 5xx or a dropped connection after IAM made the policy
    // or role; the SDK's retry then meets EntityAlreadyExists.
    let cloud = sim();
    let d = desired(&[A]);
    let plan = plan_for(&cloud, &d, &State::new(), PlanOptions::default()).await;
    run(&cloud, &plan, &mut State::new(), pending()).await;

    let mut state = State::new();
    let outcome = run(&cloud, &plan, &mut state, pending()).await;
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(state.resources().len(), 3);
    assert!(plan_for(&cloud, &d, &state, PlanOptions::default()).await.changes.is_empty());
}

#[tokio::test]
async fn a_same_named_role_that_differs_from_the_planned_one_stays_a_conflict() {
    // AWS behaviour: CreateRole's EntityAlreadyExists for a role someone else made.
    let cloud = sim();
    let d = desired(&[A]);
    let plan = plan_for(&cloud, &d, &State::new(), PlanOptions::default()).await;
    let info = RoleInfo {
        name: "role".into(),
        arn: format!("arn:aws:iam::{A}:role/role"),
        trust: d.role.trust_document("someone-elses-id"),
        tags: Tags::default(),
        boundary: None,
        settings: Default::default(),
    };
    let theirs = SimRole::new(info, 0);
    cloud.world().accounts.entry(id(A)).or_default().roles.insert("role".into(), theirs);
    let outcome = run(&cloud, &plan, &mut State::new(), pending()).await;
    let failed: Vec<_> = outcome.failed.iter().map(|(_, e)| e.kind).collect();
    assert_eq!(failed, [crate::cloud::ErrorKind::AlreadyExists]);
}
