use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::ResourceValue;
use crate::model::{OtherPolicies, PolicyDocument, RoleSettings, Tags};

/// A short, stable digest of a resource's value as orgrole compares it
/// (policy documents by meaning), or of its absence. The state records the
/// one of what orgrole applied, so that later differences show as drift;
/// a saved plan holds its changes' `before` values, so that a world that
/// moved since the plan shows as stale.
pub fn fingerprint(value: Option<&ResourceValue>) -> String {
    // The JSON text of `{"policy": canonical, "tags": tags}` (or `"role"`),
    // from the document's canonical JSON made once: fingerprints of
    // thousands of accounts' documents cost a hash each, not a copy.
    // A role's other policies only when it has some, and its settings only
    // when they are not those every role orgrole made had before they were
    // observed, so that the fingerprints recorded then stay valid.
    let document = |kind: &str,
                    document: &PolicyDocument,
                    tags: &Tags,
                    role: Option<(&OtherPolicies, &RoleSettings)>| {
        let tags = serde_json::to_string(tags).expect("tags serialize");
        let other = match role.map(|r| r.0).filter(|o| !o.is_empty()) {
            Some(o) => format!(r#","other":{}"#, o.canonical_json()),
            None => String::new(),
        };
        let settings = match role.map(|r| r.1).filter(|s| !s.made_by_orgrole_before_options()) {
            Some(s) => format!(r#","settings":{}"#, s.canonical_json()),
            None => String::new(),
        };
        format!(r#"{{"{kind}":{}{other}{settings},"tags":{tags}}}"#, document.canonical_json())
    };
    let canonical = match value {
        None => Value::Null.to_string(),
        Some(ResourceValue::Policy { document: d, tags }) => document("policy", d, tags, None),
        Some(ResourceValue::Role { trust, tags, other, settings }) => {
            document("role", trust, tags, Some((other, settings)))
        }
        Some(ResourceValue::Attachment { role, policy_arn }) => {
            json!({"attachment": [role, policy_arn]}).to_string()
        }
    };
    digest(&canonical)
}

/// A stack set's parameters as the state records them: the digest of
/// their JSON, salted with the state's lineage, so that the state keeps no
/// external ID and no digest of it that a guess could be checked against
/// elsewhere.
pub fn parameters_fingerprint(lineage: &str, parameters: &BTreeMap<String, String>) -> String {
    digest(&format!("{lineage}\n{}", serde_json::to_string(parameters).expect("serializable")))
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_meaning_gives_equal_fingerprints() {
        let doc = |text: &str| PolicyDocument::parse(text).unwrap();
        let a = ResourceValue::Policy {
            document: doc(r#"{"Statement":[{"Action":["b","a"]}]}"#),
            tags: Tags::new(),
        };
        let b = ResourceValue::Policy {
            document: doc(r#"{"Statement":{"Action":["a","b"]}}"#),
            tags: Tags::new(),
        };
        let c =
            ResourceValue::Policy { document: doc(r#"{"Statement":{"Action":["a"]}}"#), tags: Tags::new() };
        assert_eq!(fingerprint(Some(&a)), fingerprint(Some(&b)));
        assert_ne!(fingerprint(Some(&a)), fingerprint(Some(&c)));
        assert_ne!(fingerprint(Some(&a)), fingerprint(None));
        let role = |other: OtherPolicies| ResourceValue::Role {
            trust: doc(r#"{"Statement":[]}"#),
            tags: Tags::new(),
            other,
            settings: orgrole_made(),
        };
        let backdoor = OtherPolicies {
            managed: ["arn:aws:iam::aws:policy/AdministratorAccess".into()].into(),
            ..Default::default()
        };
        assert_ne!(fingerprint(Some(&role(OtherPolicies::default()))), fingerprint(Some(&role(backdoor))));
        let with = |settings: RoleSettings| {
            let ResourceValue::Role { trust, tags, other, .. } = role(OtherPolicies::default()) else {
                unreachable!()
            };
            fingerprint(Some(&ResourceValue::Role { trust, tags, other, settings }))
        };
        let plain = with(orgrole_made());
        for changed in [
            RoleSettings { path: "/vendor/".into(), ..orgrole_made() },
            RoleSettings { description: None, ..orgrole_made() },
            RoleSettings { max_session_duration: 7200, ..orgrole_made() },
        ] {
            assert_ne!(with(changed.clone()), plain, "{changed:?}");
        }
    }

    /// The settings every role orgrole made had before they were configurable.
    fn orgrole_made() -> RoleSettings {
        RoleSettings { description: Some(crate::model::ORGROLE_DESCRIPTION.into()), ..Default::default() }
    }

    #[test]
    fn fingerprints_stay_those_recorded_in_existing_state_files() {
        // The digest of the JSON text of {"policy"|"role": canonical, "tags": tags}.
        let document =
            PolicyDocument::parse(r#"{"Statement":{"Action":["b","a"],"Effect":"Allow"}}"#).unwrap();
        let tags: Tags = [("owner".to_owned(), "secops".to_owned())].into_iter().collect();
        for (value, kind) in [
            (ResourceValue::Policy { document: document.clone(), tags: tags.clone() }, "policy"),
            (
                ResourceValue::Role {
                    trust: document.clone(),
                    tags: tags.clone(),
                    other: Default::default(),
                    settings: orgrole_made(),
                },
                "role",
            ),
        ] {
            let text = json!({kind: document.canonical(), "tags": tags}).to_string();
            let expected: String =
                Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
            assert_eq!(fingerprint(Some(&value)), expected, "{kind}");
        }
    }
}
