//! `policy "name" preset="..."` or `policy "name" file="..."`: the role's
//! customer-managed permissions policy.

use std::path::Path;

use super::reader::{Entry, Node, Spanned, Spec};
use super::report::{ok, plural, Problem};
use super::{presets, rules};
use crate::lint::{lint_policy, Finding};
use crate::model::PolicyDocument;

pub(super) const SPEC: Spec = Spec {
    name: "policy",
    args: 1..=1,
    props: &["preset", "file"],
    block: false,
    repeats: false,
    required: true,
    usage: r#"policy "radiant-aws-api-access-policy" preset="radiant" (or file="policies/x.json")"#,
};

/// IAM's limit on a managed policy document, in characters without white space.
const MAX_SIZE: usize = 6_144;

/// `lint`: what IAM would do differently from what the policy seems to say
/// (warnings that `validate` and `verify` show, not every plan).
pub(super) fn read(
    node: Node<'_>,
    base_dir: &Path,
    problems: &mut Vec<Problem>,
    lint: &mut Vec<Problem>,
) -> Option<(String, PolicyDocument)> {
    let name = node.string(problems).and_then(|n| ok(rules::iam_name(n, "policy name", 128), problems));
    let document = match (node.prop("preset"), node.prop("file")) {
        (Some(preset), None) => {
            let document = from_preset(&preset, problems);
            if let Some(d) = &document {
                check(d, preset.span(), None, problems, lint);
            }
            document
        }
        (None, Some(file)) => from_file(&file, base_dir, problems).map(|(document, source)| {
            check(&document, file.span(), Some(&source), problems, lint);
            document
        }),
        (Some(_), Some(file)) => {
            problems.push(Problem::error(
                file.span(),
                "`policy` has both preset= and file=",
                format!("keep one of the two: {}", SPEC.usage),
            ));
            None
        }
        (None, None) => {
            problems.push(Problem::error(
                node.span(),
                "`policy` has neither preset= nor file=",
                format!("give one of the two: {}", SPEC.usage),
            ));
            None
        }
    };
    Some((name?, document?))
}

fn from_preset(preset: &Entry<'_>, problems: &mut Vec<Problem>) -> Option<PolicyDocument> {
    let name = preset.string(problems)?;
    let doc = presets::get(&name.value);
    if doc.is_none() {
        problems.push(Problem::error(
            name.span,
            format!("unknown policy preset `{}`", name.value),
            format!("use one of the known presets: {}", presets::names().collect::<Vec<_>>().join(", ")),
        ));
    }
    doc
}

/// The file's name as written and its text, for places in it.
struct Source {
    name: String,
    text: String,
}

impl Source {
    /// ` (policies/x.json:12:9)`: where `action` is first written in the
    /// file, in any case (IAM's are case-insensitive; findings spell them as
    /// IAM's reference does). ASCII lowercase keeps every byte offset.
    fn place(&self, action: &str) -> String {
        let quoted = format!("\"{}\"", action.to_ascii_lowercase());
        let Some(offset) = self.text.to_ascii_lowercase().find(&quoted) else { return String::new() };
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(offset, |n| offset - n - 1) + 1;
        format!(" ({}:{line}:{column})", self.name)
    }
}

/// Unknown actions are errors; actions IAM will not grant as written, warnings.
fn check(
    document: &PolicyDocument,
    span: miette::SourceSpan,
    source: Option<&Source>,
    problems: &mut Vec<Problem>,
    lint: &mut Vec<Problem>,
) {
    let place = |action: &str| source.map(|s| s.place(action)).unwrap_or_default();
    for finding in lint_policy(document) {
        match finding {
            Finding::UnknownAction { action } => problems.push(Problem::error(
                span,
                format!("`{action}` is not an IAM action{}", place(&action)),
                "check its spelling against IAM's Service Authorization Reference: IAM accepts a policy with an unknown action, but it grants nothing",
            )),
            Finding::Unscopable { statement, actions } => lint.push(Problem::warning(
                span,
                format!(
                    "statement {statement} scopes {} to ARNs, but IAM matches {} only against \"*\": {}{}",
                    plural(actions.len(), "action"),
                    if actions.len() == 1 { "it" } else { "them" },
                    actions.join(", "),
                    place(&actions[0])
                ),
                "as written, IAM never grants them (they have no resource type in the Service Authorization Reference): move them to a statement with \"Resource\": \"*\"",
            )),
            Finding::WrongService { statement, arn, actions } => lint.push(Problem::warning(
                span,
                format!("statement {statement}: {arn} is not a resource of {}{}", actions.join(", "), place(&actions[0])),
                "IAM will not grant these actions on it: give them ARNs of their own service, or \"*\"",
            )),
        }
    }
}

fn from_file(
    file: &Entry<'_>,
    base_dir: &Path,
    problems: &mut Vec<Problem>,
) -> Option<(PolicyDocument, Source)> {
    let file = file.string(problems)?;
    let (document, text) = ok(read_file(&file, base_dir), problems)?;
    Some((document, Source { name: file.value.clone(), text }))
}

fn read_file(file: &Spanned<String>, base_dir: &Path) -> Result<(PolicyDocument, String), Problem> {
    let path = base_dir.join(&file.value);
    let fail = |message: String, help: &str| Problem::error(file.span, message, help);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        fail(
            format!("cannot read policy file {}: {e}", path.display()),
            "fix the path: a relative path is relative to the config file's directory",
        )
    })?;
    let doc = PolicyDocument::parse(&text).map_err(|e| {
        fail(
            format!("policy file {} is not a policy document: {e}", path.display()),
            "the file must hold an IAM policy: a JSON object with \"Version\" and \"Statement\"",
        )
    })?;
    if doc.size() > MAX_SIZE {
        return Err(fail(
            format!(
                "policy file {} is {} characters long; IAM allows at most 6,144 in a managed policy",
                path.display(),
                doc.size()
            ),
            "shorten it (fewer actions, or wildcards such as iam:List*); white space does not count",
        ));
    }
    Ok((doc, text))
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{edit, load_in, one_problem, one_problem_in};

    const POLICY: &str = r#"policy "radiant-aws-api-access-policy" preset="radiant""#;

    fn with_file(file: &str) -> String {
        edit(POLICY, &format!(r#"policy "p" file="{file}""#))
    }

    #[test]
    fn reads_a_policy_file_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("policies")).unwrap();
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        std::fs::write(dir.path().join("policies/x.json"), json).unwrap();
        let role = load_in(&with_file("policies/x.json"), dir.path()).unwrap().desired.role;
        assert_eq!(role.policy_name, "p");
        assert_eq!(role.policy.actions().into_iter().collect::<Vec<_>>(), ["s3:GetObject"]);
    }

    #[test]
    fn a_warning_names_where_the_action_is_written_in_whatever_case() {
        let dir = tempfile::tempdir().unwrap();
        let json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\n  \"Action\":\"iam:listroles\",\"Resource\":\"arn:aws:iam::*:role/*\"}]}";
        std::fs::write(dir.path().join("x.json"), json).unwrap();
        let lint = load_in(&with_file("x.json"), dir.path()).unwrap().lint.expect("a warning");
        let message = lint.problems()[0].message();
        assert!(message.contains("iam:ListRoles") && message.ends_with("(x.json:2:12)"), "{message}");
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = one_problem_in(&with_file("nope.json"), dir.path());
        assert_eq!(p.at, "6:16");
        assert!(
            p.message.contains("cannot read policy file") && p.message.contains("nope.json"),
            "{}",
            p.message
        );
    }

    #[test]
    fn not_a_policy_document() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
        std::fs::write(dir.path().join("shape.json"), r#"{"Version":"2012-10-17"}"#).unwrap();
        let p = one_problem_in(&with_file("bad.json"), dir.path());
        assert_eq!(p.at, "6:16");
        assert!(p.message.contains("is not a policy document: not valid JSON"), "{}", p.message);
        let p = one_problem_in(&with_file("shape.json"), dir.path());
        assert!(p.message.contains("must be a JSON object with a `Statement`"), "{}", p.message);
    }

    #[test]
    fn too_large_for_iam() {
        let dir = tempfile::tempdir().unwrap();
        let actions: Vec<String> = (0..400).map(|i| format!("\"s3:GetSomething{i:04}\"")).collect();
        let json = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
            actions.join(",")
        );
        std::fs::write(dir.path().join("big.json"), json).unwrap();
        let p = one_problem_in(&with_file("big.json"), dir.path());
        assert_eq!(p.at, "6:16");
        assert!(p.message.contains("IAM allows at most 6,144"), "{}", p.message);
    }

    #[test]
    fn unknown_preset_lists_the_known_ones() {
        let p = one_problem(&edit(POLICY, r#"policy "p" preset="other""#));
        assert_eq!(p.at, "6:16");
        assert_eq!(p.message, "unknown policy preset `other`");
        assert!(p.help.contains("radiant"));
    }

    #[test]
    fn preset_or_file_exactly() {
        let p = one_problem(&edit(POLICY, r#"policy "p""#));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("6:5", "`policy` has neither preset= nor file="));
        let p = one_problem(&edit(POLICY, r#"policy "p" preset="radiant" file="x.json""#));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("6:33", "`policy` has both preset= and file="));
    }

    #[test]
    fn policy_name_rules() {
        let long = "p".repeat(129);
        let p = one_problem(&edit(POLICY, &format!(r#"policy "{long}" preset="radiant""#)));
        assert_eq!(p.at, "6:12");
        assert!(
            p.message.contains("policy name") && p.message.contains("AWS allows 1 to 128"),
            "{}",
            p.message
        );
    }

    #[test]
    fn unknown_property() {
        let p = one_problem(&edit(POLICY, r#"policy "p" preset="radiant" version=2"#));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("6:33", "unknown property `version=` on `policy`"));
        assert!(p.help.contains("`preset=` and `file=`"), "{}", p.help);
    }
}
