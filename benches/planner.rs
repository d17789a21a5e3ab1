//! The planner alone, pure, on data: 10,000 accounts, cold (everything to
//! create), no-op (everything in place and in state) and with drift in one
//! account of ten, plus rendering each plan (text, Markdown) and the
//! organization's status (text) from it.
//! `cargo bench --bench planner [-- ACCOUNTS]` (targets at 10,000 accounts:
//! a plan in under 100 ms, each rendering in under 200 ms).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use orgrole::cloud::{AccountState, Caller, OrgAccount, OrgUnit, Organization, PolicyInfo, RoleInfo};
use orgrole::config::Desired;
use orgrole::model::AccountId;
use orgrole::observe::{AccountResources, AccountView, Observed, ObservedPolicy, ObservedRole};
use orgrole::plan::{fingerprint, plan, Plan, PlanOptions};
use orgrole::render::{plan_markdown, plan_text, status_text, Paint};
use orgrole::state::{State, StateResource};
use orgrole::targets::Resolution;

/// Accounts, unless given as the first argument (`-- 2000`).
const ACCOUNTS: u64 = 10_000;
const RUNS: usize = 7;
const TARGET: Duration = Duration::from_millis(100);
const RENDER_TARGET: Duration = Duration::from_millis(200);

const CONFIG: &str = r#"
credential "AWS API Credentials" { external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11"; }
role "radiant-aws-api-access-role" {
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "radiant-aws-api-access-policy" preset="radiant"
    tags { owner "secops"; }
}
direct { organization; }
"#;

fn main() {
    // `cargo test` runs this too, without `--bench`: a quick check that it still works.
    let timed = std::env::args().any(|a| a == "--bench");
    let size = std::env::args().find_map(|a| a.parse().ok()).unwrap_or(if timed { ACCOUNTS } else { 100 });
    let desired = orgrole::config::parse("bench.kdl", CONFIG, Path::new("."), &|_| None)
        .expect("the bench's configuration is valid")
        .desired;
    let accounts: Vec<AccountId> =
        (0..size).map(|i| AccountId::parse(&format!("{:012}", 100_000_000_000 + i)).unwrap()).collect();
    let empty = observed(&accounts, |_| AccountResources::default());
    let cold = plan(&desired, &empty, &State::new(), PlanOptions::default());
    let state = state_after(&cold);
    let in_place = observed(&accounts, |a| deployed(&desired, a, "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11"));
    let drifted = observed(&accounts, |a| {
        let external_id = if a.as_str().ends_with('7') {
            "changed-by-hand"
        } else {
            "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11"
        };
        deployed(&desired, a, external_id)
    });

    println!("planner, {size} accounts, best and median of {RUNS} runs");
    let mut worst = Duration::ZERO;
    let mut worst_render = Duration::ZERO;
    for (name, observed, state) in
        [("cold", &empty, &State::new()), ("no-op", &in_place, &state), ("drift 10%", &drifted, &state)]
    {
        let (planned, best, median) = time(|| plan(&desired, observed, state, PlanOptions::default()));
        let (_, text, _) = time(|| plan_text(&planned, Paint { enabled: false }));
        let (markdown_plan, markdown, _) = time(|| plan_markdown(&planned));
        let (_, status, _) = time(|| {
            let status = orgrole::status::status(observed, &planned).expect("an organization");
            status_text(&status, false, Paint { enabled: false })
        });
        worst = worst.max(best);
        worst_render = worst_render.max(text).max(markdown).max(status);
        println!(
            "  {name:<10} plan {best:>9.2?} (median {median:>9.2?}), {:>5} changes; rendering: text {text:>9.2?}, Markdown {markdown:>9.2?} ({} characters), status {status:>9.2?}",
            planned.changes.len(),
            markdown_plan.len()
        );
    }
    if timed && size == ACCOUNTS {
        let verdict = if worst < TARGET { "within" } else { "OVER" };
        println!("slowest plan {worst:.2?}: {verdict} the {TARGET:?} target");
        let verdict = if worst_render < RENDER_TARGET { "within" } else { "OVER" };
        println!("slowest rendering {worst_render:.2?}: {verdict} the {RENDER_TARGET:?} target");
    }
}

/// Best and median wall time of `RUNS` runs, and the last result.
fn time<T>(mut f: impl FnMut() -> T) -> (T, Duration, Duration) {
    let mut times = Vec::with_capacity(RUNS);
    let mut result = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        result = Some(std::hint::black_box(f()));
        times.push(start.elapsed());
    }
    times.sort();
    (result.expect("RUNS > 0"), times[0], times[RUNS / 2])
}

/// The accounts in 20 OUs below the root, the management account at the root.
fn organization(accounts: &[AccountId], management: &AccountId) -> Organization {
    let member = |id: &AccountId, parent: String| OrgAccount {
        id: id.clone(),
        name: format!("account-{id}"),
        email: String::new(),
        state: AccountState::Active,
        parent,
        arn: String::new(),
        joined_method: "CREATED".into(),
        joined: String::new(),
    };
    Organization {
        id: "o-bench".into(),
        management_account: management.clone(),
        root: "r-root".into(),
        units: (0..20)
            .map(|i| OrgUnit { id: format!("ou-{i}"), name: format!("unit {i}"), parent: "r-root".into() })
            .collect(),
        accounts: std::iter::once(member(management, "r-root".into()))
            .chain(accounts.iter().enumerate().map(|(i, a)| member(a, format!("ou-{}", i % 20))))
            .collect(),
    }
}

fn observed(accounts: &[AccountId], resources: impl Fn(&AccountId) -> AccountResources) -> Observed {
    let management = AccountId::parse("999999999999").unwrap();
    Observed {
        caller: Caller {
            arn: management.iam_arn("aws", "user/bench"),
            account: management.clone(),
            partition: "aws".into(),
        },
        organization: Some(organization(accounts, &management)),
        resolution: Resolution {
            targets: accounts.iter().map(|a| (a.clone(), format!("account-{a}"))).collect(),
            skipped: vec![],
        },
        accounts: accounts.iter().map(|a| (a.clone(), AccountView::Read(resources(a)))).collect(),
        stackset: None,
    }
}

/// The role and policy as orgrole makes them, with the given external ID.
fn deployed(desired: &Desired, account: &AccountId, external_id: &str) -> AccountResources {
    let role = &desired.role;
    let tags = desired.role.managed_tags();
    let policy_arn = account.iam_arn("aws", &format!("policy/{}", role.policy_name));
    let policy = ObservedPolicy {
        info: PolicyInfo {
            name: role.policy_name.clone(),
            arn: policy_arn.clone(),
            default_version: "v1".into(),
            tags: tags.clone(),
        },
        document: role.policy.clone(),
    };
    let observed_role = ObservedRole {
        info: RoleInfo {
            name: role.name.clone(),
            arn: account.iam_arn("aws", &format!("role/{}", role.name)),
            trust: role.trust_document(external_id),
            tags,
            boundary: None,
            settings: role.direct_settings(),
        },
        attached: vec![policy_arn],
        inline: BTreeMap::new(),
    };
    AccountResources {
        roles: BTreeMap::from([(role.name.clone(), observed_role)]),
        policies: BTreeMap::from([(role.policy_name.clone(), policy)]),
    }
}

/// The state an apply of `plan` leaves.
fn state_after(plan: &Plan) -> State {
    let mut state = State::new();
    for change in &plan.changes {
        state.upsert(StateResource {
            address: change.address.clone(),
            arn: change.arn.clone(),
            applied: Some(fingerprint(change.after.as_ref())),
        });
    }
    state
}
