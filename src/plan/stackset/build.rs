//! The stack set's steps: a pure function of the configuration, what was
//! found and what state recorded.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    InstanceView, StackSetAction, StackSetConflict, StackSetPlan, StackSetReason, StackSetStep, Will,
};
use crate::cloud::{
    AccountState, DeploymentTargets, InstanceInfo, InstanceStatus, OrgAccount, Organization, StackSetInfo,
    StackSetSpec, TrustedAccess,
};
use crate::config::{StackSetConfig, Template};
use crate::model::{AccountFilter, AccountId, AutoDeployment, CallAs, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use crate::observe::ObservedStackSet;
use crate::plan::tag_changes;
use crate::stackset::{expected, filled_in_value, mask_external_id, union_extras, EXTERNAL_ID_PARAMETER};
use crate::state::{Deployment, Effect, StackSetRecord};

/// AWS shows NoEcho parameter values as this.
const MASKED: &str = "****";

/// The stack set the configuration asks for.
pub struct StackSetWanted<'a> {
    pub config: &'a StackSetConfig,
    pub spec: StackSetSpec,
    /// Kept out of template diffs.
    pub external_id: &'a str,
    /// The state's record of the spec's parameters (`parameters_fingerprint`).
    pub parameters: String,
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
    let owned = observed
        .info
        .as_ref()
        .is_some_and(|i| i.tags.get(MANAGED_BY_KEY).is_some_and(|v| v == MANAGED_BY_VALUE));
    if wanted.is_none() && record.is_none() && !(destroy && owned) {
        return None;
    }
    let mut plan = StackSetPlan {
        name: observed.name.clone(),
        id: observed.info.as_ref().map(|i| i.id.clone()),
        call_as: observed.call_as,
        preferences: wanted.map(|w| w.config.preferences.clone()).unwrap_or_default(),
        steps: vec![],
        instances: vec![],
        running: observed.running.clone(),
        conflict: None,
        trusted_access: observed.trusted_access,
    };
    let planner = Planner { observed, org, steps: vec![] };
    plan.steps = match (wanted, &observed.info, record) {
        (None, None, _) => vec![step(StackSetAction::Forget, StackSetReason::AlreadyGone, vec![], None)],
        // Recorded, or (destroying) made by orgrole and never recorded: a
        // crash right after CreateStackSet, or a lost state.
        (None, Some(_), record) => {
            let why = if destroy { StackSetReason::Destroy } else { StackSetReason::NotTargeted };
            planner.removal(record.map_or(&[][..], |r| &r.deployed), why)
        }
        (Some(w), None, _) => planner.creation(w),
        (Some(w), Some(info), _) => {
            if record.is_none() && !owned && !adopt {
                plan.conflict = Some(StackSetConflict::NotOwned { id: info.id.clone() });
                vec![]
            } else {
                planner.existing(w, info, record, owned)
            }
        }
    };
    if let (Some(_), Some(status)) = (wanted, observed.trusted_access) {
        trusted_access(&mut plan, status);
    }
    plan.instances = instance_views(&plan, wanted, observed);
    Some(plan)
}

/// Trusted access off: activated first, by the management account; a
/// delegated administrator cannot (AWS: the management account only).
fn trusted_access(plan: &mut StackSetPlan, status: TrustedAccess) {
    if status == TrustedAccess::Enabled {
        return;
    }
    match plan.call_as {
        CallAs::Caller => {
            let reason = StackSetReason::TrustedAccessOff { status };
            plan.steps.insert(0, step(StackSetAction::ActivateTrustedAccess, reason, vec![], None));
        }
        CallAs::DelegatedAdmin => {
            plan.conflict.get_or_insert(StackSetConflict::TrustedAccessOff { status });
        }
    }
}

fn step(
    action: StackSetAction,
    reason: StackSetReason,
    accounts: Vec<AccountId>,
    effect: Option<Effect>,
) -> StackSetStep {
    StackSetStep { action, reasons: vec![reason], accounts, effect }
}

/// An instance that needs an update to be as configured: OUTDATED, or its
/// last operation failed. (INOPERABLE ones an update skips: they are shown.)
fn drifted(i: &InstanceInfo) -> bool {
    i.status != InstanceStatus::Inoperable && !i.is_current()
}

/// The deployments the configuration asks for (`union_extras` says why
/// some go through an OU of their own).
fn wanted_deployments(
    config: &StackSetConfig,
    units: &[String],
    org: Option<&Organization>,
) -> BTreeSet<Deployment> {
    let (mut accounts, filter) = match config.filter {
        AccountFilter::Intersection | AccountFilter::Difference => (config.accounts.clone(), config.filter),
        AccountFilter::None | AccountFilter::Union => (vec![], AccountFilter::None),
    };
    accounts.sort();
    accounts.dedup();
    let extras = org.map(|o| union_extras(config, units, o)).unwrap_or_default();
    let mut wanted = BTreeSet::new();
    for region in &config.regions {
        for ou in units {
            let (ou, region, accounts) = (ou.clone(), region.clone(), accounts.clone());
            wanted.insert(Deployment { ou, region, accounts, filter });
        }
        for (parent, accounts) in &extras {
            let (ou, region, accounts) = (parent.clone(), region.clone(), accounts.clone());
            wanted.insert(Deployment { ou, region, accounts, filter: AccountFilter::Intersection });
        }
    }
    wanted
}

/// One StackSets operation: OUs that share a filter and a set of regions.
struct Call {
    targets: DeploymentTargets,
    regions: Vec<String>,
}

impl Call {
    fn covers(&self, d: &Deployment) -> bool {
        let t = &self.targets;
        t.ous.contains(&d.ou)
            && t.accounts == d.accounts
            && t.filter == d.filter
            && self.regions.contains(&d.region)
    }
}

/// The deployments as few operations as their filters and regions allow.
fn operations(deployments: &BTreeSet<Deployment>) -> Vec<Call> {
    let mut regions_of: BTreeMap<(&str, &[AccountId], AccountFilter), Vec<String>> = BTreeMap::new();
    for d in deployments {
        regions_of.entry((&d.ou, &d.accounts, d.filter)).or_default().push(d.region.clone());
    }
    let mut calls: Vec<Call> = vec![];
    for ((ou, accounts, filter), regions) in regions_of {
        let same = |c: &&mut Call| {
            c.targets.accounts == accounts && c.targets.filter == filter && c.regions == regions
        };
        match calls.iter_mut().find(same) {
            Some(call) => call.targets.ous.push(ou.to_owned()),
            None => calls.push(Call {
                targets: DeploymentTargets { ous: vec![ou.to_owned()], accounts: accounts.to_vec(), filter },
                regions,
            }),
        }
    }
    calls
}

struct Planner<'a> {
    observed: &'a ObservedStackSet,
    org: Option<&'a Organization>,
    steps: Vec<StackSetStep>,
}

impl Planner<'_> {
    fn member(&self, account: &AccountId) -> Option<&OrgAccount> {
        self.org?.accounts.iter().find(|a| &a.id == account)
    }

    /// Accounts with an instance in `region`, below `ou`, that the targets no
    /// longer reach and that StackSets can still act in (ACTIVE, not the
    /// management account).
    fn unreached_below(&self, ou: &str, region: &str) -> Vec<AccountId> {
        let (Some(org), observed) = (self.org, self.observed) else { return vec![] };
        let accounts: BTreeSet<AccountId> = observed
            .instances
            .iter()
            .filter(|i| i.region == region && !observed.expected.targets.contains_key(&i.account))
            .filter(|i| i.account != org.management_account)
            .filter(|i| {
                self.member(&i.account)
                    .is_some_and(|m| m.state == AccountState::Active && org.encloses(ou, &m.parent))
            })
            .map(|i| i.account.clone())
            .collect();
        accounts.into_iter().collect()
    }

    /// DeleteStackInstances of `accounts` only, through the OU `ou`.
    fn remove_accounts(
        &mut self,
        ou: &str,
        region: &str,
        accounts: Vec<AccountId>,
        retain_stacks: bool,
        reason: &StackSetReason,
        effect: Option<Effect>,
    ) {
        let targets = DeploymentTargets {
            ous: vec![ou.to_owned()],
            accounts: accounts.clone(),
            filter: AccountFilter::Intersection,
        };
        let action =
            StackSetAction::RemoveInstances { targets, regions: vec![region.to_owned()], retain_stacks };
        self.steps.push(step(action, reason.clone(), accounts, effect));
    }

    fn reached(&self, targets: &DeploymentTargets) -> Vec<AccountId> {
        self.org
            .and_then(|o| expected(targets, o).ok())
            .map(|r| r.targets.into_keys().collect())
            .unwrap_or_default()
    }

    /// The accounts with an instance in `regions` that a delete by `targets` reaches.
    fn instances_reached(&self, targets: &DeploymentTargets, regions: &[String]) -> Vec<AccountId> {
        let reached: BTreeSet<AccountId> = self.reached(targets).into_iter().collect();
        let instances = self.observed.instances.iter().filter(|i| regions.contains(&i.region));
        let accounts: BTreeSet<AccountId> =
            instances.filter(|i| reached.contains(&i.account)).map(|i| i.account.clone()).collect();
        accounts.into_iter().collect()
    }

    fn add(&mut self, deployments: &BTreeSet<Deployment>, reason: &StackSetReason) {
        for call in operations(deployments) {
            let covered = deployments.iter().filter(|d| call.covers(d)).cloned().collect();
            let Call { targets, regions } = call;
            let accounts = self.reached(&targets);
            let action = StackSetAction::AddInstances { targets, regions };
            self.steps.push(step(action, reason.clone(), accounts, Some(Effect::Deployed(covered))));
        }
    }

    /// DeleteStackInstances: a whole OU's instances, or the listed accounts'
    /// where the deployment was of accounts.
    fn remove(&mut self, deployments: &BTreeSet<Deployment>, reason: &StackSetReason) {
        let whole: BTreeSet<Deployment> = deployments
            .iter()
            .map(|d| match d.filter {
                AccountFilter::Intersection => d.clone(),
                _ => Deployment { accounts: vec![], filter: AccountFilter::None, ..d.clone() },
            })
            .collect();
        for Call { targets, regions } in operations(&whole) {
            let accounts = self.instances_reached(&targets, &regions);
            let gone: Vec<Deployment> = deployments
                .iter()
                .filter(|d| targets.ous.contains(&d.ou) && regions.contains(&d.region))
                .cloned()
                .collect();
            let action = StackSetAction::RemoveInstances { targets, regions, retain_stacks: false };
            self.steps.push(step(action, reason.clone(), accounts, Some(Effect::Withdrawn(gone))));
        }
    }

    fn creation(mut self, w: &StackSetWanted) -> Vec<StackSetStep> {
        let create = StackSetAction::Create { spec: w.spec.clone() };
        let applied =
            Effect::Updated { parameters: w.parameters.clone(), auto_deployment: w.spec.auto_deployment };
        self.steps.push(step(create, StackSetReason::New, vec![], Some(applied)));
        self.add(&wanted_deployments(w.config, &self.observed.units, self.org), &StackSetReason::New);
        self.steps
    }

    /// Every instance goes (through the OUs recorded, and those instances
    /// name), then the stack set.
    fn removal(mut self, deployed: &[Deployment], why: StackSetReason) -> Vec<StackSetStep> {
        let mut deployed: BTreeSet<Deployment> = deployed.iter().cloned().collect();
        for i in &self.observed.instances {
            let Some(ou) = &i.ou else { continue };
            if !deployed.iter().any(|d| &d.ou == ou && d.region == i.region) {
                let (ou, region) = (ou.clone(), i.region.clone());
                deployed.insert(Deployment { ou, region, accounts: vec![], filter: AccountFilter::None });
            }
        }
        self.remove(&deployed, &why);
        self.leftovers(&why);
        self.steps.push(step(StackSetAction::Delete, why, vec![], None));
        self.steps
    }

    /// Instances the deletes by OU do not reach (a suspended account's, an
    /// account's that left the OU): by account, through the OU it is in now,
    /// keeping the stacks where AWS can no longer act in the account. Else
    /// DeleteStackSet would refuse, every time.
    fn leftovers(&mut self, why: &StackSetReason) {
        let reached: BTreeSet<(AccountId, String)> = self
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                StackSetAction::RemoveInstances { regions, .. } => Some((s, regions)),
                _ => None,
            })
            .flat_map(|(s, regions)| {
                s.accounts.iter().flat_map(move |a| regions.iter().map(move |r| (a.clone(), r.clone())))
            })
            .collect();
        // (OU, region, kept) → accounts
        let mut left: BTreeMap<(String, String, bool), Vec<AccountId>> = BTreeMap::new();
        for i in &self.observed.instances {
            if reached.contains(&(i.account.clone(), i.region.clone())) {
                continue;
            }
            let Some(member) = self.member(&i.account) else { continue };
            let kept = member.state != AccountState::Active;
            left.entry((member.parent.clone(), i.region.clone(), kept)).or_default().push(i.account.clone());
        }
        for ((ou, region, retain_stacks), accounts) in left {
            self.remove_accounts(&ou, &region, accounts, retain_stacks, why, None);
        }
    }

    /// The stack set exists and is orgrole's (or adopted): targets that left
    /// go first, then what differs is updated (drifted instances with it),
    /// then new targets and accounts without an instance are deployed.
    fn existing(
        mut self,
        w: &StackSetWanted,
        info: &StackSetInfo,
        record: Option<&StackSetRecord>,
        owned: bool,
    ) -> Vec<StackSetStep> {
        let observed = self.observed;
        let wanted = wanted_deployments(w.config, &observed.units, self.org);
        let deployed: BTreeSet<Deployment> =
            record.map(|r| r.deployed.iter().cloned().collect()).unwrap_or_default();
        let place = |d: &Deployment| (d.ou.clone(), d.region.clone());
        let wanted_places: BTreeSet<(String, String)> = wanted.iter().map(place).collect();
        let gone: BTreeSet<Deployment> =
            deployed.iter().filter(|d| !wanted_places.contains(&place(d))).cloned().collect();
        // An OU that left inside or around one that stays (the organization
        // became an OU, or the other way round): deleting it whole would
        // take the staying accounts' role away until they are deployed
        // again. Around one: only the accounts no longer reached go; inside
        // one: nothing goes (it stays recorded, its instances still wanted).
        let encloses = |outer: &str, inner: &str| self.org.is_some_and(|o| o.encloses(outer, inner));
        let kept_by = |g: &Deployment, around: bool| {
            wanted.iter().any(|w| {
                w.region == g.region && if around { encloses(&g.ou, &w.ou) } else { encloses(&w.ou, &g.ou) }
            })
        };
        let narrowed: Vec<&Deployment> = gone.iter().filter(|g| kept_by(g, true)).collect();
        let whole: BTreeSet<Deployment> =
            gone.iter().filter(|g| !kept_by(g, true) && !kept_by(g, false)).cloned().collect();
        self.remove(&whole, &StackSetReason::NotTargeted);

        // Instances the targets no longer reach (a narrower filter, an OU
        // narrowed as above), below an OU that left around one that stays
        // or that stays: removed by account, each once. Accounts that left
        // the OUs are auto-deployment's (and retain-stacks') to handle.
        let mut taken: BTreeSet<(AccountId, String)> = BTreeSet::new();
        let places = narrowed
            .iter()
            .map(|g| (g.ou.as_str(), g.region.as_str(), Some(*g)))
            .chain(wanted_places.iter().map(|(ou, region)| (ou.as_str(), region.as_str(), None)));
        // AWS's automatic deployments ignore account filters: an account
        // that joined an OU deployed as before got an instance the filter
        // leaves out. Removed once, and said so (AWS adds it again only if
        // it joins again).
        let filtered = w.config.auto_deployment
            && matches!(w.config.filter, AccountFilter::Intersection | AccountFilter::Difference);
        let unchanged = |ou: &str, region: &str| {
            wanted.iter().any(|d| d.ou == ou && d.region == region && deployed.contains(d))
        };
        for (ou, region, narrowed) in places {
            let accounts: Vec<AccountId> = self
                .unreached_below(ou, region)
                .into_iter()
                .filter(|a| taken.insert((a.clone(), region.to_owned())))
                .collect();
            if !accounts.is_empty() {
                let effect = narrowed.map(|g| Effect::Withdrawn(vec![g.clone()]));
                let reason = if filtered && narrowed.is_none() && unchanged(ou, region) {
                    StackSetReason::AutoDeployedPastFilter { accounts: accounts.clone() }
                } else {
                    StackSetReason::NotTargeted
                };
                self.remove_accounts(ou, region, accounts, false, &reason, effect);
            }
        }

        let mut reasons = match record {
            Some(record) => differences(w, info, record),
            // Not recorded: set it to the configuration, and record it.
            None => vec![if owned { StackSetReason::Unrecorded } else { StackSetReason::Adopted }],
        };
        let targeted = |i: &&InstanceInfo| observed.expected.targets.contains_key(&i.account);
        let not_current: Vec<InstanceInfo> =
            observed.instances.iter().filter(targeted).filter(|i| drifted(i)).cloned().collect();
        if !not_current.is_empty() {
            reasons.push(StackSetReason::NotCurrent { instances: not_current });
        }
        if !reasons.is_empty() {
            let accounts: BTreeSet<AccountId> =
                observed.instances.iter().map(|i| i.account.clone()).collect();
            let effect =
                Effect::Updated { parameters: w.parameters.clone(), auto_deployment: w.spec.auto_deployment };
            let update = StackSetAction::Update { spec: w.spec.clone() };
            self.steps.push(StackSetStep {
                action: update,
                reasons,
                accounts: accounts.into_iter().collect(),
                effect: Some(effect),
            });
        }

        let added: BTreeSet<Deployment> = wanted.difference(&deployed).cloned().collect();
        self.add(&added, &StackSetReason::TargetAdded);

        // Accounts the kept deployments reach without an instance (they
        // joined with auto-deployment off, or their instance was deleted):
        // deployed again.
        let has: BTreeSet<(&AccountId, &str)> =
            observed.instances.iter().map(|i| (&i.account, i.region.as_str())).collect();
        let mut again = BTreeSet::new();
        let mut missing = BTreeSet::new();
        for d in wanted.intersection(&deployed) {
            let targets =
                DeploymentTargets { ous: vec![d.ou.clone()], accounts: d.accounts.clone(), filter: d.filter };
            for account in self.reached(&targets) {
                if !has.contains(&(&account, d.region.as_str())) {
                    again.insert(d.clone());
                    missing.insert(account);
                }
            }
        }
        if !again.is_empty() {
            let why = StackSetReason::MissingInstances { accounts: missing.into_iter().collect() };
            self.add(&again, &why);
        }
        self.steps
    }
}

/// Why the stack set must be updated, against what orgrole last applied.
fn differences(w: &StackSetWanted, info: &StackSetInfo, record: &StackSetRecord) -> Vec<StackSetReason> {
    let spec = &w.spec;
    let mut reasons = vec![];
    if info.template_body != spec.template_body {
        // The vendor's template has the external ID written in: hidden by
        // its key, and by its value (the new one, and the one deployed) wherever it is.
        let deployed_id = match &w.config.template {
            Template::File { body, .. } => filled_in_value(body, &info.template_body),
            Template::Generated => None,
        };
        let ids: Vec<&str> = [Some(w.external_id), deployed_id.as_deref()].into_iter().flatten().collect();
        let hide =
            |body: &str| ids.iter().fold(mask_external_id(body), |text, id| text.replace(id, "(sensitive)"));
        let (deployed, configured) = (hide(&info.template_body), hide(&spec.template_body));
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
        if record.parameters != w.parameters {
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
