//! The role options enterprises require (a permissions boundary, a path, a
//! description, a session length), on moto: made with the role, changed in
//! place where IAM allows it, put back when edited by hand, and a new path
//! replaces the role.

use serde_json::json;

use crate::support::org::block_on;
use crate::support::{radiant_config, stackset_config, Org, Test};
use crate::vendor_template::assert_deployed_template_lints_clean;

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";

/// The four options, written after the role's policy.
fn with_options(config: &str, path: &str, description: &str, session: &str) -> String {
    let options = format!(
        r#"    permissions-boundary "arn:aws:iam::{{account}}:policy/VendorBoundary"
    path "{path}"
    description "{description}"
    max-session-duration "{session}"
"#
    );
    let policy = r#"preset="radiant""#;
    let at = config.find(policy).expect("the role's policy") + policy.len() + 1;
    format!("{}{options}{}", &config[..at], &config[at..])
}

fn boundary_document() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "iam:Get*", "iam:List*"], "Resource": "*"}]})
}

#[test]
fn a_role_with_boundary_path_description_and_two_hour_sessions_is_kept_so() {
    let org = Org::builder().account("audit", "Security").account("payments", "Workloads").seed();
    let accounts = format!(r#"accounts "{}" "{}""#, org.id("audit"), org.id("payments"));
    for name in ["audit", "payments"] {
        org.iam(name).create_policy("VendorBoundary", &boundary_document());
    }
    let config = with_options(&radiant_config(&accounts), "/vendor/", "Radiant read-only", "2h");
    let t = Test::new(&org).config(&config);
    t.run(&["validate"]).code(0);
    t.run(&["plan"])
        .code(0)
        .stdout_has("path /vendor/")
        .stdout_has("sessions up to 2h")
        .stdout_has("description \"Radiant read-only\"")
        .stdout_has(&format!("permissions boundary arn:aws:iam::{}:policy/VendorBoundary", org.id("audit")));
    let applied = t.run(&["apply", "--auto-approve"]).code(0);
    assert!(
        !applied.write_calls().iter().any(|c| c.contains("PutRolePermissionsBoundary")),
        "the boundary is set by CreateRole itself:\n{}",
        applied.stderr
    );
    for name in ["audit", "payments"] {
        let iam = org.iam(name);
        let (arn, path, description, session) = iam.role_settings(ROLE);
        assert_eq!(arn, format!("arn:aws:iam::{}:role/vendor/{ROLE}", org.id(name)));
        assert_eq!(
            (path.as_str(), description.as_deref(), session),
            ("/vendor/", Some("Radiant read-only"), 7200)
        );
        assert_eq!(iam.boundary(ROLE), Some(iam.policy_arn("VendorBoundary")));
        assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)]);
    }
    t.run(&["plan", "--detailed-exitcode"]).code(0);

    // A new description and session length: changed in place, nothing made again.
    let t = t.config(&with_options(&radiant_config(&accounts), "/vendor/", "Radiant, reviewed", "3h"));
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("~ description \"Radiant read-only\" → \"Radiant, reviewed\"")
        .stdout_has("~ sessions up to 2h → 3h")
        .stdout_has("Plan: 0 to add, 2 to change, 0 to destroy.");
    let applied = t.run(&["apply", "--auto-approve"]).code(0);
    let writes = applied.write_calls();
    assert_eq!(writes.iter().filter(|c| c.contains("iam:UpdateRole ")).count(), 2, "{writes:#?}");
    assert!(!writes.iter().any(|c| c.contains("CreateRole") || c.contains("DeleteRole")), "{writes:#?}");
    assert_eq!(org.iam("audit").role_settings(ROLE).3, 10800);
    t.run(&["plan", "--detailed-exitcode"]).code(0);

    // Someone takes the boundary off by hand: drift, put back.
    org.iam("payments").delete_boundary(ROLE);
    t.run(&["plan", "--detailed-exitcode"]).code(2).stdout_has("changed outside orgrole").stdout_has(
        &format!("+ permissions boundary arn:aws:iam::{}:policy/VendorBoundary", org.id("payments")),
    );
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_eq!(org.iam("payments").boundary(ROLE), Some(org.iam("payments").policy_arn("VendorBoundary")));

    // A new path: the role is replaced, and its policy attached again.
    let t = t.config(&with_options(&radiant_config(&accounts), "/third-party/", "Radiant, reviewed", "3h"));
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has(&format!("-/+ role {ROLE}  (must be replaced: a new path)"))
        .stdout_has("path /vendor/ → /third-party/")
        .stdout_has("Plan: 4 to add, 0 to change, 2 to destroy.");
    // Reviewed as a saved plan, applied exactly.
    t.run(&["plan", "--out", "replace.plan"]).code(0);
    t.run(&["apply", "replace.plan"]).code(0);
    let iam = org.iam("audit");
    assert_eq!(
        iam.role_settings(ROLE).0,
        format!("arn:aws:iam::{}:role/third-party/{ROLE}", org.id("audit"))
    );
    assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)]);
    assert_eq!(iam.boundary(ROLE), Some(iam.policy_arn("VendorBoundary")));
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["destroy", "--auto-approve"]).code(0);
    assert!(org.iam("audit").role(ROLE).is_none());
}

#[test]
fn the_stack_sets_role_has_the_options_and_its_template_passes_cfn_lint() {
    let org = Org::builder().account("payments", "Workloads").seed();
    org.iam("payments").create_policy("VendorBoundary", &boundary_document());
    let config = stackset_config(&format!(r#"ou "{}""#, org.ou("Workloads")), false);
    let t = Test::new(&org).config(&with_options(&config, "/vendor/", "Radiant read-only", "2h"));
    t.run(&["apply", "--auto-approve"]).code(0);
    let iam = org.iam("payments");
    let (arn, _, description, session) = iam.role_settings(ROLE);
    assert_eq!(arn, format!("arn:aws:iam::{}:role/vendor/{ROLE}", org.id("payments")));
    assert_eq!((description.as_deref(), session), (Some("Radiant read-only"), 7200));
    assert_eq!(
        iam.boundary(ROLE),
        Some(iam.policy_arn("VendorBoundary")),
        "Fn::Sub gave each account its own"
    );
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    assert_deployed_template_lints_clean(&org, &t);

    // CloudFormation does not replace a role it was given a name for.
    let t = t.config(&with_options(&config, "/elsewhere/", "Radiant read-only", "2h"));
    t.run(&["plan"])
        .code(1)
        .stderr_has("the stack set's role has the path /vendor/ and the configuration asks for /elsewhere/");
}

#[test]
fn role_options_with_the_vendors_template_are_refused() {
    let org = Org::builder().account("payments", "Workloads").seed();
    let config = stackset_config(&format!(r#"ou "{}""#, org.ou("Workloads")), false)
        .replace("    management-account", "    template \"rs_iam_role-vendor.yml\"\n    management-account");
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rs_iam_role-vendor.yml");
    let t = Test::new(&org)
        .config(&with_options(&config, "/vendor/", "Radiant", "2h"))
        .file("rs_iam_role-vendor.yml", &std::fs::read_to_string(fixture).expect("the fixture"));
    t.run(&["validate"]).code(1).stderr_has("would not reach the vendor's template");
}

#[test]
fn with_other_policies_kept_a_replaced_role_gets_them_again() {
    let org = Org::builder().account("audit", "Security").seed();
    let config = radiant_config(&format!(r#"accounts "{}""#, org.id("audit")))
        .replace("preset=\"radiant\"\n", "preset=\"radiant\"\n    other-policies \"keep\"\n");
    let t = Test::new(&org).config(&config);
    t.run(&["apply", "--auto-approve"]).code(0);
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::payroll/*"}]});
    org.iam("audit").put_inline(ROLE, "org-deny-list", &deny);
    let t = t.config(
        &config.replace("other-policies \"keep\"\n", "other-policies \"keep\"\n    path \"/vendor/\"\n"),
    );
    t.run(&["plan"]).code(0).stdout_has("inline policy org-deny-list, kept: put on the new role");
    t.run(&["apply", "--auto-approve"]).code(0);
    let iam = org.iam("audit");
    assert!(iam.role_settings(ROLE).0.contains(":role/vendor/"));
    assert_eq!(iam.inline_names(ROLE), ["org-deny-list"]);
    assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)]);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
}

#[test]
fn settings_edited_by_hand_are_named_by_plan_and_verify_and_put_back() {
    let org = Org::builder().account("plain", "Team").account("optioned", "Team").seed();
    org.iam("optioned").create_policy("VendorBoundary", &boundary_document());
    org.iam("optioned").create_policy("Looser", &boundary_document());
    // One role as orgrole makes it without options, one with them.
    let plain = Test::new(&org).config(&radiant_config(&format!(r#"accounts "{}""#, org.id("plain"))));
    let optioned = Test::new(&org).config(&with_options(
        &radiant_config(&format!(r#"accounts "{}""#, org.id("optioned"))),
        "/vendor/",
        "Radiant read-only",
        "2h",
    ));
    for t in [&plain, &optioned] {
        t.run(&["apply", "--auto-approve"]).code(0);
        t.run(&["verify"]).code(0);
    }
    // Twelve-hour sessions and another text on the vendor's role, and a looser boundary.
    org.iam("plain").update_role(ROLE, "edited", 43200);
    org.iam("optioned").update_role(ROLE, "edited", 43200);
    let looser = org.iam("optioned").policy_arn("Looser");
    block_on(
        org.iam("optioned")
            .client
            .put_role_permissions_boundary()
            .role_name(ROLE)
            .permissions_boundary(&looser)
            .send(),
    )
    .expect("PutRolePermissionsBoundary");

    plain
        .run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("changed outside orgrole")
        .stdout_has("~ sessions up to 12h → 1h")
        .stdout_has("~ description \"edited\" → \"Assumed by the security vendor's AWS API connector (managed by orgrole)\"");
    let verify = plain.run(&["verify"]).code(1).stdout_has("1 with problems.");
    let row = verify.stdout.lines().find(|l| l.starts_with(org.id("plain"))).expect("a row").to_owned();
    assert!(row.contains("sessions up to 12h → 1h"), "{row}");

    optioned
        .run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("~ sessions up to 12h → 2h")
        .stdout_has(&format!("- permissions boundary {looser}"))
        .stdout_has(&format!("+ permissions boundary {}", org.iam("optioned").policy_arn("VendorBoundary")));
    let verify = optioned.run(&["verify"]).code(1).stdout_has("1 with problems.");
    let row = verify.stdout.lines().find(|l| l.starts_with(org.id("optioned"))).expect("a row").to_owned();
    assert!(row.contains("permissions boundary") && row.contains("description"), "{row}");

    for (t, name, session) in [(&plain, "plain", 3600), (&optioned, "optioned", 7200)] {
        t.run(&["apply", "--auto-approve"]).code(0);
        assert_eq!(org.iam(name).role_settings(ROLE).3, session, "{name}");
        t.run(&["verify"]).code(0);
        t.run(&["plan", "--detailed-exitcode"]).code(0);
    }
    assert_eq!(org.iam("optioned").boundary(ROLE), Some(org.iam("optioned").policy_arn("VendorBoundary")));
}
