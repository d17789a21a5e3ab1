//! The stack set orgrole wants: template, parameters, tags and
//! auto-deployment, made from the configuration.

use std::collections::{BTreeMap, BTreeSet};

use super::template::{template_body, EXTERNAL_ID_PARAMETER};
use crate::cloud::{AccountState, DeploymentTargets, Organization, StackSetSpec};
use crate::config::{Desired, StackSetConfig, StackSetTargets, Template};
use crate::model::{AccountFilter, AccountId, AutoDeployment};

pub fn spec(desired: &Desired, stackset: &StackSetConfig) -> StackSetSpec {
    let role = &desired.role;
    let external_id = &desired.credential.external_id;
    let parameters = match stackset.template {
        Template::Generated => BTreeMap::from([(EXTERNAL_ID_PARAMETER.to_owned(), external_id.clone())]),
        // The vendor's template has the external ID written in.
        Template::File { .. } => BTreeMap::new(),
    };
    StackSetSpec {
        name: stackset.name.clone(),
        description: format!("orgrole: the role {} for {}", role.name, desired.credential.name),
        template_body: template_body(&stackset.template, role, external_id),
        parameters,
        tags: role.managed_tags(),
        // Retaining stacks means nothing without auto-deployment (AWS: not to be set then).
        auto_deployment: AutoDeployment {
            enabled: stackset.auto_deployment,
            retain_stacks: stackset.auto_deployment && stackset.retain_stacks,
        },
    }
}

/// The OUs the configuration targets: the organization is its root.
pub fn target_units(stackset: &StackSetConfig, org: &Organization) -> Vec<String> {
    match &stackset.targets {
        StackSetTargets::Organization => vec![org.root.clone()],
        StackSetTargets::Ous(ous) => ous.clone(),
    }
}

/// The deployment targets of the configured OUs `ous`, with the account filter.
pub fn deployment_targets(stackset: &StackSetConfig, ous: Vec<String>) -> DeploymentTargets {
    DeploymentTargets { ous, accounts: stackset.accounts.clone(), filter: stackset.filter }
}

/// With `filter="union"`: the listed accounts outside the OUs that
/// StackSets can deploy to (ACTIVE members, not the management account), by
/// the OU they sit in. CreateStackInstances takes no UNION, so orgrole
/// deploys these through their own OU.
pub fn union_extras(
    stackset: &StackSetConfig,
    units: &[String],
    org: &Organization,
) -> BTreeMap<String, Vec<AccountId>> {
    let mut extras: BTreeMap<String, Vec<AccountId>> = BTreeMap::new();
    if stackset.filter != AccountFilter::Union {
        return extras;
    }
    let below: BTreeSet<&AccountId> =
        units.iter().flat_map(|u| org.accounts_below(u)).map(|a| &a.id).collect();
    for account in stackset.accounts.iter().filter(|a| !below.contains(a) && **a != org.management_account) {
        let member = org.accounts.iter().find(|m| &m.id == account && m.state == AccountState::Active);
        if let Some(member) = member {
            extras.entry(member.parent.clone()).or_default().push(account.clone());
        }
    }
    for accounts in extras.values_mut() {
        accounts.sort();
        accounts.dedup();
    }
    extras
}
