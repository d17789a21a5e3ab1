//! The permissions policy checked against IAM's own reference, as a
//! security engineer would before trusting it: actions that do not exist,
//! actions IAM will never grant as scoped, ARNs of another service. Pure.
//! (The trust policy needs no lint: orgrole writes every statement of it
//! with the `sts:ExternalId` condition, and principals are checked as ARNs.)

use crate::iam_reference::{reference, Reference};
use crate::model::statement_strings as strings;
use crate::model::{Arn, PolicyDocument};

/// Something IAM will do differently from what the document seems to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// No such action (misspelt, or of a service IAM does not know): an error.
    UnknownAction { action: String },
    /// Actions with no resource type, in a statement that names no `"*"`:
    /// IAM matches them only against `"*"`, so the statement never grants them.
    Unscopable { statement: String, actions: Vec<String> },
    /// An ARN of a service none of these actions takes.
    WrongService { statement: String, arn: String, actions: Vec<String> },
}

/// The permissions policy's findings, statement by statement.
pub fn lint_policy(document: &PolicyDocument) -> Vec<Finding> {
    let r = reference();
    let mut findings = vec![];
    for (i, statement) in document.statements().into_iter().enumerate() {
        let name = statement
            .get("Sid")
            .and_then(|s| s.as_str())
            .map_or_else(|| format!("#{}", i + 1), str::to_owned);
        let actions = strings(statement.get("Action"));
        let resources = strings(statement.get("Resource"));
        let mut known = vec![];
        // A misspelt NotAction excludes nothing: in an Allow, it grants the action meant to be left out.
        let not_actions = strings(statement.get("NotAction"));
        for (action, granted) in
            actions.iter().map(|a| (a, true)).chain(not_actions.iter().map(|a| (a, false)))
        {
            if action.contains(['*', '?']) {
                if action != "*" && r.matching(action).next().is_none() {
                    findings.push(Finding::UnknownAction { action: action.clone() });
                }
                continue;
            }
            match r.action(action) {
                Some(a) if granted => known.push(a),
                Some(_) => {}
                None => findings.push(Finding::UnknownAction { action: action.clone() }),
            }
        }
        if resources.is_empty() || resources.iter().any(|res| res == "*") {
            continue;
        }
        let unscopable: Vec<String> =
            known.iter().filter(|a| a.resource_types.is_empty()).map(|a| a.name.to_owned()).collect();
        if !unscopable.is_empty() {
            findings.push(Finding::Unscopable { statement: name.clone(), actions: unscopable });
        }
        for arn in &resources {
            let Some(service) = Arn::parse(arn).map(|a| a.service) else { continue };
            let wrong: Vec<String> = known
                .iter()
                .filter(|a| !a.resource_types.is_empty() && !takes(r, a, service))
                .map(|a| a.name.to_owned())
                .collect();
            if !wrong.is_empty() {
                findings.push(Finding::WrongService {
                    statement: name.clone(),
                    arn: arn.clone(),
                    actions: wrong,
                });
            }
        }
    }
    findings
}

/// Whether an action's resources include ARNs of `service` (a `*` there matches any).
fn takes(r: &Reference, action: &crate::iam_reference::Action, service: &str) -> bool {
    service.contains('*') || r.arn_services(action).iter().any(|s| s.eq_ignore_ascii_case(service))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::*;

    fn doc(value: serde_json::Value) -> PolicyDocument {
        PolicyDocument::from_value(value).unwrap()
    }

    /// Measured by the issue with the Service Authorization Reference: the
    /// guide's policy names 66 actions that all exist, 15 of them without a
    /// resource type but scoped to ARNs.
    #[test]
    fn the_guides_policy_has_no_unknown_action_and_fifteen_it_scopes_that_iam_matches_only_against_star() {
        let preset = crate::config::presets::get("radiant").unwrap();
        let findings = lint_policy(&preset);
        assert!(!findings.iter().any(|f| matches!(f, Finding::UnknownAction { .. })), "{findings:?}");
        let unscopable: BTreeSet<&str> = findings
            .iter()
            .filter_map(|f| match f {
                Finding::Unscopable { actions, .. } => Some(actions.iter().map(String::as_str)),
                _ => None,
            })
            .flatten()
            .collect();
        for action in [
            "iam:GetAccountAuthorizationDetails",
            "iam:ListRoles",
            "s3:ListAllMyBuckets",
            "guardduty:ListFindings",
        ] {
            assert!(unscopable.contains(action), "{action}: {unscopable:?}");
        }
        assert_eq!(unscopable.len(), 15, "{unscopable:?}");
    }

    #[test]
    fn misspelt_actions_and_unknown_services_are_errors_and_wildcards_are_checked_too() {
        let d = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": ["s3:GetObjectt", "nosuch:Get*", "s3:Get*", "*", "iam:get?ole"], "Resource": "*"}]}));
        let unknown: Vec<String> = lint_policy(&d)
            .into_iter()
            .filter_map(|f| match f {
                Finding::UnknownAction { action } => Some(action),
                _ => None,
            })
            .collect();
        assert_eq!(unknown, ["s3:GetObjectt", "nosuch:Get*"]);
    }

    #[test]
    fn a_misspelt_not_action_is_an_error_too() {
        let d = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "NotAction": ["iam:CreatUser", "iam:DeleteRole"], "Resource": "*"}]}));
        assert_eq!(lint_policy(&d), [Finding::UnknownAction { action: "iam:CreatUser".into() }]);
    }

    #[test]
    fn an_arn_of_another_service_is_named_with_the_actions_it_does_not_fit() {
        let d = doc(json!({"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow",
            "Action": ["s3:GetObject", "iam:GetRole"], "Resource": "arn:aws:s3:::bucket/*"}]}));
        assert_eq!(
            lint_policy(&d),
            [Finding::WrongService {
                statement: "Read".into(),
                arn: "arn:aws:s3:::bucket/*".into(),
                actions: vec!["iam:GetRole".into()]
            }]
        );
    }
}
