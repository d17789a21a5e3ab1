//! The configuration file: KDL in, a validated [`Desired`] out, or every
//! problem of the file at once as a [`ConfigReport`].

mod accounts_csv;
mod credential;
mod desired;
mod direct;
mod policy;
pub(crate) mod presets;
mod reader;
mod report;
mod role;
mod role_options;
mod rules;
mod stackset;
mod state;
mod tags;
#[cfg(test)]
mod testing;

use std::path::Path;

pub use desired::*;
pub use report::{ConfigReport, Problem};
pub use role::GUIDE_PRINCIPAL;
pub use role_options::ACCOUNT_PLACEHOLDER;
pub use stackset::EXTERNAL_ID_PLACEHOLDER;

use reader::Spec;

/// A valid configuration, and what in it deserves a second look.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Desired,
    pub warnings: Option<ConfigReport>,
    /// The policy checked against IAM's reference: warnings that `validate`
    /// and `verify` show, and a plan only counts.
    pub lint: Option<ConfigReport>,
}

const TOP_LEVEL: [Spec; 5] = [credential::SPEC, role::SPEC, direct::SPEC, stackset::SPEC, state::SPEC];

/// Reads and validates the file; relative paths inside it (accounts-csv, policy file=) resolve against the file's directory; env= reads std::env.
pub fn load(path: &Path) -> Result<Loaded, ConfigReport> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let problem = Problem::error(
            None,
            format!("cannot read the configuration file {name}: {e}"),
            "check the path, or name another file with -c/--config",
        );
        ConfigReport::new(&name, "", vec![problem])
    })?;
    let base_dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    parse(&name, &text, base_dir, &|var| std::env::var(var).ok())
}

/// Same, from text, for tests: `name` is the file name shown in diagnostics.
pub fn parse(
    name: &str,
    text: &str,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, ConfigReport> {
    let doc = kdl::KdlDocument::parse_v2(text).map_err(|e| ConfigReport::from_kdl(name, text, e))?;
    let mut problems = Vec::new();
    let nodes = reader::block(Some(&doc), None, &TOP_LEVEL, &mut problems);
    let found = |spec| reader::find(&nodes, spec);
    let credential = found(&credential::SPEC).and_then(|n| credential::read(n, env, &mut problems));
    let mut lint = Vec::new();
    let role = found(&role::SPEC).and_then(|n| role::read(n, base_dir, &mut problems, &mut lint));
    let direct = found(&direct::SPEC).and_then(|n| direct::read(n, base_dir, &mut problems));
    let external_id = credential.as_ref().map(|c| c.external_id.as_str());
    let stackset =
        found(&stackset::SPEC).and_then(|n| stackset::read(n, base_dir, external_id, &mut problems));
    let state = found(&state::SPEC).and_then(|n| state::read(n, &mut problems));
    if found(&direct::SPEC).is_none() && found(&stackset::SPEC).is_none() {
        problems.push(Problem::error(
            miette::SourceSpan::from(0..0),
            "no `direct` or `stackset` in the file: nothing says how to deploy the role",
            format!("add one of them: {} or {}", direct::SPEC.usage, stackset::SPEC.usage),
        ));
    }
    if let (Some(direct), Some(stackset), Some(node)) = (&direct, &stackset, found(&stackset::SPEC)) {
        if let Some(both) = stackset::overlap(direct, stackset) {
            problems.push(Problem::error(
                node.span(),
                format!("`direct` and `stackset` both cover {both}: each account would get the role twice"),
                "give each account one way: narrow `direct` with `exclude` or other targets, or the stack set with `ou` or an account filter",
            ));
        }
    }
    let stackset_role = stackset.as_ref().and_then(|s| s.access_role.as_ref());
    if let (Some(direct), Some(theirs), Some(node)) = (&direct, stackset_role, found(&stackset::SPEC)) {
        if direct.access_role != *theirs {
            let written =
                node.children().and_then(|c| c.nodes().iter().find(|n| n.name().value() == "access-role"));
            let at = written.map_or(node.span(), |n| n.name().span());
            problems.push(Problem::error(
                at,
                format!("`stackset` assumes the access role {theirs} and `direct` {}: orgrole assumes one access role in every account", direct.access_role),
                format!("write `access-role \"{theirs}\"` in `direct` too, or remove it from `stackset`"),
            ));
        }
    }
    let vendor_template = stackset.as_ref().is_some_and(|s| matches!(s.template, Template::File { .. }));
    if let (true, Some(role), Some(node)) = (vendor_template, &role, found(&stackset::SPEC)) {
        if role.has_options() {
            let written =
                node.children().and_then(|c| c.nodes().iter().find(|n| n.name().value() == "template"));
            problems.push(Problem::error(
                written.map_or(node.span(), |n| n.span()),
                "the `role` block's permissions-boundary, path, description or max-session-duration would not reach the vendor's template: the template declares its own role",
                "set PermissionsBoundary, Path, Description or MaxSessionDuration in the template's AWS::IAM::Role, or remove `template` to let orgrole generate one with them",
            ));
        }
    }
    match (credential, role) {
        (Some(credential), Some(role)) if !ConfigReport::has_errors(&problems) => Ok(Loaded {
            desired: Desired { credential, role, direct, stackset, state },
            warnings: (!problems.is_empty()).then(|| ConfigReport::new(name, text, problems)),
            lint: (!lint.is_empty()).then(|| ConfigReport::new(name, text, lint)),
        }),
        _ => Err(ConfigReport::new(name, text, problems)),
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{edit, load, load_in, one_problem, problems_in, seen, VALID};
    use super::*;

    #[test]
    fn a_full_config_gives_the_desired_state() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("accounts.csv"), "Account ID,ARN,Email,Name,State,Joined method,Joined timestamp\n444444444444,arn,e@example.com,D,ACTIVE,CREATED,2024-01-01\n").unwrap();
        let text = r#"
credential "AWS API Credentials" {
    external-id env="RS_CREDENTIAL_ID"
}
role "radiant-aws-api-access-role" {
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "radiant-aws-api-access-policy" preset="radiant"
    tags { owner "secops" }
}
direct {
    organization
    ou "ou-ab12-cdef3456"
    accounts "111111111111" "222222222222"
    accounts-csv "accounts.csv"
    exclude "333333333333"
    access-role "OrganizationAccountAccessRole"
}
"#;
        let loaded = load_in(text, dir.path()).unwrap();
        assert!(loaded.warnings.is_none());
        let d = loaded.desired;
        assert_eq!(d.credential.name, "AWS API Credentials");
        assert_eq!(d.credential.external_id, "id-from-env");
        assert_eq!(d.role.name, "radiant-aws-api-access-role");
        assert_eq!(
            d.role.trust,
            ["arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"]
        );
        assert_eq!(d.role.policy_name, "radiant-aws-api-access-policy");
        assert_eq!(d.role.policy.actions().len(), 66);
        assert_eq!(d.role.tags.get("owner").map(String::as_str), Some("secops"));
        let direct = d.direct.unwrap();
        assert!(direct.organization);
        assert_eq!(direct.ous, ["ou-ab12-cdef3456"]);
        let ids = |v: &[crate::model::AccountId]| v.iter().map(|a| a.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(&direct.accounts), ["111111111111", "222222222222", "444444444444"]);
        assert_eq!(ids(&direct.exclude), ["333333333333"]);
        assert_eq!(direct.access_role, DEFAULT_ACCESS_ROLE);
    }

    #[test]
    fn all_problems_at_once() {
        let text = VALID
            .replace(r#"external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11""#, r#"external-id "x y""#)
            .replace("radiant-aws-api-access-role", "bad role")
            .replace("organization", "organization 1");
        let all = problems_in(&text, Path::new("/"));
        let found: Vec<_> = all.iter().map(|p| (p.at.as_str(), p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                ("2:17", "external ID `x y` contains ` `, which AWS does not allow"),
                ("4:6", "role name `bad role` contains ` `, which AWS does not allow"),
                ("10:18", "`organization` takes no arguments, found 1"),
            ]
        );
    }

    #[test]
    fn every_kdl_syntax_error() {
        let text = "credential \"a\" {\n    external-id \"unterminated\n}\nrole x=1.\n";
        let report = load(text).unwrap_err();
        assert!(!report.problems().is_empty());
        assert!(report.problems().iter().all(|p| p.span().is_some() && !p.help().is_empty()));
        let kdl_count = kdl::KdlDocument::parse_v2(text).unwrap_err().diagnostics.len();
        assert_eq!(report.problems().len(), kdl_count);
    }

    #[test]
    fn kdl_syntax_error_location() {
        let p = one_problem(&edit("organization", "organization 1."));
        assert_eq!(p.at, "10:18");
    }

    #[test]
    fn unknown_nodes() {
        let p = one_problem(&edit("direct {", "stacksets \"s\" {\n    regions \"us-east-1\"\n}\ndirect {"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("9:1", "unknown node `stacksets`"));
        assert!(p.help.contains("`credential`, `role`, `direct`, `stackset` and `state`"), "{}", p.help);

        let p = one_problem(&edit("    organization", "    organisation\n    organization"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("10:5", "unknown node `organisation` in `direct`"));
        assert!(p.help.contains("`direct` may contain only `organization`, `ou`"), "{}", p.help);
    }

    #[test]
    fn leaf_nodes_take_no_block() {
        let p = one_problem(&edit("    organization", "    organization { all }"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("10:5", "`organization` takes no `{ }` block"));
    }

    #[test]
    fn duplicate_blocks_point_at_the_second() {
        let p = one_problem(&format!("{VALID}direct {{\n    organization\n}}\n"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("12:1", "duplicate `direct`"));
        let p = one_problem(&edit("    organization", "    organization\n    organization"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("11:5", "duplicate `organization`"));
    }

    #[test]
    fn missing_blocks() {
        let p = one_problem(&edit("direct {\n    organization\n}\n", ""));
        assert_eq!(
            (p.at.as_str(), p.message.as_str()),
            ("1:1", "no `direct` or `stackset` in the file: nothing says how to deploy the role")
        );
        assert!(p.help.contains("direct { organization }") && p.help.contains("stackset \""), "{}", p.help);
        let all = problems_in("", Path::new("/"));
        let found: Vec<_> = all.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            found,
            [
                "no `credential` in the file",
                "no `role` in the file",
                "no `direct` or `stackset` in the file: nothing says how to deploy the role"
            ]
        );
    }

    #[test]
    fn block_names_are_checked() {
        let p = one_problem(&edit(r#"credential "AWS API Credentials""#, "credential"));
        assert_eq!((p.at.as_str(), p.message.as_str()), ("1:1", "`credential` takes 1 argument, found 0"));
    }

    #[test]
    fn unreadable_file() {
        let dir = tempfile::tempdir().unwrap();
        let report = super::load(&dir.path().join("orgrole.kdl")).unwrap_err();
        assert_eq!(report.problems().len(), 1);
        assert!(report.problems()[0].message().contains("cannot read the configuration file"));
        assert!(report.to_string().ends_with("orgrole.kdl: 1 error"));
    }

    #[test]
    fn load_resolves_paths_against_the_files_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "Account ID\n111111111111\n").unwrap();
        let path = dir.path().join("orgrole.kdl");
        std::fs::write(&path, edit("    organization", "    accounts-csv \"a.csv\"")).unwrap();
        let direct = super::load(&path).unwrap().desired.direct.unwrap();
        assert_eq!(direct.accounts[0].as_str(), "111111111111");
    }

    #[test]
    fn rendered_report_shows_file_line_and_column_of_every_problem() {
        let text = VALID
            .replace("radiant-aws-api-access-role", "bad role")
            .replace("organization", "organization\n    accounts 111111111111\n    bogus");
        let report = load(&text).unwrap_err();
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, &report)
            .unwrap();
        assert!(out.contains("orgrole.kdl: 3 errors"), "{out}");
        let seen = seen(&report, &text);
        assert_eq!(seen.len(), 3);
        for p in &seen {
            assert!(out.contains(&format!("orgrole.kdl:{}", p.at)), "no orgrole.kdl:{} in\n{out}", p.at);
            assert!(out.contains(&p.help), "{out}");
        }
    }
}
