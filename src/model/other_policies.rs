use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::PolicyDocument;

/// What a role carries besides its trust policy and orgrole's own policy:
/// inline policies, other managed policies and a permissions boundary. Each
/// changes what the role may do, so the configuration's role has exactly
/// the ones it names (none): any other found on it is drift. Serialized in
/// the plan JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OtherPolicies {
    /// Inline policies by name (ListRolePolicies, GetRolePolicy).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub inline: BTreeMap<String, PolicyDocument>,
    /// ARNs of the managed policies attached besides orgrole's.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub managed: BTreeSet<String>,
    /// The permissions boundary's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
}

impl OtherPolicies {
    pub fn is_empty(&self) -> bool {
        self.inline.is_empty() && self.managed.is_empty() && self.boundary.is_none()
    }

    /// Compact JSON where equal meaning is equal text (inline documents in
    /// their canonical form), for fingerprints.
    pub fn canonical_json(&self) -> String {
        let inline: BTreeMap<&str, serde_json::Value> = self
            .inline
            .iter()
            .map(|(name, d)| {
                (name.as_str(), serde_json::from_str(d.canonical_json()).expect("canonical JSON"))
            })
            .collect();
        serde_json::json!({"boundary": self.boundary, "inline": inline, "managed": self.managed}).to_string()
    }
}
