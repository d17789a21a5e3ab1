//! `orgrole init`: a first `orgrole.kdl` written from the live organization,
//! commented so that narrowing it is an edit, not a lookup. A pure function
//! of what was read.

use std::fmt::Write;

use crate::cloud::{Caller, Organization};
use crate::config::{DEFAULT_ACCESS_ROLE, GUIDE_PRINCIPAL};
use crate::model::AccountId;

/// The guide's role, policy and stack set names.
const ROLE: &str = "radiant-aws-api-access-role";
const POLICY: &str = "radiant-aws-api-access-policy";
const STACKSET: &str = "radiant-aws-api-access";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// One service-managed stack set for the organization (the guide's advice).
    Stackset,
    /// orgrole's own IAM calls in each account, through an access role.
    Direct,
}

/// The configuration's text. Without an organization, direct mode for the
/// caller's account alone.
pub fn configuration(caller: &Caller, org: Option<&Organization>, mode: Mode, region: &str) -> String {
    let mut out = String::new();
    let source = match org {
        Some(o) => format!("organization {} (management account {})", o.id, o.management_account),
        None => format!("account {} (not in an organization)", caller.account),
    };
    let _ = writeln!(out, "// Written by `orgrole init` from {source}.");
    out.push_str(
        "// Next: `orgrole validate`, then `orgrole plan`. Run with RS_CREDENTIAL_ID set to the\n\
         // external ID the vendor's \"AWS API Credentials\" form shows.\n\n",
    );
    out.push_str("credential \"AWS API Credentials\" {\n    external-id env=\"RS_CREDENTIAL_ID\"\n}\n\n");
    let _ =
        writeln!(out, "// The vendor's role, trust principal and read-only policy, as its guide gives them.");
    let _ = writeln!(
        out,
        "role \"{ROLE}\" {{\n    trust \"{GUIDE_PRINCIPAL}\"\n    policy \"{POLICY}\" preset=\"radiant\"\n    \
         // What your rules for third-party roles may ask for:\n    \
         // permissions-boundary \"arn:aws:iam::{{account}}:policy/VendorBoundary\"\n    \
         // path \"/vendor/\"\n    // max-session-duration \"1h\"\n}}\n"
    );
    match (mode, org) {
        (Mode::Stackset, Some(org)) => stackset(&mut out, org, caller, region),
        (Mode::Direct, Some(org)) => direct(&mut out, org),
        (_, None) => {
            let _ = writeln!(out, "direct {{\n    accounts \"{}\"\n}}\n", caller.account);
        }
    }
    let _ = writeln!(
        out,
        "// Shared state for teams and pipelines: an S3 bucket with versioning on.\n\
         // state {{ s3 bucket=\"orgrole-state-{}\" key=\"orgrole/orgrole.json\" region=\"{region}\" }}",
        caller.account
    );
    out
}

fn stackset(out: &mut String, org: &Organization, caller: &Caller, region: &str) {
    out.push_str(
        "// StackSet mode, as the guide advises for an organization: one service-managed stack\n\
         // set that AWS deploys to every ACTIVE account, and to accounts that join later.\n\
         // StackSets never deploy to the management account: it gets the role directly.\n",
    );
    let _ = writeln!(out, "stackset \"{STACKSET}\" {{\n    organization");
    ous(out, org, "    ");
    let _ = writeln!(out, "    regions \"{region}\"    // IAM is global: one region\n    auto-deployment #true retain-stacks=#false");
    if caller.account == org.management_account {
        out.push_str("    management-account #true\n}\n\n");
    } else {
        // A delegated administrator calls as one, and has no access role
        // into the management account: that one is covered from there.
        let _ = writeln!(
            out,
            "    call-as \"delegated-admin\"    // account {} is not the management account\n    management-account #false    // from the management account, which StackSets never reach\n}}\n",
            caller.account
        );
    }
}

fn direct(out: &mut String, org: &Organization) {
    out.push_str(
        "// Direct mode: orgrole assumes the access role in each account and makes the role there.\n",
    );
    out.push_str("direct {\n    organization\n");
    ous(out, org, "    ");
    let _ = writeln!(
        out,
        "    // exclude \"{}\"\n    access-role \"{DEFAULT_ACCESS_ROLE}\"\n}}\n",
        example_account(org)
    );
}

/// The OUs as comments, nested as they are, each with its ID to paste.
fn ous(out: &mut String, org: &Organization, pad: &str) {
    if org.units.is_empty() {
        return;
    }
    let _ =
        writeln!(out, "{pad}// Or only some OUs (each with every OU below it): replace `organization` with");
    let _ = writeln!(out, "{pad}// lines of `ou`. The organization's OUs:");
    unit(out, org, &org.root, pad, 0);
}

fn unit(out: &mut String, org: &Organization, parent: &str, pad: &str, depth: usize) {
    let mut children: Vec<_> = org.units.iter().filter(|u| u.parent == parent).collect();
    children.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    for u in children {
        let accounts = org.accounts.iter().filter(|a| a.parent == u.id).count();
        let _ = writeln!(
            out,
            "{pad}// {}ou \"{}\"    // {} ({accounts} account{} directly in it)",
            "  ".repeat(depth),
            u.id,
            u.name,
            if accounts == 1 { "" } else { "s" }
        );
        unit(out, org, &u.id, pad, depth + 1);
    }
}

/// A member account to show `exclude` with.
fn example_account(org: &Organization) -> AccountId {
    org.accounts
        .iter()
        .map(|a| &a.id)
        .find(|a| **a != org.management_account)
        .unwrap_or(&org.management_account)
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, organization};

    fn org() -> Organization {
        organization(
            "999999999999",
            &[("ou-sec", "r-root"), ("ou-audit", "ou-sec"), ("ou-work", "r-root")],
            &[("111111111111", "ou-audit", "ACTIVE")],
        )
    }

    fn caller() -> Caller {
        Caller {
            account: id("999999999999"),
            arn: "arn:aws:iam::999999999999:root".into(),
            partition: "aws".into(),
        }
    }

    /// What init writes is a configuration that loads, in both modes, with
    /// every OU listed where an edit puts it.
    #[test]
    fn each_mode_writes_a_configuration_that_validates_and_lists_the_ous_nested() {
        for (mode, block) in [(Mode::Stackset, "stackset \""), (Mode::Direct, "direct {")] {
            let text = configuration(&caller(), Some(&org()), mode, "eu-west-1");
            let loaded = crate::config::parse("orgrole.kdl", &text, std::path::Path::new("."), &|name| {
                (name == "RS_CREDENTIAL_ID").then(|| "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11".to_owned())
            });
            let loaded = loaded.unwrap_or_else(|e| panic!("{mode:?}: {e:?}\n{text}"));
            assert!(text.contains(block), "{text}");
            assert!(
                text.contains("//   ou \"ou-audit\"    // ou-audit (1 account directly in it)"),
                "{text}"
            );
            assert!(text.contains("// state { s3 bucket=\"orgrole-state-999999999999\""), "{text}");
            assert_eq!(loaded.desired.role.name, ROLE);
        }
    }

    #[test]
    fn a_delegated_administrator_calls_as_one_and_leaves_the_management_account_to_it() {
        let member = Caller {
            account: id("111111111111"),
            arn: "arn:aws:iam::111111111111:root".into(),
            partition: "aws".into(),
        };
        let text = configuration(&member, Some(&org()), Mode::Stackset, "us-east-1");
        assert!(
            text.contains("call-as \"delegated-admin\"") && text.contains("management-account #false"),
            "{text}"
        );
        let loaded = crate::config::parse("orgrole.kdl", &text, std::path::Path::new("."), &|_| {
            Some("ext-1234".into())
        });
        assert!(loaded.is_ok(), "{text}");
    }

    #[test]
    fn without_an_organization_the_callers_account_is_the_target() {
        let text = configuration(&caller(), None, Mode::Stackset, "us-east-1");
        assert!(text.contains("direct {\n    accounts \"999999999999\"\n}"), "{text}");
    }
}
