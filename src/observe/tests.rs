//! observe() on the sim: what it reads for each kind of configuration and
//! state, and whom it refuses before reading anything.

use super::*;
use crate::cloud::sim::{SimCloud, World};

use crate::state::StateResource;
use crate::testing::{self, config, desired, id, organization, ous};

const MANAGEMENT: &str = "999999999999";
const A: &str = "111111111111";
const B: &str = "222222222222";
const GONE: &str = "333333333333";

/// root ─ management; ou-a ─ A, B; GONE suspended
fn world() -> World {
    let accounts = [(A, "ou-a", "ACTIVE"), (B, "ou-a", "ACTIVE"), (GONE, "ou-a", "SUSPENDED")];
    let mut world = World::default();
    world.organization = Some(organization(MANAGEMENT, &[("ou-a", "r-root")], &accounts));
    world
}

fn stackset(call_as: CallAs) -> Desired {
    let mut d = testing::stackset(ous(&["ou-a"]));
    config(&mut d).call_as = call_as;
    d
}

/// A state recording a role in each account.
fn recorded(accounts: &[&str]) -> State {
    let mut state = State::new();
    for a in accounts {
        let address = Address::role(&id(a), "role");
        state.upsert(StateResource { address, arn: format!("arn:aws:iam::{a}:role/role"), applied: None });
    }
    state
}

/// The accounts whose IAM was read.
fn read(cloud: &SimCloud) -> BTreeSet<String> {
    let world = cloud.world();
    let read = world.calls.iter().filter(|c| c.ends_with("iam:GetRole"));
    read.map(|c| c.split(' ').next().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn each_configuration_reads_its_targets_and_the_accounts_its_state_names() {
    let all_of_ou_a = Desired {
        direct: Some(DirectTargets {
            ous: vec!["ou-a".into()],
            access_role: "OrganizationAccountAccessRole".into(),
            ..Default::default()
        }),
        ..desired(&[])
    };
    let cases: [(&str, Desired, State, bool, &[&str]); 5] = [
        ("listed accounts", desired(&[A]), State::new(), false, &[A]),
        ("an OU: its ACTIVE accounts", all_of_ou_a, State::new(), false, &[A, B]),
        (
            "the state's accounts too, but not a suspended one",
            desired(&[A]),
            recorded(&[B, GONE]),
            false,
            &[A, B],
        ),
        ("destroying: only the state's", desired(&[A]), recorded(&[B]), true, &[B]),
        (
            "StackSet mode: the management account, directly",
            stackset(CallAs::Caller),
            State::new(),
            false,
            &[MANAGEMENT],
        ),
    ];
    for (name, d, state, destroy, expected) in cases {
        let cloud = SimCloud::new(id(MANAGEMENT), world());
        let observed = observe(&cloud, &d, &state, destroy, 4).await.unwrap();
        let expected: BTreeSet<String> = expected.iter().map(|a| a.to_string()).collect();
        assert_eq!(read(&cloud), expected, "{name}");
        assert_eq!(
            observed.accounts.keys().map(|a| a.to_string()).collect::<BTreeSet<_>>(),
            expected,
            "{name}"
        );
    }
}

#[tokio::test]
async fn explicit_accounts_need_no_organization() {
    let cloud = SimCloud::new(id(MANAGEMENT), World::default());
    cloud.world().fail(&id(MANAGEMENT), "organizations:DescribeOrganization", "AccessDenied");
    let observed = observe(&cloud, &desired(&[A]), &State::new(), false, 4).await.unwrap();
    assert!(observed.organization.is_none());
    assert_eq!(observed.resolution.targets.keys().collect::<Vec<_>>(), [&id(A)]);
}

/// AWS: only the management account calls StackSets as itself, and only a
/// registered delegated administrator as one; a member may not even read
/// the organization. Each is refused before any StackSets call.
#[tokio::test]
async fn callers_stacksets_would_refuse_are_refused_before_any_stacksets_call() {
    let cases = [
        (MANAGEMENT, CallAs::DelegatedAdmin, false, Some(MANAGEMENT)),
        (A, CallAs::Caller, false, Some(MANAGEMENT)),
        (A, CallAs::DelegatedAdmin, true, None),
    ];
    for (caller, call_as, organization_denied, management) in cases {
        let cloud = SimCloud::new(id(caller), world());
        if organization_denied {
            cloud.world().fail(&id(caller), "organizations:DescribeOrganization", "AccessDenied");
        }
        let error = observe(&cloud, &stackset(call_as), &State::new(), false, 4).await.unwrap_err();
        let ObserveError::NotStackSetsAdmin { account, management: m, call_as: c } = error else {
            panic!("{caller} as {call_as:?}: {error}")
        };
        assert_eq!((account, m, c), (id(caller), management.map(id), call_as));
        assert!(
            !cloud.world().calls.iter().any(|c| c.contains("cloudformation:")),
            "{caller} as {call_as:?}"
        );
    }
}
