//! Checks the deployed result account by account: what a plan would change
//! is a problem, and, where IAM lets the caller simulate, every action of
//! the desired policy must be allowed for the role.

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::cloud::{Cloud, Iam};
use crate::config::Desired;
use crate::model::AccountId;
use crate::observe::{AccountView, Observed};
use crate::plan::{Plan, Will};
use crate::render::{kept_lines, plan_view};

#[derive(Debug, Clone, Serialize)]
pub struct AccountCheck {
    pub account: AccountId,
    pub name: String,
    /// What is not as desired; empty when the account is as configured.
    pub problems: Vec<String>,
    /// Policies on the role that the configuration does not name, kept
    /// (`other-policies "keep"`): shown, not problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
    pub permissions: Permissions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "snake_case")]
pub enum Permissions {
    Allowed,
    Denied(Vec<String>),
    NotChecked(String),
}

impl AccountCheck {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && !matches!(self.permissions, Permissions::Denied(_))
    }
}

/// The problems a plan shows, per target account (pure).
pub fn problems(plan: &Plan) -> BTreeMap<AccountId, Vec<String>> {
    let mut problems: BTreeMap<AccountId, Vec<String>> = BTreeMap::new();
    for section in plan_view(plan).accounts {
        for c in &section.changes {
            let mut what: Vec<String> = c.notes.iter().map(|n| n.to_string()).collect();
            what.extend(
                c.details.iter().filter(|d| !d.marker.is_empty()).map(|d| format!("{} {}", d.marker, d.text)),
            );
            if what.is_empty() {
                what.push(if c.change.before.is_none() { "missing".into() } else { "differs".into() });
            }
            problems.entry(section.account.clone()).or_default().push(format!(
                "{}: {}",
                c.subject,
                what.join(", ")
            ));
        }
    }
    for c in &plan.conflicts {
        let problem = format!("{} {} exists but is not orgrole's", c.address.kind.as_str(), c.address.name);
        problems.entry(c.address.account.clone()).or_default().push(problem);
    }
    for v in plan.stackset.iter().flat_map(|s| &s.instances) {
        let what = match (&v.found, v.will) {
            (None, _) => "no stack instance".to_owned(),
            (Some(found), _) if !found.is_current() => {
                let reason = found.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                format!("stack instance {}{reason}", found.status.as_str())
            }
            (Some(_), Will::Keep) => continue,
            (Some(_), _) => "stack instance differs from the configuration".to_owned(),
        };
        problems.entry(v.account.clone()).or_default().push(format!("{what} in {}", v.region));
    }
    for u in &plan.unreachable {
        problems.entry(u.account.clone()).or_default().push(format!("could not be read: {}", u.error));
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
    let mut kept: BTreeMap<AccountId, Vec<String>> = BTreeMap::new();
    for k in &plan.kept {
        kept.entry(k.address.account.clone()).or_default().extend(kept_lines(&k.other));
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
                    _ => Permissions::NotChecked("the role is not as configured".into()),
                };
                AccountCheck { account, name, problems, kept, permissions }
            }
        })
        .buffered(parallelism.max(1))
        .collect()
        .await
}

/// Simulates each statement's actions on its first resource.
async fn permissions<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    account: &AccountId,
    role_arn: &str,
    access_role: &str,
) -> Permissions {
    let iam = match cloud.iam(account, access_role).await {
        Ok(iam) => iam,
        Err(e) => return Permissions::NotChecked(e.to_string()),
    };
    let mut denied = vec![];
    for (actions, resources) in desired.role.policy.grants() {
        if actions.is_empty() {
            continue;
        }
        match iam.denied_actions(role_arn, &actions, resources.first().map_or("*", String::as_str)).await {
            Ok(d) => denied.extend(d),
            Err(e) => return Permissions::NotChecked(e.to_string()),
        }
    }
    if denied.is_empty() {
        Permissions::Allowed
    } else {
        Permissions::Denied(denied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{apply, ApplyOptions, Reporter, Style};
    use crate::cloud::sim::{SimCloud, World};
    use crate::observe::observe;
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
        assert_eq!(report[0].permissions, Permissions::NotChecked("the role is not as configured".into()));
        assert!(
            report[0].problems.iter().any(|p| p.starts_with("role role: missing")),
            "{:?}",
            report[0].problems
        );

        let observed = observe(&cloud, &d, &state, false, 2).await.unwrap();
        let p = plan(&d, &observed, &state, PlanOptions::default());
        let options = ApplyOptions {
            parallelism: 2,
            access_role: "OrganizationAccountAccessRole",
            timeout: std::time::Duration::from_secs(600),
        };
        let reporter = Reporter::new(p.changes.len(), Style::Lines { terminal: false });
        apply(
            &cloud,
            &p,
            &options,
            &mut state,
            &crate::apply::tests::Discard,
            &reporter,
            std::future::pending(),
        )
        .await
        .unwrap();

        let report = checks(&cloud, &d, &state).await;
        assert!(report[0].ok() && report[0].permissions == Permissions::Allowed, "{report:?}");

        // AWS behaviour: a caller without iam:SimulatePrincipalPolicy is refused.
        cloud.world().fail(&id(a), "iam:SimulatePrincipalPolicy", "AccessDenied");
        let report = checks(&cloud, &d, &state).await;
        assert!(
            report[0].ok()
                && matches!(&report[0].permissions, Permissions::NotChecked(why) if why.contains("AccessDenied"))
        );
    }
}
