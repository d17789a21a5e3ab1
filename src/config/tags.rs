//! `tags { key "value" ... }`: the user's tags on the role and the policy.

use super::reader::{self, Node, Spanned, Spec};
use super::report::{ok, plural, Problem};
use crate::model::{Tags, MANAGED_BY_KEY};

pub(super) const SPEC: Spec = Spec {
    name: "tags",
    args: 0..=0,
    props: &[],
    block: true,
    repeats: false,
    required: false,
    usage: r#"tags { owner "secops" }"#,
};

/// Each child of `tags`: its name is the key, its argument the value.
const TAG: Spec = Spec {
    name: "tag",
    args: 1..=1,
    props: &[],
    block: false,
    repeats: false,
    required: false,
    usage: r#"tags { owner "secops" }"#,
};

pub(super) fn read(tags: Node<'_>, problems: &mut Vec<Problem>) -> Tags {
    let mut out = Tags::new();
    for kdl in tags.children().map(|d| d.nodes()).unwrap_or_default() {
        let tag = Node::checked(kdl, &TAG, problems);
        // IAM tag keys are unique regardless of case.
        if out.keys().any(|k| k.eq_ignore_ascii_case(tag.name())) {
            problems.push(reader::duplicate(tag, Some(tags)));
            continue;
        }
        let key = ok(key(Spanned { value: tag.name().to_owned(), span: tag.span() }), problems);
        let value = tag.string(problems).and_then(|v| ok(value(v), problems));
        if let (Some(key), Some(value)) = (key, value) {
            out.insert(key, value);
        }
    }
    out
}

fn key(key: Spanned<String>) -> Result<String, Problem> {
    let fail = |message: String, help: &str| Err(Problem::error(key.span, message, help));
    let len = key.value.chars().count();
    if !(1..=128).contains(&len) {
        return fail(
            format!("tag key `{}` is {} long; IAM allows 1 to 128", key.value, plural(len, "character")),
            "use a key of 1 to 128 characters",
        );
    }
    if key.value.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return fail(
            format!("tag key `{}` starts with `aws:`, which AWS reserves for itself", key.value),
            "use a key without the `aws:` prefix",
        );
    }
    if key.value.eq_ignore_ascii_case(MANAGED_BY_KEY) {
        return fail(
            format!("tag key `{MANAGED_BY_KEY}` is orgrole's: it marks what orgrole manages"),
            "remove this tag (orgrole sets it on everything it creates) or use another key",
        );
    }
    Ok(key.value)
}

fn value(value: Spanned<String>) -> Result<String, Problem> {
    let len = value.value.chars().count();
    if len > 256 {
        return Err(Problem::error(
            value.span,
            format!("tag value is {} long; IAM allows at most 256", plural(len, "character")),
            "shorten the value to 256 characters or fewer",
        ));
    }
    Ok(value.value)
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{edit, load, one_problem};

    const TAGS: &str = r#"tags { owner "secops" }"#;

    fn with_tags(tags: &str) -> String {
        edit(TAGS, tags)
    }

    #[test]
    fn reads_tags() {
        let desired = load(&with_tags(r#"tags { owner "secops"; "cost center" "" }"#)).unwrap().desired;
        let tags: Vec<_> = desired.role.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(tags, [("cost center", ""), ("owner", "secops")]);
    }

    #[test]
    fn reserved_prefix() {
        let p = one_problem(&with_tags(r#"tags { AWS:owner "x" }"#));
        assert_eq!(p.at, "7:12");
        assert!(p.message.contains("starts with `aws:`"), "{}", p.message);
    }

    #[test]
    fn ownership_tag_is_orgroles() {
        let p = one_problem(&with_tags(r#"tags { managed-by "me" }"#));
        assert_eq!(p.at, "7:12");
        assert!(p.message.contains("`managed-by` is orgrole's"), "{}", p.message);
    }

    #[test]
    fn key_and_value_lengths() {
        let long_key = "k".repeat(129);
        let p = one_problem(&with_tags(&format!(r#"tags {{ {long_key} "x" }}"#)));
        assert_eq!(p.at, "7:12");
        assert!(p.message.contains("is 129 characters long; IAM allows 1 to 128"), "{}", p.message);
        let long_value = "v".repeat(257);
        let p = one_problem(&with_tags(&format!(r#"tags {{ owner "{long_value}" }}"#)));
        assert_eq!(p.at, "7:18");
        assert!(p.message.contains("tag value is 257 characters long"), "{}", p.message);
    }

    #[test]
    fn duplicate_key() {
        let p = one_problem(&with_tags(r#"tags { owner "a"; Owner "b" }"#));
        assert_eq!(p.at, "7:23");
        assert_eq!(p.message, "duplicate `Owner`");
    }

    #[test]
    fn tag_needs_one_string_value() {
        let p = one_problem(&with_tags(r#"tags { owner }"#));
        assert_eq!(p.at, "7:12");
        assert!(p.message.contains("`owner` takes 1 argument, found 0"), "{}", p.message);
        let p = one_problem(&with_tags(r#"tags { owner 1 }"#));
        assert_eq!(p.at, "7:18");
        assert!(p.message.contains("`owner` takes a string, found 1"), "{}", p.message);
    }
}
