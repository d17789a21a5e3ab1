//! `credential "name" { external-id ... }`: the vendor credential the role is for.

use super::reader::{self, Node, Spanned, Spec};
use super::report::{ok, Problem};
use super::rules;
use super::Credential;

pub(super) const SPEC: Spec = Spec {
    name: "credential",
    args: 1..=1,
    props: &[],
    block: true,
    repeats: false,
    required: true,
    usage: r#"credential "AWS API Credentials" { external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11" }"#,
};

const EXTERNAL_ID: Spec = Spec {
    name: "external-id",
    args: 0..=1,
    props: &["env"],
    block: false,
    repeats: false,
    required: true,
    usage: r#"external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11" (or external-id env="RS_CREDENTIAL_ID")"#,
};

pub(super) fn read(
    node: Node<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<Credential> {
    let name = node.string(problems);
    let children = reader::block(node.children(), Some(node), &[EXTERNAL_ID], problems);
    let external_id = reader::find(&children, &EXTERNAL_ID).and_then(|n| external_id(n, env, problems));
    Some(Credential { name: name?.value, external_id: external_id? })
}

/// The value is written in the file or read from an environment variable, so
/// that it need not be committed.
fn external_id(
    node: Node<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let value = match (node.arg(), node.prop("env")) {
        (Some(literal), None) => literal.string(problems)?,
        (None, Some(var)) => {
            let var = var.string(problems)?;
            let Some(value) = env(&var.value).filter(|v| !v.is_empty()) else {
                problems.push(Problem::error(
                    var.span,
                    format!("environment variable `{}` is not set", var.value),
                    format!(
                        "set it to the vendor's \"AWS External Role ID\" before running orgrole, e.g. `export {}=...`",
                        var.value
                    ),
                ));
                return None;
            };
            Spanned { value, span: var.span }
        }
        (Some(_), Some(var)) => {
            problems.push(Problem::error(
                var.span(),
                "`external-id` has both a value and env=",
                format!("keep one of the two: {}", node.usage()),
            ));
            return None;
        }
        (None, None) => {
            problems.push(Problem::error(
                node.span(),
                "`external-id` has neither a value nor env=",
                format!("give one of the two: {}", node.usage()),
            ));
            return None;
        }
    };
    ok(rules::word_chars(value, "external ID", 2..=1224, "+=,.@:/-"), problems)
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{edit, load, one_problem};

    const LITERAL: &str = r#"external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11""#;

    #[test]
    fn reads_the_external_id_from_the_environment() {
        let text = edit(LITERAL, r#"external-id env="RS_CREDENTIAL_ID""#);
        let desired = load(&text).unwrap().desired;
        assert_eq!(desired.credential.external_id, "id-from-env");
    }

    #[test]
    fn unset_or_empty_variable() {
        for var in ["UNSET_VAR", "EMPTY_VAR"] {
            let p = one_problem(&edit(LITERAL, &format!(r#"external-id env="{var}""#)));
            assert_eq!(p.at, "2:17");
            assert!(p.message.contains(&format!("`{var}` is not set")), "{}", p.message);
            assert!(p.help.contains(&format!("export {var}=")));
        }
    }

    #[test]
    fn neither_or_both() {
        let p = one_problem(&edit(LITERAL, "external-id"));
        assert_eq!(
            (p.at.as_str(), p.message.as_str()),
            ("2:5", "`external-id` has neither a value nor env=")
        );
        let p = one_problem(&edit(LITERAL, r#"external-id "abc" env="RS_CREDENTIAL_ID""#));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("2:23", "`external-id` has both a value and env="));
    }

    #[test]
    fn external_id_characters_and_length() {
        let p = one_problem(&edit(LITERAL, r#"external-id "abc def""#));
        assert_eq!(p.at, "2:17");
        assert!(p.message.contains("external ID `abc def` contains ` `"), "{}", p.message);
        let p = one_problem(&edit(LITERAL, r#"external-id "a""#));
        assert!(p.message.contains("is 1 character long; AWS allows 2 to 1224"), "{}", p.message);
        let long = "x".repeat(1225);
        let p = one_problem(&edit(LITERAL, &format!(r#"external-id "{long}""#)));
        assert!(p.message.contains("1225 characters"));
        load(&edit(LITERAL, r#"external-id "arn:a/b+c=d,e.f@g_h-1""#)).unwrap();
    }

    #[test]
    fn missing_external_id() {
        let p = one_problem(&edit(LITERAL, ""));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("1:1", "`credential` has no `external-id`"));
        assert!(p.help.contains("external-id env="));
    }
}
