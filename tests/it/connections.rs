//! AWS as it serves: connections kept alive (moto behind waitress),
//! sessions that expire, throttling as a rate per service and caller.

use std::time::Duration;

use crate::support::fault_proxy::{Counts, Fault, FaultProxy, Rule};
use crate::support::moto::moto;
use crate::support::{radiant_config, Org, Test};

fn org_of(accounts: usize, ous: usize) -> Org {
    (0..accounts)
        .fold(Org::builder(), |org, i| org.account(&format!("member-{i:03}"), &format!("Team{}", i % ous)))
        .seed()
}

/// Runs in `t`'s directory (its configuration and state) with the calls
/// going through the proxy.
fn through(proxy: &FaultProxy, org: &Org, t: &Test) -> Test {
    Test::new(org).cwd(t.path("")).env("AWS_ENDPOINT_URL", &proxy.endpoint)
}

#[test]
fn an_organization_larger_than_the_open_file_limit_is_planned_and_applied() {
    // One connection pool for the run: the sockets open at once follow the
    // calls in flight, not the accounts.
    let org = org_of(140, 7);
    let t = Test::new(&org).config(&radiant_config("organization")).fd_limit(128);
    t.run(&["plan"]).code(0).stdout_has("Plan: 423 to add, 0 to change, 0 to destroy.");
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn an_apply_that_outlasts_its_sessions_assumes_the_roles_again_and_converges() {
    // AWS: an AssumeRole session ends at its Expiration; a call signed with
    // it afterwards gets ExpiredToken. Here sessions last 15 s (the SDK asks
    // for new credentials 10 s before they expire), and each write takes
    // 1.2 s: the last accounts' writes come well after their sessions end.
    let org = org_of(20, 4);
    let slow = |operation| Rule::new(Fault::Delay(Duration::from_millis(1200)), 1.0).operation(operation);
    let proxy = FaultProxy::start(
        &moto().endpoint,
        vec![
            Rule::new(Fault::Expire(Duration::from_secs(15)), 1.0),
            slow("CreatePolicy"),
            slow("CreateRole"),
            slow("AttachRolePolicy"),
        ],
    );
    let t = Test::new(&org).config(&radiant_config("organization"));
    let started = std::time::Instant::now();
    through(&proxy, &org, &t).run(&["apply", "--auto-approve", "--parallelism", "4"]).code(0);
    let took = started.elapsed();
    assert!(took > Duration::from_secs(15), "the apply did not outlast its sessions: {took:?}");
    assert_eq!(Counts::get(&proxy.counts.expired), 0, "a call was signed with an expired session");
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn under_a_rate_per_service_and_caller_the_apply_converges_and_offers_little_more_than_it_accepts() {
    // AWS throttles by rate: a token bucket per API and account. Here 10
    // calls/s per service and caller, so that the management account's
    // AssumeRole calls share one bucket, as on AWS.
    let org = org_of(40, 4);
    let proxy = FaultProxy::start(&moto().endpoint, vec![Rule::new(Fault::Bucket { rate: 4.0 }, 1.0)]);
    let t = Test::new(&org).config(&radiant_config("organization"));
    through(&proxy, &org, &t).run(&["apply", "--auto-approve"]).code(0);
    let (calls, throttled) = (Counts::get(&proxy.counts.calls), Counts::get(&proxy.counts.throttled));
    let per_success = throttled as f64 / (calls - throttled) as f64;
    eprintln!("{throttled} throttled of {calls} calls: {per_success:.2} per success");
    assert!(per_success <= 0.25, "{throttled} throttled of {calls} calls: {per_success:.2} per success");
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}
