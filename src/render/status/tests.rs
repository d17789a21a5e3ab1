//! status on the sim: coverage as each account has it, and large OUs summarised.

use super::*;
use crate::cloud::sim::{SimCloud, World};
use crate::config::{Desired, DirectTargets};
use crate::observe::observe;
use crate::operation::testing::converge;
use crate::plan::{plan, PlanOptions};
use crate::render::Paint;
use crate::state::State;
use crate::status::status;
use crate::testing::{desired, id, organization};

const MANAGEMENT: &str = "999999999999";

/// root ─ management; ou-big ─ 30 members; ou-small ─ 2 members.
fn world() -> World {
    let big: Vec<String> = (0..30).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
    let mut accounts: Vec<(&str, &str, &str)> =
        big.iter().map(|a| (a.as_str(), "ou-big", "ACTIVE")).collect();
    accounts.extend([("200000000001", "ou-small", "ACTIVE"), ("200000000002", "ou-small", "SUSPENDED")]);
    let mut world = World::default();
    world.organization =
        Some(organization(MANAGEMENT, &[("ou-big", "r-root"), ("ou-small", "r-root")], &accounts));
    world
}

fn organization_wide() -> Desired {
    let targets = DirectTargets {
        organization: true,
        access_role: "OrganizationAccountAccessRole".into(),
        ..Default::default()
    };
    Desired { direct: Some(targets), ..desired(&[]) }
}

async fn status_of(cloud: &SimCloud, d: &Desired, state: &State) -> crate::status::Status {
    let observed = observe(cloud, d, state, false, 4).await.unwrap();
    let p = plan(d, &observed, state, PlanOptions::default());
    status(&observed, &p).expect("an organization")
}

#[tokio::test]
async fn a_large_ou_is_counted_and_only_its_accounts_to_look_at_are_listed_unless_all() {
    let cloud = SimCloud::new(id(MANAGEMENT), world());
    let d = organization_wide();
    let mut state = State::new();
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    // Someone deletes the role in one account of the large OU.
    let drifted = id("100000000007");
    cloud.world().accounts.get_mut(&drifted).unwrap().roles.clear();

    let s = status_of(&cloud, &d, &state).await;
    assert!(!s.in_sync());
    let text = status_text(&s, false, Paint { enabled: false });
    assert!(text.contains("ou-big (ou-big): 30 accounts: 29 in sync, 1 drifted"), "{text}");
    let listed: Vec<&str> = text.lines().filter(|l| l.contains("1000000000")).collect();
    assert_eq!(listed.len(), 1, "only the drifted account of the large OU:\n{text}");
    assert!(listed[0].contains("~ 100000000007") && listed[0].contains("drifted: role role"), "{text}");
    assert!(text.contains("· 200000000002 (acct-200000000002): account is SUSPENDED"), "{text}");
    let all = status_text(&s, true, Paint { enabled: false });
    assert_eq!(all.lines().filter(|l| l.contains("1000000000")).count(), 30, "{all}");
    // JSON never summarises.
    let json = status_json(&s);
    assert_eq!(json["root"]["units"][0]["accounts"].as_array().unwrap().len(), 30);
    assert_eq!(s.accounts().count(), 33);
}

#[tokio::test]
async fn targets_that_are_missing_or_drifted_make_the_status_fail_and_others_do_not() {
    let cloud = SimCloud::new(id(MANAGEMENT), world());
    // Only ou-small: the large OU's accounts are not targets.
    let targets = DirectTargets {
        ous: vec!["ou-small".into()],
        access_role: "OrganizationAccountAccessRole".into(),
        ..Default::default()
    };
    let d = Desired { direct: Some(targets), ..desired(&[]) };
    let mut state = State::new();
    let before = status_of(&cloud, &d, &state).await;
    let coverage = |s: &crate::status::Status, account: &str| {
        s.accounts().find(|a| a.id == id(account)).map(|a| kind(&a.coverage)).unwrap()
    };
    assert_eq!(coverage(&before, "200000000001"), "missing");
    assert_eq!(coverage(&before, "100000000000"), "not targeted");
    assert!(!before.in_sync());
    converge(&cloud, &d, &mut state, PlanOptions::default()).await;
    let after = status_of(&cloud, &d, &state).await;
    assert_eq!(coverage(&after, "200000000001"), "in sync");
    assert_eq!(coverage(&after, "200000000002"), "inactive");
    assert!(after.in_sync(), "suspended and untargeted accounts do not count");
    let markdown = status_markdown(&after, false);
    assert!(markdown.contains("<details open><summary>Root (<code>r-root</code>)"), "{markdown}");
    assert!(status_mermaid(&after, false)
        .contains("a200000000001[\"200000000001 (acct-200000000001)<br/>in sync\"]:::in_sync"));
}
