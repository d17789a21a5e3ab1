use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// An IAM policy document (permissions or trust), compared by meaning: IAM
/// accepts a string or a list wherever it takes several values, and the order
/// of actions, resources and principals carries no meaning.
///
/// The canonical form is computed once, when the document is made (for live
/// documents, while observing, alongside the network calls), and shared by
/// clones: a plan over thousands of accounts compares documents, and clones
/// them into changes, without normalizing or copying them again.
#[derive(Clone)]
pub struct PolicyDocument(Arc<Forms>);

struct Forms {
    value: Value,
    /// The canonical form as compact JSON: what equality and fingerprints use.
    canonical_json: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a policy document must be a JSON object with a `Statement`")]
    Shape,
}

/// Keys whose values are sets: `"s3:GetObject"` means `["s3:GetObject"]`.
const SET_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

impl PolicyDocument {
    pub fn from_value(value: Value) -> Result<Self, DocumentError> {
        match &value {
            Value::Object(map) if map.contains_key("Statement") => Ok(Self::new(value)),
            _ => Err(DocumentError::Shape),
        }
    }

    fn new(value: Value) -> Self {
        let canonical_json = sorted_keys(normalize(&value)).to_string();
        Self(Arc::new(Forms { value, canonical_json }))
    }

    pub fn parse(text: &str) -> Result<Self, DocumentError> {
        Self::from_value(serde_json::from_str(text)?)
    }

    /// IAM returns documents percent-encoded (GetRole, GetPolicyVersion);
    /// some clients decode them already. Accept both.
    pub fn parse_encoded(text: &str) -> Result<Self, DocumentError> {
        if text.trim_start().starts_with('{') {
            return Self::parse(text);
        }
        let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
        Self::parse(&decoded)
    }

    pub fn as_value(&self) -> &Value {
        &self.0.value
    }

    /// Compact JSON, as sent to IAM.
    pub fn to_json(&self) -> String {
        self.0.value.to_string()
    }

    /// The number of characters IAM counts against its size limits
    /// (white space outside strings does not count).
    pub fn size(&self) -> usize {
        self.to_json().chars().count()
    }

    /// The document in a form where equal meaning is equal JSON.
    pub fn canonical(&self) -> Value {
        sorted_keys(normalize(&self.0.value))
    }

    /// The canonical form as compact JSON, made once.
    pub fn canonical_json(&self) -> &str {
        &self.0.canonical_json
    }

    pub fn same_meaning(&self, other: &PolicyDocument) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.canonical_json == other.0.canonical_json
    }

    pub fn statements(&self) -> Vec<&Value> {
        match self.0.value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(single) => vec![single],
            None => vec![],
        }
    }

    /// Every action any statement names, for a readable diff.
    pub fn actions(&self) -> BTreeSet<String> {
        self.statements().into_iter().flat_map(|s| strings(s.get("Action"))).collect()
    }

    fn allow_statements(&self) -> impl Iterator<Item = &Value> {
        self.statements().into_iter().filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
    }

    /// Each `Allow` statement's actions and resources.
    pub fn grants(&self) -> Vec<(Vec<String>, Vec<String>)> {
        self.allow_statements().map(|s| (strings(s.get("Action")), strings(s.get("Resource")))).collect()
    }

    /// What its `Allow` statements grant: their actions, and for a
    /// statement with `NotAction` (every action but those) `NotAction:<action>`.
    pub fn allowed_actions(&self) -> Vec<String> {
        let mut allows = BTreeSet::new();
        for s in self.allow_statements() {
            allows.extend(strings(s.get("Action")));
            allows.extend(strings(s.get("NotAction")).into_iter().map(|a| format!("NotAction:{a}")));
        }
        allows.into_iter().collect()
    }

    /// Who a trust policy lets in: every principal its `Allow` statements
    /// name (`AWS` ARNs as they are, other kinds as `Service:ec2.amazonaws.com`,
    /// anyone as `*`), and whether every statement naming it requires an
    /// `sts:ExternalId`.
    pub fn trusted(&self) -> BTreeMap<String, bool> {
        let mut trusted: BTreeMap<String, bool> = BTreeMap::new();
        for s in self.allow_statements() {
            let external_id = !statement_external_ids(s).is_empty();
            for principal in principals(s.get("Principal")) {
                let all = trusted.entry(principal).or_insert(true);
                *all = *all && external_id;
            }
        }
        trusted
    }

    /// The `sts:ExternalId` values a trust policy requires.
    pub fn external_ids(&self) -> BTreeSet<String> {
        self.statements().into_iter().flat_map(statement_external_ids).collect()
    }

    /// Documents alike in all but actions: used to tell "actions changed"
    /// apart from "other parts changed".
    pub fn same_meaning_ignoring_actions(&self, other: &PolicyDocument) -> bool {
        let strip = |d: &PolicyDocument| {
            let mut v = d.canonical();
            if let Some(Value::Array(statements)) = v.get_mut("Statement") {
                for s in statements {
                    if let Value::Object(m) = s {
                        m.remove("Action");
                    }
                }
            }
            v
        };
        strip(self) == strip(other)
    }
}

impl std::fmt::Debug for PolicyDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.value.fmt(f)
    }
}

/// As the document itself.
impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::new)
    }
}

/// Equal means equal in meaning, as IAM reads it.
impl PartialEq for PolicyDocument {
    fn eq(&self, other: &Self) -> bool {
        self.same_meaning(other)
    }
}

/// The `sts:ExternalId` values one statement's conditions require.
fn statement_external_ids(statement: &Value) -> Vec<String> {
    let conditions = statement.get("Condition").and_then(Value::as_object);
    conditions
        .into_iter()
        .flat_map(|ops| ops.values())
        .flat_map(|c| strings(c.get("sts:ExternalId")))
        .collect()
}

/// A statement's principals: `"*"`, or `{"AWS": ..., "Service": ...}`.
fn principals(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(kinds)) => kinds
            .iter()
            .flat_map(|(kind, values)| {
                strings(Some(values)).into_iter().map(move |p| match kind.as_str() {
                    "AWS" => p,
                    _ => format!("{kind}:{p}"),
                })
            })
            .collect(),
        _ => vec![],
    }
}

/// A statement field that may be a string or a list of them.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => vec![],
    }
}

/// Object keys in sorted order at every level, whatever order the map keeps
/// (serde_json's `preserve_order` keeps the source's): equal meaning must be
/// equal text, and fingerprints in existing state files must stay valid.
fn sorted_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted_keys).collect()),
        other => other,
    }
}

/// A canonical form: statements as a list, set-valued keys (and principal and
/// condition values) as sorted, de-duplicated lists.
fn normalize(doc: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(map) = doc {
        for (k, v) in map {
            let v = match k.as_str() {
                "Statement" => {
                    let items = match v {
                        Value::Array(items) => items.clone(),
                        single => vec![single.clone()],
                    };
                    Value::Array(items.iter().map(normalize_statement).collect())
                }
                _ => v.clone(),
            };
            out.insert(k.clone(), v);
        }
    }
    Value::Object(out)
}

fn normalize_statement(s: &Value) -> Value {
    let Value::Object(map) = s else { return s.clone() };
    let mut out = Map::new();
    for (k, v) in map {
        let v = if SET_KEYS.contains(&k.as_str()) {
            sorted_set(v)
        } else if k == "Principal" || k == "NotPrincipal" || k == "Condition" {
            map_of_sets(v, k == "Condition")
        } else {
            v.clone()
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

fn map_of_sets(v: &Value, nested: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, inner)| {
                    let inner = if nested { map_of_sets(inner, false) } else { sorted_set(inner) };
                    (k.clone(), inner)
                })
                .collect(),
        ),
        // `"Principal": "*"` stays as it is.
        other => other.clone(),
    }
}

fn sorted_set(v: &Value) -> Value {
    let mut items: Vec<String> = match v {
        Value::Array(items) => items.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    };
    items.sort();
    items.dedup();
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// Condition values may be booleans or numbers; IAM treats them as text.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_does_not_change_the_canonical_form() {
        let a = PolicyDocument::parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#).unwrap();
        let b = PolicyDocument::parse(r#"{"Statement":[{"Resource":"*","Action":"s3:GetObject","Effect":"Allow"}],"Version":"2012-10-17"}"#).unwrap();
        assert!(a.same_meaning(&b));
        assert_eq!(
            a.canonical_json(),
            r#"{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":["*"]}],"Version":"2012-10-17"}"#
        );
    }

    fn doc(text: &str) -> PolicyDocument {
        PolicyDocument::parse(text).unwrap()
    }

    #[test]
    fn string_and_list_and_order_do_not_matter() {
        let a = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["b:X","a:Y"],"Resource":"*"}]}"#,
        );
        let b = doc(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["a:Y","b:X","a:Y"],"Resource":["*"]}}"#,
        );
        assert!(a.same_meaning(&b));
        let c = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["a:Y"],"Resource":"*"}]}"#,
        );
        assert!(!a.same_meaning(&c));
        assert!(a.same_meaning_ignoring_actions(&c));
    }

    #[test]
    fn decodes_what_iam_returns() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A1%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22sts%3AExternalId%22%3A%22abc%22%7D%7D%7D%5D%7D";
        let d = PolicyDocument::parse_encoded(encoded).unwrap();
        assert_eq!(d.trusted().into_iter().collect::<Vec<_>>(), [("arn:aws:iam::1:root".into(), true)]);
        assert_eq!(d.external_ids().into_iter().collect::<Vec<_>>(), ["abc"]);
    }

    #[test]
    fn trusted_names_every_principal_and_whether_it_needs_the_external_id() {
        let d = doc(r#"{"Statement":[
            {"Effect":"Allow","Principal":{"AWS":["arn:a","arn:b"]},"Action":"sts:AssumeRole",
             "Condition":{"StringEquals":{"sts:ExternalId":"x"}}},
            {"Effect":"Allow","Principal":{"AWS":"arn:b","Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
            {"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},
            {"Effect":"Deny","Principal":{"AWS":"arn:c"},"Action":"sts:AssumeRole"}]}"#);
        let expected: BTreeMap<String, bool> = [
            ("*".to_owned(), false),
            ("Service:ec2.amazonaws.com".to_owned(), false),
            ("arn:a".to_owned(), true),
            ("arn:b".to_owned(), false),
        ]
        .into();
        assert_eq!(d.trusted(), expected);
    }

    #[test]
    fn rejects_documents_without_statements() {
        assert!(matches!(PolicyDocument::parse("[]"), Err(DocumentError::Shape)));
        assert!(matches!(PolicyDocument::parse("{"), Err(DocumentError::Json(_))));
    }
}
