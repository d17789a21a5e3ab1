//! AWS on a bad day, through the fault proxy in front of the emulator:
//! throttling, 5xx answers (some after the call took effect), and an account
//! that keeps failing. moto itself never throttles nor fails.

use std::time::Duration;

use crate::support::fault_proxy::{Counts, Fault, FaultProxy, Rule};
use crate::support::moto::moto;
use crate::support::{radiant_config, Org, Test};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";

fn org_of(accounts: usize) -> Org {
    (0..accounts)
        .fold(Org::builder(), |org, i| org.account(&format!("member-{i:02}"), &format!("Team{}", i % 5)))
        .seed()
}

/// Runs in `t`'s directory (its configuration and state) with the calls
/// going through the proxy.
fn through(proxy: &FaultProxy, org: &Org, t: &Test) -> Test {
    Test::new(org).cwd(t.path("")).env("AWS_ENDPOINT_URL", &proxy.endpoint)
}

/// AWS throttles (`Throttling`, `TooManyRequestsException`), fails with
/// 500/503 (sometimes after having made the change), drops connections and
/// answers slowly; the SDK's retries and orgrole's steps must converge with
/// nothing made twice.
#[test]
fn under_throttling_and_5xx_plan_and_apply_converge_without_duplicates_and_report_retries() {
    let org = org_of(50);
    let proxy = FaultProxy::start(
        &moto().endpoint,
        vec![
            Rule::new(Fault::Throttle, 0.10),
            Rule::new(Fault::ServerError(503), 0.02),
            Rule::new(Fault::ServerError(500), 0.01),
            Rule::new(Fault::LostAnswer, 0.02),
            Rule::new(Fault::Drop, 0.01),
            Rule::new(Fault::Delay(Duration::from_millis(20)), 0.10),
        ],
    );
    let t = Test::new(&org).config(&radiant_config("organization"));
    let through_proxy = through(&proxy, &org, &t);

    through_proxy
        .run(&["plan"])
        .code(0)
        .stdout_has("Plan: 153 to add, 0 to change, 0 to destroy.")
        .stderr_has("Retried ");
    through_proxy
        .run(&["apply", "--auto-approve"])
        .code(0)
        .stdout_has("Apply complete! Resources: 153 added, 0 changed, 0 destroyed.")
        .stderr_has("Retried ");
    assert!(Counts::get(&proxy.counts.throttled) > 30, "{:?}", proxy.counts);
    assert!(Counts::get(&proxy.counts.server_errors) > 0, "{:?}", proxy.counts);
    assert!(Counts::get(&proxy.counts.lost_answers) > 0, "{:?}", proxy.counts);
    assert!(Counts::get(&proxy.counts.dropped) > 0, "{:?}", proxy.counts);

    // Straight to the emulator: nothing left to do, and one of each thing per account.
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    for name in org.accounts.keys().map(String::as_str).chain(["management"]) {
        let iam = org.iam(name);
        assert_eq!(iam.role_names().iter().filter(|r| *r == ROLE).count(), 1, "{name}");
        assert_eq!(iam.policy_version_count(POLICY), 1, "{name}: policy versions");
        assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)], "{name}");
    }
}

/// One account whose access role cannot be assumed (STS keeps answering
/// 503): the others are deployed, that account is named with the error, and
/// a later run finishes it.
#[test]
fn a_persistently_failing_account_is_reported_while_the_others_complete() {
    let org = org_of(4);
    let broken = org.id("member-02").to_owned();
    let proxy = FaultProxy::start(
        &moto().endpoint,
        vec![Rule::new(Fault::ServerError(503), 1.0)
            .service("sts")
            .operation("AssumeRole")
            .body_contains(&broken)],
    );
    let t = Test::new(&org).config(&radiant_config("organization"));
    let through_proxy = through(&proxy, &org, &t);

    let apply = through_proxy.run(&["apply", "--auto-approve"]).code(1);
    assert!(apply.stderr.contains(&broken) || apply.stdout.contains(&broken), "{}", apply.stderr);
    for name in ["management", "member-00", "member-01", "member-03"] {
        assert!(org.iam(name).role(ROLE).is_some(), "{name} has no role");
    }
    assert!(org.iam("member-02").role(ROLE).is_none());

    t.run(&["plan"]).code(0).stdout_has("Plan: 3 to add, 0 to change, 0 to destroy.");
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}
