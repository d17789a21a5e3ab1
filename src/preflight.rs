//! Before any change: can this run succeed? Per target account, whether the
//! access role can be assumed and, where IAM lets it simulate, whether it may
//! make orgrole's calls (on AWS the simulation includes the account's SCPs);
//! in StackSet mode, trusted access. Reads only.

use futures_util::stream::{self, StreamExt};

use crate::cloud::{Cloud, CloudError, Iam, TrustedAccess};
use crate::config::Desired;
use crate::model::AccountId;
use crate::observe::Observed;
use crate::permissions::{account_grants, Grant};
use crate::verify::{NotChecked, Permissions};

#[derive(Debug, Clone)]
pub struct AccountPreflight {
    pub account: AccountId,
    pub name: String,
    /// The access role assumed (in the caller's own account, its own credentials).
    pub access: Result<(), CloudError>,
    /// The calls orgrole makes there, simulated for the principal that makes them.
    pub permissions: Permissions,
}

impl AccountPreflight {
    pub fn ok(&self) -> bool {
        self.access.is_ok() && !matches!(self.permissions, Permissions::Denied(_))
    }
}

#[derive(Debug, Clone)]
pub struct Preflight {
    pub accounts: Vec<AccountPreflight>,
    /// StackSet mode: as read (the plan activates it when off, from the management account).
    pub trusted_access: Option<TrustedAccess>,
}

impl Preflight {
    pub fn ok(&self) -> bool {
        self.accounts.iter().all(AccountPreflight::ok)
    }
}

/// `observed`: what `plan` read (so that callers StackSets refuse, and
/// organizations that cannot be read, were refused already).
pub async fn preflight<C: Cloud>(
    cloud: &C,
    desired: &Desired,
    observed: &Observed,
    parallelism: usize,
) -> Preflight {
    let mut targets: Vec<(AccountId, String)> =
        observed.resolution.targets.iter().map(|(a, n)| (a.clone(), n.clone())).collect();
    let reached = observed.stackset.iter().flat_map(|s| &s.expected.targets);
    targets.extend(reached.map(|(a, n)| (a.clone(), n.clone())));
    let grants = account_grants(desired);
    let caller = &observed.caller;
    let accounts = stream::iter(targets)
        .map(|(account, name)| {
            let grants = &grants;
            async move {
                let iam = match cloud.iam(&account, desired.access_role()).await {
                    Ok(iam) => iam,
                    Err(e) => {
                        let permissions = Permissions::NotChecked(NotChecked::Refused(e.clone()));
                        return AccountPreflight { account, name, access: Err(e), permissions };
                    }
                };
                // The principal that makes the calls there: the access role,
                // or in the caller's own account the caller (a role's ARN only:
                // SimulatePrincipalPolicy takes no session ARN).
                let principal = if account == caller.account {
                    role_of_session(&caller.arn)
                } else {
                    Some(account.iam_arn(&caller.partition, &format!("role/{}", desired.access_role())))
                };
                let permissions = match principal {
                    Some(arn) => simulate(&iam, &arn, grants, &account, &caller.partition).await,
                    None => Permissions::NotChecked(NotChecked::RoleNotAsConfigured),
                };
                AccountPreflight { account, name, access: Ok(()), permissions }
            }
        })
        .buffered(parallelism.max(1))
        .collect()
        .await;
    Preflight { accounts, trusted_access: observed.stackset.as_ref().and_then(|s| s.trusted_access) }
}

/// Each grant's actions on its resource, in `account`.
async fn simulate<I: Iam>(
    iam: &I,
    principal: &str,
    grants: &[Grant],
    account: &AccountId,
    partition: &str,
) -> Permissions {
    let mut denied = vec![];
    for g in grants {
        let actions: Vec<String> = g.actions.iter().map(|a| a.to_string()).collect();
        match iam.denied_actions(principal, &actions, &account.iam_arn(partition, &g.resource)).await {
            Ok(d) => denied.extend(d),
            Err(e) => return Permissions::NotChecked(NotChecked::Refused(e)),
        }
    }
    if denied.is_empty() {
        Permissions::Allowed
    } else {
        Permissions::Denied(denied)
    }
}

/// `arn:aws:sts::1:assumed-role/R/session` → `arn:aws:iam::1:role/R`; a user's
/// or role's ARN as it is.
fn role_of_session(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "sts", "", account, resource] => {
            let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
            Some(format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        ["arn", _, "iam", "", _, resource]
            if resource.starts_with("role/") || resource.starts_with("user/") =>
        {
            Some(arn.to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::sim::{SimCloud, World};
    use crate::observe::observe;
    use crate::state::State;
    use crate::testing::{desired, id};

    #[test]
    fn a_session_is_simulated_as_its_role() {
        assert_eq!(
            role_of_session("arn:aws:sts::111111111111:assumed-role/Admin/me@example.com").as_deref(),
            Some("arn:aws:iam::111111111111:role/Admin")
        );
        assert_eq!(role_of_session("arn:aws:iam::111111111111:root"), None);
    }

    /// AWS behaviour: AssumeRole refused in one account (no access role
    /// there, or an SCP): that account fails the preflight, the others pass.
    #[tokio::test]
    async fn an_account_whose_access_role_cannot_be_assumed_fails_the_preflight() {
        let (a, b) = ("111111111111", "222222222222");
        let cloud = SimCloud::new(id("999999999999"), World::default());
        cloud.world().fail(&id(b), "sts:AssumeRole", "AccessDenied");
        let d = desired(&[a, b]);
        let observed = observe(&cloud, &d, &State::new(), false, 2).await.unwrap();
        let checked = preflight(&cloud, &d, &observed, 2).await;
        assert!(!checked.ok());
        let by: Vec<(String, bool)> =
            checked.accounts.iter().map(|c| (c.account.to_string(), c.access.is_ok())).collect();
        assert_eq!(by, [(a.to_owned(), true), (b.to_owned(), false)]);
        assert!(
            cloud.world().calls.iter().all(|c| !c.contains("Create") && !c.contains("Put")),
            "reads only"
        );
    }
}
