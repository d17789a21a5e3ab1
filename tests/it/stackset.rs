//! StackSet mode, as far as this version goes: the block is validated (and
//! its template checked), and the deploying commands refuse it rather than
//! plan the role without it.

use crate::support::Test;

const CONFIG: &str = r#"credential "c" { external-id "ext-id-1234"; }
role "radiant-aws-api-access-role" {
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "radiant-aws-api-access-policy" preset="radiant"
}
stackset "radiant-aws-api-access" {
    organization
    regions "us-east-1"
    management-account #true
}
"#;

#[test]
fn a_stackset_block_is_validated_and_the_deploying_commands_refuse_it_without_calling_aws() {
    let t = Test::without_aws().config(CONFIG);
    t.run(&["validate"])
        .code(0)
        .stdout_has("StackSet radiant-aws-api-access: template generated from the role block (")
        .stdout_has("in us-east-1");
    for command in [&["plan"][..], &["apply", "--auto-approve"], &["destroy", "--auto-approve"]] {
        let run = t.run(command).code(1).stderr_has("is not deployed by this version of orgrole yet");
        assert_eq!(run.api_calls(), 0, "{}", run.stderr);
    }
}
