//! The resources a stack instance's stack makes in its account, as
//! CloudFormation does on AWS: the template's `AWS::IAM::Role` and
//! `AWS::IAM::ManagedPolicy` (with its `Roles`), `Ref`s to parameters and to
//! the role resolved. Created or updated to the template when an operation
//! deploys the instance, deleted with it. Only JSON templates (orgrole's
//! generated one) are read; others make nothing here. Not modelled:
//! CloudFormation's refusal to delete a role that has policies it did not
//! attach (DELETE_FAILED on AWS).

use std::collections::BTreeMap;

use serde_json::Value;

use super::iam::{SimPolicy, SimRole};
use super::World;
use crate::cloud::{RoleInfo, StackSetSpec};
use crate::model::{AccountId, PolicyDocument, RoleSettings, Tags};

/// A role as the template declares it.
struct StackRole {
    name: String,
    trust: PolicyDocument,
    tags: Tags,
    settings: RoleSettings,
    boundary: Option<String>,
}

/// One stack's IAM resources, resolved.
struct StackResources {
    roles: Vec<StackRole>,
    /// (name, document, names of the roles it is attached to)
    policies: Vec<(String, PolicyDocument, Vec<String>)>,
}

fn read(spec: &StackSetSpec, account: &AccountId) -> StackResources {
    let mut out = StackResources { roles: vec![], policies: vec![] };
    let Ok(template) = serde_json::from_str::<Value>(&spec.template_body) else { return out };
    let resources = template["Resources"].as_object().cloned().unwrap_or_default();
    // Logical ID → physical name, for `Ref`s to the template's roles.
    let names: BTreeMap<String, String> = resources
        .iter()
        .filter_map(|(id, r)| Some((id.clone(), r["Properties"]["RoleName"].as_str()?.to_owned())))
        .collect();
    let resolve = |v: &Value| resolved(v, &spec.parameters, &names, account);
    for resource in resources.values() {
        let p = resolve(&resource["Properties"]);
        match resource["Type"].as_str() {
            Some("AWS::IAM::Role") => {
                let (Some(name), Ok(trust)) = (
                    p["RoleName"].as_str(),
                    PolicyDocument::from_value(p["AssumeRolePolicyDocument"].clone()),
                ) else {
                    continue;
                };
                let tags = p["Tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| Some((t["Key"].as_str()?.to_owned(), t["Value"].as_str()?.to_owned())))
                    .collect();
                let defaults = RoleSettings::default();
                let settings = RoleSettings {
                    path: p["Path"].as_str().map_or(defaults.path, str::to_owned),
                    description: p["Description"].as_str().map(str::to_owned),
                    max_session_duration: p["MaxSessionDuration"]
                        .as_u64()
                        .map_or(defaults.max_session_duration, |s| s as u32),
                };
                let boundary = p["PermissionsBoundary"].as_str().map(str::to_owned);
                out.roles.push(StackRole { name: name.to_owned(), trust, tags, settings, boundary });
            }
            Some("AWS::IAM::ManagedPolicy") => {
                let (Some(name), Ok(document)) = (
                    p["ManagedPolicyName"].as_str(),
                    PolicyDocument::from_value(p["PolicyDocument"].clone()),
                ) else {
                    continue;
                };
                let roles =
                    p["Roles"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).map(str::to_owned);
                out.policies.push((name.to_owned(), document, roles.collect()));
            }
            _ => {}
        }
    }
    out
}

/// `{"Ref": X}` replaced by parameter X's value or role X's name, and
/// `{"Fn::Sub": "...${AWS::AccountId}..."}` by the text with the account in.
fn resolved(
    v: &Value,
    parameters: &BTreeMap<String, String>,
    roles: &BTreeMap<String, String>,
    account: &AccountId,
) -> Value {
    match v {
        Value::Object(map) if map.len() == 1 && map.contains_key("Ref") => {
            let name = map["Ref"].as_str().unwrap_or_default();
            let value = parameters.get(name).or_else(|| roles.get(name));
            value.map_or(Value::Null, |v| Value::String(v.clone()))
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("Fn::Sub") => {
            let text = map["Fn::Sub"].as_str().unwrap_or_default();
            Value::String(text.replace("${AWS::AccountId}", account.as_str()))
        }
        Value::Object(map) => Value::Object(
            map.iter().map(|(k, v)| (k.clone(), resolved(v, parameters, roles, account))).collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| resolved(i, parameters, roles, account)).collect())
        }
        other => other.clone(),
    }
}

impl World {
    /// A stack created or updated to `spec`'s template: what CloudFormation
    /// declared is set as declared (a policy whose document changed gets a
    /// new default version); what a person added beside it stays.
    pub(super) fn deploy_stack(&mut self, account: &AccountId, spec: &StackSetSpec) {
        let resources = read(spec, account);
        self.clock += 1;
        let clock = self.clock as i64;
        let iam = self.accounts.entry(account.clone()).or_default();
        for StackRole { name, trust, tags, settings, boundary } in resources.roles {
            let arn = account.iam_arn("aws", &format!("role{}{name}", settings.path));
            let role = iam.roles.entry(name.clone()).or_insert_with(|| {
                let info = RoleInfo {
                    name: name.clone(),
                    arn,
                    trust: trust.clone(),
                    tags: tags.clone(),
                    boundary: boundary.clone(),
                    settings: settings.clone(),
                };
                SimRole::new(info, 0)
            });
            role.info.trust = trust;
            role.info.tags.extend(tags);
            // What an update may change in place (a new path would fail on AWS: `plan::Refusal`).
            role.info.boundary = boundary;
            role.info.settings.description = settings.description;
            role.info.settings.max_session_duration = settings.max_session_duration;
        }
        for (name, document, roles) in resources.policies {
            let arn = account.iam_arn("aws", &format!("policy/{name}"));
            let policy = iam.policies.entry(arn.clone()).or_insert_with(|| SimPolicy {
                name,
                tags: Tags::new(),
                versions: vec![("v1".into(), document.clone(), clock)],
                default_version: "v1".into(),
                next_version: 2,
                invisible: 0,
            });
            if policy.document() != &document {
                let id = format!("v{}", policy.next_version);
                policy.next_version += 1;
                policy.versions.push((id.clone(), document, clock));
                policy.default_version = id;
            }
            for name in &roles {
                if let Some(role) = iam.roles.get_mut(name).filter(|r| !r.attached.contains(&arn)) {
                    role.attached.push(arn.clone());
                }
            }
        }
    }

    /// A stack deleted: its policies detached and deleted, its roles deleted.
    pub(super) fn delete_stack(&mut self, account: &AccountId, spec: &StackSetSpec) {
        let resources = read(spec, account);
        let Some(iam) = self.accounts.get_mut(account) else { return };
        for (name, _, _) in &resources.policies {
            let arn = account.iam_arn("aws", &format!("policy/{name}"));
            iam.roles.values_mut().for_each(|r| r.attached.retain(|a| *a != arn));
            iam.policies.remove(&arn);
        }
        for role in &resources.roles {
            iam.roles.remove(&role.name);
        }
    }
}
