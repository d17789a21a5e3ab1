//! Golden files keep the three renderings of one plan stable: a change to
//! them shows up in review. `UPDATE_GOLDEN=1 cargo test render` rewrites them.

use std::path::PathBuf;

use serde_json::json;

use super::{graph_dot, graph_mermaid, plan_json, plan_markdown, plan_text, Paint};
use crate::cloud::CloudError;
use crate::model::{Address, PolicyDocument, Tags};
use crate::plan::{Action, Change, Conflict, Plan, Reason, ResourceValue, Unreachable};
use crate::targets::{SkipReason, Skipped};
use crate::testing::{document, id};

const NEW: &str = "111111111111";
const DRIFTED: &str = "222222222222";
const LEAVING: &str = "333333333333";
/// StackSet mode: an account whose stack's role was given more by hand.
const TAMPERED: &str = "777777777777";

fn trust(external_id: &str) -> PolicyDocument {
    PolicyDocument::from_value(json!({"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"},
        "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]}))
    .unwrap()
}

fn tags() -> Tags {
    [("managed-by".to_owned(), "orgrole".to_owned()), ("owner".to_owned(), "secops".to_owned())].into()
}

fn change(
    address: Address,
    action: Action,
    before: Option<ResourceValue>,
    after: Option<ResourceValue>,
    reasons: Vec<Reason>,
    drift: bool,
) -> Change {
    let arn = format!("arn:aws:iam::{}:{}/{}", address.account, address.kind.as_str(), address.name);
    Change { address, action, arn, before, after, reasons, drift, stack_set: None }
}

/// Creates in one account, drift repaired in another, removals in a third,
/// plus a skipped account, a conflict and an unreachable account.
fn sample() -> Plan {
    let (new, drifted, leaving) = (id(NEW), id(DRIFTED), id(LEAVING));
    let policy = |actions: &[&str]| ResourceValue::Policy { document: document(actions), tags: tags() };
    let role = |external_id: &str| ResourceValue::Role {
        trust: trust(external_id),
        tags: tags(),
        other: Default::default(),
        settings: Default::default(),
    };
    let attachment = |account: &str| ResourceValue::Attachment {
        role: "radiant-aws-api-access-role".into(),
        policy_arn: format!("arn:aws:iam::{account}:policy/radiant-aws-api-access-policy"),
    };
    let p = "radiant-aws-api-access-policy";
    let r = "radiant-aws-api-access-role";
    Plan {
        destroy: false,
        changes: vec![
            change(
                Address::policy(&new, p),
                Action::Create,
                None,
                Some(policy(&["s3:GetObject", "iam:GetRole"])),
                vec![],
                false,
            ),
            change(Address::role(&new, r), Action::Create, None, Some(role("ext-1")), vec![], false),
            change(
                Address::attachment(&new, r, p),
                Action::Create,
                None,
                Some(attachment(NEW)),
                vec![],
                false,
            ),
            change(
                Address::policy(&drifted, p),
                Action::Update,
                Some(policy(&["s3:GetObject", "s3:PutObject"])),
                Some(policy(&["s3:GetObject", "iam:GetRole"])),
                vec![Reason::ActionsChanged {
                    added: vec!["iam:GetRole".into()],
                    removed: vec!["s3:PutObject".into()],
                }],
                true,
            ),
            change(
                Address::role(&drifted, r),
                Action::Update,
                Some(ResourceValue::Role {
                    trust: trust("old"),
                    tags: Tags::new(),
                    other: Default::default(),
                    settings: Default::default(),
                }),
                Some(role("ext-1")),
                vec![Reason::ExternalIdChanged, Reason::TagsChanged { set: tags(), removed: vec![] }],
                true,
            ),
            change(
                Address::attachment(&drifted, r, p),
                Action::Create,
                None,
                Some(attachment(DRIFTED)),
                vec![Reason::Detached],
                true,
            ),
            change(
                Address::attachment(&leaving, r, p),
                Action::Delete,
                Some(attachment(LEAVING)),
                None,
                vec![Reason::NotTargeted],
                false,
            ),
            change(
                Address::role(&leaving, r),
                Action::Delete,
                Some(role("ext-1")),
                None,
                vec![Reason::NotTargeted],
                false,
            ),
            change(Address::policy(&leaving, p), Action::Forget, None, None, vec![Reason::AlreadyGone], true),
            Change { stack_set: Some("radiant-aws-api-access".into()), ..tampered_role() },
        ],
        conflicts: vec![Conflict {
            address: Address::role(&id("444444444444"), r),
            arn: format!("arn:aws:iam::444444444444:role/{r}"),
        }],
        skipped: vec![Skipped {
            account: id("555555555555"),
            name: "sandbox".into(),
            reason: SkipReason::Excluded,
        }],
        unreachable: vec![Unreachable {
            account: id("666666666666"),
            error: CloudError::from_code(
                "sts:AssumeRole",
                Some("AccessDenied"),
                "could not assume arn:aws:iam::666666666666:role/OrganizationAccountAccessRole",
            ),
        }],
        account_names: [(new, "security-audit".to_owned()), (drifted, "prod-web".to_owned())].into(),
        stackset: None,
        kept: vec![crate::plan::Kept {
            address: Address::role(&id("888888888888"), r),
            other: crate::model::OtherPolicies {
                inline: [(
                    "deny-data".to_owned(),
                    PolicyDocument::from_value(json!({"Statement": [
                    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}))
                    .unwrap(),
                )]
                .into(),
                managed: ["arn:aws:iam::aws:policy/SecurityAudit".to_owned()].into(),
                boundary: None,
            },
        }],
    }
}

/// The role with an inline `*`, a second managed policy, a boundary and a
/// principal let in without the external ID, all added by hand.
fn tampered_role() -> Change {
    let backdoor = "arn:aws:iam::999999999999:root";
    let mut found = trust("ext-1").as_value().clone();
    found["Statement"].as_array_mut().unwrap().push(json!({"Effect": "Allow",
        "Principal": {"AWS": backdoor}, "Action": "sts:AssumeRole"}));
    let other = crate::model::OtherPolicies {
        inline: [("admin".to_owned(), document(&["*"]))].into(),
        managed: ["arn:aws:iam::aws:policy/AdministratorAccess".to_owned()].into(),
        boundary: Some(format!("arn:aws:iam::{TAMPERED}:policy/boundary")),
    };
    let before = ResourceValue::Role {
        trust: PolicyDocument::from_value(found).unwrap(),
        tags: tags(),
        other,
        settings: Default::default(),
    };
    let after = ResourceValue::Role {
        trust: trust("ext-1"),
        tags: tags(),
        other: Default::default(),
        settings: Default::default(),
    };
    let reasons = crate::plan::diff_reasons(&after, &before);
    change(
        Address::role(&id(TAMPERED), "radiant-aws-api-access-role"),
        Action::Update,
        Some(before),
        Some(after),
        reasons,
        true,
    )
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/render/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert!(expected == actual, "{name} differs from its golden file; if that is intended, UPDATE_GOLDEN=1 cargo test render\n--- actual\n{actual}");
}

#[test]
fn text_matches_its_golden_file() {
    golden("plan.txt", &plan_text(&sample(), Paint { enabled: false }));
}

#[test]
fn markdown_matches_its_golden_file() {
    golden("plan.md", &plan_markdown(&sample()));
}

#[test]
fn json_matches_its_golden_file_and_hides_the_external_id() {
    let json = format!("{:#}\n", plan_json(&sample()));
    assert!(!json.contains("ext-1") && json.contains("(sensitive)"));
    golden("plan.json", &json);
}

#[test]
fn graphs_match_their_golden_files() {
    golden("plan.dot", &graph_dot(&sample()));
    golden("plan.mmd", &graph_mermaid(&sample()));
}

/// `n` accounts that each get (or, destroying, lose) the same three
/// resources: a plan of an organization onboarded at once.
fn fleet(n: u64, destroy: bool) -> Plan {
    let p = "radiant-aws-api-access-policy";
    let r = "radiant-aws-api-access-role";
    let mut changes = vec![];
    let mut account_names = std::collections::BTreeMap::new();
    for i in 0..n {
        let account = id(&format!("{:012}", 100_000_000_000 + i));
        account_names.insert(account.clone(), format!("member-{i}"));
        let policy =
            ResourceValue::Policy { document: document(&["s3:GetObject", "iam:GetRole"]), tags: tags() };
        let role = ResourceValue::Role {
            trust: trust("ext-1"),
            tags: tags(),
            other: Default::default(),
            settings: Default::default(),
        };
        let attachment = ResourceValue::Attachment {
            role: r.into(),
            policy_arn: format!("arn:aws:iam::{account}:policy/{p}"),
        };
        let resources = [
            (Address::policy(&account, p), policy),
            (Address::role(&account, r), role),
            (Address::attachment(&account, r, p), attachment),
        ];
        for (address, value) in resources {
            changes.push(if destroy {
                change(address, Action::Delete, Some(value), None, vec![Reason::Destroy], false)
            } else {
                change(address, Action::Create, None, Some(value), vec![], false)
            });
        }
    }
    if destroy {
        // Deletes go attachment, role, policy.
        for account in changes.chunks_mut(3) {
            account.reverse();
        }
    }
    Plan {
        destroy,
        changes,
        conflicts: vec![],
        skipped: vec![],
        unreachable: vec![],
        account_names,
        stackset: None,
        kept: vec![],
    }
}

/// The fleet, where two accounts' roles were changed by hand since.
fn fleet_with_two_drifted() -> Plan {
    let mut plan = fleet(30, false);
    let r = "radiant-aws-api-access-role";
    let p = "radiant-aws-api-access-policy";
    let drifted = |account: &str, reasons: Vec<Reason>| {
        let role = ResourceValue::Role {
            trust: trust("ext-1"),
            tags: tags(),
            other: Default::default(),
            settings: Default::default(),
        };
        change(Address::role(&id(account), r), Action::Update, Some(role.clone()), Some(role), reasons, true)
    };
    let detached = |account: &str| {
        let attachment = ResourceValue::Attachment {
            role: r.into(),
            policy_arn: format!("arn:aws:iam::{account}:policy/{p}"),
        };
        change(
            Address::attachment(&id(account), r, p),
            Action::Create,
            None,
            Some(attachment),
            vec![Reason::Detached],
            true,
        )
    };
    plan.changes.extend([drifted("900000000001", vec![Reason::ExternalIdChanged]), detached("900000000002")]);
    plan.account_names.insert(id("900000000001"), "payments".into());
    plan
}

#[test]
fn a_uniform_plan_shows_its_changes_once_for_all_the_accounts() {
    let plan = fleet(30, false);
    golden("plan-grouped.txt", &plan_text(&plan, Paint { enabled: false }));
    golden("plan-grouped.md", &plan_markdown(&plan));
    // The JSON still has every change.
    assert_eq!(plan_json(&plan)["resource_changes"].as_array().unwrap().len(), 90);
}

#[test]
fn accounts_that_drifted_are_shown_on_their_own_beside_the_group() {
    let plan = fleet_with_two_drifted();
    let text = plan_text(&plan, Paint { enabled: false });
    let markdown = plan_markdown(&plan);
    for account in ["900000000001", "900000000002"] {
        assert!(text.contains(&format!("# account {account}")), "{text}");
        assert!(markdown.contains(&format!("<code>{account}</code>")), "{markdown}");
    }
    golden("plan-grouped-drift.txt", &text);
    golden("plan-grouped-drift.md", &markdown);
}

#[test]
fn a_destroy_plan_groups_the_same_way() {
    let plan = fleet(30, true);
    golden("plan-grouped-destroy.txt", &plan_text(&plan, Paint { enabled: false }));
    golden("plan-grouped-destroy.md", &plan_markdown(&plan));
}

/// GitHub's comments hold 65,536 characters: a plan of any size fits, and
/// names the accounts that differ for as long as there is room.
#[test]
fn markdown_fits_a_pull_request_comment_at_any_size() {
    for plan in [fleet(10_000, false), fleet(10_000, true)] {
        let markdown = plan_markdown(&plan);
        assert!(markdown.len() < 10_000, "{} characters", markdown.len());
    }
    // Every account differs: each drifted on its own.
    let mut plan = fleet(0, false);
    for i in 0..10_000u64 {
        let account = format!("{:012}", 200_000_000_000 + i);
        let role = ResourceValue::Role {
            trust: trust("ext-1"),
            tags: tags(),
            other: Default::default(),
            settings: Default::default(),
        };
        let reasons = vec![Reason::TagsChanged {
            set: [("owner".into(), format!("team-{i}"))].into(),
            removed: vec![],
        }];
        let address = Address::role(&id(&account), "radiant-aws-api-access-role");
        plan.changes.push(change(address, Action::Update, Some(role.clone()), Some(role), reasons, true));
    }
    let markdown = plan_markdown(&plan);
    assert!(markdown.len() < 60_000, "{} characters", markdown.len());
    assert!(markdown.contains("more accounts have changes, not shown here"), "{markdown}");
    assert!(plan_text(&plan, Paint { enabled: false }).contains("# account 200000009999"));
    // Nothing to change, but 10,000 accounts unreachable for one reason and
    // 10,000 roles keeping the same policy.
    let mut plan = fleet(0, false);
    for i in 0..10_000u64 {
        let account = id(&format!("{:012}", 300_000_000_000 + i));
        let error =
            CloudError::from_code("sts:AssumeRole", Some("AccessDenied"), "could not assume the access role");
        plan.unreachable.push(Unreachable { account: account.clone(), error });
        let other = crate::model::OtherPolicies {
            managed: ["arn:aws:iam::aws:policy/SecurityAudit".into()].into(),
            ..Default::default()
        };
        plan.kept.push(crate::plan::Kept {
            address: Address::role(&account, "radiant-aws-api-access-role"),
            other,
        });
    }
    let markdown = plan_markdown(&plan);
    assert!(markdown.len() < 60_000, "{} characters", markdown.len());
    assert!(markdown.contains("- 10000 accounts could not be read ("), "{markdown}");
    assert!(markdown.contains("- role radiant-aws-api-access-role in 10000 accounts ("), "{markdown}");
}

/// The role options, as the planner gives them (`apply::role_options_tests`
/// on the sim): a role made with them, one changed in place, and a new path
/// replacing a role, with its policy attached again.
fn role_options() -> Plan {
    use crate::model::{OtherPolicies, RoleSettings, ORGROLE_DESCRIPTION};
    let r = "radiant-aws-api-access-role";
    let p = "radiant-aws-api-access-policy";
    let boundary = |account: &str| format!("arn:aws:iam::{account}:policy/VendorBoundary");
    let role = |account: &str, description: &str, hours: u32| ResourceValue::Role {
        trust: trust("ext-1"),
        tags: tags(),
        other: OtherPolicies { boundary: Some(boundary(account)), ..Default::default() },
        settings: RoleSettings {
            path: "/vendor/".into(),
            description: Some(description.into()),
            max_session_duration: hours * 3600,
        },
    };
    let made_before = ResourceValue::Role {
        trust: trust("ext-1"),
        tags: tags(),
        other: Default::default(),
        settings: RoleSettings { description: Some(ORGROLE_DESCRIPTION.into()), ..Default::default() },
    };
    let attachment = |account: &str| ResourceValue::Attachment {
        role: r.into(),
        policy_arn: format!("arn:aws:iam::{account}:policy/{p}"),
    };
    let with_path = |mut c: Change| {
        c.arn = format!("arn:aws:iam::{}:role/vendor/{r}", c.address.account);
        c
    };
    let (new, drifted, leaving) = (id(NEW), id(DRIFTED), id(LEAVING));
    Plan {
        destroy: false,
        changes: vec![
            with_path(change(
                Address::role(&new, r),
                Action::Create,
                None,
                Some(role(NEW, "Radiant", 2)),
                vec![],
                false,
            )),
            with_path(change(
                Address::role(&drifted, r),
                Action::Replace,
                Some(made_before),
                Some(role(DRIFTED, "Radiant", 2)),
                vec![
                    Reason::PathChanged { before: "/".into(), after: "/vendor/".into() },
                    Reason::DescriptionChanged {
                        before: Some(ORGROLE_DESCRIPTION.into()),
                        after: Some("Radiant".into()),
                    },
                    Reason::MaxSessionDurationChanged { before: 3600, after: 7200 },
                    Reason::PermissionsBoundaryChanged { before: None, after: Some(boundary(DRIFTED)) },
                ],
                false,
            )),
            change(
                Address::attachment(&drifted, r, p),
                Action::Create,
                Some(attachment(DRIFTED)),
                Some(attachment(DRIFTED)),
                vec![Reason::RoleReplaced],
                false,
            ),
            with_path(change(
                Address::role(&leaving, r),
                Action::Update,
                Some(role(LEAVING, "Radiant", 2)),
                Some(role(LEAVING, "Radiant, reviewed", 3)),
                vec![
                    Reason::DescriptionChanged {
                        before: Some("Radiant".into()),
                        after: Some("Radiant, reviewed".into()),
                    },
                    Reason::MaxSessionDurationChanged { before: 7200, after: 10800 },
                ],
                false,
            )),
        ],
        conflicts: vec![],
        skipped: vec![],
        unreachable: vec![],
        account_names: Default::default(),
        stackset: None,
        kept: vec![],
    }
}

#[test]
fn role_options_and_a_replacement_match_their_golden_files() {
    let plan = role_options();
    let s = plan.summary();
    assert_eq!((s.add, s.change, s.destroy), (3, 1, 1), "a replacement adds one and destroys one");
    golden("plan-role-options.txt", &plan_text(&plan, Paint { enabled: false }));
    golden("plan-role-options.json", &format!("{:#}\n", plan_json(&plan)));
}
