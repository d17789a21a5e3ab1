//! The example CI workflows are valid YAML and call only orgrole's
//! documented commands and flags (checked against the binary's own help).

use std::path::PathBuf;
use std::process::Command;

/// orgrole's subcommands, as its command line defines them.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    orgrole::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_owned()).collect()
}

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ci");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Every `orgrole SUBCOMMAND ...` in the text, up to the end of its shell command.
fn invocations(text: &str) -> Vec<Vec<String>> {
    let subcommands = subcommands();
    let mut found = vec![];
    for line in text.lines() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        for (i, token) in tokens.iter().enumerate() {
            if *token != "orgrole" || !tokens.get(i + 1).is_some_and(|t| subcommands.iter().any(|s| s == t)) {
                continue;
            }
            let command: Vec<String> = tokens[i + 1..]
                .iter()
                .take_while(|t| !["|", ";", ">", "&&", "||"].contains(t) && !t.ends_with(';'))
                .map(|t| t.to_string())
                .collect();
            found.push(command);
        }
    }
    found
}

#[test]
fn example_workflows_are_valid_yaml_and_use_only_documented_commands() {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: run `just setup` (PyYAML comes with moto)", python.display());
    let files = examples();
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        let parsed = Command::new(&python)
            .args(["-c", "import sys, yaml; yaml.safe_load(open(sys.argv[1]))"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            parsed.status.success(),
            "{} is not valid YAML: {}",
            file.display(),
            String::from_utf8_lossy(&parsed.stderr)
        );

        let text = std::fs::read_to_string(&file).unwrap();
        // A pinned release, built once and cached: not a build from git in every job.
        let builds = text.matches("cargo install").count();
        assert_eq!(builds, 1, "{}: orgrole is built by one job, pinned to a version", file.display());
        assert!(text.contains("--tag \"v$ORGROLE_VERSION\""), "{}: a pinned version", file.display());
        let calls = invocations(&text);
        assert!(calls.len() >= 5, "{}: {calls:?}", file.display());
        for call in calls {
            let help =
                Command::new(env!("CARGO_BIN_EXE_orgrole")).args([&call[0], "--help"]).output().unwrap();
            assert!(help.status.success(), "{}: `orgrole {}` is not a command", file.display(), call[0]);
            let help = String::from_utf8_lossy(&help.stdout);
            for flag in call.iter().filter(|t| t.starts_with("--")) {
                assert!(
                    help.contains(flag.as_str()),
                    "{}: `orgrole {}` has no flag {flag}",
                    file.display(),
                    call.join(" ")
                );
            }
        }
    }
}
