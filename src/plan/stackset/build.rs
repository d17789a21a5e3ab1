//! The stack set's steps: a pure function of the configuration, what was
//! found and what state recorded.

use std::collections::{BTreeMap, BTreeSet};

use super::{InstanceView, StackSetAction, StackSetPlan, StackSetReason, StackSetStep, Will};
use crate::cloud::{
    AutoDeployment, DeploymentTargets, InstanceInfo, InstanceStatus, Organization, StackSetInfo, StackSetSpec,
};
use crate::config::StackSetConfig;
use crate::model::{AccountId, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use crate::observe::ObservedStackSet;
use crate::plan::{fingerprint_text, tag_changes};
use crate::stackset::{expected, mask_external_id, EXTERNAL_ID_PARAMETER};
use crate::state::StackSetRecord;

/// AWS shows NoEcho parameter values as this.
const MASKED: &str = "****";

/// The stack set the configuration asks for.
pub struct StackSetWanted<'a> {
    pub config: &'a StackSetConfig,
    pub spec: StackSetSpec,
}

/// `None` when there is no stack set to speak of: none configured, found
/// or recorded.
pub fn plan_stackset(
    wanted: Option<&StackSetWanted>,
    observed: &ObservedStackSet,
    record: Option<&StackSetRecord>,
    org: Option<&Organization>,
    adopt: bool,
    destroy: bool,
) -> Option<StackSetPlan> {
    if wanted.is_none() && record.is_none() {
        return None;
    }
    let mut plan = StackSetPlan {
        name: observed.name.clone(),
        id: observed.info.as_ref().map(|i| i.id.clone()),
        call_as: wanted.map(|w| w.config.call_as).or(record.map(|r| r.call_as)).expect("one of them is set"),
        preferences: wanted.map(|w| w.config.preferences.clone()).unwrap_or_default(),
        steps: vec![],
        instances: vec![],
        running: observed.running.clone(),
        conflict: None,
    };
    let steps = &mut plan.steps;
    match (wanted, &observed.info) {
        (None, None) => steps.push(step(StackSetAction::Forget, vec![StackSetReason::AlreadyGone], vec![])),
        (None, Some(_)) => {
            let why = if destroy { StackSetReason::Destroy } else { StackSetReason::NotTargeted };
            let record = record.expect("checked above");
            removal(record, observed, org, why.clone(), steps);
            steps.push(step(StackSetAction::Delete, vec![why], vec![]));
        }
        (Some(w), None) => {
            steps.push(step(
                StackSetAction::Create { spec: w.spec.clone() },
                vec![StackSetReason::New],
                vec![],
            ));
            let everything = groups(&observed.units, &w.config.regions);
            additions(w, &everything, org, vec![StackSetReason::New], steps);
        }
        (Some(w), Some(info)) => {
            let owned = info.tags.get(MANAGED_BY_KEY).is_some_and(|v| v == MANAGED_BY_VALUE);
            if record.is_none() && !owned && !adopt {
                plan.conflict = Some(format!(
                    "stack set {} ({}) exists but orgrole did not create it: it has no managed-by=orgrole tag and is not in the state. To take it over, review `orgrole plan --adopt`, then run `orgrole apply --adopt`; or choose another name in the configuration.",
                    observed.name, info.id
                ));
            } else {
                existing(w, info, record, observed, org, owned, steps);
            }
        }
    }
    plan.instances = instance_views(&plan, wanted, observed);
    Some(plan)
}

fn step(action: StackSetAction, reasons: Vec<StackSetReason>, accounts: Vec<AccountId>) -> StackSetStep {
    StackSetStep { action, reasons, accounts }
}

/// (OU, region) pairs, sorted.
fn groups(units: &[String], regions: &[String]) -> BTreeSet<(String, String)> {
    units.iter().flat_map(|u| regions.iter().map(move |r| (u.clone(), r.clone()))).collect()
}

/// The groups as operations: one per set of regions sharing the same OUs.
fn by_regions(groups: &BTreeSet<(String, String)>) -> Vec<(Vec<String>, Vec<String>)> {
    let mut ous_by_region: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (ou, region) in groups {
        ous_by_region.entry(region).or_default().push(ou.clone());
    }
    let mut regions_by_ous: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (region, ous) in ous_by_region {
        regions_by_ous.entry(ous).or_default().push(region.to_owned());
    }
    regions_by_ous.into_iter().collect()
}

fn reached(targets: &DeploymentTargets, org: Option<&Organization>) -> Vec<AccountId> {
    org.and_then(|o| expected(targets, o).ok()).map(|r| r.targets.into_keys().collect()).unwrap_or_default()
}

fn additions(
    w: &StackSetWanted,
    added: &BTreeSet<(String, String)>,
    org: Option<&Organization>,
    reasons: Vec<StackSetReason>,
    steps: &mut Vec<StackSetStep>,
) {
    for (ous, regions) in by_regions(added) {
        let targets = crate::stackset::deployment_targets(w.config, ous);
        let accounts = reached(&targets, org);
        steps.push(step(StackSetAction::AddInstances { targets, regions }, reasons.clone(), accounts));
    }
}

/// DeleteStackInstances for every OU and region deployed (recorded, or
/// found through an instance), with the filter they were created with.
fn removal(
    record: &StackSetRecord,
    observed: &ObservedStackSet,
    org: Option<&Organization>,
    why: StackSetReason,
    steps: &mut Vec<StackSetStep>,
) {
    let mut deployed: BTreeSet<(String, String)> = record.deployed.iter().cloned().collect();
    deployed.extend(observed.instances.iter().filter_map(|i| Some((i.ou.clone()?, i.region.clone()))));
    remove_groups(record, &deployed, org, why, steps);
}

fn remove_groups(
    record: &StackSetRecord,
    groups: &BTreeSet<(String, String)>,
    org: Option<&Organization>,
    why: StackSetReason,
    steps: &mut Vec<StackSetStep>,
) {
    for (ous, regions) in by_regions(groups) {
        let targets = DeploymentTargets { ous, ..record.targets.clone() };
        let accounts = reached(&targets, org);
        steps.push(step(StackSetAction::RemoveInstances { targets, regions }, vec![why.clone()], accounts));
    }
}

/// The stack set exists and is orgrole's (or adopted): update what
/// differs, add and remove targets, repair instances that drifted.
fn existing(
    w: &StackSetWanted,
    info: &StackSetInfo,
    record: Option<&StackSetRecord>,
    observed: &ObservedStackSet,
    org: Option<&Organization>,
    owned: bool,
    steps: &mut Vec<StackSetStep>,
) {
    let mut reasons = match record {
        Some(record) => differences(&w.spec, info, record),
        // Not recorded: set it to the configuration, and record it.
        None => vec![if owned { StackSetReason::Unrecorded } else { StackSetReason::Adopted }],
    };
    let not_current: Vec<InstanceInfo> = observed
        .instances
        .iter()
        .filter(|i| i.status != InstanceStatus::Current || i.detailed.as_deref() == Some("FAILED"))
        .cloned()
        .collect();
    if !not_current.is_empty() {
        reasons.push(StackSetReason::NotCurrent { instances: not_current });
    }
    if !reasons.is_empty() {
        let accounts: BTreeSet<AccountId> = observed.instances.iter().map(|i| i.account.clone()).collect();
        steps.push(step(
            StackSetAction::Update { spec: w.spec.clone() },
            reasons,
            accounts.into_iter().collect(),
        ));
    }

    let wanted = groups(&observed.units, &w.config.regions);
    let deployed: BTreeSet<(String, String)> =
        record.map(|r| r.deployed.iter().cloned().collect()).unwrap_or_default();
    let gone: BTreeSet<_> = deployed.difference(&wanted).cloned().collect();
    if let Some(record) = record {
        remove_groups(record, &gone, org, StackSetReason::NotTargeted, steps);
    }
    let added: BTreeSet<_> = wanted.difference(&deployed).cloned().collect();
    additions(w, &added, org, vec![StackSetReason::TargetAdded], steps);

    // Accounts the kept targets reach without an instance (they joined with
    // auto-deployment off, or their instance was deleted): deployed again.
    let kept: BTreeSet<_> = wanted.intersection(&deployed).cloned().collect();
    let has: BTreeSet<(&AccountId, &str)> =
        observed.instances.iter().map(|i| (&i.account, i.region.as_str())).collect();
    let mut missing: BTreeSet<(String, String)> = BTreeSet::new();
    let mut accounts: BTreeSet<AccountId> = BTreeSet::new();
    for (ou, region) in &kept {
        let targets = crate::stackset::deployment_targets(w.config, vec![ou.clone()]);
        for account in reached(&targets, org) {
            if !has.contains(&(&account, region.as_str())) {
                missing.insert((ou.clone(), region.clone()));
                accounts.insert(account);
            }
        }
    }
    if !missing.is_empty() {
        let why = StackSetReason::MissingInstances { accounts: accounts.into_iter().collect() };
        additions(w, &missing, org, vec![why], steps);
    }
}

/// Why the stack set must be updated, against what orgrole last applied.
fn differences(spec: &StackSetSpec, info: &StackSetInfo, record: &StackSetRecord) -> Vec<StackSetReason> {
    let mut reasons = vec![];
    if info.template_body != spec.template_body {
        let (deployed, configured) =
            (mask_external_id(&info.template_body), mask_external_id(&spec.template_body));
        // The vendor's template differs only where the external ID is written in.
        reasons.push(if deployed == configured {
            StackSetReason::ExternalIdChanged
        } else {
            let diff = similar::TextDiff::from_lines(&deployed, &configured)
                .unified_diff()
                .context_radius(2)
                .header("deployed", "configured")
                .to_string();
            StackSetReason::TemplateChanged { diff }
        });
    }
    // A masked value cannot be compared: what orgrole applied can.
    let masked = info.parameters.values().any(|v| v == MASKED);
    let changed: Vec<String> = if masked {
        if record.parameters != fingerprint_text(&spec.parameters) {
            spec.parameters.keys().cloned().collect()
        } else {
            vec![]
        }
    } else {
        let names: BTreeSet<&String> = spec.parameters.keys().chain(info.parameters.keys()).collect();
        names.into_iter().filter(|n| spec.parameters.get(*n) != info.parameters.get(*n)).cloned().collect()
    };
    match changed.as_slice() {
        [] => {}
        [only] if only == EXTERNAL_ID_PARAMETER => reasons.push(StackSetReason::ExternalIdChanged),
        _ => reasons.push(StackSetReason::ParametersChanged { names: changed }),
    }
    let (set, removed) = tag_changes(&info.tags, &spec.tags);
    if !set.is_empty() || !removed.is_empty() {
        reasons.push(StackSetReason::TagsChanged { set, removed });
    }
    let live: AutoDeployment = info.auto_deployment.unwrap_or(record.auto_deployment);
    if live != spec.auto_deployment {
        reasons.push(StackSetReason::AutoDeploymentChanged { before: live, after: spec.auto_deployment });
    }
    reasons
}

/// Each account and region reached or holding an instance, and its fate.
fn instance_views(
    plan: &StackSetPlan,
    wanted: Option<&StackSetWanted>,
    observed: &ObservedStackSet,
) -> Vec<InstanceView> {
    let targeted = |a: &AccountId| observed.expected.targets.contains_key(a);
    let view = |account: &AccountId, region: &str, found: Option<&InstanceInfo>| InstanceView {
        account: account.clone(),
        region: region.to_owned(),
        found: found.cloned(),
        targeted: targeted(account),
        will: Will::Keep,
    };
    let mut views: BTreeMap<(AccountId, String), InstanceView> = BTreeMap::new();
    for i in &observed.instances {
        views.insert((i.account.clone(), i.region.clone()), view(&i.account, &i.region, Some(i)));
    }
    for account in observed.expected.targets.keys() {
        for region in wanted.iter().flat_map(|w| &w.config.regions) {
            views.entry((account.clone(), region.clone())).or_insert_with(|| view(account, region, None));
        }
    }
    for s in &plan.steps {
        let (will, regions): (Will, Option<&[String]>) = match &s.action {
            StackSetAction::AddInstances { regions, .. } => (Will::Create, Some(regions)),
            StackSetAction::RemoveInstances { regions, .. } => (Will::Delete, Some(regions)),
            StackSetAction::Update { .. } => (Will::Update, None),
            _ => continue,
        };
        for v in views.values_mut() {
            let in_step = s.accounts.contains(&v.account) && regions.is_none_or(|r| r.contains(&v.region));
            // An add makes what is missing (or what an earlier step deletes);
            // an update and a delete act on what exists.
            let acts = match will {
                Will::Create => v.found.is_none() || v.will == Will::Delete,
                _ => v.found.is_some() && v.will == Will::Keep,
            };
            if in_step && acts {
                v.will = will;
            }
        }
    }
    views.into_values().collect()
}
