//! A bad configuration: exit 1, every problem with file, line and column,
//! and no AWS call made.

use crate::support::Test;

#[test]
fn every_problem_is_reported_at_once_with_its_location_and_nothing_is_called() {
    let t = Test::without_aws().config(
        r#"credential "c" { external-id "x"; }
role "bad name!" {
    trust "not-an-arn"
    policy "p" preset="radiant"
}
direct { accounts 111111111111; }
"#,
    );
    for command in [&["validate"][..], &["plan"], &["apply", "--auto-approve"]] {
        let run = t.run(command).code(1);
        for location in ["orgrole.kdl:1:", "orgrole.kdl:2:", "orgrole.kdl:3:", "orgrole.kdl:6:"] {
            assert!(run.stderr.contains(location), "no problem at {location}\n{}", run.stderr);
        }
        assert_eq!(run.api_calls(), 0, "{}", run.stderr);
    }
}

#[test]
fn a_missing_configuration_file_is_named() {
    Test::without_aws().run(&["plan", "-c", "nowhere.kdl"]).code(1).stderr_has("nowhere.kdl");
}

#[test]
fn global_flags_work_after_the_subcommand_too() {
    let t = Test::without_aws().file(
        "mine.kdl",
        r#"credential "c" { external-id "ext-id-1234"; }
role "r" { trust "arn:aws:iam::123456789012:root"; policy "p" preset="radiant"; }
direct { accounts "123456789012"; }
"#,
    );
    t.run(&["validate", "-c", "mine.kdl"]).code(0).stdout_has("valid");
    t.run(&["-c", "mine.kdl", "validate"]).code(0).stdout_has("valid");
}
