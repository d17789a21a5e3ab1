//! What a saved plan's configuration digest covers: everything the
//! configuration asks for (external ID included), so that any edit that
//! changes the desired state is noticed. Its own types, written as
//! `Desired` was serialized when saved plans began: a plan saved by an
//! earlier version still applies under the same configuration.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{self, Desired};
use crate::model::{self, AccountId, Tags};

/// The digest of what the configuration asks for, in hex.
pub fn config_digest(desired: &Desired) -> String {
    let text = serde_json::to_string(&DigestInput::from(desired)).expect("the digest input serializes");
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize)]
struct DigestInput<'a> {
    credential: Credential<'a>,
    role: Role<'a>,
    direct: Option<Direct<'a>>,
    /// Absent when not used, as before there were stack sets: digests of
    /// direct-only configurations stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    stackset: Option<StackSet<'a>>,
    state: Option<StateBackend<'a>>,
}

#[derive(Serialize)]
struct Credential<'a> {
    name: &'a str,
    external_id: &'a str,
}

#[derive(Serialize)]
struct Role<'a> {
    name: &'a str,
    trust: &'a [String],
    policy_name: &'a str,
    /// The document as written, not its canonical form.
    policy: &'a Value,
    tags: &'a Tags,
    other_policies: OtherPolicies,
    /// Absent when at IAM's defaults, as before there were role options:
    /// digests of configurations without them stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<RoleSettings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<&'a str>,
}

#[derive(Serialize)]
struct RoleSettings<'a> {
    path: &'a str,
    description: Option<&'a str>,
    max_session_duration: u32,
}

#[derive(Serialize)]
enum OtherPolicies {
    Remove,
    Keep,
}

#[derive(Serialize)]
struct Direct<'a> {
    organization: bool,
    ous: &'a [String],
    accounts: &'a [AccountId],
    exclude: &'a [AccountId],
    access_role: &'a str,
}

#[derive(Serialize)]
struct StackSet<'a> {
    name: &'a str,
    targets: Targets<'a>,
    accounts: &'a [AccountId],
    filter: AccountFilter,
    regions: &'a [String],
    auto_deployment: bool,
    retain_stacks: bool,
    preferences: Preferences,
    management_account: bool,
    template: Template<'a>,
    call_as: CallAs,
    access_role: Option<&'a str>,
}

#[derive(Serialize)]
enum Targets<'a> {
    Organization,
    Ous(&'a [String]),
}

#[derive(Serialize)]
enum AccountFilter {
    None,
    Intersection,
    Difference,
    Union,
}

#[derive(Serialize)]
struct Preferences {
    max_concurrent: Option<Amount>,
    failure_tolerance: Option<Amount>,
    region_concurrency: Option<RegionConcurrency>,
}

#[derive(Serialize)]
enum Amount {
    Percent(u32),
    Count(u32),
}

#[derive(Serialize)]
enum RegionConcurrency {
    Sequential,
    Parallel,
}

#[derive(Serialize)]
enum Template<'a> {
    Generated,
    File { path: &'a str, body: &'a str },
}

#[derive(Serialize)]
enum CallAs {
    Caller,
    DelegatedAdmin,
}

#[derive(Serialize)]
enum StateBackend<'a> {
    S3 { bucket: &'a str, key: &'a str, region: Option<&'a str> },
}

impl<'a> From<&'a Desired> for DigestInput<'a> {
    fn from(d: &'a Desired) -> Self {
        Self {
            credential: Credential { name: &d.credential.name, external_id: &d.credential.external_id },
            role: Role::from(&d.role),
            direct: d.direct.as_ref().map(Direct::from),
            stackset: d.stackset.as_ref().map(StackSet::from),
            state: d.state.as_ref().map(|config::StateBackend::S3 { bucket, key, region }| {
                StateBackend::S3 { bucket, key, region: region.as_deref() }
            }),
        }
    }
}

impl<'a> From<&'a config::RoleConfig> for Role<'a> {
    fn from(r: &'a config::RoleConfig) -> Self {
        Self {
            name: &r.name,
            trust: &r.trust,
            policy_name: &r.policy_name,
            policy: r.policy.as_value(),
            tags: &r.tags,
            other_policies: match r.other_policies {
                config::OtherPoliciesMode::Remove => OtherPolicies::Remove,
                config::OtherPoliciesMode::Keep => OtherPolicies::Keep,
            },
            settings: (!r.settings.is_default()).then(|| RoleSettings {
                path: &r.settings.path,
                description: r.settings.description.as_deref(),
                max_session_duration: r.settings.max_session_duration,
            }),
            permissions_boundary: r.permissions_boundary.as_deref(),
        }
    }
}

impl<'a> From<&'a config::DirectTargets> for Direct<'a> {
    fn from(d: &'a config::DirectTargets) -> Self {
        Self {
            organization: d.organization,
            ous: &d.ous,
            accounts: &d.accounts,
            exclude: &d.exclude,
            access_role: &d.access_role,
        }
    }
}

impl<'a> From<&'a config::StackSetConfig> for StackSet<'a> {
    fn from(s: &'a config::StackSetConfig) -> Self {
        Self {
            name: &s.name,
            targets: match &s.targets {
                config::StackSetTargets::Organization => Targets::Organization,
                config::StackSetTargets::Ous(ous) => Targets::Ous(ous),
            },
            accounts: &s.accounts,
            filter: match s.filter {
                model::AccountFilter::None => AccountFilter::None,
                model::AccountFilter::Intersection => AccountFilter::Intersection,
                model::AccountFilter::Difference => AccountFilter::Difference,
                model::AccountFilter::Union => AccountFilter::Union,
            },
            regions: &s.regions,
            auto_deployment: s.auto_deployment,
            retain_stacks: s.retain_stacks,
            preferences: Preferences::from(&s.preferences),
            management_account: s.management_account,
            template: match &s.template {
                config::Template::Generated => Template::Generated,
                config::Template::File { path, body } => Template::File { path, body },
            },
            call_as: match s.call_as {
                model::CallAs::Caller => CallAs::Caller,
                model::CallAs::DelegatedAdmin => CallAs::DelegatedAdmin,
            },
            access_role: s.access_role.as_deref(),
        }
    }
}

impl From<&model::Preferences> for Preferences {
    fn from(p: &model::Preferences) -> Self {
        let amount = |a: Option<model::Amount>| {
            a.map(|a| match a {
                model::Amount::Percent(n) => Amount::Percent(n),
                model::Amount::Count(n) => Amount::Count(n),
            })
        };
        Self {
            max_concurrent: amount(p.max_concurrent),
            failure_tolerance: amount(p.failure_tolerance),
            region_concurrency: p.region_concurrency.map(|r| match r {
                model::RegionConcurrency::Sequential => RegionConcurrency::Sequential,
                model::RegionConcurrency::Parallel => RegionConcurrency::Parallel,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{OtherPoliciesMode, StackSetConfig, StackSetTargets, StateBackend, Template};
    use crate::model::{AccountFilter, Amount, CallAs, Preferences, RegionConcurrency};
    use crate::testing::{desired, id};

    /// Every field of the configuration set, and none at its default.
    fn everything() -> Desired {
        let mut d = desired(&["111111111111", "222222222222"]);
        d.role.tags.insert("owner".into(), "secops".into());
        d.role.other_policies = OtherPoliciesMode::Keep;
        let direct = d.direct.as_mut().unwrap();
        direct.organization = true;
        direct.ous = vec!["ou-ab12-cdef3456".into()];
        direct.exclude = vec![id("333333333333")];
        d.stackset = Some(StackSetConfig {
            name: "radiant".into(),
            targets: StackSetTargets::Ous(vec!["ou-ab12-11111111".into()]),
            accounts: vec![id("444444444444")],
            filter: AccountFilter::Intersection,
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            auto_deployment: true,
            retain_stacks: true,
            preferences: Preferences {
                max_concurrent: Some(Amount::Percent(25)),
                failure_tolerance: Some(Amount::Count(1)),
                region_concurrency: Some(RegionConcurrency::Parallel),
            },
            management_account: true,
            template: Template::File { path: "rs_iam_role.yml".into(), body: "Resources: {}\n".into() },
            call_as: CallAs::DelegatedAdmin,
            access_role: Some("Reader".into()),
        });
        d.state = Some(StateBackend::S3 {
            bucket: "b".into(),
            key: "k.json".into(),
            region: Some("eu-west-1".into()),
        });
        d
    }

    /// Plans saved by earlier versions name their configuration by this
    /// digest: it must not change for the same configuration.
    #[test]
    fn the_digest_of_a_configuration_stays_what_earlier_versions_computed() {
        let direct = desired(&["111111111111"]);
        assert_eq!(
            config_digest(&direct),
            "bd697c9b89f30a971d04bc289a0d16ead8c044b53b0eac2e36c6b4931028f61d"
        );
        // StackSet mode only, with what is optional at its default.
        let mut stackset = direct.clone();
        stackset.direct = None;
        stackset.stackset = Some(StackSetConfig {
            targets: StackSetTargets::Organization,
            accounts: vec![],
            filter: AccountFilter::None,
            preferences: Preferences::default(),
            template: Template::Generated,
            call_as: CallAs::Caller,
            access_role: None,
            ..everything().stackset.unwrap()
        });
        assert_eq!(
            config_digest(&stackset),
            "60c2f70948dd4632e3d8c099923447c85080a925321f305414391fa422ceb048"
        );
        assert_eq!(
            config_digest(&everything()),
            "71b1ebe7fa474c753a1d5c5b936f8456d70347fe36276d3ef84dc83ade89b34f"
        );
    }

    #[test]
    fn each_role_option_changes_the_digest() {
        let plain = desired(&["111111111111"]);
        let mut seen = std::collections::BTreeSet::from([config_digest(&plain)]);
        for edit in [
            |d: &mut Desired| d.role.settings.path = "/vendor/".into(),
            |d: &mut Desired| d.role.settings.description = Some("d".into()),
            |d: &mut Desired| d.role.settings.max_session_duration = 7200,
            |d: &mut Desired| d.role.permissions_boundary = Some("arn:aws:iam::aws:policy/B".into()),
        ] {
            let mut d = plain.clone();
            edit(&mut d);
            assert!(seen.insert(config_digest(&d)), "an option left the digest as it was");
        }
    }
}
