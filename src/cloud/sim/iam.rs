use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{SimAccount, World};
use crate::cloud::{CloudError, Iam, PolicyInfo, PolicyVersion, RoleInfo};
use crate::iam_reference::wildcard;
use crate::model::{
    is_iam_path, AccountId, PolicyDocument, RoleSettings, Tags, DEFAULT_MAX_SESSION, LONGEST_MAX_SESSION,
};

#[derive(Debug, Clone)]
pub struct SimRole {
    pub info: RoleInfo,
    pub attached: Vec<String>,
    /// Inline policies by name.
    pub inline: BTreeMap<String, PolicyDocument>,
    /// AttachRolePolicy calls that will still not see it (eventual consistency).
    pub invisible: u32,
}

#[derive(Debug, Clone)]
pub struct SimPolicy {
    pub name: String,
    pub tags: Tags,
    /// (id, document, created), oldest first.
    pub versions: Vec<(String, PolicyDocument, i64)>,
    pub default_version: String,
    pub next_version: u32,
    pub invisible: u32,
}

impl SimRole {
    pub fn new(info: RoleInfo, invisible: u32) -> Self {
        Self { info, attached: vec![], inline: BTreeMap::new(), invisible }
    }
}

impl SimPolicy {
    pub fn document(&self) -> &PolicyDocument {
        &self.versions.iter().find(|v| v.0 == self.default_version).expect("a default version").1
    }
}

#[derive(Clone)]
pub struct SimIam {
    account: AccountId,
    world: Arc<Mutex<World>>,
}

fn not_found(operation: &str, what: &str) -> CloudError {
    CloudError::from_code(operation, Some("NoSuchEntity"), format!("{what} cannot be found"))
}

impl SimIam {
    pub(super) fn new(account: AccountId, world: Arc<Mutex<World>>) -> Self {
        Self { account, world }
    }

    /// Runs `f` on this account's IAM, after recording the call.
    fn with<T>(
        &self,
        operation: &str,
        f: impl FnOnce(&mut SimAccount, &mut u64, u32) -> Result<T, CloudError>,
    ) -> Result<T, CloudError> {
        let mut world = self.world.lock().expect("not poisoned");
        world.call(&self.account, operation)?;
        let invisible_for = world.invisible_for;
        let World { accounts, clock, .. } = &mut *world;
        f(accounts.get_mut(&self.account).expect("the account exists once reached"), clock, invisible_for)
    }

    fn role_mut<'a>(
        account: &'a mut SimAccount,
        operation: &str,
        name: &str,
    ) -> Result<&'a mut SimRole, CloudError> {
        account.roles.get_mut(name).ok_or_else(|| not_found(operation, &format!("role {name}")))
    }

    fn policy_mut<'a>(
        account: &'a mut SimAccount,
        operation: &str,
        arn: &str,
    ) -> Result<&'a mut SimPolicy, CloudError> {
        account.policies.get_mut(arn).ok_or_else(|| not_found(operation, &format!("policy {arn}")))
    }

    fn attachments(account: &SimAccount, arn: &str) -> usize {
        account.roles.values().filter(|r| r.attached.iter().any(|a| a == arn)).count()
    }
}

impl Iam for SimIam {
    async fn get_role(&self, name: &str) -> Result<Option<RoleInfo>, CloudError> {
        self.with("iam:GetRole", |a, _, _| Ok(a.roles.get(name).map(|r| r.info.clone())))
    }

    async fn attached_role_policies(&self, role: &str) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:ListAttachedRolePolicies";
        self.with(OP, |a, _, _| Ok(Self::role_mut(a, OP, role)?.attached.clone()))
    }

    async fn get_policy(&self, arn: &str) -> Result<Option<PolicyInfo>, CloudError> {
        self.with("iam:GetPolicy", |a, _, _| {
            Ok(a.policies.get(arn).map(|p| PolicyInfo {
                name: p.name.clone(),
                arn: arn.to_owned(),
                default_version: p.default_version.clone(),
                tags: p.tags.clone(),
            }))
        })
    }

    async fn get_policy_document(&self, arn: &str, version: &str) -> Result<PolicyDocument, CloudError> {
        const OP: &str = "iam:GetPolicyVersion";
        self.with(OP, |a, _, _| {
            let p = Self::policy_mut(a, OP, arn)?;
            p.versions
                .iter()
                .find(|v| v.0 == version)
                .map(|v| v.1.clone())
                .ok_or_else(|| not_found(OP, version))
        })
    }

    async fn policy_versions(&self, arn: &str) -> Result<Vec<PolicyVersion>, CloudError> {
        const OP: &str = "iam:ListPolicyVersions";
        self.with(OP, |a, _, _| {
            let p = Self::policy_mut(a, OP, arn)?;
            Ok(p.versions
                .iter()
                .map(|(id, _, created)| PolicyVersion {
                    id: id.clone(),
                    is_default: *id == p.default_version,
                    created: *created,
                })
                .collect())
        })
    }

    async fn create_policy(
        &self,
        name: &str,
        document: &PolicyDocument,
        tags: &Tags,
    ) -> Result<String, CloudError> {
        const OP: &str = "iam:CreatePolicy";
        let arn = self.account.iam_arn("aws", &format!("policy/{name}"));
        self.with(OP, |a, clock, invisible| {
            if a.policies.contains_key(&arn) {
                return Err(CloudError::from_code(
                    OP,
                    Some("EntityAlreadyExists"),
                    format!("policy {name} exists"),
                ));
            }
            *clock += 1;
            a.policies.insert(
                arn.clone(),
                SimPolicy {
                    name: name.into(),
                    tags: tags.clone(),
                    versions: vec![("v1".into(), document.clone(), *clock as i64)],
                    default_version: "v1".into(),
                    next_version: 2,
                    invisible,
                },
            );
            Ok(arn.clone())
        })
    }

    async fn create_policy_version(&self, arn: &str, document: &PolicyDocument) -> Result<(), CloudError> {
        const OP: &str = "iam:CreatePolicyVersion";
        self.with(OP, |a, clock, _| {
            let p = Self::policy_mut(a, OP, arn)?;
            if p.versions.len() >= 5 {
                return Err(CloudError::from_code(
                    OP,
                    Some("LimitExceeded"),
                    "a managed policy can have up to 5 versions",
                ));
            }
            *clock += 1;
            let id = format!("v{}", p.next_version);
            p.next_version += 1;
            p.versions.push((id.clone(), document.clone(), *clock as i64));
            p.default_version = id;
            Ok(())
        })
    }

    async fn delete_policy_version(&self, arn: &str, version: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeletePolicyVersion";
        self.with(OP, |a, _, _| {
            let p = Self::policy_mut(a, OP, arn)?;
            if p.default_version == version {
                return Err(CloudError::from_code(
                    OP,
                    Some("DeleteConflict"),
                    "cannot delete the default version",
                ));
            }
            let before = p.versions.len();
            p.versions.retain(|v| v.0 != version);
            if p.versions.len() == before {
                return Err(not_found(OP, version));
            }
            Ok(())
        })
    }

    async fn delete_policy(&self, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeletePolicy";
        self.with(OP, |a, _, _| {
            let attached = Self::attachments(a, arn);
            let p = Self::policy_mut(a, OP, arn)?;
            if attached > 0 || p.versions.len() > 1 {
                return Err(CloudError::from_code(
                    OP,
                    Some("DeleteConflict"),
                    "cannot delete a policy attached to entities or with non-default versions",
                ));
            }
            a.policies.remove(arn);
            Ok(())
        })
    }

    async fn tag_policy(&self, arn: &str, tags: &Tags) -> Result<(), CloudError> {
        const OP: &str = "iam:TagPolicy";
        self.with(OP, |a, _, _| {
            Self::policy_mut(a, OP, arn)?.tags.extend(tags.clone());
            Ok(())
        })
    }

    async fn untag_policy(&self, arn: &str, keys: &[String]) -> Result<(), CloudError> {
        const OP: &str = "iam:UntagPolicy";
        self.with(OP, |a, _, _| {
            Self::policy_mut(a, OP, arn)?.tags.retain(|k, _| !keys.contains(k));
            Ok(())
        })
    }

    async fn create_role(
        &self,
        name: &str,
        trust: &PolicyDocument,
        tags: &Tags,
        settings: &RoleSettings,
        boundary: Option<&str>,
    ) -> Result<String, CloudError> {
        const OP: &str = "iam:CreateRole";
        // The path is part of the ARN.
        let arn = self.account.iam_arn("aws", &format!("role{}{name}", settings.path));
        self.with(OP, |a, _, invisible| {
            valid_settings(OP, settings)?;
            if a.roles.contains_key(name) {
                return Err(CloudError::from_code(
                    OP,
                    Some("EntityAlreadyExists"),
                    format!("role {name} exists"),
                ));
            }
            if let Some(boundary) = boundary {
                attachable(a, OP, boundary)?;
            }
            let info = RoleInfo {
                name: name.into(),
                arn: arn.clone(),
                trust: trust.clone(),
                tags: tags.clone(),
                boundary: boundary.map(str::to_owned),
                settings: settings.clone(),
            };
            a.roles.insert(name.into(), SimRole::new(info, invisible));
            Ok(arn.clone())
        })
    }

    /// UpdateRole changes the description and the session length; nothing
    /// changes a role's path.
    async fn update_role(
        &self,
        role: &str,
        description: Option<&str>,
        max_session_duration: u32,
    ) -> Result<(), CloudError> {
        const OP: &str = "iam:UpdateRole";
        self.with(OP, |a, _, _| {
            let r = Self::role_mut(a, OP, role)?;
            let settings = RoleSettings {
                description: description.map(str::to_owned),
                max_session_duration,
                ..r.info.settings.clone()
            };
            valid_settings(OP, &settings)?;
            r.info.settings = settings;
            Ok(())
        })
    }

    async fn update_trust(&self, role: &str, trust: &PolicyDocument) -> Result<(), CloudError> {
        const OP: &str = "iam:UpdateAssumeRolePolicy";
        self.with(OP, |a, _, _| {
            Self::role_mut(a, OP, role)?.info.trust = trust.clone();
            Ok(())
        })
    }

    async fn tag_role(&self, role: &str, tags: &Tags) -> Result<(), CloudError> {
        const OP: &str = "iam:TagRole";
        self.with(OP, |a, _, _| {
            Self::role_mut(a, OP, role)?.info.tags.extend(tags.clone());
            Ok(())
        })
    }

    async fn untag_role(&self, role: &str, keys: &[String]) -> Result<(), CloudError> {
        const OP: &str = "iam:UntagRole";
        self.with(OP, |a, _, _| {
            Self::role_mut(a, OP, role)?.info.tags.retain(|k, _| !keys.contains(k));
            Ok(())
        })
    }

    async fn attach_role_policy(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:AttachRolePolicy";
        self.with(OP, |a, _, _| {
            let p = Self::policy_mut(a, OP, arn)?;
            let policy_hidden = p.invisible > 0;
            p.invisible = p.invisible.saturating_sub(1);
            let r = Self::role_mut(a, OP, role)?;
            let role_hidden = r.invisible > 0;
            r.invisible = r.invisible.saturating_sub(1);
            if policy_hidden || role_hidden {
                return Err(not_found(OP, "a role or policy created a moment ago"));
            }
            if !r.attached.iter().any(|x| x == arn) {
                r.attached.push(arn.to_owned());
            }
            Ok(())
        })
    }

    async fn detach_role_policy(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DetachRolePolicy";
        self.with(OP, |a, _, _| {
            let r = Self::role_mut(a, OP, role)?;
            let before = r.attached.len();
            r.attached.retain(|x| x != arn);
            if r.attached.len() == before {
                return Err(not_found(OP, &format!("policy {arn} attached to {role}")));
            }
            Ok(())
        })
    }

    async fn inline_role_policies(&self, role: &str) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:ListRolePolicies";
        self.with(OP, |a, _, _| Ok(Self::role_mut(a, OP, role)?.inline.keys().cloned().collect()))
    }

    async fn inline_role_policy(&self, role: &str, name: &str) -> Result<Option<PolicyDocument>, CloudError> {
        const OP: &str = "iam:GetRolePolicy";
        self.with(OP, |a, _, _| Ok(Self::role_mut(a, OP, role)?.inline.get(name).cloned()))
    }

    async fn put_inline_role_policy(
        &self,
        role: &str,
        name: &str,
        document: &PolicyDocument,
    ) -> Result<(), CloudError> {
        const OP: &str = "iam:PutRolePolicy";
        self.with(OP, |a, _, _| {
            Self::role_mut(a, OP, role)?.inline.insert(name.to_owned(), document.clone());
            Ok(())
        })
    }

    async fn delete_inline_role_policy(&self, role: &str, name: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRolePolicy";
        self.with(OP, |a, _, _| match Self::role_mut(a, OP, role)?.inline.remove(name) {
            Some(_) => Ok(()),
            None => Err(not_found(OP, &format!("inline policy {name} of {role}"))),
        })
    }

    async fn put_role_permissions_boundary(&self, role: &str, arn: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:PutRolePermissionsBoundary";
        self.with(OP, |a, _, _| {
            attachable(a, OP, arn)?;
            Self::role_mut(a, OP, role)?.info.boundary = Some(arn.to_owned());
            Ok(())
        })
    }

    async fn delete_role_permissions_boundary(&self, role: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRolePermissionsBoundary";
        self.with(OP, |a, _, _| {
            Self::role_mut(a, OP, role)?.info.boundary = None;
            Ok(())
        })
    }

    async fn delete_role(&self, name: &str) -> Result<(), CloudError> {
        const OP: &str = "iam:DeleteRole";
        self.with(OP, |a, _, _| {
            let r = Self::role_mut(a, OP, name)?;
            if !r.attached.is_empty() || !r.inline.is_empty() {
                return Err(CloudError::from_code(
                    OP,
                    Some("DeleteConflict"),
                    "cannot delete a role with policies",
                ));
            }
            a.roles.remove(name);
            Ok(())
        })
    }

    /// Allows what the attached and inline policies' statements allow, within
    /// the boundary when the role has one of this account's policies as its
    /// boundary (an AWS managed one is not modelled: taken as allowing all).
    async fn denied_actions(
        &self,
        role_arn: &str,
        actions: &[String],
        resource: &str,
    ) -> Result<Vec<String>, CloudError> {
        const OP: &str = "iam:SimulatePrincipalPolicy";
        self.with(OP, |a, _, _| {
            let role =
                a.roles.values().find(|r| r.info.arn == role_arn).ok_or_else(|| not_found(OP, role_arn))?;
            let managed = role.attached.iter().filter_map(|arn| a.policies.get(arn)).map(SimPolicy::document);
            // IAM's evaluation as far as orgrole's policies go: an Allow whose
            // Action and Resource patterns both match (no Deny, no conditions).
            let grants: Vec<(Vec<String>, Vec<String>)> =
                managed.chain(role.inline.values()).flat_map(|d| d.grants()).collect();
            let bounds: Option<Vec<(Vec<String>, Vec<String>)>> = role
                .info
                .boundary
                .as_ref()
                .and_then(|arn| a.policies.get(arn))
                .map(|p| p.document().grants());
            let grant = |grants: &[(Vec<String>, Vec<String>)], action: &str| {
                grants.iter().any(|(actions, resources)| {
                    actions.iter().any(|p| wildcard(&p.to_ascii_lowercase(), &action.to_ascii_lowercase()))
                        && resources.iter().any(|p| wildcard(p, resource))
                })
            };
            let allowed =
                |action: &str| grant(&grants, action) && bounds.as_ref().is_none_or(|b| grant(b, action));
            Ok(actions.iter().filter(|x| !allowed(x)).cloned().collect())
        })
    }
}

/// IAM's limits on a role's settings (CreateRole, UpdateRole).
fn valid_settings(operation: &str, s: &RoleSettings) -> Result<(), CloudError> {
    let problem = if !is_iam_path(&s.path) {
        Some(format!("the path {} is not valid", s.path))
    } else if !(DEFAULT_MAX_SESSION..=LONGEST_MAX_SESSION).contains(&s.max_session_duration) {
        Some(format!("The requested MaxSessionDuration {} exceeds the allowed range", s.max_session_duration))
    } else if s.description.as_ref().is_some_and(|d| d.chars().count() > 1000) {
        Some("the description is longer than 1000 characters".into())
    } else {
        None
    };
    match problem {
        Some(message) => Err(CloudError::from_code(operation, Some("ValidationError"), message)),
        None => Ok(()),
    }
}

/// A permissions boundary must be a managed policy that exists.
fn attachable(account: &SimAccount, operation: &str, arn: &str) -> Result<(), CloudError> {
    if arn.contains(":iam::aws:policy/") || account.policies.contains_key(arn) {
        return Ok(());
    }
    Err(CloudError::from_code(
        operation,
        Some("NoSuchEntity"),
        format!("Scope ARN: {arn} does not exist or is not attachable."),
    ))
}
