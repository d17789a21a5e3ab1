//! `state { s3 bucket="..." key="..." region="..." }`: where the state lives
//! when not in a local file.

use super::reader::{self, Node, Spanned, Spec};
use super::report::{ok, Problem};
use super::StateBackend;

pub(super) const SPEC: Spec = Spec {
    name: "state",
    args: 0..=0,
    props: &[],
    block: true,
    repeats: false,
    required: false,
    usage: r#"state { s3 bucket="my-orgrole-state" key="orgrole/prod.json" region="us-east-1" }"#,
};

const CHILDREN: [Spec; 1] = [Spec {
    name: "s3",
    args: 0..=0,
    props: &["bucket", "key", "region"],
    block: false,
    repeats: false,
    required: true,
    usage: r#"s3 bucket="my-orgrole-state" key="orgrole/prod.json" region="us-east-1""#,
}];

pub(super) fn read(node: Node<'_>, problems: &mut Vec<Problem>) -> Option<StateBackend> {
    let children = reader::block(node.children(), Some(node), &CHILDREN, problems);
    let s3 = reader::find(&children, &CHILDREN[0])?;
    // Absent: one problem here; present but not a string: the reader's problem.
    let required = |key: &str, problems: &mut Vec<Problem>| -> Option<Spanned<String>> {
        match s3.prop(key) {
            Some(entry) => entry.string(problems),
            None => {
                problems.push(Problem::error(
                    s3.span(),
                    format!("`s3` needs {key}="),
                    format!("for example: {}", s3.usage()),
                ));
                None
            }
        }
    };
    let bucket = required("bucket", problems).and_then(|b| ok(bucket_name(b), problems));
    let key = required("key", problems).and_then(|k| ok(state_key(k), problems));
    let region = s3.prop("region").and_then(|r| r.string(problems)).map(|r| r.value);
    Some(StateBackend::S3 { bucket: bucket?, key: key?, region })
}

fn state_key(key: Spanned<String>) -> Result<String, Problem> {
    if key.value.is_empty() || key.value.starts_with('/') {
        return Err(Problem::error(
            key.span,
            "the state's key must not be empty or start with `/`",
            "use a key like \"orgrole/prod.json\"",
        ));
    }
    Ok(key.value)
}

/// S3's rules: 3–63 characters of lower-case letters, digits, `.` and `-`,
/// starting and ending with a letter or digit.
fn bucket_name(name: Spanned<String>) -> Result<String, Problem> {
    let n = &name.value;
    let valid = (3..=63).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && n.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(name.value)
    } else {
        Err(Problem::error(
            name.span,
            format!("`{n}` is not an S3 bucket name"),
            "bucket names have 3 to 63 characters: lower-case letters, digits, `.` and `-`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{edit, load, one_problem};
    use super::super::StateBackend;

    #[test]
    fn an_s3_backend_is_read() {
        let text = edit(
            "direct {",
            "state { s3 bucket=\"team-state\" key=\"orgrole/prod.json\" region=\"eu-west-1\"; }\ndirect {",
        );
        let desired = load(&text).unwrap().desired;
        assert_eq!(
            desired.state,
            Some(StateBackend::S3 {
                bucket: "team-state".into(),
                key: "orgrole/prod.json".into(),
                region: Some("eu-west-1".into())
            })
        );
    }

    #[test]
    fn a_bad_bucket_name_is_named() {
        let p = one_problem(&edit("direct {", "state { s3 bucket=\"Team_State\" key=\"k\"; }\ndirect {"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("9:12", "`Team_State` is not an S3 bucket name"));
    }

    #[test]
    fn a_missing_key_is_named() {
        let p = one_problem(&edit("direct {", "state { s3 bucket=\"team-state\"; }\ndirect {"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("9:9", "`s3` needs key="));
    }
}
