//! The pipeline on the sim, as the CLI runs it on AWS: the lock, saved
//! plans, approval, and what is refused before anything changes.

use std::future::pending;
use std::path::Path;
use std::time::Duration;

use super::testing::{converge, plan_for, store_of, Approve, Quiet};
use super::*;
use crate::cloud::sim::{SimCloud, World};
use crate::model::{AutoDeployment, CallAs};
use crate::plan::Refusal;
use crate::saved_plan::Stale;
use crate::state::StackSetRecord;
use crate::testing::{config, desired, id, organization, ous, stackset};

const A: &str = "111111111111";
const MANAGEMENT: &str = "999999999999";

fn request(saved: Option<SavedPlan>, approved: bool) -> Request {
    Request {
        saved,
        options: PlanOptions::default(),
        approved,
        timeout: Duration::from_secs(600),
        lock_timeout: Duration::ZERO,
    }
}

/// Says no, or cannot be asked.
struct Refuse(Approval);

impl Review for Refuse {
    fn show(&mut self, _: &Plan) {}

    fn approve(&mut self) -> Approval {
        self.0
    }
}

#[tokio::test]
async fn without_approval_nothing_changes_and_the_lock_is_given_back() {
    let cloud = SimCloud::new(id(MANAGEMENT), World::default());
    let d = desired(&[A]);
    let store = store_of(&mut State::new()).await;
    let op = Operation::new(&cloud, &d, &store, 4);
    for (answer, ended) in [(Approval::No, "Cancelled"), (Approval::CannotAsk, "CannotAsk")] {
        let ran = op.run(request(None, false), &mut Refuse(answer), &Quiet, pending()).await.unwrap();
        assert_eq!(format!("{ran:?}"), ended);
    }
    assert!(cloud.world().accounts.get(&id(A)).is_none_or(|a| a.roles.is_empty()), "nothing was created");
    // Approved, the same run applies: no lock was left behind.
    let ran = op.run(request(None, false), &mut Approve::default(), &Quiet, pending()).await.unwrap();
    assert!(matches!(ran, Ran::Applied { ref outcome, reached_all: true } if outcome.complete()), "{ran:?}");
    assert!(!plan_for(&cloud, &d, &op.load().await.unwrap(), PlanOptions::default()).await.has_changes());
}

#[tokio::test]
async fn a_run_holding_the_lock_keeps_another_out() {
    let cloud = SimCloud::new(id(MANAGEMENT), World::default());
    let d = desired(&[A]);
    let store = store_of(&mut State::new()).await;
    let op = Operation::new(&cloud, &d, &store, 4);
    let held = store.lock("apply", Duration::ZERO).await.unwrap();
    let error = op.run(request(None, true), &mut Approve::default(), &Quiet, pending()).await.unwrap_err();
    assert!(matches!(&error, OperationError::State(StateError::Locked(holder)) if holder.id == held.id));
    assert!(cloud.world().calls.is_empty(), "refused before reading anything: {:?}", cloud.world().calls);
}

#[tokio::test]
async fn a_saved_plan_is_refused_once_an_account_it_touches_changed() {
    let cloud = SimCloud::new(id(MANAGEMENT), World::default());
    let d = desired(&[A]);
    let mut state = State::new();
    let store = store_of(&mut state).await;
    let op = Operation::new(&cloud, &d, &store, 4);
    let plan = op.plan(&state, PlanOptions::default()).await.unwrap().1;
    let saved = SavedPlan::new(plan, Path::new("orgrole.kdl"), &d, &state, d.access_role());

    // Someone makes the role by hand after the plan was reviewed.
    let mut other = State::new();
    converge(&cloud, &desired(&[A]), &mut other, PlanOptions::default()).await;
    let ran = op.run(request(Some(saved.clone()), false), &mut Refuse(Approval::No), &Quiet, pending()).await;
    let stale = match ran.unwrap() {
        Ran::Stale(stale) => stale,
        other => panic!("applied a stale plan: {other:?}"),
    };
    assert!(stale.iter().any(
        |s| matches!(s, Stale::Resource { address } if address.kind == crate::model::ResourceKind::Role)
    ));
}

/// root ─ management; ou-a ─ A
fn organization_world() -> World {
    let mut world = World::default();
    world.organization = Some(organization(MANAGEMENT, &[("ou-a", "r-root")], &[(A, "ou-a", "ACTIVE")]));
    world
}

fn with_stackset(name: &str) -> Desired {
    let mut d = stackset(ous(&["ou-a"]));
    config(&mut d).name = name.into();
    config(&mut d).management_account = false;
    d
}

/// Decided on the organization, the state and the stack set, before any
/// account is read (at 10,000 accounts, the reads are the cost): each is
/// refused with nothing read in the accounts and nothing changed.
#[tokio::test(start_paused = true)]
async fn what_cannot_be_planned_is_refused_before_any_change() {
    // A direct target the stack set also reaches.
    let overlap = Desired { direct: desired(&[A]).direct, ..with_stackset("radiant") };
    // A stack set renamed in the configuration after orgrole made another.
    let mut made = State::new();
    made.set_stackset(StackSetRecord {
        name: "radiant".into(),
        id: "radiant:1".into(),
        call_as: CallAs::Caller,
        parameters: String::new(),
        auto_deployment: AutoDeployment { enabled: true, retain_stacks: false },
        deployed: vec![],
        pending: None,
    });
    let cases = [
        (overlap, State::new(), Refusal::Overlap(vec![(id(A), format!("acct-{A}"))])),
        (
            with_stackset("renamed"),
            made,
            Refusal::StackSetRenamed { recorded: "radiant".into(), configured: "renamed".into() },
        ),
    ];
    for (d, state, refused) in cases {
        let cloud = SimCloud::new(id(MANAGEMENT), organization_world());
        let store = store_of(&mut state.clone()).await;
        let op = Operation::new(&cloud, &d, &store, 4);
        let error =
            op.run(request(None, true), &mut Approve::default(), &Quiet, pending()).await.unwrap_err();
        assert!(matches!(&error, OperationError::Refused(r) if *r == refused), "{error}");
        let calls = cloud.world().calls.clone();
        assert!(!calls.iter().any(|c| c.contains("iam:")), "an account was read: {calls:?}");
        assert!(
            cloud.world().stacksets.sets.is_empty()
                && cloud.world().accounts.values().all(|a| a.roles.is_empty())
        );
    }
}
