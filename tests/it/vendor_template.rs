//! The vendor's own StackSet template (YAML, short-form tags, the guide's
//! `${RS_CREDENTIAL_ID}` in the trust condition; tests/fixtures/rs_iam_role-vendor.yml)
//! goes through plan, apply and destroy; it and orgrole's generated template
//! both pass cfn-lint, CloudFormation's own linter (pinned in the justfile).

use std::path::PathBuf;
use std::process::Command;

use crate::support::org::block_on;
use crate::support::{stackset_config, Org, Test, EXTERNAL_ID};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";
const FIXTURE: &str = "tests/fixtures/rs_iam_role-vendor.yml";

/// cfn-lint's findings on `template`; panics with how to get it when missing.
#[track_caller]
fn assert_lints_clean(template: &std::path::Path) {
    let cfn_lint = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/cfn-lint");
    assert!(
        cfn_lint.exists(),
        "{} is missing: run `just setup` (it installs the pinned cfn-lint into .venv)",
        cfn_lint.display()
    );
    let out = Command::new(&cfn_lint).arg(template).output().expect("cfn-lint runs");
    assert!(
        out.status.success(),
        "cfn-lint found problems in {}:\n{}{}",
        template.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_vendors_yaml_template_deploys_the_role_plans_nothing_more_and_is_destroyed() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    assert_lints_clean(&fixture);
    let org = Org::builder().account("payments", "Workloads/Prod").seed();
    let config = stackset_config(&format!(r#"ou "{}""#, org.ou("Workloads")), false)
        .replace("    management-account", "    template \"rs_iam_role-vendor.yml\"\n    management-account");
    let t = Test::new(&org)
        .config(&config)
        .file("rs_iam_role-vendor.yml", &std::fs::read_to_string(&fixture).expect("the fixture"));
    t.run(&["validate"]).code(0).stdout_has("template from rs_iam_role-vendor.yml");
    t.run(&["apply", "--auto-approve"]).code(0);
    let iam = org.iam("payments");
    let (trust, _) = iam.role(ROLE).expect("payments has the role");
    assert_eq!(trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"], EXTERNAL_ID);
    assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)]);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["destroy", "--auto-approve"]).code(0);
    assert!(org.iam("payments").role(ROLE).is_none(), "payments kept the role");
    assert!(org.iam("payments").policy_names().is_empty(), "payments kept the policy");
}

#[test]
fn the_generated_template_passes_cfn_lint() {
    let org = Org::builder().account("payments", "Workloads").seed();
    let t = Test::new(&org).config(&stackset_config(&format!(r#"ou "{}""#, org.ou("Workloads")), false));
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_deployed_template_lints_clean(&org, &t);
}

/// What CreateStackSet sent, as CloudFormation keeps it, passes cfn-lint.
pub(crate) fn assert_deployed_template_lints_clean(org: &Org, t: &Test) {
    let described =
        block_on(org.cloudformation().describe_stack_set().stack_set_name("radiant-aws-api-access").send())
            .expect("DescribeStackSet");
    let body = described.stack_set().and_then(|s| s.template_body()).expect("a template body").to_owned();
    let path = t.path("generated.json");
    std::fs::write(&path, body).expect("write the template");
    assert_lints_clean(&path);
}
