//! The stack set orgrole wants: template, parameters, tags and
//! auto-deployment, made from the configuration.

use std::collections::BTreeMap;

use super::template::{template_body, EXTERNAL_ID_PARAMETER};
use crate::cloud::Organization;
use crate::cloud::{AutoDeployment, DeploymentTargets, StackSetSpec};
use crate::config::{Desired, StackSetConfig, StackSetTargets, Template};

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
