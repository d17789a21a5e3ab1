//! Before any change: can this run succeed? Per target account, whether the
//! access role can be assumed and, where IAM lets it simulate, whether it may
//! make orgrole's calls (on AWS the simulation includes the account's SCPs);
//! in StackSet mode, trusted access. Reads only.

use futures_util::stream::{self, StreamExt};

use crate::cloud::{Cloud, CloudError, Iam, TrustedAccess};
use crate::config::Desired;
use crate::model::{AccountId, Arn};
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
                    match role_of_session(&caller.arn) {
                        Some(arn) => Some(with_path(&iam, arn).await),
                        None => None,
                    }
                } else {
                    Some(account.iam_arn(&caller.partition, &format!("role/{}", desired.access_role())))
                };
                let permissions = match principal {
                    Some(arn) => simulate(&iam, &arn, grants, &account, &caller.partition).await,
                    None => Permissions::NotChecked(NotChecked::NotSimulable),
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

/// A role's ARN as IAM has it: a session's ARN leaves out the role's path
/// (an SSO role's `/aws-reserved/sso.amazonaws.com/`), which GetRole gives.
/// As it was when the role cannot be read.
async fn with_path<I: Iam>(iam: &I, arn: String) -> String {
    let Some(name) = Arn::parse(&arn).and_then(|a| a.resource.strip_prefix("role/")).map(str::to_owned)
    else {
        return arn;
    };
    match iam.get_role(&name).await {
        Ok(Some(role)) => role.arn,
        _ => arn,
    }
}

/// `arn:aws:sts::1:assumed-role/R/session` → `arn:aws:iam::1:role/R`; a user's
/// or role's ARN as it is.
fn role_of_session(arn: &str) -> Option<String> {
    let a = Arn::parse(arn)?;
    match a.service {
        "sts" => {
            let role = a.resource.strip_prefix("assumed-role/")?.split('/').next()?;
            Some(format!("arn:{}:iam::{}:role/{role}", a.partition, a.account))
        }
        "iam" if a.resource.starts_with("role/") || a.resource.starts_with("user/") => Some(arn.to_owned()),
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

    /// AWS behaviour: SimulatePrincipalPolicy takes the role's ARN with its
    /// path (an SSO session's role lives under /aws-reserved/), and answers
    /// implicitDeny for what the principal's policies do not allow.
    #[tokio::test]
    async fn the_callers_role_is_simulated_at_its_path_and_a_missing_grant_is_denied() {
        use crate::cloud::sim::SimRole;
        use crate::cloud::RoleInfo;
        let (caller, member) = ("999999999999", "111111111111");
        let cloud = SimCloud::new(id(caller), World::default());
        let sso = "AWSReservedSSO_Admin_0123456789abcdef";
        cloud.world().caller_arn = Some(format!("arn:aws:sts::{caller}:assumed-role/{sso}/me@example.com"));
        let role = |account: &str, path: &str, name: &str, allows: &[&str]| {
            let info = RoleInfo {
                name: name.into(),
                arn: format!("arn:aws:iam::{account}:role{path}{name}"),
                trust: crate::testing::document(&[]),
                tags: Default::default(),
                boundary: None,
                settings: Default::default(),
            };
            let mut r = SimRole::new(info, 0);
            r.inline.insert("access".into(), crate::testing::document(allows));
            r
        };
        {
            let mut world = cloud.world();
            let own = role(caller, "/aws-reserved/sso.amazonaws.com/", sso, &["iam:*"]);
            world.accounts.entry(id(caller)).or_default().roles.insert(sso.into(), own);
            let reader = role(member, "/", "OrganizationAccountAccessRole", &["iam:Get*", "iam:List*"]);
            world
                .accounts
                .entry(id(member))
                .or_default()
                .roles
                .insert("OrganizationAccountAccessRole".into(), reader);
        }
        let d = desired(&[caller, member]);
        let observed = observe(&cloud, &d, &State::new(), false, 2).await.unwrap();
        let checked = preflight(&cloud, &d, &observed, 2).await;
        let by =
            |account: &str| &checked.accounts.iter().find(|c| c.account == id(account)).unwrap().permissions;
        assert_eq!(by(caller), &Permissions::Allowed);
        let Permissions::Denied(denied) = by(member) else { panic!("{:?}", by(member)) };
        assert!(
            denied.contains(&"iam:CreateRole".to_owned()) && !denied.contains(&"iam:GetRole".to_owned()),
            "{denied:?}"
        );
        assert!(!checked.ok());
    }
}
