//! Built-in permissions policies, selected with `policy "name" preset="..."`.

use crate::model::PolicyDocument;

/// `radiant`: the vendor guide's permissions policy, verbatim.
const PRESETS: [(&str, &str); 1] = [("radiant", include_str!("presets/radiant.json"))];

pub(crate) fn get(name: &str) -> Option<PolicyDocument> {
    let (_, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
    Some(PolicyDocument::parse(text).expect("built-in presets are valid policy documents"))
}

pub(super) fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn radiant_is_the_guides_policy() {
        let doc = get("radiant").unwrap();
        let statements = doc.statements();
        let sids: Vec<_> = statements.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids, ["S3Api", "EC2Api", "GuarddutyApi", "IAMApi", "AccountApi"]);
        let actions: usize = statements.iter().map(|s| s["Action"].as_array().unwrap().len()).sum();
        assert_eq!(actions, 66);
        assert_eq!(doc.actions().len(), 66);
        let resources: Vec<_> = statements.iter().map(|s| s["Resource"].clone()).collect();
        assert_eq!(
            resources,
            [
                json!(["arn:aws:s3:::*", "arn:aws:s3:::*/*"]),
                json!(["*"]),
                json!(["arn:*:guardduty:*:*:*"]),
                json!([
                    "arn:aws:iam::*:role/*",
                    "arn:aws:iam::*:saml-provider/*",
                    "arn:aws:iam::*:instance-profile/*",
                    "arn:aws:iam::*:user/*",
                    "arn:aws:iam::*:group/*",
                    "arn:aws:iam::*:policy/*"
                ]),
                json!(["*"]),
            ]
        );
        assert!(statements.iter().all(|s| s["Effect"] == "Allow"));
        assert!(doc.actions().contains("account:GetAccountInformation"));
        assert_eq!(doc.as_value()["Version"], "2012-10-17");
    }
}
