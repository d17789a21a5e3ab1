//! StackSet mode against cloud/sim, for what the emulator cannot show:
//! operations that run for a while, one at a time; updates that make
//! instances OUTDATED; deletes by OU; account filters; instances that fail;
//! auto-deployment; the management account; CallAs.

use std::future::pending;
use std::time::Duration;

use super::tests::Discard;
use super::*;
use crate::cloud::sim::{SimCloud, World};
use crate::cloud::{DetailedStatus, InstanceStatus, Organization, StackSets, TrustedAccess};
use crate::config::{Desired, StackSetTargets, Template};
use crate::model::{AccountFilter, AccountId, CallAs};
use crate::observe::observe;
use crate::operation::testing::{converge, plan_for, store_of, Quiet};
use crate::operation::{Operation, OperationError};
use crate::plan::{Action, Plan, PlanOptions, Refusal, StackSetAction, StackSetConflict, StackSetReason};
use crate::state::{Deployment, State};
use crate::testing::{self, config, id, ous, stackset};

const MANAGEMENT: &str = "999999999999";
const A1: &str = "111111111111";
const A2: &str = "111111111112";
const B1: &str = "222222222221";
const Z1: &str = "333333333331";
const SUSPENDED: &str = "444444444441";
const NAME: &str = "radiant";
const REGION: &str = "us-east-1";

/// root ─ management; ou-a ─ A1, A2, SUSPENDED; ou-a/ou-b ─ B1; ou-z ─ Z1
fn organization() -> Organization {
    testing::organization(
        MANAGEMENT,
        &[("ou-a", "r-root"), ("ou-b", "ou-a"), ("ou-z", "r-root")],
        &[
            (A1, "ou-a", "ACTIVE"),
            (A2, "ou-a", "ACTIVE"),
            (SUSPENDED, "ou-a", "SUSPENDED"),
            (B1, "ou-b", "ACTIVE"),
            (Z1, "ou-z", "ACTIVE"),
        ],
    )
}

fn sim() -> SimCloud {
    let mut world = World::default();
    world.organization = Some(organization());
    // Operations stay RUNNING for two polls: apply must wait for them.
    world.stacksets.running_for = 2;
    SimCloud::new(id(MANAGEMENT), world)
}

async fn run(cloud: &SimCloud, plan: &Plan, state: &mut State, timeout: Duration) -> Outcome {
    let options = ApplyOptions { parallelism: 4, access_role: "OrganizationAccountAccessRole", timeout };
    apply(cloud, plan, &options, state, &Discard, &Quiet, pending()).await.unwrap()
}

/// The accounts with an instance, and whether each is CURRENT.
fn instances(cloud: &SimCloud) -> Vec<(AccountId, bool)> {
    let world = cloud.world();
    let Some(set) = world.stacksets.stack_set(NAME) else { return vec![] };
    set.instances.values().map(|i| (i.account.clone(), i.status == InstanceStatus::Current)).collect()
}

fn current(accounts: &[&str]) -> Vec<(AccountId, bool)> {
    let mut v: Vec<_> = accounts.iter().map(|a| (id(a), true)).collect();
    v.sort();
    v
}

/// A deployment of every account below `ou`, in REGION.
fn whole(ou: &str) -> Deployment {
    Deployment { ou: ou.into(), region: REGION.into(), accounts: vec![], filter: AccountFilter::None }
}

fn management_has_role(cloud: &SimCloud) -> bool {
    cloud.world().accounts.get(&id(MANAGEMENT)).is_some_and(|a| a.roles.contains_key("role"))
}

async fn assert_converged(cloud: &SimCloud, d: &Desired, state: &State) {
    let next = plan_for(cloud, d, state, PlanOptions::default()).await;
    assert!(!next.has_changes(), "not converged: {:#?}", next.stackset);
}

#[tokio::test(start_paused = true)]
async fn the_organization_gets_instances_at_any_depth_and_the_management_account_a_direct_role() {
    // AWS: a stack set on the root reaches every ACTIVE member below it at any
    // depth, never the management account, and skips suspended accounts.
    let cloud = sim();
    let d = stackset(StackSetTargets::Organization);
    let mut state = State::new();
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1, Z1]));
    assert!(management_has_role(&cloud));
    assert!(plan.skipped.iter().any(|s| s.account == id(SUSPENDED)));
    let record = state.stackset(NAME).unwrap();
    assert_eq!(record.deployed, [whole("r-root")]);
    assert!(record.pending.is_none());
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn each_account_filter_deploys_to_exactly_the_accounts_aws_would() {
    // AWS: AccountFilterType INTERSECTION, DIFFERENCE and UNION on ou-a (A1, A2, B1 below it).
    for (filter, expected) in [
        (AccountFilter::Intersection, vec![B1]),
        (AccountFilter::Difference, vec![A1, A2]),
        (AccountFilter::Union, vec![A1, A2, B1, Z1]),
    ] {
        let cloud = sim();
        let mut d = stackset(ous(&["ou-a"]));
        config(&mut d).accounts = vec![id(B1), id(Z1), id(MANAGEMENT), id(SUSPENDED)];
        config(&mut d).filter = filter;
        // UNION's Z1 outside ou-a is deployed through ou-z: auto-deployment would then reach all of ou-z.
        config(&mut d).auto_deployment = filter != AccountFilter::Union;
        let mut state = State::new();
        let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        assert!(outcome.complete(), "{filter:?}: {outcome:?}");
        assert_eq!(instances(&cloud), current(&expected), "{filter:?}");
        assert_converged(&cloud, &d, &state).await;
    }
}

#[tokio::test(start_paused = true)]
async fn union_beyond_the_ous_with_auto_deployment_is_refused_before_any_change() {
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    config(&mut d).accounts = vec![id(Z1)];
    config(&mut d).filter = AccountFilter::Union;
    let store = store_of(&mut State::new()).await;
    let op = Operation::new(&cloud, &d, &store, 4);
    let error = op.plan(&State::new(), PlanOptions::default()).await.unwrap_err();
    let refused = Refusal::UnionOutsideWithAutoDeployment(vec![id(Z1)]);
    assert!(matches!(&error, OperationError::Refused(r) if *r == refused), "{error}");
    assert!(error.to_string().contains(&format!("lists accounts outside the stack set's OUs ({Z1})")));
    assert!(cloud.world().stacksets.sets.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_external_id_change_updates_the_stack_set_and_its_instances_come_back_current() {
    // AWS: NoEcho parameters read back as ****; UpdateStackSet makes every
    // instance OUTDATED until its operation ends.
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;

    d.credential.external_id = "ext-2".into();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let steps: Vec<_> = plan.stackset_steps().collect();
    assert_eq!(steps.len(), 1, "{steps:#?}");
    assert!(matches!(steps[0].action, StackSetAction::Update { .. }));
    assert_eq!(steps[0].reasons, [StackSetReason::ExternalIdChanged]);
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(text.contains("~ external ID (value hidden)"), "{text}");
    assert!(!text.contains("ext-2"), "{text}");

    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    let sent = cloud.world().stacksets.stack_set(NAME).unwrap().spec.parameters.clone();
    assert_eq!(sent["ExternalId"], "ext-2");
    // The management account's direct role follows too.
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn an_ou_removed_from_the_configuration_has_its_instances_deleted() {
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a", "ou-z"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert_eq!(instances(&cloud), current(&[A1, A2, B1, Z1]));

    d.stackset.as_mut().unwrap().targets = ous(&["ou-a"]);
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let steps: Vec<_> = plan.stackset_steps().map(|s| &s.action).collect();
    assert!(
        matches!(steps.as_slice(), [StackSetAction::RemoveInstances { targets, regions, retain_stacks: false }]
            if targets.ous == ["ou-z"] && regions == &[REGION]),
        "{steps:#?}"
    );
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn an_operation_someone_else_started_is_waited_for_not_failed_on() {
    // AWS: one operation at a time per stack set; another call meanwhile gets
    // OperationInProgressException.
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let foreign = cloud.world().stacksets.start_foreign_operation(NAME, 3);

    d.credential.external_id = "ext-2".into();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert_eq!(plan.stackset.as_ref().unwrap().running.as_ref().unwrap().id, foreign);
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(text.contains(&format!("operation {foreign} (")), "{text}");
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    let refused = cloud.world().calls.iter().filter(|c| c.ends_with("cloudformation:UpdateStackSet")).count();
    assert_eq!(refused, 2, "the update was refused once, then made after the wait");
    let history = cloud.world().stacksets.history(NAME);
    let last: Vec<_> = history.iter().rev().take(2).map(|o| (o.id.as_str(), o.status.as_str())).collect();
    assert_eq!(last[1], (foreign.as_str(), "SUCCEEDED"));
    assert_eq!(last[0].1, "SUCCEEDED");
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_instance_is_reported_with_its_reason_and_repaired_by_a_later_run() {
    // AWS: an instance whose stack fails is OUTDATED with detailed status
    // FAILED and a StatusReason; with no failure tolerance the operation fails.
    let cloud = sim();
    let reason = "Resource handler returned message: \"Cannot exceed quota for RolesPerAccount: 1000\"";
    cloud.world().stacksets.fail_instance(&id(B1), REGION, reason);
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(!outcome.complete());
    let failed: Vec<_> =
        outcome.stackset.failed_instances.iter().map(|f| (f.account.clone(), f.reason.clone())).collect();
    assert_eq!(failed, [(Some(id(B1)), Some(reason.to_owned()))]);

    // The next plan shows the failed instance as drift, and the update repairs it.
    cloud.world().stacksets.failing.clear();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let reasons: Vec<_> = plan.stackset_steps().flat_map(|s| &s.reasons).collect();
    assert!(
        matches!(reasons.as_slice(), [StackSetReason::NotCurrent { instances }] if instances[0].account == id(B1)),
        "{reasons:#?}"
    );
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(text.contains(reason), "{text}");
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn destroy_removes_the_instances_the_stack_set_and_the_management_account_role() {
    let cloud = sim();
    let d = stackset(StackSetTargets::Organization);
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(management_has_role(&cloud));

    let destroy = PlanOptions { destroy: true, ..Default::default() };
    let (plan, outcome) = converge(&cloud, &d, &mut state, destroy).await;
    let steps: Vec<_> = plan.stackset_steps().map(|s| &s.action).collect();
    assert!(
        matches!(steps.as_slice(), [StackSetAction::RemoveInstances { .. }, StackSetAction::Delete]),
        "{steps:#?}"
    );
    assert!(outcome.complete(), "{outcome:?}");
    assert!(cloud.world().stacksets.stack_set(NAME).is_none());
    assert!(!management_has_role(&cloud));
    assert!(state.is_empty(), "{state:#?}");
    assert!(!plan_for(&cloud, &d, &state, destroy).await.has_changes());
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_operation_stays_in_state_and_a_rerun_completes_from_it() {
    let cloud = sim();
    cloud.world().stacksets.running_for = 50;
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(60)).await;
    let timed_out = outcome.stackset.timed_out.clone().expect("timed out");
    assert!(!outcome.complete());
    let pending_id = state.stackset(NAME).unwrap().pending.as_ref().map(|p| p.id.clone());
    assert_eq!(pending_id.as_deref(), Some(timed_out.as_str()));

    // The next run waits for it and records what it did before planning.
    let store = store_of(&mut state).await;
    let op = Operation::new(&cloud, &d, &store, 4);
    let waited = op.finish_pending(&mut state, Duration::from_secs(3600), &Quiet, pending()).await;
    assert_eq!(waited.unwrap(), None, "it ended");
    let record = state.stackset(NAME).unwrap();
    assert!(record.pending.is_none());
    assert_eq!(record.deployed, [whole("ou-a")]);
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    assert_converged(&cloud, &d, &state).await;
}

/// The sim as a delegated administrator's account (Z1) sees it.
fn delegated_admin(registered: bool) -> SimCloud {
    let mut world = World::default();
    world.organization = Some(organization());
    if registered {
        world.stacksets.delegated_admins.push(id(Z1));
    }
    SimCloud::new(id(Z1), world)
}

fn as_delegated_admin() -> Desired {
    let mut d = stackset(ous(&["ou-a"]));
    config(&mut d).call_as = CallAs::DelegatedAdmin;
    config(&mut d).management_account = false;
    d
}

#[tokio::test(start_paused = true)]
async fn a_delegated_administrator_passes_call_as_on_every_stacksets_call() {
    let cloud = delegated_admin(true);
    let d = as_delegated_admin();
    let mut state = State::new();
    let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_converged(&cloud, &d, &state).await;
    let destroy = PlanOptions { destroy: true, ..Default::default() };
    converge(&cloud, &d, &mut state, destroy).await;
    let calls = cloud.world().stacksets.call_as.clone();
    assert!(calls.len() > 10, "{calls:?}");
    assert!(calls.iter().all(|(_, c)| *c == CallAs::DelegatedAdmin), "{calls:?}");
}

/// AWS: "Account used is not a delegated administrator" (CallAs
/// DELEGATED_ADMIN from an account the management account did not
/// register); and the management account calls as itself.
#[tokio::test(start_paused = true)]
async fn a_caller_that_is_not_what_call_as_says_is_refused_before_any_change_with_what_to_run() {
    let unregistered = delegated_admin(false);
    let err = observe(&unregistered, &as_delegated_admin(), &State::new(), false, 4).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&format!("account {Z1} is not a delegated administrator")), "{text}");
    assert!(text.contains(&format!("aws organizations register-delegated-administrator --account-id {Z1} --service-principal member.org.stacksets.cloudformation.amazonaws.com")), "{text}");
    assert!(text.contains(&format!("in the management account {MANAGEMENT}")), "{text}");

    let management = sim();
    let err = observe(&management, &as_delegated_admin(), &State::new(), false, 4).await.unwrap_err();
    assert!(err.to_string().contains("set `call-as \"self\"`"), "{err}");

    let member = delegated_admin(true);
    let err = observe(&member, &stackset(ous(&["ou-a"])), &State::new(), false, 4).await.unwrap_err();
    assert!(err.to_string().contains("`call-as \"delegated-admin\"`"), "{err}");
    for cloud in [unregistered, management, member] {
        let calls = cloud.world().calls.clone();
        assert!(calls.iter().all(|c| !c.contains(":Create") && !c.contains(":Update")), "{calls:?}");
    }
}

/// A stack set on ou-a planned in an organization without trusted access.
async fn planned_without_trusted_access() -> (SimCloud, Desired, State, Plan) {
    let cloud = sim();
    cloud.world().stacksets.trusted_access = TrustedAccess::Disabled;
    let d = stackset(ous(&["ou-a"]));
    let state = State::new();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    (cloud, d, state, plan)
}

/// AWS: service-managed stack sets need CloudFormation's trusted access
/// with Organizations, which only the management account activates; a
/// new organization has it off.
#[tokio::test(start_paused = true)]
async fn trusted_access_off_is_activated_first_once_and_left_on_by_destroy() {
    let (cloud, d, mut state, plan) = planned_without_trusted_access().await;
    let actions: Vec<_> = plan.stackset_steps().map(|s| &s.action).collect();
    assert_eq!(actions[0], &StackSetAction::ActivateTrustedAccess);
    assert!(matches!(actions[1], StackSetAction::Create { .. }), "{actions:?}");
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(cloud.world().stacksets.trusted_access, TrustedAccess::Enabled);
    assert_converged(&cloud, &d, &state).await;

    let destroy = PlanOptions { destroy: true, ..Default::default() };
    let (plan, outcome) = converge(&cloud, &d, &mut state, destroy).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert!(plan.stackset_steps().all(|s| s.action != StackSetAction::ActivateTrustedAccess));
    assert_eq!(cloud.world().stacksets.trusted_access, TrustedAccess::Enabled);
    let activations =
        cloud.world().calls.iter().filter(|c| c.ends_with("ActivateOrganizationsAccess")).count();
    assert_eq!(activations, 1);
}

/// A plan saved while trusted access was off, applied after someone
/// activated it: nothing is activated again, the rest applies.
#[tokio::test(start_paused = true)]
async fn a_saved_activation_applies_when_access_was_turned_on_meanwhile() {
    let (cloud, d, mut state, plan) = planned_without_trusted_access().await;
    cloud.world().stacksets.trusted_access = TrustedAccess::Enabled;
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert!(!cloud.world().calls.iter().any(|c| c.ends_with("ActivateOrganizationsAccess")));
    assert_converged(&cloud, &d, &state).await;
}

/// A delegated administrator cannot activate trusted access: the plan says
/// who can and how, and changes nothing.
#[tokio::test(start_paused = true)]
async fn a_delegated_administrator_is_told_to_have_the_management_account_activate_trusted_access() {
    let cloud = delegated_admin(true);
    cloud.world().stacksets.trusted_access = TrustedAccess::Disabled;
    let plan = plan_for(&cloud, &as_delegated_admin(), &State::new(), PlanOptions::default()).await;
    assert!(plan.has_conflicts());
    let conflict = plan.stackset.as_ref().and_then(|s| s.conflict.clone());
    assert_eq!(conflict, Some(StackSetConflict::TrustedAccessOff { status: TrustedAccess::Disabled }));
    assert!(plan.stackset_steps().all(|s| s.action != StackSetAction::ActivateTrustedAccess));
}

#[tokio::test(start_paused = true)]
async fn accounts_joining_a_targeted_ou_are_covered_by_auto_deployment_or_by_the_next_apply() {
    const JOINER: &str = "555555555551";
    // AWS: with auto-deployment, an account moved into a targeted OU gets an
    // instance by itself; the plan stays empty.
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    cloud.world().join_account(&id(JOINER), "ou-b", "joiner");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1, JOINER]));
    assert_converged(&cloud, &d, &state).await;

    // Without it, the next plan finds the account without an instance and deploys it.
    config(&mut d).auto_deployment = false;
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    const LATE: &str = "555555555552";
    cloud.world().join_account(&id(LATE), "ou-a", "late");
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let reasons: Vec<_> = plan.stackset_steps().flat_map(|s| &s.reasons).collect();
    assert_eq!(reasons, [&StackSetReason::MissingInstances { accounts: vec![id(LATE)] }]);
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1, JOINER, LATE]));
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn a_stack_set_orgrole_did_not_make_is_a_conflict_unless_adopted() {
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    let mut spec = crate::stackset::spec(&d, d.stackset.as_ref().unwrap());
    spec.tags.clear();
    cloud.stacksets(CallAs::Caller).create(&spec).await.unwrap();
    let mut state = State::new();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert!(plan.has_conflicts());
    let adopt = PlanOptions { adopt: true, ..Default::default() };
    let (plan, outcome) = converge(&cloud, &d, &mut state, adopt).await;
    assert!(plan.stackset_steps().next().unwrap().reasons.contains(&StackSetReason::Adopted));
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn a_narrower_filter_removes_the_instances_it_no_longer_reaches() {
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));

    config(&mut d).accounts = vec![id(A2)];
    config(&mut d).filter = AccountFilter::Difference;
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let first = &plan.stackset_steps().next().unwrap().action;
    assert!(
        matches!(first, StackSetAction::RemoveInstances { targets, .. }
            if targets.accounts == [id(A2)] && targets.filter == AccountFilter::Intersection),
        "{first:#?}"
    );
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, B1]));
    assert_converged(&cloud, &d, &state).await;
}

/// AWS: "Automatic deployments do not consider account level targeting
/// filters": an account joining the OU gets an instance the filter leaves
/// out (not listed for INTERSECTION, listed for DIFFERENCE). It is removed
/// once, said so; AWS does not add it back, so the next plan is empty
/// (orgrole does not fight auto-deployment).
#[tokio::test(start_paused = true)]
async fn an_instance_auto_deployment_made_past_the_filter_is_removed_once_and_said_so() {
    const JOINER: &str = "555555555553";
    for filter in [AccountFilter::Intersection, AccountFilter::Difference] {
        let cloud = sim();
        let mut d = stackset(ous(&["ou-a"]));
        config(&mut d).accounts = vec![id(if filter == AccountFilter::Intersection { A1 } else { JOINER })];
        config(&mut d).filter = filter;
        let mut state = State::new();
        converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        let before = instances(&cloud);
        cloud.world().join_account(&id(JOINER), "ou-b", "joiner");
        assert!(instances(&cloud).iter().any(|(a, _)| *a == id(JOINER)), "AWS auto-deployed it");

        let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        let reasons: Vec<_> = plan.stackset_steps().flat_map(|s| &s.reasons).collect();
        assert_eq!(reasons, [&StackSetReason::AutoDeployedPastFilter { accounts: vec![id(JOINER)] }]);
        assert!(outcome.complete(), "{outcome:?}");
        assert_eq!(instances(&cloud), before);
        assert_converged(&cloud, &d, &state).await;
    }
}

#[tokio::test(start_paused = true)]
async fn instances_an_update_cannot_change_are_shown_not_planned_over_and_over() {
    // AWS: a suspended account's instance is SKIPPED_SUSPENDED_ACCOUNT, and
    // UpdateStackSet skips INOPERABLE instances (a delete that failed).
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    {
        let mut world = cloud.world();
        let set = world.stacksets.sets.get_mut(NAME).unwrap();
        let instance = |account: &str, status, detailed| crate::cloud::InstanceInfo {
            account: id(account),
            region: REGION.into(),
            ou: Some("ou-a".into()),
            status,
            detailed: Some(detailed),
            reason: None,
        };
        set.instances.insert(
            (id(SUSPENDED), REGION.into()),
            instance(SUSPENDED, InstanceStatus::Outdated, DetailedStatus::SkippedSuspendedAccount),
        );
        set.instances.insert(
            (id(A1), REGION.into()),
            instance(A1, InstanceStatus::Inoperable, DetailedStatus::Inoperable),
        );
    }
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert!(!plan.has_changes(), "{:#?}", plan.stackset);
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(text.contains(&format!("{A1} (acct-{A1}) us-east-1: INOPERABLE")), "{text}");
    assert!(text.contains("orgrole cannot repair it"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn the_state_never_holds_the_external_id_even_with_an_update_pending() {
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    d.credential.external_id = "ext-2-secret".into();
    cloud.world().stacksets.running_for = 50;
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(30)).await;
    assert!(outcome.stackset.timed_out.is_some(), "{outcome:?}");
    let text = crate::state::to_json(&state);
    assert!(text.contains("\"pending\""), "{text}");
    assert!(!text.contains("ext-2-secret") && !text.contains("ext-1"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn destroy_finds_a_stack_set_orgrole_made_but_never_recorded() {
    // A crash right after CreateStackSet, or a lost state: the stack set
    // carries orgrole's tag, and AWS names each instance's OU.
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    converge(&cloud, &d, &mut State::new(), PlanOptions::default()).await;
    let mut lost = State::new();
    let destroy = PlanOptions { destroy: true, ..Default::default() };
    let (plan, outcome) = converge(&cloud, &d, &mut lost, destroy).await;
    let steps: Vec<_> = plan.stackset_steps().map(|s| &s.action).collect();
    assert!(
        matches!(steps.as_slice(), [StackSetAction::RemoveInstances { .. }, StackSetAction::Delete]),
        "{steps:#?}"
    );
    assert!(outcome.complete(), "{outcome:?}");
    assert!(cloud.world().stacksets.stack_set(NAME).is_none());
}

#[tokio::test(start_paused = true)]
async fn the_vendors_template_diff_shows_neither_the_old_nor_the_new_external_id() {
    let cloud = sim();
    let mut d = stackset(ous(&["ou-a"]));
    let template = |description: &str| Template::File {
        path: "rs_iam_role.yml".into(),
        body: format!(
            "Condition:\n  sts:ExternalId:\n    - \"${{RS_CREDENTIAL_ID}}\"\nDescription: {description}\n"
        ),
    };
    config(&mut d).template = template("v1");
    d.credential.external_id = "old-secret-1".into();
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;

    config(&mut d).template = template("v2");
    d.credential.external_id = "new-secret-2".into();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(
        text.contains("- template Description: v1") && text.contains("+ template Description: v2"),
        "{text}"
    );
    let json = crate::render::plan_json(&plan).to_string();
    let markdown = crate::render::plan_markdown(&plan);
    for rendered in [&text, &json, &markdown] {
        assert!(!rendered.contains("old-secret-1") && !rendered.contains("new-secret-2"), "{rendered}");
    }
}

#[tokio::test(start_paused = true)]
async fn destroy_also_drops_a_suspended_accounts_instance_so_the_stack_set_can_go() {
    // AWS: deletes by OU skip suspended accounts; their instances go only
    // with RetainStacks (AWS cannot act in the account), else
    // DeleteStackSet is refused as not empty.
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let suspended = crate::cloud::InstanceInfo {
        account: id(SUSPENDED),
        region: REGION.into(),
        ou: Some("ou-a".into()),
        status: InstanceStatus::Current,
        detailed: Some(DetailedStatus::Succeeded),
        reason: None,
    };
    let key = (id(SUSPENDED), REGION.to_owned());
    cloud.world().stacksets.sets.get_mut(NAME).unwrap().instances.insert(key, suspended);

    let destroy = PlanOptions { destroy: true, ..Default::default() };
    let (plan, outcome) = converge(&cloud, &d, &mut state, destroy).await;
    let kept: Vec<_> = plan
        .stackset_steps()
        .filter_map(|s| match &s.action {
            StackSetAction::RemoveInstances { targets, retain_stacks: true, .. } => {
                Some(targets.accounts.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(kept, [vec![id(SUSPENDED)]]);
    assert!(outcome.complete(), "{outcome:?}");
    assert!(cloud.world().stacksets.stack_set(NAME).is_none());
    assert!(state.is_empty(), "{state:#?}");
}

#[tokio::test(start_paused = true)]
async fn narrowing_the_organization_to_an_ou_and_back_never_deletes_the_staying_accounts_instances() {
    let cloud = sim();
    let mut d = stackset(StackSetTargets::Organization);
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;

    config(&mut d).targets = ous(&["ou-a"]);
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let removed: Vec<_> = plan
        .stackset_steps()
        .filter_map(|s| match &s.action {
            StackSetAction::RemoveInstances { targets, .. } => {
                Some((targets.ous.clone(), targets.accounts.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(removed, [(vec!["r-root".to_owned()], vec![id(Z1)])]);
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1]));
    assert_converged(&cloud, &d, &state).await;

    config(&mut d).targets = StackSetTargets::Organization;
    let (plan, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(
        !plan.stackset_steps().any(|s| matches!(s.action, StackSetAction::RemoveInstances { .. })),
        "{:#?}",
        plan.stackset
    );
    assert!(outcome.complete(), "{outcome:?}");
    assert_eq!(instances(&cloud), current(&[A1, A2, B1, Z1]));
    assert_converged(&cloud, &d, &state).await;
}

#[tokio::test(start_paused = true)]
async fn a_stacks_role_changed_by_hand_is_seen_and_put_back_without_a_stack_set_operation() {
    // AWS: a stack instance stays CURRENT whatever is done to its resources,
    // and deploying the same template again changes nothing there.
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    let (_, outcome) = converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_converged(&cloud, &d, &state).await;
    let policy_arn = id(A1).iam_arn("aws", "policy/policy");
    {
        let mut world = cloud.world();
        let role = world.accounts.get_mut(&id(A1)).unwrap().roles.get_mut("role").unwrap();
        role.inline.insert("admin".into(), crate::testing::document(&["*"]));
        role.attached.retain(|a| *a != policy_arn);
        role.attached.push("arn:aws:iam::aws:policy/AdministratorAccess".into());
        role.info.trust = d.role.trust_document("someone-elses-id");
        world.accounts.get_mut(&id(A2)).unwrap().roles.clear();
    }
    let operations = cloud.world().stacksets.history(NAME).len();
    let plan = plan_for(&cloud, &d, &state, PlanOptions::default()).await;
    assert!(plan.stackset_steps().next().is_none(), "{:#?}", plan.stackset);
    let changes: Vec<(String, Action)> =
        plan.changes.iter().map(|c| (c.address.to_string(), c.action)).collect();
    assert_eq!(
        changes,
        [
            (format!("account/{A1}/role/role"), Action::Update),
            (format!("account/{A1}/attachment/role/policy"), Action::Create),
            (format!("account/{A2}/role/role"), Action::Create),
            (format!("account/{A2}/attachment/role/policy"), Action::Create),
        ]
    );
    assert!(plan.changes.iter().all(|c| c.stack_set.as_deref() == Some(NAME) && c.drift));
    let text = crate::render::plan_text(&plan, crate::render::Paint { enabled: false });
    assert!(text.contains("- inline policy admin, not in the configuration (allows *)"), "{text}");
    assert!(text.contains("~ external ID (value hidden)"), "{text}");
    let problems: Vec<String> =
        crate::verify::problems(&plan)[&id(A1)].iter().map(crate::render::problem_text).collect();
    assert!(problems.iter().any(|p| p.contains("AdministratorAccess")), "{problems:?}");

    let recorded = state.clone();
    let outcome = run(&cloud, &plan, &mut state, Duration::from_secs(3600)).await;
    assert!(outcome.complete(), "{outcome:?}");
    assert_converged(&cloud, &d, &state).await;
    assert_eq!(state.resources(), recorded.resources(), "a stack's resources are not orgrole's to record");
    assert_eq!(cloud.world().stacksets.history(NAME).len(), operations, "no stack set operation");
    let world = cloud.world();
    let role = &world.accounts[&id(A1)].roles["role"];
    assert!(role.inline.is_empty() && role.attached == [policy_arn], "{role:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rebuilt_state_holds_the_management_accounts_role_not_what_the_stacks_made() {
    // The stacks' roles carry orgrole's tag (the template's), but they are CloudFormation's.
    let cloud = sim();
    let d = stackset(ous(&["ou-a"]));
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let observed = observe(&cloud, &d, &State::new(), false, 4).await.unwrap();
    assert!(observed.accounts.contains_key(&id(A1)), "the stack set's accounts are read");
    let rebuilt = crate::rebuild::rebuild(&d, &observed);
    let accounts: std::collections::BTreeSet<_> =
        rebuilt.resources().iter().map(|r| &r.address.account).collect();
    assert_eq!(accounts, [&id(MANAGEMENT)].into());
}
