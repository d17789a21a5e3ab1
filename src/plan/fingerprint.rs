use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::ResourceValue;

/// A short, stable digest of a resource's value as orgrole compares it
/// (policy documents by meaning), or of its absence. The state records the
/// one of what orgrole applied, so that later differences show as drift;
/// a saved plan holds its changes' `before` values, so that a world that
/// moved since the plan shows as stale.
pub fn fingerprint(value: Option<&ResourceValue>) -> String {
    let canonical: Value = match value {
        None => Value::Null,
        Some(ResourceValue::Policy { document, tags }) => {
            json!({"policy": document.canonical(), "tags": tags})
        }
        Some(ResourceValue::Role { trust, tags }) => json!({"role": trust.canonical(), "tags": tags}),
        Some(ResourceValue::Attachment { role, policy_arn }) => json!({"attachment": [role, policy_arn]}),
    };
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PolicyDocument, Tags};

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
    }
}
