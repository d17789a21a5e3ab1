//! `stackset "name" { ... }`: deployment mode 2, one service-managed
//! CloudFormation StackSet that AWS deploys to the organization or to OUs.

use std::path::Path;

use super::direct::{account_ids, ou_id, read_access_role};
use super::reader::{self, keyword, Node, Spanned, Spec, ONE_OR_MORE};
use super::report::{ok, Problem};
use super::{DirectTargets, StackSetConfig, StackSetTargets, Template};
use crate::model::{AccountFilter, Amount, CallAs, Preferences, RegionConcurrency};

pub(super) const SPEC: Spec = Spec {
    name: "stackset",
    args: 1..=1,
    props: &[],
    block: true,
    repeats: false,
    required: false,
    usage: r#"stackset "radiant-aws-api-access" { organization; regions "us-east-1" }"#,
};

const fn once(name: &'static str, args: usize, props: &'static [&'static str], usage: &'static str) -> Spec {
    Spec { name, args: args..=args, props, block: false, repeats: false, required: false, usage }
}

const PREFERENCES: [&str; 5] = [
    "max-concurrent-percent",
    "max-concurrent-count",
    "failure-tolerance-percent",
    "failure-tolerance-count",
    "region-concurrency",
];

const CHILDREN: [Spec; 10] = [
    once("organization", 0, &[], "organization"),
    Spec {
        name: "ou",
        args: ONE_OR_MORE,
        props: &[],
        block: false,
        repeats: true,
        required: false,
        usage: r#"ou "ou-ab12-cdef3456" "ou-ab12-99887766""#,
    },
    Spec {
        name: "accounts",
        args: ONE_OR_MORE,
        props: &["filter"],
        block: false,
        repeats: false,
        required: false,
        usage: r#"accounts "111111111111" filter="intersection""#,
    },
    Spec {
        name: "regions",
        args: ONE_OR_MORE,
        props: &[],
        block: false,
        repeats: false,
        required: true,
        usage: r#"regions "us-east-1""#,
    },
    once("auto-deployment", 1, &["retain-stacks"], "auto-deployment #true retain-stacks=#false"),
    once(
        "preferences",
        0,
        &PREFERENCES,
        "preferences max-concurrent-percent=25 failure-tolerance-percent=10 region-concurrency=\"sequential\"",
    ),
    once("management-account", 1, &[], "management-account #true"),
    once("template", 1, &[], r#"template "rs_iam_role.yml""#),
    once("call-as", 1, &[], r#"call-as "self""#),
    once("access-role", 1, &[], r#"access-role "OrganizationAccountAccessRole""#),
];

/// CloudFormation's limit on a template passed in the request (TemplateBody).
pub const MAX_TEMPLATE_BYTES: usize = 51_200;
/// What the guide tells users to replace by hand in its template.
pub const EXTERNAL_ID_PLACEHOLDER: &str = "${RS_CREDENTIAL_ID}";

/// `external_id`: the credential's, when it could be read, to check the
/// template's size as it is sent.
pub(super) fn read(
    node: Node<'_>,
    base_dir: &Path,
    external_id: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<StackSetConfig> {
    let name = node.string(problems).and_then(|n| ok(stack_set_name(n), problems));
    let children = reader::block(node.children(), Some(node), &CHILDREN, problems);
    let child = |name: &str| children.iter().find(|c| c.name() == name).copied();

    let written: Vec<Spanned<String>> =
        children.iter().filter(|c| c.name() == "ou").flat_map(|c| c.strings(problems)).collect();
    let ous: Vec<String> = written.into_iter().filter_map(|ou| ok(ou_id(ou), problems)).collect();
    let targets = match (child("organization"), ous.is_empty()) {
        (Some(_), true) => Some(StackSetTargets::Organization),
        (None, false) => Some(StackSetTargets::Ous(ous)),
        (Some(organization), false) => {
            problems.push(Problem::error(
                organization.span(),
                "`stackset` targets both the organization and OUs",
                "keep `organization` (every account) or the `ou` lines (those OUs), not both",
            ));
            None
        }
        (None, true) => {
            problems.push(Problem::error(
                node.span(),
                "`stackset` has no targets",
                r#"add `organization`, or `ou "ou-ab12-cdef3456"` for chosen OUs"#,
            ));
            None
        }
    };

    let (accounts, filter) = match child("accounts") {
        Some(accounts) => {
            let ids: Vec<_> = account_ids(&accounts, problems).into_iter().map(|a| a.value).collect();
            (ids, account_filter(&accounts, problems))
        }
        None => (vec![], Some(AccountFilter::None)),
    };
    let regions = child("regions").map(|r| regions(&r, problems)).unwrap_or_default();
    let (auto_deployment, retain_stacks) = match child("auto-deployment") {
        Some(auto) => (
            auto.arg().and_then(|a| a.boolean(problems)),
            auto.prop("retain-stacks").map_or(Some(false), |p| p.boolean(problems)),
        ),
        None => (Some(true), Some(false)),
    };
    let preferences =
        child("preferences").map_or(Some(Preferences::default()), |p| preferences(&p, problems));
    let management_account =
        child("management-account").map_or(Some(false), |m| m.arg().and_then(|a| a.boolean(problems)));
    let template = match child("template") {
        Some(t) => t.string(problems).and_then(|path| template_file(path, base_dir, external_id, problems)),
        None => Some(Template::Generated),
    };
    let call_as = child("call-as").map_or(Some(CallAs::Caller), |c| {
        let value = c.string(problems)?;
        let help = "\"self\" from the management account, \"delegated-admin\" from a delegated administrator account";
        keyword(value, "`call-as`", &[("self", CallAs::Caller), ("delegated-admin", CallAs::DelegatedAdmin)], help, problems)
    });
    let access_role = child("access-role").map(|r| read_access_role(&r, problems));
    if let (Some(accounts), Some(AccountFilter::Intersection | AccountFilter::Difference), Some(true)) =
        (child("accounts"), filter, auto_deployment)
    {
        problems.push(Problem::warning(
            accounts.span(),
            "AWS's automatic deployments do not apply account filters: an account that joins a targeted OU gets the role whatever the filter says, until orgrole's next apply removes it",
            "to keep the filter exact, turn auto-deployment off (`auto-deployment #false`: orgrole deploys joining accounts on its next apply); or keep it and target OUs without a filter (move the chosen accounts into an OU of their own)",
        ));
    }
    if let (Some(Template::Generated), [_, _, ..], Some(r)) =
        (&template, regions.as_slice(), child("regions"))
    {
        problems.push(Problem::error(
            r.span(),
            format!("the generated template holds only IAM resources, which are global: deploying it to {} regions would create the same role and policy again in each account and fail with EntityAlreadyExists", regions.len()),
            "list one region (any region deploys IAM resources account-wide), or give your own template with `template` if it holds regional resources",
        ));
    }
    Some(StackSetConfig {
        name: name?,
        targets: targets?,
        accounts,
        filter: filter?,
        regions,
        auto_deployment: auto_deployment?,
        retain_stacks: retain_stacks?,
        preferences: preferences?,
        management_account: management_account?,
        template: template?,
        call_as: call_as?,
        access_role: access_role.map_or(Some(None), |r| r.map(Some))?,
    })
}

/// CloudFormation's rule: a letter, then letters, digits and `-`; at most 128.
fn stack_set_name(name: Spanned<String>) -> Result<String, Problem> {
    let n = &name.value;
    let valid = (1..=128).contains(&n.len())
        && n.starts_with(|c: char| c.is_ascii_alphabetic())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        return Ok(name.value);
    }
    Err(Problem::error(
        name.span,
        format!("`{n}` is not a StackSet name"),
        "start with a letter, then use letters, digits and `-`, at most 128 characters",
    ))
}

fn account_filter(accounts: &Node<'_>, problems: &mut Vec<Problem>) -> Option<AccountFilter> {
    let Some(entry) = accounts.prop("filter") else {
        // The API's default when accounts are given with OUs.
        return Some(AccountFilter::Union);
    };
    let value = entry.string(problems)?;
    if value.value == "none" {
        problems.push(Problem::error(
            value.span,
            "filter=\"none\" deploys to every account of the targets and ignores the accounts listed",
            "remove the `accounts` line, or choose filter=\"intersection\", \"difference\" or \"union\"",
        ));
        return None;
    }
    let choices = [
        ("intersection", AccountFilter::Intersection),
        ("difference", AccountFilter::Difference),
        ("union", AccountFilter::Union),
    ];
    let help = "\"intersection\": only these accounts of the targets; \"difference\": all but these; \"union\": the targets' accounts and these";
    keyword(value, "`filter=`", &choices, help, problems)
}

/// Region names as AWS writes them (`us-east-1`, `us-gov-west-1`), once each.
fn regions(node: &Node<'_>, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for region in node.strings(problems) {
        let parts: Vec<&str> = region.value.split('-').collect();
        let valid = parts.len() >= 3
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].parse::<u8>().is_ok();
        if !valid {
            problems.push(Problem::error(
                region.span,
                format!("`{}` is not an AWS region", region.value),
                "use a region code like \"us-east-1\" or \"eu-west-3\"",
            ));
        } else if out.contains(&region.value) {
            problems.push(Problem::error(
                region.span,
                format!("region {} is listed twice", region.value),
                "list each region once",
            ));
        } else {
            out.push(region.value);
        }
    }
    out
}

fn preferences(node: &Node<'_>, problems: &mut Vec<Problem>) -> Option<Preferences> {
    let max_concurrent = amount(node, "max-concurrent", 1, problems);
    let failure_tolerance = amount(node, "failure-tolerance", 0, problems);
    let region_concurrency = node.prop("region-concurrency").map(|entry| {
        let value = entry.string(problems)?;
        let choices =
            [("sequential", RegionConcurrency::Sequential), ("parallel", RegionConcurrency::Parallel)];
        let help = "\"sequential\" deploys one region after another; \"parallel\" all at once";
        keyword(value, "`region-concurrency=`", &choices, help, problems)
    });
    Some(Preferences {
        max_concurrent: max_concurrent?,
        failure_tolerance: failure_tolerance?,
        region_concurrency: region_concurrency.map_or(Some(None), |r| r.map(Some))?,
    })
}

/// `<setting>-percent=` or `<setting>-count=` (not both): `Some(None)` when
/// neither is written, `None` when what is written is wrong (reported).
fn amount(node: &Node<'_>, setting: &str, min: i128, problems: &mut Vec<Problem>) -> Option<Option<Amount>> {
    let (percent, count) = (format!("{setting}-percent"), format!("{setting}-count"));
    let mut read = |key: &str, max: i128| {
        let entry = node.prop(key)?;
        let n = entry.value().as_integer().filter(|n| (min..=max).contains(n));
        if n.is_none() {
            let limit = if max == 100 { format!("{min} to 100") } else { format!("{min} or more") };
            problems.push(Problem::error(
                entry.span(),
                format!("`{key}=` takes a whole number, {limit}; found {}", entry.value()),
                format!("for example: {}", node.usage()),
            ));
        }
        Some(n.map(|n| n as u32))
    };
    match (read(&percent, 100), read(&count, i128::from(u32::MAX))) {
        (Some(_), Some(_)) => {
            problems.push(Problem::error(
                node.span(),
                format!("`{percent}=` and `{count}=` are two forms of one setting"),
                "keep one of them: AWS takes a percentage or a count, not both",
            ));
            None
        }
        (Some(n), None) => n.map(|n| Some(Amount::Percent(n))),
        (None, Some(n)) => n.map(|n| Some(Amount::Count(n))),
        (None, None) => Some(None),
    }
}

/// The vendor's template, read now so that a missing or oversized file is
/// reported with the rest of the configuration. Its size counts the
/// external ID written in, as sent. (The generated template, a role and a
/// managed policy of at most 6,144 characters, stays far below the limit.)
fn template_file(
    path: Spanned<String>,
    base_dir: &Path,
    external_id: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<Template> {
    let full = base_dir.join(&path.value);
    let body = match std::fs::read_to_string(&full) {
        Ok(body) => body,
        Err(e) => {
            problems.push(Problem::error(
                path.span,
                format!("cannot read the template {}: {e}", full.display()),
                "give the path of the vendor's CloudFormation template, relative to this file, or remove `template` to let orgrole generate one from the `role` block",
            ));
            return None;
        }
    };
    let sent = external_id.map_or(body.len(), |id| body.replace(EXTERNAL_ID_PLACEHOLDER, id).len());
    if sent > MAX_TEMPLATE_BYTES {
        problems.push(Problem::error(
            path.span,
            format!(
                "the template is {sent} bytes with the external ID filled in; CloudFormation takes at most {MAX_TEMPLATE_BYTES} in a request"
            ),
            "shorten the template, or remove `template` to let orgrole generate one",
        ));
        return None;
    }
    if !body.contains(EXTERNAL_ID_PLACEHOLDER) {
        problems.push(Problem::warning(
            path.span,
            format!("the template does not contain {EXTERNAL_ID_PLACEHOLDER}: orgrole cannot put the external ID in it"),
            "use the vendor's template as downloaded: orgrole fills in the placeholder, as the guide says to do by hand",
        ));
    }
    Some(Template::File { path: path.value, body })
}

/// What `direct` and `stackset` both plainly cover, as far as the file
/// alone shows: each account gets the role one way. (Where the organization
/// decides, e.g. `direct { organization; exclude ... }` beside OUs, the plan
/// checks it.)
pub(super) fn overlap(direct: &DirectTargets, stackset: &StackSetConfig) -> Option<String> {
    match &stackset.targets {
        StackSetTargets::Organization if direct.organization => Some("the whole organization".into()),
        StackSetTargets::Organization => None,
        StackSetTargets::Ous(ous) => {
            if let Some(ou) = ous.iter().find(|ou| direct.ous.contains(ou)) {
                return Some(format!("OU {ou}"));
            }
            let listed = matches!(stackset.filter, AccountFilter::Union | AccountFilter::Intersection);
            let account = direct
                .accounts
                .iter()
                .find(|a| listed && stackset.accounts.contains(a) && !direct.exclude.contains(a))?;
            Some(format!("account {account}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::MAX_TEMPLATE_BYTES;
    use crate::config::testing::{edit, load, load_in, one_problem, problems_in};
    use crate::config::{StackSetTargets, Template};
    use crate::model::{AccountFilter, Amount, CallAs, Preferences, RegionConcurrency};

    const DIRECT: &str = "direct {\n    organization\n}\n";

    /// VALID with its `direct` block replaced by a `stackset` block of `body`.
    fn with_stackset(body: &str) -> String {
        edit(DIRECT, &format!("stackset \"radiant-aws-api-access\" {{\n{body}\n}}\n"))
    }

    #[test]
    fn the_issues_example_reads_as_written() {
        let text = with_stackset(
            r#"    ou "ou-ab12-cdef3456" "ou-ab12-99887766"
    accounts "111111111111" filter="intersection"
    regions "us-east-1"
    auto-deployment #true retain-stacks=#false
    preferences max-concurrent-percent=25 failure-tolerance-percent=10 region-concurrency="sequential"
    management-account #true
    call-as "delegated-admin""#,
        );
        let s = load(&text).unwrap().desired.stackset.unwrap();
        assert_eq!(s.name, "radiant-aws-api-access");
        assert_eq!(
            s.targets,
            StackSetTargets::Ous(vec!["ou-ab12-cdef3456".into(), "ou-ab12-99887766".into()])
        );
        assert_eq!((s.accounts.len(), s.filter), (1, AccountFilter::Intersection));
        assert_eq!(s.regions, ["us-east-1"]);
        assert!(s.auto_deployment && !s.retain_stacks && s.management_account);
        assert_eq!(
            s.preferences,
            Preferences {
                max_concurrent: Some(Amount::Percent(25)),
                failure_tolerance: Some(Amount::Percent(10)),
                region_concurrency: Some(RegionConcurrency::Sequential),
            }
        );
        assert_eq!((s.template, s.call_as), (Template::Generated, CallAs::DelegatedAdmin));
    }

    /// AWS: "Automatic deployments do not consider account level targeting filters".
    #[test]
    fn a_filter_with_auto_deployment_is_a_warning_with_the_choices() {
        for filter in ["intersection", "difference"] {
            let text = with_stackset(&format!(
                "    ou \"ou-ab12-cdef3456\"\n    accounts \"111111111111\" filter=\"{filter}\"\n    regions \"us-east-1\""
            ));
            let loaded = load(&text).unwrap();
            let warnings = crate::config::testing::seen(loaded.warnings.as_ref().unwrap(), &text);
            assert_eq!(warnings.len(), 1, "{filter}");
            assert!(warnings[0].message.contains("automatic deployments do not apply account filters"));
            assert!(warnings[0].help.contains("`auto-deployment #false`"));
            let off = text.replace("    regions", "    auto-deployment #false\n    regions");
            assert!(load(&off).unwrap().warnings.is_none(), "{filter} without auto-deployment");
        }
    }

    #[test]
    fn the_access_role_into_the_stack_sets_accounts_is_one_for_both_blocks() {
        let text =
            with_stackset("    organization\n    regions \"us-east-1\"\n    access-role \"OrgReader\"");
        let d = load(&text).unwrap().desired;
        assert_eq!(
            (d.stackset.as_ref().unwrap().access_role.as_deref(), d.access_role()),
            (Some("OrgReader"), "OrgReader")
        );
        let text = with_stackset(
            "    ou \"ou-ab12-cdef3456\"\n    regions \"us-east-1\"\n    access-role \"OrgReader\"",
        ) + "direct {\n    accounts \"111111111111\"\n}\n";
        let p = one_problem(&text);
        assert_eq!(p.at, "12:5");
        assert!(
            p.message
                .contains("assumes the access role OrgReader and `direct` OrganizationAccountAccessRole"),
            "{}",
            p.message
        );
        assert!(p.help.contains(r#"write `access-role "OrgReader"` in `direct` too"#), "{}", p.help);
    }

    #[test]
    fn defaults_are_the_consoles() {
        let s = load(&with_stackset("    organization\n    regions \"eu-west-1\""))
            .unwrap()
            .desired
            .stackset
            .unwrap();
        assert_eq!(
            (s.targets, s.filter, s.call_as),
            (StackSetTargets::Organization, AccountFilter::None, CallAs::Caller)
        );
        assert!(s.auto_deployment && !s.retain_stacks && !s.management_account);
        assert_eq!(s.preferences, Preferences::default());
        let s = load(&with_stackset(
            "    organization\n    accounts \"111111111111\"\n    regions \"eu-west-1\"",
        ))
        .unwrap()
        .desired
        .stackset
        .unwrap();
        assert_eq!(s.filter, AccountFilter::Union, "the API's default with accounts");
    }

    #[test]
    fn direct_and_stackset_may_be_used_together_but_not_both_on_the_whole_organization() {
        let with = |targets: &str| {
            let valid = crate::config::testing::VALID;
            format!("{valid}stackset \"s\" {{\n    {targets}\n    regions \"us-east-1\"\n}}\n")
        };
        // Whether the OU's accounts are also direct targets, the organization says: the plan checks.
        let d = load(&with("ou \"ou-ab12-11112222\"")).unwrap().desired;
        assert!(d.direct.is_some() && d.stackset.is_some());
        let p = one_problem(&with("organization"));
        assert_eq!(p.at, "12:1");
        assert!(p.message.contains("both cover the whole organization"), "{}", p.message);
    }

    #[test]
    fn a_generated_template_in_two_regions_is_refused_with_the_reason() {
        let p = one_problem(&with_stackset("    organization\n    regions \"us-east-1\" \"eu-west-1\""));
        assert_eq!(p.at, "11:5");
        assert!(p.message.contains("IAM resources, which are global"), "{}", p.message);
        assert!(p.message.contains("EntityAlreadyExists"), "{}", p.message);
        assert!(p.help.contains("list one region"), "{}", p.help);
    }

    #[test]
    fn the_vendors_template_is_read_and_may_span_regions() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rs_iam_role.yml"), "ExternalId: ${RS_CREDENTIAL_ID}\n").unwrap();
        let text = with_stackset(
            "    organization\n    regions \"us-east-1\" \"eu-west-1\"\n    template \"rs_iam_role.yml\"",
        );
        let loaded = load_in(&text, dir.path()).unwrap();
        assert!(loaded.warnings.is_none());
        let Template::File { body, .. } = loaded.desired.stackset.unwrap().template else { panic!("a file") };
        assert!(body.contains("${RS_CREDENTIAL_ID}"));

        std::fs::write(dir.path().join("rs_iam_role.yml"), "no placeholder\n").unwrap();
        let warnings = load_in(&text, dir.path()).unwrap().warnings.expect("a warning");
        assert!(warnings.problems()[0].message().contains("does not contain ${RS_CREDENTIAL_ID}"));

        let p = problems_in(&text.replace("rs_iam_role.yml", "missing.yml"), dir.path());
        assert!(p[0].message.contains("cannot read the template"), "{p:?}");
    }

    #[test]
    fn the_vendors_template_is_measured_with_the_external_id_written_in() {
        // Under CloudFormation's limit as a file, over it once the placeholder is filled.
        let dir = tempfile::tempdir().unwrap();
        let line = "ExternalId: ${RS_CREDENTIAL_ID}\n";
        let body = line.repeat(MAX_TEMPLATE_BYTES / line.len());
        assert!(body.len() <= MAX_TEMPLATE_BYTES);
        std::fs::write(dir.path().join("rs_iam_role.yml"), body).unwrap();
        let text =
            with_stackset("    organization\n    regions \"us-east-1\"\n    template \"rs_iam_role.yml\"");
        let p = problems_in(&text, dir.path());
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("bytes with the external ID filled in"), "{p:?}");
        assert!(p[0].message.contains("at most 51200"), "{p:?}");
    }

    #[test]
    fn every_problem_of_a_bad_block_at_once() {
        let text = with_stackset(
            r#"    organization
    ou "Security"
    accounts "111111111111" filter="none"
    regions "us-east-1" "Europe" "us-east-1"
    auto-deployment "yes"
    preferences max-concurrent-percent=25 max-concurrent-count=3 failure-tolerance-percent=101 region-concurrency="random"
    call-as "admin""#,
        );
        let found: Vec<String> = problems_in(&text, Path::new("/"))
            .into_iter()
            .map(|p| format!("{} {}", p.at, p.message))
            .collect();
        let expected = [
            "11:8 `Security` is not an OU ID",
            "12:29 filter=\"none\" deploys to every account",
            "13:25 `Europe` is not an AWS region",
            "13:34 region us-east-1 is listed twice",
            "14:21 expected #true or #false",
            "15:5 `max-concurrent-percent=` and `max-concurrent-count=` are two forms of one setting",
            "15:66 `failure-tolerance-percent=` takes a whole number, 0 to 100; found 101",
            "15:96 `region-concurrency=` is \"sequential\" or \"parallel\", not \"random\"",
            "16:13 `call-as` is \"self\" or \"delegated-admin\", not \"admin\"",
        ];
        for e in expected {
            assert!(found.iter().any(|f| f.starts_with(e)), "missing `{e}` in {found:#?}");
        }
        assert_eq!(found.len(), expected.len(), "{found:#?}");
    }

    #[test]
    fn targets_are_the_organization_or_ous() {
        let p = one_problem(&with_stackset("    regions \"us-east-1\""));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("9:1", "`stackset` has no targets"));
        let p = one_problem(&with_stackset(
            "    organization\n    ou \"ou-ab12-cdef3456\"\n    regions \"us-east-1\"",
        ));
        assert_eq!(p.message, "`stackset` targets both the organization and OUs");
        let p = one_problem(&with_stackset("    organization"));
        assert_eq!(p.message, "`stackset` has no `regions`");
        let p = one_problem(&edit(
            DIRECT,
            "stackset \"1-bad_name\" {\n    organization\n    regions \"us-east-1\"\n}\n",
        ));
        assert!(p.message.contains("is not a StackSet name"), "{}", p.message);
    }
}
