//! One small pure comparison per resource kind: why `observed` is not what
//! is desired, as reasons a reviewer can read.

use std::collections::BTreeSet;

use super::{Action, Reason, ResourceValue};
use crate::model::{OtherPolicies, PolicyDocument, RoleSettings, Tags};

/// The reasons `observed` differs from `desired`; empty when they agree.
pub fn reasons(desired: &ResourceValue, observed: &ResourceValue) -> Vec<Reason> {
    use ResourceValue::*;
    let mut reasons = match (desired, observed) {
        (Policy { document: d, .. }, Policy { document: o, .. }) => policy(d, o),
        (
            Role { trust: d, other: d_other, settings: d_settings, .. },
            Role { trust: o, other: o_other, settings: o_settings, .. },
        ) => {
            let mut reasons = settings(d_settings, o_settings);
            reasons.extend(trust(d, o));
            reasons.extend(other(d_other, o_other));
            reasons
        }
        _ => vec![],
    };
    reasons.extend(tags(desired.tags(), observed.tags()));
    reasons
}

fn policy(desired: &PolicyDocument, observed: &PolicyDocument) -> Vec<Reason> {
    if desired.same_meaning(observed) {
        return vec![];
    }
    let (added, removed) = set_diff(&desired.actions(), &observed.actions());
    let mut reasons = vec![];
    if !added.is_empty() || !removed.is_empty() {
        reasons.push(Reason::ActionsChanged { added, removed });
    }
    if !desired.same_meaning_ignoring_actions(observed) {
        reasons.push(Reason::DocumentChanged);
    }
    reasons
}

fn trust(desired: &PolicyDocument, observed: &PolicyDocument) -> Vec<Reason> {
    if desired.same_meaning(observed) {
        return vec![];
    }
    let mut reasons = vec![];
    let (wanted, found) = (desired.trusted(), observed.trusted());
    let keys = |m: &std::collections::BTreeMap<String, bool>| m.keys().cloned().collect::<BTreeSet<_>>();
    let (added, removed) = set_diff(&keys(&wanted), &keys(&found));
    let principals_changed = !added.is_empty() || !removed.is_empty();
    if principals_changed {
        reasons.push(Reason::PrincipalsChanged { added, removed });
    }
    let external_id_changed = desired.external_ids() != observed.external_ids();
    if external_id_changed {
        reasons.push(Reason::ExternalIdChanged);
    }
    // The confused deputy the external ID exists for: anyone it lets in without one.
    let unguarded: Vec<String> = found
        .iter()
        .filter(|(p, guarded)| !**guarded && wanted.get(*p).is_none_or(|want| *want))
        .map(|(p, _)| p.clone())
        .collect();
    let unguarded_changed = !unguarded.is_empty();
    if unguarded_changed {
        reasons.push(Reason::ExternalIdNotRequired { principals: unguarded });
    }
    if !principals_changed && !external_id_changed && !unguarded_changed {
        reasons.push(Reason::TrustChanged);
    }
    reasons
}

/// Every inline policy, other managed policy and boundary found that is
/// not wanted, and a boundary wanted but not found.
fn other(desired: &OtherPolicies, observed: &OtherPolicies) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = observed
        .inline
        .iter()
        .filter(|(name, document)| desired.inline.get(*name) != Some(document))
        .map(|(name, document)| Reason::InlinePolicy {
            name: name.clone(),
            allows: document.allowed_actions(),
        })
        .collect();
    reasons.extend(
        observed.managed.difference(&desired.managed).map(|arn| Reason::PolicyAttached { arn: arn.clone() }),
    );
    if desired.boundary != observed.boundary {
        reasons.push(Reason::PermissionsBoundaryChanged {
            before: observed.boundary.clone(),
            after: desired.boundary.clone(),
        });
    }
    reasons
}

/// The path first: it makes the change a replacement.
fn settings(desired: &RoleSettings, observed: &RoleSettings) -> Vec<Reason> {
    let mut reasons = vec![];
    if desired.path != observed.path {
        reasons.push(Reason::PathChanged { before: observed.path.clone(), after: desired.path.clone() });
    }
    if desired.description != observed.description {
        reasons.push(Reason::DescriptionChanged {
            before: observed.description.clone(),
            after: desired.description.clone(),
        });
    }
    if desired.max_session_duration != observed.max_session_duration {
        reasons.push(Reason::MaxSessionDurationChanged {
            before: observed.max_session_duration,
            after: desired.max_session_duration,
        });
    }
    reasons
}

/// Update in place, or replace when what differs cannot change in place.
pub fn action_for(reasons: &[Reason]) -> Action {
    if reasons.iter().any(|r| matches!(r, Reason::PathChanged { .. })) {
        Action::Replace
    } else {
        Action::Update
    }
}

fn tags(desired: Option<&Tags>, observed: Option<&Tags>) -> Option<Reason> {
    let (set, removed) = tag_changes(observed?, desired?);
    (!set.is_empty() || !removed.is_empty()).then_some(Reason::TagsChanged { set, removed })
}

/// The tags to set and the keys to remove to turn `before` into `after`.
pub fn tag_changes(before: &Tags, after: &Tags) -> (Tags, Vec<String>) {
    let set = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).cloned().collect();
    (set, removed)
}

fn set_diff(desired: &BTreeSet<String>, observed: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (desired.difference(observed).cloned().collect(), observed.difference(desired).cloned().collect())
}

impl ResourceValue {
    /// A role's value with `other` as its other policies.
    pub fn with_other(&self, other: OtherPolicies) -> Self {
        match self {
            ResourceValue::Role { trust, tags, settings, .. } => ResourceValue::Role {
                trust: trust.clone(),
                tags: tags.clone(),
                other,
                settings: settings.clone(),
            },
            value => value.clone(),
        }
    }

    pub fn tags(&self) -> Option<&Tags> {
        match self {
            ResourceValue::Policy { tags, .. } | ResourceValue::Role { tags, .. } => Some(tags),
            ResourceValue::Attachment { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> PolicyDocument {
        PolicyDocument::from_value(v).unwrap()
    }

    fn trust_doc(principal: &str, external_id: &str) -> ResourceValue {
        ResourceValue::Role {
            trust: doc(json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]})),
            tags: Tags::new(),
            other: OtherPolicies::default(),
            settings: RoleSettings::default(),
        }
    }

    #[test]
    fn trust_changes_name_the_principal_and_the_external_id() {
        assert_eq!(reasons(&trust_doc("arn:a", "x1"), &trust_doc("arn:a", "x1")), vec![]);
        assert_eq!(
            reasons(&trust_doc("arn:a", "x2"), &trust_doc("arn:a", "x1")),
            vec![Reason::ExternalIdChanged]
        );
        assert_eq!(
            reasons(&trust_doc("arn:b", "x1"), &trust_doc("arn:a", "x1")),
            vec![Reason::PrincipalsChanged { added: vec!["arn:b".into()], removed: vec!["arn:a".into()] }]
        );
    }

    #[test]
    fn policy_changes_list_actions_added_and_removed() {
        let policy = |actions: &[&str], resource: &str| ResourceValue::Policy {
            document: doc(
                json!({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}]}),
            ),
            tags: Tags::from([("managed-by".into(), "orgrole".into())]),
        };
        assert_eq!(
            reasons(&policy(&["a:X", "a:Y"], "*"), &policy(&["a:Y", "a:Z"], "*")),
            vec![Reason::ActionsChanged { added: vec!["a:X".into()], removed: vec!["a:Z".into()] }]
        );
        assert_eq!(
            reasons(&policy(&["a:X"], "*"), &policy(&["a:X"], "arn:x")),
            vec![Reason::DocumentChanged]
        );
    }

    #[test]
    fn tag_changes_say_what_is_set_and_removed() {
        let role = |tags: &[(&str, &str)]| ResourceValue::Role {
            trust: doc(json!({"Statement": []})),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            other: OtherPolicies::default(),
            settings: RoleSettings::default(),
        };
        assert_eq!(
            reasons(&role(&[("a", "1"), ("b", "2")]), &role(&[("a", "0"), ("c", "3")])),
            vec![Reason::TagsChanged {
                set: [("a".into(), "1".into()), ("b".into(), "2".into())].into(),
                removed: vec!["c".into()]
            }]
        );
    }
}
