//! `role "name" { trust ...; policy ...; tags { } }`: the role to keep present.

use std::path::Path;

use super::reader::{self, Node, Spanned, Spec, ONE_OR_MORE};
use super::report::{ok, Problem};
use super::role_options::{self, BOUNDARY, DESCRIPTION, MAX_SESSION, PATH};
use super::{policy, rules, tags, OtherPoliciesMode, RoleConfig};
use crate::model::{AccountId, Arn};

pub(super) const SPEC: Spec = Spec {
    name: "role",
    args: 1..=1,
    props: &[],
    block: true,
    repeats: false,
    required: true,
    usage: r#"role "radiant-aws-api-access-role" { trust "arn:..."; policy "radiant-aws-api-access-policy" preset="radiant" }"#,
};

const TRUST: Spec = Spec {
    name: "trust",
    args: ONE_OR_MORE,
    props: &[],
    block: false,
    repeats: false,
    required: true,
    usage: TRUST_EXAMPLE,
};

/// The vendor guide's trust principal: the example, and what `init` writes.
macro_rules! guide_principal {
    () => {
        "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    };
}
pub const GUIDE_PRINCIPAL: &str = guide_principal!();
const TRUST_EXAMPLE: &str = concat!("trust \"", guide_principal!(), "\"");

const OTHER_POLICIES: Spec = Spec {
    name: "other-policies",
    args: 1..=1,
    props: &[],
    block: false,
    repeats: false,
    required: false,
    usage: r#"other-policies "remove" (or "keep")"#,
};

const CHILDREN: [Spec; 8] =
    [TRUST, policy::SPEC, tags::SPEC, OTHER_POLICIES, BOUNDARY, PATH, DESCRIPTION, MAX_SESSION];

pub(super) fn read(
    node: Node<'_>,
    base_dir: &Path,
    problems: &mut Vec<Problem>,
    lint: &mut Vec<Problem>,
) -> Option<RoleConfig> {
    let name = node.string(problems).and_then(|n| ok(rules::iam_name(n, "role name", 64), problems));
    let children = reader::block(node.children(), Some(node), &CHILDREN, problems);
    let trust = reader::find(&children, &TRUST)
        .map(|t| t.strings(problems).into_iter().filter_map(|arn| ok(principal(arn), problems)).collect());
    let policy =
        reader::find(&children, &policy::SPEC).and_then(|p| policy::read(p, base_dir, problems, lint));
    let tags = reader::find(&children, &tags::SPEC).map(|t| tags::read(t, problems)).unwrap_or_default();
    let other_policies = reader::find(&children, &OTHER_POLICIES).map_or(Some(OtherPoliciesMode::Remove), |o| {
        let choices = [("remove", OtherPoliciesMode::Remove), ("keep", OtherPoliciesMode::Keep)];
        let help = "\"remove\" (the default): the role is exactly as configured; \"keep\": policies others put on the role are reported and left in place";
        o.string(problems).and_then(|value| reader::keyword(value, "`other-policies`", &choices, help, problems))
    });
    let options = role_options::read(&children, trust.as_deref(), problems);
    let (name, trust, (policy_name, policy), (settings, permissions_boundary)) =
        (name?, trust?, policy?, options?);
    let other_policies = other_policies?;
    Some(RoleConfig {
        name,
        trust,
        policy_name,
        policy,
        tags,
        other_policies,
        settings,
        permissions_boundary,
    })
}

/// IAM accepts only principal ARNs it can resolve; catch the malformed ones
/// here, at their place in the file.
fn principal(arn: Spanned<String>) -> Result<String, Problem> {
    let valid = Arn::parse(&arn.value).is_some_and(|a| {
        a.in_known_partition()
            && matches!(a.service, "iam" | "sts")
            && a.region.is_empty()
            && AccountId::parse(a.account).is_ok()
            && !a.resource.is_empty()
    });
    if !valid {
        return Err(Problem::error(
            arn.span,
            format!("`{}` is not an IAM or STS principal ARN", arn.value),
            format!(
                "use arn:<aws|aws-cn|aws-us-gov>:<iam|sts>::<12-digit account>:<resource>, e.g. {TRUST_EXAMPLE}"
            ),
        ));
    }
    Ok(arn.value)
}

#[cfg(test)]
mod tests {
    use crate::config::testing::{edit, load, one_problem};

    const NAME: &str = r#"role "radiant-aws-api-access-role""#;
    const TRUST: &str =
        r#"trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security""#;

    #[test]
    fn role_name_rules() {
        let p = one_problem(&edit(NAME, r#"role "my role""#));
        assert_eq!(p.at, "4:6");
        assert!(p.message.contains("role name `my role` contains ` `"), "{}", p.message);
        let long = "r".repeat(65);
        let p = one_problem(&edit(NAME, &format!(r#"role "{long}""#)));
        assert!(p.message.contains("65 characters long; AWS allows 1 to 64"), "{}", p.message);
    }

    #[test]
    fn trust_takes_principal_arns() {
        let text = edit(
            TRUST,
            r#"trust "arn:aws:iam::111111111111:root" "arn:aws-cn:sts::222222222222:assumed-role/r/s""#,
        );
        assert_eq!(load(&text).unwrap().desired.role.trust.len(), 2);
        for bad in [
            "649384204969",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::6493842049:root",
            "arn:aws:iam::649384204969:",
        ] {
            let p = one_problem(&edit(TRUST, &format!(r#"trust "{bad}""#)));
            assert_eq!(p.at, "5:11");
            assert!(p.message.contains("is not an IAM or STS principal ARN"), "{}", p.message);
            assert!(p.help.contains("arn:aws:sts::649384204969"));
        }
    }

    #[test]
    fn other_policies_are_removed_unless_kept() {
        use crate::config::OtherPoliciesMode;
        assert_eq!(load(&edit(TRUST, TRUST)).unwrap().desired.role.other_policies, OtherPoliciesMode::Remove);
        let keep = edit(TRUST, &format!("{TRUST}\n    other-policies \"keep\""));
        assert_eq!(load(&keep).unwrap().desired.role.other_policies, OtherPoliciesMode::Keep);
        let p = one_problem(&edit(TRUST, &format!("{TRUST}\n    other-policies \"ignore\"")));
        assert_eq!(p.at, "6:20");
        assert_eq!(p.message, "`other-policies` is \"remove\" or \"keep\", not \"ignore\"");
    }

    #[test]
    fn trust_needs_an_arn() {
        let p = one_problem(&edit(TRUST, "trust"));
        assert_eq!(p.at, "5:5");
        assert_eq!(p.message, "`trust` takes at least 1 argument, found 0");
        let p = one_problem(&edit(TRUST, ""));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("4:1", "`role` has no `trust`"));
    }
}
