//! State in S3 (moto's, which enforces If-None-Match and If-Match on
//! PutObject): locking between runs, writers that lost their lock, moving
//! state, and state rebuilt from the accounts.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::org::{block_on, sdk};
use crate::support::{radiant_config, Org, Test};

const KEY: &str = "orgrole/prod.json";
const ROLE: &str = "radiant-aws-api-access-role";

fn with_s3_state(org: &Org, direct: &str, bucket: &str) -> Test {
    let config = radiant_config(direct) + &format!("state {{ s3 bucket=\"{bucket}\" key=\"{KEY}\"; }}\n");
    Test::new(org).config(&config)
}

#[test]
fn a_second_apply_is_refused_naming_the_holder_and_a_waiting_one_runs_after() {
    let mut builder = Org::builder();
    for i in 0..8 {
        builder = builder.account(&format!("m{i}"), "Fleet");
    }
    let org = builder.seed();
    let bucket = org.bucket();
    let t = with_s3_state(&org, &format!(r#"ou "{}""#, org.ou("Fleet")), &bucket.name);

    let first = t.spawn(&["apply", "--auto-approve", "--parallelism", "1"]);
    // Wait until the first run holds the lock object.
    let deadline = Instant::now() + Duration::from_secs(30);
    let holder: Value = loop {
        if let Some(lock) = bucket.get(&format!("{KEY}.lock")) {
            break serde_json::from_str(&lock).unwrap();
        }
        assert!(Instant::now() < deadline, "the first apply never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    };
    let waiting = t.spawn(&["apply", "--auto-approve", "--lock-timeout", "60s"]);
    t.run(&["apply", "--auto-approve"])
        .code(1)
        .stderr_has(&format!("s3://{}/{KEY} is locked by", bucket.name))
        .stderr_has(&format!("orgrole force-unlock {}", holder["id"].as_str().unwrap()));

    let first =
        crate::support::test::Run::from(first.wait_with_output().unwrap(), &["apply (first)"]).code(0);
    assert!(first.stdout.contains("Apply complete! Resources: 24 added"), "{}", first.stdout);
    let waited =
        crate::support::test::Run::from(waiting.wait_with_output().unwrap(), &["apply (waiting)"]).code(0);
    assert!(
        waited.stdout.contains("No changes."),
        "the waiting run did not see the first one's work:\n{}",
        waited.stdout
    );
    assert!(bucket.get(&format!("{KEY}.lock")).is_none(), "a lock was left behind");
    assert!(bucket.versions(KEY) >= 24, "each step's state is a version of the object");
}

#[test]
fn a_writer_whose_lock_was_removed_cannot_overwrite_the_newer_state() {
    use orgrole::state::{LockInfo, RemoteState, StateError};
    let org = Org::builder().seed();
    let bucket = org.bucket();
    let config = sdk(org.credentials.clone());
    let remote = || {
        let objects = orgrole::cloud::aws::S3Objects::new(&config, &bucket.name, None);
        RemoteState::new(objects, format!("s3://{}/{KEY}", bucket.name), KEY.to_owned())
    };
    let (a, b) = (remote(), remote());
    block_on(async {
        let held = a.lock().acquire(LockInfo::new("apply", a.url()), Duration::ZERO).await.unwrap();
        let mut a_state = a.load().await.unwrap();
        a.save(&mut a_state).await.unwrap();
        assert!(matches!(
            b.lock().acquire(LockInfo::new("apply", b.url()), Duration::ZERO).await,
            Err(StateError::Locked(_))
        ));

        // Someone force-unlocks the first run's lock, and a second run writes.
        b.lock().force_remove(&held.id).await.unwrap();
        b.lock().acquire(LockInfo::new("apply", b.url()), Duration::ZERO).await.unwrap();
        let mut b_state = b.load().await.unwrap();
        b.save(&mut b_state).await.unwrap();

        // The first run, unaware, tries to write: S3 refuses (If-Match).
        assert!(matches!(a.save(&mut a_state).await, Err(StateError::Overtaken { .. })));
    });
    let stored: Value = serde_json::from_str(&bucket.get(KEY).unwrap()).unwrap();
    assert_eq!(stored["serial"], 2, "the second run's state stands");
}

#[test]
fn state_moves_between_a_file_and_s3_and_refuses_to_replace_another_state() {
    let org = Org::builder().account("a", "").seed();
    let bucket = org.bucket();
    let url = format!("s3://{}/{KEY}", bucket.name);
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{}""#, org.id("a"))));
    t.run(&["apply", "--auto-approve"]).code(0);
    let local = t.state_json();

    t.run(&["state", "push", "state/orgrole.state.json", "--state", &url]).code(0);
    let pulled: Value =
        serde_json::from_str(&t.run(&["state", "pull", "--state", &url]).code(0).stdout).unwrap();
    assert_eq!(pulled["lineage"], local["lineage"]);
    assert_eq!(pulled["resources"], local["resources"]);
    t.run(&["state", "list", "--state", &url])
        .code(0)
        .stdout_has(&format!("account/{}/role/{ROLE}", org.id("a")));

    // A state of another lineage is not pushed over it, unless forced.
    let other = t.path("other.json");
    std::fs::write(
        &other,
        serde_json::json!({"format_version": 1, "lineage": "another", "serial": 9,
        "orgrole_version": "0.1.0", "resources": []})
        .to_string(),
    )
    .unwrap();
    t.run(&["state", "push", "other.json", "--state", &url]).code(1).stderr_has("another one (lineage");
    // Nor an older state of the same lineage.
    let mut older = local.clone();
    older["serial"] = 0.into();
    std::fs::write(&other, older.to_string()).unwrap();
    t.run(&["state", "push", "other.json", "--state", &url]).code(1).stderr_has("the stored state is newer");
    t.run(&["state", "push", "other.json", "--state", &url, "--force"]).code(0);
}

#[test]
fn a_lost_state_is_rebuilt_from_the_tags_and_destroy_then_removes_exactly_that() {
    let org = Org::builder().account("a", "Team").account("b", "Team").seed();
    let bucket = org.bucket();
    let t = with_s3_state(&org, &format!(r#"ou "{}""#, org.ou("Team")), &bucket.name);
    t.run(&["apply", "--auto-approve"]).code(0);
    let before: Value = serde_json::from_str(&bucket.get(KEY).unwrap()).unwrap();

    // With the state gone, a plan would only record what carries orgrole's tag.
    bucket.delete(KEY);
    t.run(&["plan"]).code(0).stdout_has("6 changes in state only");
    t.run(&["state", "rebuild"]).code(0).stdout_has("Wrote a new state (new lineage) with 6 resource(s)");
    let after: Value = serde_json::from_str(&bucket.get(KEY).unwrap()).unwrap();
    assert_ne!(after["lineage"], before["lineage"]);
    let addresses = |v: &Value| {
        v["resources"].as_array().unwrap().iter().map(|r| r["address"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(addresses(&after), addresses(&before));
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["state", "rebuild"]).code(1).stderr_has("still records 6 resource(s)");

    t.run(&["destroy", "--auto-approve"]).code(0).stdout_has("6 destroyed");
    assert!(org.iam("a").role(ROLE).is_none() && org.iam("b").role(ROLE).is_none());
}
