//! plan_stackset on data: what each combination of configuration, stack
//! set found, record in state and trusted access plans.

use super::*;
use crate::cloud::{InstanceStatus, Organization, StackSetInfo};
use crate::model::{AccountFilter, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use crate::observe::ObservedStackSet;
use crate::plan::parameters_fingerprint;
use crate::state::{Deployment, StackSetRecord};
use crate::targets::Resolution;
use crate::testing::{self, id, ous};

const NAME: &str = "radiant";
const A: &str = "111111111111";
const MANAGEMENT: &str = "999999999999";
const LINEAGE: &str = "lineage-1";

fn organization() -> Organization {
    testing::organization(MANAGEMENT, &[("ou-a", "r-root")], &[(A, "ou-a", "ACTIVE")])
}

/// What was found, built up by each case.
#[derive(Clone, Copy)]
enum Found {
    Nothing,
    /// Made by someone else: no managed-by tag.
    Untagged,
    /// As orgrole made it from the configuration, with A's instance.
    AsConfigured,
}

struct Case {
    name: &'static str,
    configured: bool,
    found: Found,
    recorded: bool,
    trusted_access: TrustedAccess,
    call_as: CallAs,
    adopt: bool,
    destroy: bool,
    steps: &'static [&'static str],
    conflict: Option<StackSetConflict>,
}

/// Configured, nothing found or recorded, trusted access on, as the management account.
fn base() -> Case {
    Case {
        name: "",
        configured: true,
        found: Found::Nothing,
        recorded: false,
        trusted_access: TrustedAccess::Enabled,
        call_as: CallAs::Caller,
        adopt: false,
        destroy: false,
        steps: &[],
        conflict: None,
    }
}

fn kind(action: &StackSetAction) -> &'static str {
    match action {
        StackSetAction::ActivateTrustedAccess => "activate",
        StackSetAction::Create { .. } => "create",
        StackSetAction::Update { .. } => "update",
        StackSetAction::AddInstances { .. } => "add",
        StackSetAction::RemoveInstances { .. } => "remove",
        StackSetAction::Delete => "delete",
        StackSetAction::Forget => "forget",
    }
}

fn deployed() -> Deployment {
    Deployment {
        ou: "ou-a".into(),
        region: "us-east-1".into(),
        accounts: vec![],
        filter: AccountFilter::None,
    }
}

fn plan_case(case: &Case) -> Option<StackSetPlan> {
    let mut d = testing::stackset(ous(&["ou-a"]));
    testing::config(&mut d).call_as = case.call_as;
    let config = d.stackset.clone().expect("configured above");
    let spec = crate::stackset::spec(&d, &config);
    let parameters = parameters_fingerprint(LINEAGE, &spec.parameters);
    let org = organization();
    let units = vec!["ou-a".to_owned()];
    let expected =
        crate::stackset::expected(&crate::stackset::deployment_targets(&config, units.clone()), &org)
            .expect("ou-a is known");
    let mut tags = spec.tags.clone();
    let info = |tags: crate::model::Tags| StackSetInfo {
        id: format!("{NAME}:1"),
        template_body: spec.template_body.clone(),
        parameters: spec.parameters.keys().map(|k| (k.clone(), "****".to_owned())).collect(),
        tags,
        auto_deployment: Some(spec.auto_deployment),
        managed_execution: false,
    };
    let (info, instances) = match case.found {
        Found::Nothing => (None, vec![]),
        Found::Untagged => {
            tags.remove(MANAGED_BY_KEY);
            (Some(info(tags)), vec![])
        }
        Found::AsConfigured => {
            tags.insert(MANAGED_BY_KEY.into(), MANAGED_BY_VALUE.into());
            let instance = InstanceInfo {
                account: id(A),
                region: "us-east-1".into(),
                ou: Some("ou-a".into()),
                status: InstanceStatus::Current,
                detailed: None,
                reason: None,
            };
            (Some(info(tags)), vec![instance])
        }
    };
    let observed = ObservedStackSet {
        name: NAME.into(),
        call_as: case.call_as,
        info,
        instances,
        running: None,
        trusted_access: (case.configured && !case.destroy).then_some(case.trusted_access),
        units: if case.configured && !case.destroy { units } else { vec![] },
        expected: if case.configured && !case.destroy { expected } else { Resolution::default() },
    };
    let record = case.recorded.then(|| StackSetRecord {
        name: NAME.into(),
        id: format!("{NAME}:1"),
        call_as: case.call_as,
        parameters: parameters.clone(),
        auto_deployment: spec.auto_deployment,
        deployed: vec![deployed()],
        pending: None,
    });
    let wanted = StackSetWanted {
        config: &config,
        spec: spec.clone(),
        external_id: &d.credential.external_id,
        parameters,
    };
    let wanted = (case.configured && !case.destroy).then_some(&wanted);
    plan_stackset(wanted, &observed, record.as_ref(), Some(&org), case.adopt, case.destroy)
}

#[test]
fn each_combination_of_configuration_stack_set_and_record_plans_its_steps() {
    let cases = [
        Case { name: "new", steps: &["create", "add"], ..base() },
        Case {
            name: "new, trusted access off: activated first",
            trusted_access: TrustedAccess::Disabled,
            steps: &["activate", "create", "add"],
            ..base()
        },
        Case {
            name: "trusted access off, as a delegated administrator: only the management account can",
            trusted_access: TrustedAccess::DisabledPermanently,
            call_as: CallAs::DelegatedAdmin,
            steps: &["create", "add"],
            conflict: Some(StackSetConflict::TrustedAccessOff { status: TrustedAccess::DisabledPermanently }),
            ..base()
        },
        Case {
            name: "someone else's stack set of the name",
            found: Found::Untagged,
            conflict: Some(StackSetConflict::NotOwned { id: format!("{NAME}:1") }),
            ..base()
        },
        Case {
            name: "someone else's, adopted",
            found: Found::Untagged,
            adopt: true,
            steps: &["update", "add"],
            ..base()
        },
        Case { name: "as configured", found: Found::AsConfigured, recorded: true, ..base() },
        Case {
            name: "removed from the configuration",
            configured: false,
            found: Found::AsConfigured,
            recorded: true,
            steps: &["remove", "delete"],
            ..base()
        },
        Case {
            name: "destroyed",
            found: Found::AsConfigured,
            recorded: true,
            destroy: true,
            steps: &["remove", "delete"],
            ..base()
        },
        Case { name: "recorded, gone", configured: false, recorded: true, steps: &["forget"], ..base() },
    ];
    for case in &cases {
        let plan = plan_case(case).unwrap_or_else(|| panic!("{}: a plan", case.name));
        let steps: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
        assert_eq!((steps.as_slice(), &plan.conflict), (case.steps, &case.conflict), "{}", case.name);
    }
}

#[test]
fn with_nothing_configured_found_or_recorded_there_is_no_stack_set_to_plan() {
    assert!(plan_case(&Case { name: "nothing", configured: false, ..base() }).is_none());
}
