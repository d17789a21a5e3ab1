//! `direct { ... }`: deployment mode 1, where orgrole makes the IAM calls in
//! each target account itself.

use std::collections::HashSet;
use std::path::Path;

use kdl::KdlValue;

use super::reader::{self, Node, Spanned, Spec, ONE_OR_MORE};
use super::report::{ok, Problem};
use super::{accounts_csv, rules, DirectTargets, DEFAULT_ACCESS_ROLE};
use crate::model::AccountId;

pub(super) const SPEC: Spec = Spec {
    name: "direct",
    args: 0..=0,
    props: &[],
    block: true,
    repeats: false,
    required: false,
    usage: r#"direct { organization } (or ou "ou-ab12-cdef3456", accounts "111111111111", accounts-csv "accounts.csv")"#,
};

const fn repeatable(name: &'static str, usage: &'static str) -> Spec {
    Spec { name, args: ONE_OR_MORE, props: &[], block: false, repeats: true, required: false, usage }
}

const CHILDREN: [Spec; 6] = [
    Spec {
        name: "organization",
        args: 0..=0,
        props: &[],
        block: false,
        repeats: false,
        required: false,
        usage: "organization",
    },
    repeatable("ou", r#"ou "ou-ab12-cdef3456""#),
    repeatable("accounts", r#"accounts "111111111111" "222222222222""#),
    repeatable("accounts-csv", r#"accounts-csv "accounts.csv""#),
    repeatable("exclude", r#"exclude "333333333333""#),
    Spec {
        name: "access-role",
        args: 1..=1,
        props: &[],
        block: false,
        repeats: false,
        required: false,
        usage: r#"access-role "OrganizationAccountAccessRole""#,
    },
];

/// `access-role "NAME"`: the role orgrole assumes in the accounts.
pub(super) fn read_access_role(node: &Node<'_>, problems: &mut Vec<Problem>) -> Option<String> {
    node.string(problems).and_then(|n| ok(rules::iam_name(n, "access role name", 64), problems))
}

/// The nodes that name targets; `exclude` only narrows them.
const TARGETS: [&str; 4] = ["organization", "ou", "accounts", "accounts-csv"];

pub(super) fn read(node: Node<'_>, base_dir: &Path, problems: &mut Vec<Problem>) -> Option<DirectTargets> {
    let children = reader::block(node.children(), Some(node), &CHILDREN, problems);
    if !children.iter().any(|c| TARGETS.contains(&c.name())) {
        problems.push(Problem::error(
            node.span(),
            "`direct` has no targets",
            r#"add at least one of: organization, ou "ou-ab12-cdef3456", accounts "111111111111", accounts-csv "accounts.csv""#,
        ));
    }
    let mut targets = DirectTargets::default();
    let mut included: Vec<Spanned<AccountId>> = Vec::new();
    let mut excluded: Vec<Spanned<AccountId>> = Vec::new();
    let mut access_role = Some(DEFAULT_ACCESS_ROLE.to_owned());
    for child in &children {
        match child.name() {
            "organization" => targets.organization = true,
            "ou" => targets
                .ous
                .extend(child.strings(problems).into_iter().filter_map(|ou| ok(ou_id(ou), problems))),
            "accounts" => included.extend(account_ids(child, problems)),
            "accounts-csv" => {
                for path in child.strings(problems) {
                    included.extend(from_csv(&path, base_dir, problems));
                }
            }
            "exclude" => excluded.extend(account_ids(child, problems)),
            "access-role" => access_role = read_access_role(child, problems),
            other => unreachable!("`{other}` is not in CHILDREN"),
        }
    }
    let included = dedup(included);
    let excluded = dedup(excluded);
    let included_ids: HashSet<&AccountId> = included.iter().map(|a| &a.value).collect();
    for id in excluded.iter().filter(|e| included_ids.contains(&e.value)) {
        problems.push(Problem::warning(
            id.span,
            format!("account {} is both included and excluded", id.value),
            "it will be skipped; remove it from `exclude` or from the accounts to include",
        ));
    }
    targets.accounts = included.into_iter().map(|a| a.value).collect();
    targets.exclude = excluded.into_iter().map(|a| a.value).collect();
    targets.access_role = access_role?;
    Some(targets)
}

/// Keeps the first of each account, in order.
fn dedup(accounts: Vec<Spanned<AccountId>>) -> Vec<Spanned<AccountId>> {
    let mut seen = HashSet::new();
    accounts.into_iter().filter(|a| seen.insert(a.value.clone())).collect()
}

/// Account IDs written in the file: strings of 12 digits. A number is refused
/// rather than converted, because it has already lost any leading zeros.
pub(super) fn account_ids(node: &Node<'_>, problems: &mut Vec<Problem>) -> Vec<Spanned<AccountId>> {
    let mut ids = Vec::new();
    for arg in node.args() {
        if let KdlValue::Integer(n) = arg.value() {
            problems.push(Problem::error(
                arg.span(),
                format!("account ID {n} is a number, not a string"),
                format!("quote it: \"{n}\"; as a number an ID loses its leading zeros (012345678901 would become 12345678901)"),
            ));
            continue;
        }
        let Some(id) = arg.string(problems) else { continue };
        match AccountId::parse(&id.value) {
            Ok(value) => ids.push(Spanned { value, span: id.span }),
            Err(e) => problems.push(Problem::error(
                id.span,
                e.to_string(),
                "write the account's 12-digit ID, e.g. \"012345678901\"",
            )),
        }
    }
    ids
}

/// The accounts of a CSV file all point at the path that named it.
fn from_csv(path: &Spanned<String>, base_dir: &Path, problems: &mut Vec<Problem>) -> Vec<Spanned<AccountId>> {
    match accounts_csv::read(&base_dir.join(&path.value)) {
        Ok(ids) => ids.into_iter().map(|value| Spanned { value, span: path.span }).collect(),
        Err(errors) => {
            problems.extend(errors.iter().map(|e| Problem::error(path.span, e.to_string(), e.help())));
            Vec::new()
        }
    }
}

/// `ou-` then 4 to 32 lowercase letters or digits (the root's ID), `-`, then
/// 8 to 32 more: the form Organizations gives OU IDs.
pub(super) fn ou_id(ou: Spanned<String>) -> Result<String, Problem> {
    let part = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    };
    let valid = match ou.value.split('-').collect::<Vec<_>>().as_slice() {
        ["ou", root, own] => part(root, 4..=32) && part(own, 8..=32),
        _ => false,
    };
    if !valid {
        return Err(Problem::error(
            ou.span,
            format!("`{}` is not an OU ID", ou.value),
            "use the OU's ID from the Organizations console, like \"ou-ab12-cdef3456\" (not its name or ARN)",
        ));
    }
    Ok(ou.value)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::testing::{edit, load, load_in, one_problem, one_problem_in, problems_in};

    const DIRECT: &str = "direct {\n    organization\n}";

    fn with_direct(body: &str) -> String {
        edit(DIRECT, &format!("direct {{\n    {body}\n}}"))
    }

    fn accounts(text: &str, dir: &Path) -> (Vec<String>, Vec<String>) {
        let direct = load_in(text, dir).unwrap().desired.direct.unwrap();
        let strings = |ids: Vec<crate::model::AccountId>| ids.into_iter().map(String::from).collect();
        (strings(direct.accounts), strings(direct.exclude))
    }

    #[test]
    fn defaults_and_access_role() {
        let direct = load(&with_direct("organization")).unwrap().desired.direct.unwrap();
        assert!(direct.organization);
        assert_eq!(direct.access_role, super::DEFAULT_ACCESS_ROLE);
        let direct = load(&with_direct("ou \"ou-ab12-cdef3456\"\n    access-role \"Admin\""))
            .unwrap()
            .desired
            .direct
            .unwrap();
        assert_eq!((direct.ous, direct.access_role.as_str()), (vec!["ou-ab12-cdef3456".to_owned()], "Admin"));
    }

    #[test]
    fn access_role_name_rules() {
        let p = one_problem(&with_direct("organization\n    access-role \"bad role\""));
        assert_eq!(p.at, "11:17");
        assert!(p.message.contains("access role name `bad role` contains ` `"), "{}", p.message);
    }

    #[test]
    fn account_numbers_must_be_quoted() {
        let p = one_problem(&with_direct("accounts 111111111111"));
        assert_eq!(p.at, "10:14");
        assert!(p.message.contains("account ID 111111111111 is a number"), "{}", p.message);
        assert!(p.help.contains("quote it") && p.help.contains("012345678901"), "{}", p.help);
    }

    #[test]
    fn account_ids_are_12_digits() {
        let p = one_problem(&with_direct(r#"accounts "111111111111" "12345""#));
        assert_eq!(p.at, "10:29");
        assert!(p.message.contains("`12345` is not an AWS account ID"), "{}", p.message);
        let p = one_problem(&with_direct(r#"organization; exclude "abcdefghijkl""#));
        assert_eq!(p.at, "10:27");
    }

    #[test]
    fn ou_ids() {
        let p = one_problem(&with_direct(r#"ou "ou-ab12-cdef3456" "Security""#));
        assert_eq!(p.at, "10:27");
        assert!(p.message.contains("`Security` is not an OU ID"), "{}", p.message);
        for bad in ["ou-ab1-cdef3456", "ou-ab12-cdef345", "ou-AB12-cdef3456", "r-ab12"] {
            let p = one_problem(&with_direct(&format!(r#"ou "{bad}""#)));
            assert!(p.message.contains("is not an OU ID"), "{bad}");
        }
    }

    #[test]
    fn no_targets() {
        let p = one_problem(&with_direct(r#"exclude "333333333333""#));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("9:1", "`direct` has no targets"));
        assert!(p.help.contains("organization"));
    }

    #[test]
    fn organization_takes_nothing() {
        let p = one_problem(&with_direct("organization 1"));
        assert_eq!(
            (p.at.as_str(), p.message.as_str()),
            ("10:18", "`organization` takes no arguments, found 1")
        );
        let p = one_problem(&with_direct("organization all=#true"));
        assert_eq!(
            (p.at.as_str(), p.message.as_str()),
            ("10:18", "unknown property `all=` on `organization`")
        );
        assert!(p.help.contains("takes no properties"));
    }

    #[test]
    fn accounts_are_deduplicated_in_first_seen_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "Account ID,Name\n222222222222,B\n333333333333,C\n")
            .unwrap();
        let body = r#"accounts "111111111111" "222222222222"
    accounts-csv "a.csv"
    accounts "111111111111" "444444444444""#;
        let (included, _) = accounts(&with_direct(body), dir.path());
        assert_eq!(included, ["111111111111", "222222222222", "333333333333", "444444444444"]);
    }

    #[test]
    fn included_and_excluded_is_a_warning() {
        let text = with_direct(
            "organization\n    accounts \"111111111111\"\n    exclude \"222222222222\" \"111111111111\"",
        );
        let loaded = load(&text).unwrap();
        let warnings = crate::config::testing::seen(loaded.warnings.as_ref().unwrap(), &text);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].at, "12:28");
        assert!(warnings[0].warning);
        assert!(warnings[0].message.contains("account 111111111111 is both included and excluded"));
        assert_eq!(accounts(&text, Path::new("/")).1, ["222222222222", "111111111111"]);

        // Alongside errors, warnings come in the same report.
        let text = text.replace("organization\n", "organization 1\n");
        let all = problems_in(&text, Path::new("/"));
        assert_eq!(all.iter().map(|p| p.warning).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn accounts_csv_problems_point_at_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = one_problem_in(&with_direct(r#"accounts-csv "missing.csv""#), dir.path());
        assert_eq!(p.at, "10:18");
        assert!(p.message.contains("cannot read") && p.message.contains("missing.csv"), "{}", p.message);

        std::fs::write(dir.path().join("cols.csv"), "Id,Name\n111111111111,A\n").unwrap();
        let p = one_problem_in(&with_direct(r#"accounts-csv "cols.csv""#), dir.path());
        assert_eq!(p.at, "10:18");
        assert!(p.message.contains(r#"has no "Account ID" column (found: Id, Name)"#), "{}", p.message);

        std::fs::write(dir.path().join("rows.csv"), "Name,Account ID\nA,111111111111\nB,1111\n").unwrap();
        let p = one_problem_in(&with_direct(r#"accounts-csv "rows.csv""#), dir.path());
        assert_eq!(p.at, "10:18");
        assert!(p.message.starts_with("line 3 of") && p.message.contains("`1111`"), "{}", p.message);
    }

    #[test]
    fn csv_with_older_status_header_and_other_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("old.csv"),
            "Name,Email,Status,Account ID,ARN\nA,a@example.com,ACTIVE,012345678901,arn:aws:organizations::1:account/o/012345678901\n",
        )
        .unwrap();
        let (included, _) = accounts(&with_direct(r#"accounts-csv "old.csv""#), dir.path());
        assert_eq!(included, ["012345678901"]);
    }
}
