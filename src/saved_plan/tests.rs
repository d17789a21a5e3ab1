//! Every saved plan format reads (tests/fixtures/saved-plan-format-*.json),
//! and a plan written is read back as it was.

use std::path::{Path, PathBuf};

use super::*;
use crate::cloud::AccountState;
use crate::plan::{Action, ResourceValue};
use crate::targets::SkipReason;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// What a plan holds, all of it.
fn shown(plan: &Plan) -> String {
    format!("{plan:#?}")
}

#[test]
fn a_plan_saved_before_roles_carried_their_other_policies_still_reads() {
    let saved = SavedPlan::read(&fixture("saved-plan-format-1-before-other-policies.json")).unwrap();
    let change = &saved.plan.changes[0];
    assert_eq!((change.action, change.stack_set.as_deref()), (Action::Update, None));
    let Some(ResourceValue::Role { other, .. }) = &change.before else { panic!("a role") };
    assert!(other.is_empty());
    assert_eq!(
        own_policy_arn(&State::new(), &change.address, &change.arn, "p"),
        "arn:aws:iam::111111111111:policy/p"
    );
}

#[test]
fn a_plan_of_format_1_reads_with_its_skip_reasons_as_data() {
    let saved = SavedPlan::read(&fixture("saved-plan-format-1.json")).unwrap();
    let suspended = AccountState::from_api("SUSPENDED");
    let reasons: Vec<_> = saved.plan.skipped.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(
        reasons,
        [
            SkipReason::Inactive { state: suspended.clone() },
            SkipReason::Excluded,
            SkipReason::NotMember { organization: "o-test".into() },
            SkipReason::LeftWithResources,
            SkipReason::InactiveForStackSets { state: suspended },
        ]
    );
    let stackset = saved.plan.stackset.as_ref().expect("a stack set plan");
    assert_eq!(stackset.steps.len(), 4);
    assert!(stackset.running.is_some() && !stackset.instances.is_empty());
    assert!(!saved.plan.kept.is_empty());
    // Format 2's fixture holds the same plan, made by the same run, and
    // format 3's begins with it.
    let format_2 = SavedPlan::read(&fixture("saved-plan-format-2.json")).unwrap();
    assert_eq!(shown(&saved.plan), shown(&format_2.plan));
    let mut format_3 = SavedPlan::read(&fixture("saved-plan-format-3.json")).unwrap().plan;
    format_3.changes.truncate(saved.plan.changes.len());
    format_3.account_names.retain(|a, _| saved.plan.account_names.contains_key(a));
    assert_eq!(shown(&saved.plan), shown(&format_3));
}

#[test]
fn a_plan_of_format_3_holds_a_replacement_and_the_role_settings() {
    let plan = SavedPlan::read(&fixture("saved-plan-format-3.json")).unwrap().plan;
    let replaced = plan.changes.iter().find(|c| c.action == Action::Replace).expect("a replacement");
    let Some(ResourceValue::Role { settings, other, .. }) = &replaced.after else { panic!("a role") };
    assert_eq!((settings.path.as_str(), settings.max_session_duration), ("/vendor/", 7200));
    assert_eq!(other.boundary.as_deref(), Some("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    assert!(plan.changes.iter().any(|c| c.reasons == [crate::plan::Reason::RoleReplaced]));
}

#[test]
fn a_plan_of_format_2_reads_its_roles_with_the_settings_orgrole_gave_them_then() {
    let saved = SavedPlan::read(&fixture("saved-plan-format-2.json")).unwrap();
    let roles = saved.plan.changes.iter().flat_map(|c| [&c.before, &c.after]).flatten();
    for value in roles {
        if let ResourceValue::Role { settings, .. } = value {
            assert!(settings.made_by_orgrole_before_options(), "{settings:?}");
        }
    }
}

#[test]
fn a_plan_of_format_3_reads_and_is_written_again_byte_for_byte() {
    let path = fixture("saved-plan-format-3.json");
    let saved = SavedPlan::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("plan.bin");
    saved.write(&written).unwrap();
    assert_eq!(std::fs::read_to_string(written).unwrap(), std::fs::read_to_string(path).unwrap());
}

#[test]
fn a_plan_written_reads_back_as_it_was() {
    let mut plan = SavedPlan::read(&fixture("saved-plan-format-1.json")).unwrap().plan;
    // What the fixtures' run did not make: a repair of what a stack's role became.
    let mut repair = plan.changes[1].clone();
    repair.stack_set = Some("radiant".into());
    plan.changes.push(repair);
    let desired = crate::testing::desired(&["111111111111"]);
    let saved = SavedPlan::new(plan, Path::new("orgrole.kdl"), &desired, &State::new(), "Reader");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    saved.write(&path).unwrap();
    let read = SavedPlan::read(&path).unwrap();
    assert_eq!(shown(&read.plan), shown(&saved.plan));
    assert_eq!(crate::render::plan_json(&read.plan), crate::render::plan_json(&saved.plan));
    assert_eq!(
        (read.created, read.config, read.config_digest, read.state_lineage, read.access_role),
        (saved.created, saved.config, saved.config_digest, saved.state_lineage, saved.access_role)
    );
}

#[test]
fn a_plan_of_a_newer_format_or_of_none_is_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    std::fs::write(&path, r#"{"format_version": 4, "plan": "whatever it became"}"#).unwrap();
    assert!(matches!(SavedPlan::read(&path), Err(SavedPlanError::Newer { found: 4, .. })));
    std::fs::write(&path, r#"{"format_version": 0}"#).unwrap();
    let error = SavedPlan::read(&path).unwrap_err();
    assert!(error.to_string().contains("there is no plan format 0"), "{error}");
    std::fs::write(&path, r#"{"plan": {}}"#).unwrap();
    assert!(matches!(SavedPlan::read(&path), Err(SavedPlanError::Format { .. })));
}

#[test]
fn a_plan_of_format_1_with_a_skip_reason_orgrole_never_wrote_is_refused() {
    let text = std::fs::read_to_string(fixture("saved-plan-format-1.json")).unwrap();
    let edited = text.replace("\"account is SUSPENDED\"", "\"account is on holiday\"");
    assert_ne!(edited, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.bin");
    std::fs::write(&path, edited).unwrap();
    let error = SavedPlan::read(&path).unwrap_err();
    assert!(matches!(error, SavedPlanError::SkipReason { .. }), "{error}");
    assert!(error.to_string().contains("`account is on holiday`"), "{error}");
}
