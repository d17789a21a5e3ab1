//! The state lock, and an interrupted apply that a re-run completes.

use std::io::{BufRead, BufReader, Read};
use std::process::Command;

use serde_json::json;

use crate::support::{radiant_config, Org, Test};

#[test]
fn a_held_lock_refuses_a_second_apply_until_force_unlocked() {
    let org = Org::builder().account("a", "").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{}""#, org.id("a"))));
    std::fs::create_dir_all(t.path("state")).unwrap();
    let holder = json!({"id": "4f0c1a52-0000-4000-8000-000000000001", "operation": "apply", "who": "ci@runner-7",
        "pid": 4242, "created": "2026-11-28T10:00:00Z", "version": "0.1.0", "path": "state/orgrole.state.json"});
    std::fs::write(t.path("state/orgrole.state.json.lock"), holder.to_string()).unwrap();

    t.run(&["apply", "--auto-approve"])
        .code(1)
        .stderr_has("ci@runner-7")
        .stderr_has("orgrole force-unlock 4f0c1a52-0000-4000-8000-000000000001");
    assert!(org.iam("a").role("radiant-aws-api-access-role").is_none());
    t.run(&["force-unlock", "not-the-id"]).code(1);
    t.run(&["force-unlock", "4f0c1a52-0000-4000-8000-000000000001"]).code(0).stdout_has("ci@runner-7");
    t.run(&["apply", "--auto-approve"]).code(0);
    assert!(!t.path("state/orgrole.state.json.lock").exists(), "apply left its lock behind");
}

#[test]
fn an_interrupted_apply_saves_what_it_did_and_a_rerun_converges() {
    let mut builder = Org::builder();
    for i in 0..8 {
        builder = builder.account(&format!("member-{i}"), "Fleet");
    }
    let org = builder.seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Fleet"))));

    let mut child = t.spawn(&["apply", "--auto-approve", "--parallelism", "1"]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains("Creation complete") {
            Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
            break;
        }
        line.clear();
    }
    stdout.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("Interrupted:"), "{seen}");

    let saved = t.state_json()["resources"].as_array().unwrap().len();
    assert!((1..24).contains(&saved), "{saved} resources saved");
    t.run(&["plan"]).code(0).stdout_has(&format!("Plan: {} to add", 24 - saved));
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn applies_killed_at_random_points_leave_a_readable_state_and_an_explained_lock_and_a_rerun_converges() {
    let mut builder = Org::builder();
    for i in 0..30 {
        builder = builder.account(&format!("member-{i:02}"), "Fleet");
    }
    let org = builder.seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Fleet"))));
    let lock = t.path("state/orgrole.state.json.lock");
    // Kill points spread over the run, varied from one test run to the next.
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64;
    let delays: Vec<u64> = (0..4).map(|k| 80 + (seed / (k + 1) * 7919 + k * 131) % 500).collect();
    let mut killed_mid_run = 0;
    for delay in &delays {
        let mut child = t.spawn(&["apply", "--auto-approve", "--parallelism", "2"]);
        std::thread::sleep(std::time::Duration::from_millis(*delay));
        let _ = child.kill(); // SIGKILL: no cleanup at all
        let _ = child.wait();
        if let Ok(text) = std::fs::read_to_string(t.path("state/orgrole.state.json")) {
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| {
                panic!("the state is not readable after a kill at {delay} ms: {e}\n{text}")
            });
        }
        if lock.exists() {
            killed_mid_run += 1;
            let holder: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
            let id = holder["id"].as_str().unwrap().to_owned();
            t.run(&["apply", "--auto-approve"])
                .code(1)
                .stderr_has("is locked by")
                .stderr_has("operation `apply`")
                .stderr_has(&format!("orgrole force-unlock {id}"));
            t.run(&["force-unlock", &id]).code(0);
        }
    }
    assert!(killed_mid_run > 0, "no kill landed during a run (delays {delays:?} ms)");
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    assert_eq!(t.state_json()["resources"].as_array().unwrap().len(), 90, "kill delays {delays:?} ms");
}
