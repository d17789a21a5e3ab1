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

/// tests/bad-configs: one bad configuration per file, each with the problem
/// and the place orgrole must report (expected.txt).
#[test]
fn every_bad_configuration_of_the_corpus_is_reported_at_its_place_without_an_aws_call() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad-configs");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let t = Test::without_aws().cwd(dir.clone());
    let mut cases = 0;
    for line in expected.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let [file, place, message] = line.splitn(3, " | ").collect::<Vec<_>>()[..] else {
            panic!("expected.txt: `{line}` is not FILE | LINE:COL | MESSAGE");
        };
        let run = t.run(&["plan", "-c", file]).code(1);
        let at = format!("{file}:{place}");
        assert!(run.stderr.contains(&at), "{file}: no problem reported at {at}\n{}", run.stderr);
        assert!(run.stderr.contains(message), "{file}: no `{message}`\n{}", run.stderr);
        assert_eq!(run.api_calls(), 0, "{file}: AWS was called");
        cases += 1;
    }
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "kdl"))
        .count();
    assert_eq!(cases, files, "every file of tests/bad-configs has a line in expected.txt");
    assert!(cases >= 40);
}

#[test]
fn huge_binary_and_unreadable_configurations_are_refused_with_their_place() {
    let valid = "credential \"c\" { external-id \"ext-id-1234\"; }\nrole \"r\" { trust \"arn:aws:iam::123456789012:root\"; policy \"p\" preset=\"radiant\"; }\n";
    // 20,000 accounts (about 600 KB), the last one malformed.
    let mut huge = String::from(valid);
    huge.push_str("direct {\n");
    for i in 0..20_000u64 {
        huge.push_str(&format!("    accounts \"{:012}\"\n", 100_000_000_000 + i));
    }
    huge.push_str("    accounts \"12345\"\n}\n");
    let t = Test::without_aws().file("huge.kdl", &huge);
    let run = t
        .run(&["plan", "-c", "huge.kdl"])
        .code(1)
        .stderr_has("huge.kdl:20004:")
        .stderr_has("`12345` is not an AWS account ID");
    assert_eq!(run.api_calls(), 0);

    // Control characters and bytes that are not UTF-8.
    std::fs::write(t.path("junk.kdl"), b"\x00\x01\x02credential\xff\xfe { }\x1b[2J").unwrap();
    t.run(&["plan", "-c", "junk.kdl"]).code(1).stderr_has("junk.kdl").stderr_has("UTF-8");
    std::fs::write(t.path("controls.kdl"), "credential \"c\" {\u{7} external-id \"x\u{1}y\"; }\n").unwrap();
    t.run(&["plan", "-c", "controls.kdl"]).code(1).stderr_has("controls.kdl:1:");

    // A directory where the file should be.
    std::fs::create_dir(t.path("dir.kdl")).unwrap();
    t.run(&["plan", "-c", "dir.kdl"]).code(1).stderr_has("cannot read the configuration file dir.kdl");
}
