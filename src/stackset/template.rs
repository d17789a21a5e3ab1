//! The StackSet's template: generated from the `role` block, or the
//! vendor's own with its `${RS_CREDENTIAL_ID}` filled in.

use serde_json::{json, Value};

use crate::config::{RoleConfig, Template, ACCOUNT_PLACEHOLDER, EXTERNAL_ID_PLACEHOLDER};
use crate::model::RoleSettings;

/// The generated template's parameter for the external ID (NoEcho: AWS
/// shows it as `****`).
pub const EXTERNAL_ID_PARAMETER: &str = "ExternalId";

/// The template body to send. The generated one takes the external ID as a
/// parameter; the vendor's gets it written in, as the guide says to do.
pub fn template_body(template: &Template, role: &RoleConfig, external_id: &str) -> String {
    match template {
        Template::Generated => serde_json::to_string_pretty(&generated(role)).expect("JSON serializes"),
        Template::File { body, .. } => body.replace(EXTERNAL_ID_PLACEHOLDER, external_id),
    }
}

/// The guide's role and policy. The policy names the role it attaches to
/// (`Roles`), rather than the role listing the policy (`ManagedPolicyArns`):
/// both attach on AWS, only the first on the emulator, and both at once
/// would be a circular dependency.
fn generated(role: &RoleConfig) -> Value {
    let mut trust = role.trust_document("").as_value().clone();
    for statement in trust["Statement"].as_array_mut().into_iter().flatten() {
        statement["Condition"]["StringEquals"]["sts:ExternalId"] = json!({"Ref": EXTERNAL_ID_PARAMETER});
    }
    let tags: Vec<Value> = role.managed_tags().iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
    let mut properties = json!({
        "RoleName": role.name,
        "AssumeRolePolicyDocument": trust,
        "Tags": tags
    });
    // Only the options written: a template without them stays as it was, and
    // so do the stack sets deployed with it.
    let defaults = RoleSettings::default();
    let s = &role.settings;
    if s.path != defaults.path {
        properties["Path"] = json!(s.path);
    }
    if let Some(description) = &s.description {
        properties["Description"] = json!(description);
    }
    if s.max_session_duration != defaults.max_session_duration {
        properties["MaxSessionDuration"] = json!(s.max_session_duration);
    }
    if let Some(boundary) = &role.permissions_boundary {
        properties["PermissionsBoundary"] = if boundary.contains(ACCOUNT_PLACEHOLDER) {
            json!({"Fn::Sub": boundary.replace(ACCOUNT_PLACEHOLDER, "${AWS::AccountId}")})
        } else {
            json!(boundary)
        };
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("orgrole: the role {} with the policy {}, for the vendor's AWS API connector", role.name, role.policy_name),
        "Parameters": {
            EXTERNAL_ID_PARAMETER: {
                "Type": "String",
                "NoEcho": true,
                "MinLength": 2,
                "MaxLength": 1224,
                "AllowedPattern": "[\\w+=,.@:/-]*",
                "Description": "The vendor's AWS External Role ID"
            }
        },
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": properties
            },
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": role.policy_name,
                    "PolicyDocument": role.policy.as_value(),
                    "Roles": [{"Ref": "Role"}]
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::desired;

    #[test]
    fn the_generated_template_makes_the_role_block_with_the_external_id_as_a_hidden_parameter() {
        let role = desired(&[]).role;
        let body = template_body(&Template::Generated, &role, "ext-1");
        assert!(!body.contains("ext-1"), "the external ID is a parameter, not in the body");
        let t: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(t["Parameters"]["ExternalId"]["NoEcho"], json!(true));
        let r = &t["Resources"]["Role"]["Properties"];
        assert_eq!(r["RoleName"], json!("role"));
        let statement = &r["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(statement["Condition"]["StringEquals"]["sts:ExternalId"], json!({"Ref": "ExternalId"}));
        assert_eq!(statement["Principal"]["AWS"], json!("arn:aws:iam::222222222222:root"));
        assert_eq!(r["Tags"], json!([{"Key": "managed-by", "Value": "orgrole"}]));
        assert!(r.get("ManagedPolicyArns").is_none());
        let p = &t["Resources"]["Policy"]["Properties"];
        assert_eq!(p["ManagedPolicyName"], json!("policy"));
        assert_eq!(&p["PolicyDocument"], role.policy.as_value());
        assert_eq!(p["Roles"], json!([{"Ref": "Role"}]));
    }

    #[test]
    fn the_role_options_written_are_declared_and_the_boundary_names_each_account() {
        let mut role = desired(&[]).role;
        let plain = template_body(&Template::Generated, &role, "ext-1");
        role.settings = RoleSettings {
            path: "/vendor/".into(),
            description: Some("the vendor's".into()),
            max_session_duration: 7200,
        };
        role.permissions_boundary = Some("arn:aws:iam::{account}:policy/Boundary".into());
        let t: Value = serde_json::from_str(&template_body(&Template::Generated, &role, "ext-1")).unwrap();
        let r = &t["Resources"]["Role"]["Properties"];
        assert_eq!(r["Path"], json!("/vendor/"));
        assert_eq!(r["Description"], json!("the vendor's"));
        assert_eq!(r["MaxSessionDuration"], json!(7200));
        assert_eq!(
            r["PermissionsBoundary"],
            json!({"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:policy/Boundary"})
        );
        role.permissions_boundary = Some("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
        let t: Value = serde_json::from_str(&template_body(&Template::Generated, &role, "ext-1")).unwrap();
        assert_eq!(
            t["Resources"]["Role"]["Properties"]["PermissionsBoundary"],
            json!("arn:aws:iam::aws:policy/ReadOnlyAccess")
        );
        // Without options, none of them: the template of stack sets deployed before them.
        let t: Value = serde_json::from_str(&plain).unwrap();
        let r = t["Resources"]["Role"]["Properties"].as_object().unwrap();
        assert_eq!(r.keys().collect::<Vec<_>>(), ["RoleName", "AssumeRolePolicyDocument", "Tags"]);
    }

    #[test]
    fn the_vendors_template_gets_the_external_id_written_in() {
        let role = desired(&[]).role;
        let template = Template::File {
            path: "rs_iam_role.yml".into(),
            body: "sts:ExternalId: \"${RS_CREDENTIAL_ID}\"\n".into(),
        };
        assert_eq!(template_body(&template, &role, "ext-1"), "sts:ExternalId: \"ext-1\"\n");
    }
}

/// The value a filled-in copy of `template` has where the template has its
/// first `${RS_CREDENTIAL_ID}`: the external ID it was deployed with.
pub fn filled_in_value(template: &str, filled: &str) -> Option<String> {
    let (before, after) = template.split_once(EXTERNAL_ID_PLACEHOLDER)?;
    let rest = filled.strip_prefix(before)?;
    // What follows on the placeholder's line (the rest of the template may have changed since).
    let next = after.split(EXTERNAL_ID_PLACEHOLDER).next().unwrap_or_default();
    let next = next.split('\n').next().unwrap_or_default();
    let end = if next.is_empty() { rest.find('\n').unwrap_or(rest.len()) } else { rest.find(next)? };
    Some(rest[..end].to_owned()).filter(|v| !v.is_empty())
}

/// A template's text with the value after every `sts:ExternalId` hidden,
/// for plans and diffs: the vendor's template has the external ID written in.
pub fn mask_external_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.find("sts:ExternalId") {
            Some(at) => {
                let end = at + "sts:ExternalId".len();
                let quote = if line[end..].starts_with('"') { "\"" } else { "" };
                let newline = if line.ends_with('\n') { "\n" } else { "" };
                out += &format!("{}{quote}: (sensitive){newline}", &line[..end]);
            }
            None => out += line,
        }
    }
    out
}

#[cfg(test)]
mod mask_tests {
    use super::{filled_in_value, mask_external_id};

    #[test]
    fn the_deployed_external_id_is_found_where_the_template_has_its_placeholder() {
        let template = "a: 1\nid:\n  - \"${RS_CREDENTIAL_ID}\"\nb: ${RS_CREDENTIAL_ID}\n";
        let filled = template.replace("${RS_CREDENTIAL_ID}", "old-id-1");
        assert_eq!(filled_in_value(template, &filled).as_deref(), Some("old-id-1"));
        assert_eq!(filled_in_value(template, "something else"), None);
        assert_eq!(filled_in_value("no placeholder", "no placeholder"), None);
    }

    #[test]
    fn hides_the_external_id_in_yaml_and_json_templates() {
        let yaml = "Condition:\n  StringEquals:\n    sts:ExternalId: \"abc-123\"\nOther: x\n";
        assert_eq!(
            mask_external_id(yaml),
            "Condition:\n  StringEquals:\n    sts:ExternalId: (sensitive)\nOther: x\n"
        );
        assert_eq!(mask_external_id(r#"  "sts:ExternalId": "abc","#), r#"  "sts:ExternalId": (sensitive)"#);
    }
}
