//! Helpers for the config tests: a valid file to edit, and problems as
//! `line:col` + message, the way a user sees them.

use std::path::Path;

use super::{parse, ConfigReport, Loaded};

/// A complete, valid configuration; tests change one line of it.
pub(crate) const VALID: &str = r#"credential "AWS API Credentials" {
    external-id "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11"
}
role "radiant-aws-api-access-role" {
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "radiant-aws-api-access-policy" preset="radiant"
    tags { owner "secops" }
}
direct {
    organization
}
"#;

/// `VALID` with its first `old` replaced by `new`.
pub(crate) fn edit(old: &str, new: &str) -> String {
    assert!(VALID.contains(old), "{old:?} is not in VALID");
    VALID.replacen(old, new, 1)
}

fn env(name: &str) -> Option<String> {
    match name {
        "RS_CREDENTIAL_ID" => Some("id-from-env".into()),
        "EMPTY_VAR" => Some(String::new()),
        _ => None,
    }
}

pub(crate) fn load(text: &str) -> Result<Loaded, ConfigReport> {
    load_in(text, Path::new("/nonexistent"))
}

pub(crate) fn load_in(text: &str, dir: &Path) -> Result<Loaded, ConfigReport> {
    parse("orgrole.kdl", text, dir, &env)
}

#[derive(Debug)]
pub(crate) struct Seen {
    /// `line:col` of the start of the span, both from 1.
    pub at: String,
    pub message: String,
    pub help: String,
    pub warning: bool,
}

pub(crate) fn seen(report: &ConfigReport, text: &str) -> Vec<Seen> {
    report
        .problems()
        .iter()
        .map(|p| Seen {
            at: p.span().map_or("-".into(), |s| line_col(text, s.offset())),
            message: p.message().into(),
            help: p.help().into(),
            warning: p.is_warning(),
        })
        .collect()
}

pub(crate) fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{line}:{col}")
}

pub(crate) fn problems_in(text: &str, dir: &Path) -> Vec<Seen> {
    match load_in(text, dir) {
        Ok(loaded) => panic!("expected problems, got {:#?}", loaded.desired),
        Err(report) => seen(&report, text),
    }
}

/// The single problem of `text`; fails when there are none or several, so
/// that tests also catch one mistake reported twice.
pub(crate) fn one_problem_in(text: &str, dir: &Path) -> Seen {
    let mut all = problems_in(text, dir);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

pub(crate) fn one_problem(text: &str) -> Seen {
    one_problem_in(text, Path::new("/nonexistent"))
}
