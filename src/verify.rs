//! Checks the deployed result account by account: what a plan would change
//! is a problem, and, where IAM lets the caller simulate, every action of
//! the desired policy must be allowed for the role.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};

use crate::cloud::{Cloud, CloudError, Iam};
use crate::config::Desired;
use crate::iam_reference::{reference, wildcard};
use crate::model::{AccountId, Arn, OtherPolicies};
use crate::observe::{AccountView, Observed};
use crate::plan::{Change, Conflict, InstanceView, Plan};

/// One target account's verdict; `render` says it.
#[derive(Debug, Clone)]
pub struct AccountCheck {
    pub account: AccountId,
    pub name: String,
    /// What is not as desired; empty when the account is as configured.
    pub problems: Vec<Problem>,
    /// Policies on the role that the configuration does not name, kept
    /// (`other-policies "keep"`): shown, not problems.
    pub kept: Vec<OtherPolicies>,
    pub permissions: Permissions,
}

/// Something in an account that is not as configured.
#[derive(Debug, Clone)]
pub enum Problem {
    /// What a plan would change.
    Change(Box<Change>),
    /// A resource of the configured name that orgrole does not own.
    NotOwned(Conflict),
    /// A stack instance that is missing, not current, or not as configured.
    Instance(InstanceView),
    Unreachable(CloudError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    Allowed,
    /// The actions IAM's simulation denies.
    Denied(Vec<String>),
    NotChecked(NotChecked),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotChecked {
    /// Simulated only on a role that is as configured.
    RoleNotAsConfigured,
    /// The access role or the simulation was refused.
    Refused(CloudError),
    /// Preflight: the caller is neither a role nor a user (the root), which
    /// SimulatePrincipalPolicy does not take.
    NotSimulable,
}

impl AccountCheck {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && !matches!(self.permissions, Permissions::Denied(_))
    }
}

/// The problems a plan shows, per target account (pure).
pub fn problems(plan: &Plan) -> BTreeMap<AccountId, Vec<Problem>> {
    let mut problems: BTreeMap<AccountId, Vec<Problem>> = BTreeMap::new();
    let mut add = |account: &AccountId, problem| problems.entry(account.clone()).or_default().push(problem);
    for change in &plan.changes {
        add(&change.address.account, Problem::Change(Box::new(change.clone())));
    }
    for c in &plan.conflicts {
        add(&c.address.account, Problem::NotOwned(c.clone()));
    }
    for v in plan.stackset.iter().flat_map(|s| &s.instances) {
        if !v.settled() {
            add(&v.account, Problem::Instance(v.clone()));
        }
    }
    for u in &plan.unreachable {
        add(&u.account, Problem::Unreachable(u.error.clone()));
    }
    problems
}

pub async fn verify<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    observed: &Observed,
    plan: &Plan,
    access_role: &str,
    parallelism: usize,
) -> Vec<AccountCheck> {
    let mut problems = problems(plan);
    let mut kept: BTreeMap<AccountId, Vec<OtherPolicies>> = BTreeMap::new();
    for k in &plan.kept {
        kept.entry(k.address.account.clone()).or_default().push(k.other.clone());
    }
    let mut targets: Vec<(AccountId, String)> =
        observed.resolution.targets.iter().map(|(a, n)| (a.clone(), n.clone())).collect();
    // StackSet mode: the accounts the stack set reaches, checked by their
    // instances and, where one is settled, by the role its stack made.
    let reached = observed.stackset.iter().flat_map(|s| &s.expected.targets);
    targets.extend(reached.map(|(a, n)| (a.clone(), n.clone())));
    stream::iter(targets)
        .map(|(account, name)| {
            let problems = problems.remove(&account).unwrap_or_default();
            let kept = kept.remove(&account).unwrap_or_default();
            // The role as observed (in StackSet mode, the one its stack made).
            let role_arn = match observed.accounts.get(&account) {
                Some(AccountView::Read(found)) => {
                    found.roles.get(&desired.role.name).map(|r| r.info.arn.clone())
                }
                _ => None,
            };
            async move {
                let permissions = match role_arn {
                    Some(arn) if problems.is_empty() => {
                        permissions(cloud, desired, &account, &arn, access_role).await
                    }
                    _ => Permissions::NotChecked(NotChecked::RoleNotAsConfigured),
                };
                AccountCheck { account, name, problems, kept, permissions }
            }
        })
        .buffered(parallelism.max(1))
        .collect()
        .await
}

/// Simulates each action on the resource IAM evaluates it against when the
/// vendor calls it: `*` for an action with no resource type (so that one
/// scoped to ARNs shows as denied, as the lint warns), and for the others a
/// concrete ARN of the action's resource type in that account.
async fn permissions<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    account: &AccountId,
    role_arn: &str,
    access_role: &str,
) -> Permissions {
    let iam = match cloud.iam(account, access_role).await {
        Ok(iam) => iam,
        Err(e) => return Permissions::NotChecked(NotChecked::Refused(e)),
    };
    let partition = Arn::parse(role_arn).map_or("aws", |a| a.partition);
    let region = cloud.region().unwrap_or_else(|| "us-east-1".into());
    let mut on: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (actions, resources) in desired.role.policy.grants() {
        for action in actions {
            let resource = probe(&action, &resources, partition, account, &region);
            on.entry(resource).or_default().insert(action);
        }
    }
    let mut denied = vec![];
    for (resource, actions) in on {
        let actions: Vec<String> = actions.into_iter().collect();
        match iam.denied_actions(role_arn, &actions, &resource).await {
            Ok(d) => denied.extend(d),
            Err(e) => return Permissions::NotChecked(NotChecked::Refused(e)),
        }
    }
    denied.sort();
    if denied.is_empty() {
        Permissions::Allowed
    } else {
        Permissions::Denied(denied)
    }
}

/// The resource `action` is evaluated against: `*` when it has no resource
/// type (or is a wildcard); else an ARN of one of its resource types in
/// that account: one the statement's `resources` name (a bucket, a role
/// name), when one of them has the type's shape; else the type's ARN with
/// a probe name, the type the statement scopes it to if any does, else its
/// first (which the statement then does not grant).
fn probe(action: &str, resources: &[String], partition: &str, account: &AccountId, region: &str) -> String {
    let r = reference();
    let Some(a) = r.action(action) else { return "*".into() };
    let prefix = a.name.split(':').next().unwrap_or_default();
    let mut kinds: Vec<&(&str, bool)> = a.resource_types.iter().collect();
    kinds.sort_by_key(|(_, required)| !required);
    let patterns: Vec<&str> = kinds.iter().filter_map(|(kind, _)| r.arn(prefix, kind)).collect();
    let named = resources
        .iter()
        .filter_map(|p| in_account(p, partition, account, region))
        .find(|arn| patterns.iter().any(|pattern| wildcard(&shape(pattern), arn)));
    if let Some(arn) = named {
        return arn;
    }
    let arns: Vec<String> = patterns.iter().map(|p| filled(p, partition, account, region)).collect();
    let scoped = arns.iter().find(|arn| resources.iter().any(|p| wildcard(p, arn)));
    scoped.or(arns.first()).cloned().unwrap_or_else(|| "*".into())
}

/// A statement's resource as one ARN in `account`: its wildcards in the
/// partition, region and account filled with those, and in the resource
/// with a probe name. `None` for `*` and what is not an ARN.
fn in_account(pattern: &str, partition: &str, account: &AccountId, region: &str) -> Option<String> {
    let a = Arn::parse(pattern)?;
    let or =
        |part: &str, value: &str| if part.contains(['*', '?']) { value.to_owned() } else { part.to_owned() };
    let resource = a.resource.replace('*', "orgrole-verify-probe").replace('?', "x");
    Some(format!(
        "arn:{}:{}:{}:{}:{resource}",
        or(a.partition, partition),
        a.service,
        or(a.region, region),
        or(a.account, account.as_str())
    ))
}

/// A reference ARN pattern as a wildcard: each `${...}` matches anything.
fn shape(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out += &rest[..start];
        out.push('*');
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    out + rest
}

/// An ARN pattern of the reference with every `${...}` filled in.
fn filled(pattern: &str, partition: &str, account: &AccountId, region: &str) -> String {
    let mut arn = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        arn += &rest[..start];
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        arn += match &rest[start..end] {
            "${Partition}" => partition,
            "${Account}" => account.as_str(),
            "${Region}" => region,
            _ => "orgrole-verify-probe",
        };
        rest = &rest[end..];
    }
    arn + rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::sim::{SimCloud, World};
    use crate::lint::{lint_policy, Finding};
    use crate::observe::observe;
    use crate::operation::testing::converge;
    use crate::plan::{plan, PlanOptions};
    use crate::state::State;
    use crate::testing::{desired, id};

    async fn checks(cloud: &SimCloud, d: &Desired, state: &State) -> Vec<AccountCheck> {
        let observed = observe(cloud, d, state, false, 2).await.unwrap();
        let p = plan(d, &observed, state, PlanOptions::default());
        verify(cloud, d, &observed, &p, "OrganizationAccountAccessRole", 2).await
    }

    #[tokio::test]
    async fn simulated_permissions_are_checked_where_the_role_is_as_configured() {
        let (a, caller) = ("111111111111", "999999999999");
        let cloud = SimCloud::new(id(caller), World::default());
        let d = desired(&[a]);
        let mut state = State::new();
        let report = checks(&cloud, &d, &state).await;
        assert_eq!(report[0].permissions, Permissions::NotChecked(NotChecked::RoleNotAsConfigured));
        let missing_role = |p: &Problem| matches!(p, Problem::Change(c) if c.address.kind == crate::model::ResourceKind::Role && c.before.is_none());
        assert!(report[0].problems.iter().any(missing_role), "{:?}", report[0].problems);

        converge(&cloud, &d, &mut state, PlanOptions::default()).await;

        let report = checks(&cloud, &d, &state).await;
        assert!(report[0].ok() && report[0].permissions == Permissions::Allowed, "{report:?}");

        // AWS behaviour: a caller without iam:SimulatePrincipalPolicy is refused.
        cloud.world().fail(&id(a), "iam:SimulatePrincipalPolicy", "AccessDenied");
        let report = checks(&cloud, &d, &state).await;
        assert!(
            report[0].ok()
                && matches!(&report[0].permissions, Permissions::NotChecked(NotChecked::Refused(e)) if e.kind == crate::cloud::ErrorKind::AccessDenied)
        );
    }

    /// AWS behaviour: an action with no resource type is evaluated against
    /// `*`, so a statement that scopes it to ARNs never grants it. On the
    /// guide's policy, verify denies exactly what the lint warns about.
    #[tokio::test]
    async fn verify_denies_exactly_the_actions_the_lint_says_iam_will_not_grant() {
        let cloud = SimCloud::new(id("999999999999"), World::default());
        let mut d = desired(&["111111111111"]);
        d.role.policy = crate::config::presets::get("radiant").unwrap();
        let mut state = State::new();
        converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        let report = checks(&cloud, &d, &state).await;
        let Permissions::Denied(denied) = &report[0].permissions else { panic!("{report:?}") };
        let mut warned: Vec<String> = lint_policy(&d.role.policy)
            .into_iter()
            .filter_map(|f| match f {
                Finding::Unscopable { actions, .. } => Some(actions),
                _ => None,
            })
            .flatten()
            .collect();
        warned.sort();
        assert_eq!(denied, &warned);
    }

    #[tokio::test]
    async fn an_action_scoped_to_a_named_resource_is_simulated_on_that_resource() {
        // AWS behaviour: SimulatePrincipalPolicy matches the statement's
        // Resource against the ResourceArns asked about.
        let cloud = SimCloud::new(id("999999999999"), World::default());
        let mut d = desired(&["111111111111"]);
        d.role.policy = crate::model::PolicyDocument::from_value(
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vendor-bucket/*"},
            {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::*:role/Vendor?Reader"}]}),
        )
        .unwrap();
        let mut state = State::new();
        converge(&cloud, &d, &mut state, PlanOptions::default()).await;
        let report = checks(&cloud, &d, &state).await;
        assert_eq!(report[0].permissions, Permissions::Allowed, "{report:?}");
    }
}
