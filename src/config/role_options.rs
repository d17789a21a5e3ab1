//! The `role` block's options that enterprise rules ask for: a permissions
//! boundary, a path, a description and a session length, checked against
//! IAM's own limits (CreateRole) at their place in the file.

use super::reader::{self, Node, Spanned, Spec};
use super::report::{ok, Problem};
use crate::model::{is_iam_path, AccountId, Arn, RoleSettings, DEFAULT_MAX_SESSION, LONGEST_MAX_SESSION};

/// Where a boundary ARN names each target account.
pub const ACCOUNT_PLACEHOLDER: &str = "{account}";

const fn option(name: &'static str, usage: &'static str) -> Spec {
    Spec { name, args: 1..=1, props: &[], block: false, repeats: false, required: false, usage }
}

pub(super) const BOUNDARY: Spec =
    option("permissions-boundary", r#"permissions-boundary "arn:aws:iam::{account}:policy/VendorBoundary""#);
pub(super) const PATH: Spec = option("path", r#"path "/vendor/""#);
pub(super) const DESCRIPTION: Spec =
    option("description", r#"description "Read-only access for the vendor's AWS API connector""#);
pub(super) const MAX_SESSION: Spec = option("max-session-duration", r#"max-session-duration "2h""#);

/// The options as written (absent ones are IAM's defaults), with the
/// boundary still holding its `{account}`. `trust`: the principals, when
/// they are valid.
pub(super) fn read(
    children: &[Node<'_>],
    trust: Option<&[String]>,
    problems: &mut Vec<Problem>,
) -> Option<(RoleSettings, Option<String>)> {
    // Each read before any `?`: every problem is reported at once.
    let boundary = one(children, &BOUNDARY, problems, boundary);
    let path = one(children, &PATH, problems, path);
    let description = one(children, &DESCRIPTION, problems, description);
    let session = one(children, &MAX_SESSION, problems, session);
    let (boundary, path, description, session) = (boundary?, path?, description?, session?);
    // IAM takes as a boundary a policy of the role's own account, or an AWS managed one.
    let one_account =
        boundary.as_deref().and_then(Arn::parse).map(|a| a.account).filter(|a| AccountId::parse(a).is_ok());
    if let (Some(account), Some(node)) = (one_account, reader::find(children, &BOUNDARY)) {
        problems.push(Problem::warning(
            node.span(),
            format!("the permissions boundary is a policy of account {account}: IAM sets it only on a role of that account, and fails in every other target"),
            format!("write {ACCOUNT_PLACEHOLDER} for the account's ID to use the policy of that name in each account"),
        ));
    }
    // AWS limits a role session assumed from another role session (role
    // chaining) to one hour, whatever the role's MaxSessionDuration.
    let chained = trust.into_iter().flatten().find(|p| p.contains(":assumed-role/"));
    if let (Some(longer), Some(principal), Some(node)) =
        (session.filter(|s| *s > DEFAULT_MAX_SESSION), chained, reader::find(children, &MAX_SESSION))
    {
        problems.push(Problem::warning(
            node.span(),
            format!("{principal} is a role session: a session it starts from there (role chaining) lasts at most one hour on AWS, not the {} seconds `max-session-duration` allows", longer),
            "keep it if the vendor also assumes the role otherwise; AssumeRole with a longer DurationSeconds from a role session fails",
        ));
    }
    let defaults = RoleSettings::default();
    let settings = RoleSettings {
        path: path.unwrap_or(defaults.path),
        description,
        max_session_duration: session.unwrap_or(defaults.max_session_duration),
    };
    Some((settings, boundary))
}

/// `Some(None)` when the option is not written, `None` when it is wrong.
fn one<T>(
    children: &[Node<'_>],
    spec: &Spec,
    problems: &mut Vec<Problem>,
    check: fn(Spanned<String>) -> Result<T, Problem>,
) -> Option<Option<T>> {
    let Some(node) = reader::find(children, spec) else { return Some(None) };
    node.string(problems).and_then(|v| ok(check(v), problems)).map(Some)
}

/// A managed policy's ARN: the boundary must be one (PutRolePermissionsBoundary).
fn boundary(arn: Spanned<String>) -> Result<String, Problem> {
    let with_account = arn.value.replace(ACCOUNT_PLACEHOLDER, "111111111111");
    let valid = Arn::parse(&with_account).is_some_and(|a| {
        a.in_known_partition()
            && (a.service, a.region) == ("iam", "")
            && (a.account == "aws" || AccountId::parse(a.account).is_ok())
            && a.resource.strip_prefix("policy/").is_some_and(|name| !name.is_empty())
    });
    if !valid || arn.value.len() > 2048 {
        return Err(Problem::error(
            arn.span,
            format!("`{}` is not a managed policy's ARN", arn.value),
            format!("a permissions boundary is a managed policy: arn:aws:iam::aws:policy/NAME, arn:aws:iam::<12-digit account>:policy/NAME, or arn:aws:iam::{ACCOUNT_PLACEHOLDER}:policy/NAME for the one of that name in each account"),
        ));
    }
    Ok(arn.value)
}

/// IAM's path: `/`, or `/` + printable ASCII without spaces + `/`, up to 512.
fn path(path: Spanned<String>) -> Result<String, Problem> {
    if !is_iam_path(&path.value) {
        return Err(Problem::error(
            path.span,
            format!("`{}` is not an IAM path", path.value),
            "a path starts and ends with `/` and has no spaces, up to 512 characters: \"/vendor/\", \"/third-party/radiant/\"",
        ));
    }
    Ok(path.value)
}

/// IAM's description: up to 1000 characters of Latin-1 text (tab and line breaks allowed).
fn description(text: Spanned<String>) -> Result<String, Problem> {
    if text.value.is_empty() {
        return Err(Problem::error(
            text.span,
            "the description is empty",
            "write one, or remove `description`: the roles orgrole makes then carry its own",
        ));
    }
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{A1}'..='\u{FF}');
    if let Some(bad) = text.value.chars().find(|&c| !allowed(c)) {
        return Err(Problem::error(
            text.span,
            format!("the description contains `{bad}`, which IAM does not allow"),
            "use printable ASCII and Latin-1 letters",
        ));
    }
    let count = text.value.chars().count();
    if count > 1000 {
        return Err(Problem::error(
            text.span,
            format!("the description is {count} characters long; IAM allows up to 1000"),
            "shorten it",
        ));
    }
    Ok(text.value)
}

/// `"2h"`, `"90m"` or `"3600s"`: whole seconds from one to twelve hours.
fn session(text: Spanned<String>) -> Result<u32, Problem> {
    let t = text.value.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let seconds = number.parse::<u32>().ok().and_then(|n| match unit {
        "h" => n.checked_mul(3600),
        "m" => n.checked_mul(60),
        "s" => Some(n),
        _ => None,
    });
    match seconds {
        Some(s) if (DEFAULT_MAX_SESSION..=LONGEST_MAX_SESSION).contains(&s) => Ok(s),
        Some(s) => Err(Problem::error(
            text.span,
            format!(
                "`max-session-duration` is {s} seconds; IAM allows 1 to 12 hours (3600 to 43200 seconds)"
            ),
            "use \"1h\" to \"12h\"",
        )),
        None => Err(Problem::error(
            text.span,
            format!("`max-session-duration` \"{}\" is not a duration", text.value),
            "write hours, minutes or seconds: \"2h\", \"90m\", \"3600s\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{edit, load, one_problem};

    const TRUST: &str =
        r#"trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security""#;

    fn with(options: &str) -> String {
        edit(TRUST, &format!("{TRUST}\n    {options}"))
    }

    #[test]
    fn the_four_options_are_read_with_defaults_for_the_rest() {
        let role = load(&with(
            r#"permissions-boundary "arn:aws:iam::{account}:policy/Boundary"
    path "/vendor/radiant/"
    description "Radiant's read-only access"
    max-session-duration "2h""#,
        ))
        .unwrap()
        .desired
        .role;
        assert_eq!(role.permissions_boundary.as_deref(), Some("arn:aws:iam::{account}:policy/Boundary"));
        assert_eq!(
            role.boundary_in(&crate::testing::id("123456789012")).as_deref(),
            Some("arn:aws:iam::123456789012:policy/Boundary")
        );
        assert_eq!(role.settings.path, "/vendor/radiant/");
        assert_eq!(role.settings.description.as_deref(), Some("Radiant's read-only access"));
        assert_eq!(role.settings.max_session_duration, 7200);
        let plain = load(&edit(TRUST, TRUST)).unwrap().desired.role;
        assert!(plain.settings.is_default() && plain.permissions_boundary.is_none());
        for (written, seconds) in
            [("\"90m\"", 5400), ("\"43200s\"", 43200), ("\"12h\"", 43200), ("\"1h\"", 3600)]
        {
            let role = load(&with(&format!("max-session-duration {written}"))).unwrap().desired.role;
            assert_eq!(role.settings.max_session_duration, seconds, "{written}");
        }
    }

    #[test]
    fn longer_sessions_for_a_principal_that_is_a_role_session_are_a_warning() {
        let loaded = load(&with(r#"max-session-duration "2h""#)).unwrap();
        let warnings = loaded.warnings.expect("a warning");
        let [w] = warnings.problems() else { panic!("one warning") };
        assert!(w.is_warning() && w.message().contains("lasts at most one hour"), "{}", w.message());
        let root = edit(TRUST, "trust \"arn:aws:iam::649384204969:root\"\n    max-session-duration \"2h\"");
        assert!(load(&root).unwrap().warnings.is_none(), "an account principal may start longer sessions");
    }

    #[test]
    fn values_iam_would_refuse_are_errors_at_their_place() {
        for (option, message) in [
            (r#"path "vendor""#, "`vendor` is not an IAM path"),
            (r#"path "/a b/""#, "`/a b/` is not an IAM path"),
            (r#"path "//""#, "`//` is not an IAM path"),
            (r#"max-session-duration "13h""#, "is 46800 seconds; IAM allows 1 to 12 hours"),
            (r#"max-session-duration "30m""#, "is 1800 seconds"),
            (r#"max-session-duration "two hours""#, "\"two hours\" is not a duration"),
            (r#"permissions-boundary "arn:aws:iam::{account}:role/x""#, "is not a managed policy's ARN"),
            (r#"permissions-boundary "Boundary""#, "is not a managed policy's ARN"),
            (r#"description "read\u{2014}only""#, "contains `\u{2014}`"),
        ] {
            let p = one_problem(&with(option));
            assert_eq!(p.at.split(':').next(), Some("6"), "{option}");
            assert!(p.message.contains(message), "{option}: {}", p.message);
        }
        let long = format!("description \"{}\"", "d".repeat(1001));
        assert!(one_problem(&with(&long)).message.contains("1001 characters long; IAM allows up to 1000"));
        let aws_managed = r#"permissions-boundary "arn:aws:iam::aws:policy/ReadOnlyAccess""#;
        assert!(load(&with(aws_managed)).unwrap().warnings.is_none());
        assert!(one_problem(&with(r#"description """#)).message.contains("the description is empty"));
        let fixed = load(&with(r#"permissions-boundary "arn:aws:iam::123456789012:policy/B""#)).unwrap();
        let warnings = fixed.warnings.expect("a warning");
        assert!(warnings.problems()[0].message().contains("a policy of account 123456789012"));
    }
}
