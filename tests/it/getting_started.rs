//! A newcomer's first minutes: init from the live organization, then
//! validate and plan without an edit; completions and the man page.

use crate::support::{Org, Test};

#[test]
fn init_writes_a_configuration_that_validates_and_plans_as_written_and_never_overwrites_one() {
    let org = Org::builder().account("audit", "Security").account("web", "Workloads/Prod").seed();
    let t = Test::new(&org);
    t.run(&["init"]).code(0).stdout_has("Wrote orgrole.kdl");
    let written = std::fs::read_to_string(t.path("orgrole.kdl")).unwrap();
    assert!(written.contains("stackset \"radiant-aws-api-access\""), "{written}");
    // The OUs are there to paste, nested as they are.
    assert!(written.contains(&format!("//   ou \"{}\"    // Prod", org.ou("Workloads/Prod"))), "{written}");
    assert!(written.contains(&format!("orgrole-state-{}", org.management)), "{written}");
    t.run(&["validate"]).code(0);
    t.run(&["plan", "--detailed-exitcode"]).code(2).stdout_has("stack set radiant-aws-api-access");

    let again = t.run(&["init"]).code(1);
    assert!(again.stderr.contains("orgrole.kdl exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(t.path("orgrole.kdl")).unwrap(), written, "left as it was");

    t.run(&["init", "--mode", "direct", "--out", "direct.kdl"]).code(0);
    t.run(&["-c", "direct.kdl", "plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("# 3 to add in each of 3 accounts");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    let t = Test::without_aws();
    let bash = t.run(&["completions", "bash"]).code(0).stdout;
    assert!(
        bash.contains("_orgrole()") && bash.contains("force-unlock") && bash.contains("--detailed-exitcode")
    );
    for shell in ["zsh", "fish", "powershell"] {
        let script = t.run(&["completions", shell]).code(0).stdout;
        assert!(script.contains("status"), "{shell}: {script}");
    }
    let man = t.run(&["man"]).code(0).stdout;
    assert!(man.contains(".TH orgrole 1") && man.contains("init"), "{man}");
    let version = t.run(&["--version"]).code(0).stdout;
    assert!(version.starts_with(&format!("orgrole {} (commit ", env!("CARGO_PKG_VERSION"))), "{version}");
}

#[test]
fn init_run_by_a_delegated_administrator_writes_a_configuration_it_can_plan() {
    let org = Org::builder().account("tooling", "Security").account("web", "Workloads").seed();
    org.activate_trusted_access();
    org.register_stacksets_admin("tooling");
    let t = Test::as_account(&org, "tooling");
    t.run(&["init"]).code(0);
    let written = std::fs::read_to_string(t.path("orgrole.kdl")).unwrap();
    assert!(written.contains("call-as \"delegated-admin\""), "{written}");
    t.run(&["plan", "--detailed-exitcode"])
        .code(2)
        .stdout_has("stack set radiant-aws-api-access (as delegated administrator)");
}
