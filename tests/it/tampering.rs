//! The vendor's role changed by hand in every way that widens or narrows
//! its access, in a direct-mode account and in a stack set's account: each
//! is seen by `plan` (exit 2, the account and what changed named) and
//! `verify` (exit 1), repaired by `apply`, after which both exit 0.

use serde_json::{json, Value};

use crate::support::org::AccountIam;
use crate::support::{radiant_config, stackset_config, Org, Run, Test, EXTERNAL_ID, VENDOR};

const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";
const BACKDOOR: &str = "arn:aws:iam::999999999999:root";

fn admin() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn trust(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn vendor_statement(external_id: &str) -> Value {
    json!({"Effect": "Allow", "Principal": {"AWS": VENDOR}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}})
}

/// One change by hand: the account it is made in, how, and what `plan`
/// and `verify` must say about it.
struct Tampering {
    account: &'static str,
    make: fn(&AccountIam),
    /// In the account's plan section and in its verify problems.
    says: fn(&AccountIam, Mode) -> String,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Direct,
    StackSet,
}

const TAMPERINGS: [Tampering; 8] = [
    Tampering {
        account: "principal",
        make: |iam| {
            let backdoor =
                json!({"Effect": "Allow", "Principal": {"AWS": BACKDOOR}, "Action": "sts:AssumeRole"});
            iam.set_trust(ROLE, &trust(vec![vendor_statement(EXTERNAL_ID), backdoor]));
        },
        says: |_, _| format!("{BACKDOOR} may assume the role without the external ID"),
    },
    Tampering {
        account: "external-id",
        make: |iam| iam.set_trust(ROLE, &trust(vec![vendor_statement("someone-elses-external-id")])),
        says: |_, _| "~ external ID (value hidden)".into(),
    },
    Tampering {
        account: "inline",
        make: |iam| iam.put_inline(ROLE, "backdoor", &admin()),
        says: |_, _| "- inline policy backdoor, not in the configuration (allows *)".into(),
    },
    Tampering {
        account: "managed",
        make: |iam| {
            iam.attach_new_policy(ROLE, "backdoor-admin", &admin());
        },
        says: |iam, _| {
            format!("- attached policy {}, not in the configuration", iam.policy_arn("backdoor-admin"))
        },
    },
    Tampering {
        account: "boundary",
        make: |iam| {
            let narrow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "s3:GetObject", "Resource": "*"}]});
            iam.set_boundary(ROLE, "vendor-boundary", &narrow);
        },
        says: |iam, _| format!("- permissions boundary {}", iam.policy_arn("vendor-boundary")),
    },
    Tampering {
        account: "detached",
        make: |iam| iam.detach(ROLE, POLICY),
        says: |_, mode| {
            match mode {
            Mode::Direct => "attachment radiant-aws-api-access-role → radiant-aws-api-access-policy  (detached outside orgrole)".into(),
            Mode::StackSet => "the stack set's; detached outside CloudFormation".into(),
        }
        },
    },
    Tampering {
        account: "edited",
        make: |iam| {
            let edited = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]});
            iam.new_policy_version(POLICY, &edited, true);
        },
        says: |_, _| "- action s3:PutObject".into(),
    },
    Tampering {
        account: "deleted",
        make: |iam| iam.delete_role(ROLE),
        says: |_, mode| match mode {
            Mode::Direct => "role radiant-aws-api-access-role  (deleted outside orgrole)".into(),
            Mode::StackSet => {
                "role radiant-aws-api-access-role  (the stack set's; deleted outside CloudFormation)".into()
            }
        },
    },
];

fn org() -> Org {
    let mut builder = Org::builder().account("clean", "Vendor");
    for t in &TAMPERINGS {
        builder = builder.account(t.account, "Vendor");
    }
    builder.seed()
}

/// The plan's section of one account.
fn section(plan: &Run, org: &Org, name: &str) -> String {
    let header = format!("# account {} ({name})", org.id(name));
    let start =
        plan.stdout.find(&header).unwrap_or_else(|| panic!("no section for {name}:\n{}", plan.stdout));
    let rest = &plan.stdout[start + header.len()..];
    rest[..rest.find("# account").or_else(|| rest.find("Plan:")).unwrap_or(rest.len())].to_owned()
}

/// The account's role, policy and attachment exactly as configured, and
/// nothing else on the role.
fn assert_as_configured(org: &Org, name: &str) {
    let iam = org.iam(name);
    let (trust, _) = iam.role(ROLE).unwrap_or_else(|| panic!("{name} has no role"));
    let statements = trust["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 1, "{name}: {trust}");
    assert_eq!(statements[0]["Principal"]["AWS"], json!(VENDOR), "{name}");
    assert_eq!(statements[0]["Condition"]["StringEquals"]["sts:ExternalId"], json!(EXTERNAL_ID), "{name}");
    assert_eq!(iam.attached(ROLE), [iam.policy_arn(POLICY)], "{name}");
    assert!(iam.inline_names(ROLE).is_empty(), "{name}: {:?}", iam.inline_names(ROLE));
    assert_eq!(iam.boundary(ROLE), None, "{name}");
    let document = iam.policy_document(POLICY).expect("the policy");
    assert!(!document.to_string().contains("s3:PutObject"), "{name}: {document}");
}

fn tampered_accounts_are_seen_verified_and_repaired(mode: Mode) {
    let org = org();
    let ou = org.ou("Vendor").to_owned();
    let config = match mode {
        Mode::Direct => radiant_config(&format!(r#"ou "{ou}""#)),
        Mode::StackSet => stackset_config(&format!(r#"ou "{ou}""#), false),
    };
    let t = Test::new(&org).config(&config);
    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["verify"]).code(0);

    for tampering in &TAMPERINGS {
        (tampering.make)(&org.iam(tampering.account));
    }

    let plan = t.run(&["plan", "--detailed-exitcode"]).code(2);
    for tampering in &TAMPERINGS {
        let says = (tampering.says)(&org.iam(tampering.account), mode);
        let section = section(&plan, &org, tampering.account);
        assert!(section.contains(&says), "{}: no {says:?} in\n{section}", tampering.account);
    }
    assert!(!plan.stdout.contains("(clean)"), "the clean account has changes:\n{}", plan.stdout);
    if mode == Mode::StackSet {
        // Repaired in the accounts: the instances stay as they are, CURRENT.
        let unchanged = format!("{} instances CURRENT, unchanged", TAMPERINGS.len() + 1);
        assert!(plan.stdout.contains(&unchanged), "a stack set step:\n{}", plan.stdout);
    }

    let verify = t.run(&["verify", "--format", "json"]).code(1);
    let report: Value = serde_json::from_str(&verify.stdout).expect("verify's JSON");
    let accounts = report["accounts"].as_array().expect("accounts");
    for tampering in &TAMPERINGS {
        let id = org.id(tampering.account);
        let check = accounts.iter().find(|a| a["account"] == json!(id)).expect("the account is checked");
        let problems = check["problems"].to_string();
        let says = (tampering.says)(&org.iam(tampering.account), mode);
        let says = says.split("  (").last().unwrap().trim_end_matches(')');
        assert!(problems.contains(says), "{}: verify does not say {says:?}: {problems}", tampering.account);
    }
    let clean = accounts.iter().find(|a| a["account"] == json!(org.id("clean"))).unwrap();
    assert_eq!(clean["problems"], json!([]), "{clean}");

    t.run(&["apply", "--auto-approve"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(0);
    t.run(&["verify"]).code(0);
    for tampering in &TAMPERINGS {
        assert_as_configured(&org, tampering.account);
    }
    // Someone else's policy is detached, not deleted.
    assert!(org.iam("managed").policy_names().contains(&"backdoor-admin".to_owned()));
}

#[test]
fn with_other_policies_kept_the_organizations_own_policies_are_shown_and_left_in_place() {
    let org = Org::builder().account("kept", "Vendor").seed();
    let config = radiant_config(&format!(r#"ou "{}""#, org.ou("Vendor")))
        .replace(r#"preset="radiant""#, "preset=\"radiant\"\n    other-policies \"keep\"");
    let t = Test::new(&org).config(&config);
    t.run(&["apply", "--auto-approve"]).code(0);
    let iam = org.iam("kept");
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]});
    iam.put_inline(ROLE, "deny-data", &deny);
    t.run(&["plan", "--detailed-exitcode"])
        .code(0)
        .stdout_has("Kept on the roles (other-policies \"keep\"):")
        .stdout_has("inline policy deny-data (allows nothing)");
    t.run(&["verify"]).code(0).stdout_has("kept: inline policy deny-data (allows nothing)");
    // The trust is still kept exactly.
    (TAMPERINGS[0].make)(&iam);
    t.run(&["plan", "--detailed-exitcode"]).code(2);
    t.run(&["apply", "--auto-approve"]).code(0);
    assert_eq!(iam.inline_names(ROLE), ["deny-data"]);
    assert_eq!(iam.role(ROLE).unwrap().0["Statement"].as_array().unwrap().len(), 1);
}

#[test]
fn in_direct_mode_every_change_to_the_role_by_hand_is_seen_verified_and_repaired() {
    tampered_accounts_are_seen_verified_and_repaired(Mode::Direct);
}

#[test]
fn in_a_stack_sets_accounts_every_change_to_the_role_by_hand_is_seen_verified_and_repaired() {
    tampered_accounts_are_seen_verified_and_repaired(Mode::StackSet);
}

/// DeleteRole needs the role bare: what was added by hand goes with it, and
/// the destroy plan says so before anything is deleted.
#[test]
fn a_destroy_plan_names_the_policies_added_by_hand_that_go_with_the_role() {
    let org = Org::builder().account("a", "Team").seed();
    let t = Test::new(&org).config(&radiant_config(&format!(r#"ou "{}""#, org.ou("Team"))));
    t.run(&["apply", "--auto-approve"]).code(0);
    org.iam("a").put_inline(ROLE, "admin", &admin());
    let extra = org.iam("a").attach_new_policy(ROLE, "extra", &admin());
    t.run(&["plan", "--destroy"])
        .code(0)
        .stdout_has("- inline policy admin, not in the configuration, deleted with the role (allows *)")
        .stdout_has(&format!("- attached policy {extra}, not in the configuration, detached (not deleted)"));
    t.run(&["destroy", "--auto-approve"]).code(0);
    assert!(org.iam("a").role_names().iter().all(|r| r != ROLE), "the role is gone");
    assert!(org.iam("a").policy_names().contains(&"extra".to_owned()), "a policy orgrole did not make stays");
}
