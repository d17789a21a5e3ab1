//! Diagnostics: every problem found in a configuration file, reported together.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};

/// One thing wrong (an error) or doubtful (a warning) in the configuration.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Problem {
    message: String,
    /// Where in the file; `None` when the file itself could not be read.
    span: Option<SourceSpan>,
    /// What to do about it.
    help: String,
    severity: Severity,
}

impl Problem {
    pub(crate) fn error(
        span: impl Into<Option<SourceSpan>>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self { message: message.into(), span: span.into(), help: help.into(), severity: Severity::Error }
    }

    pub(crate) fn warning(span: SourceSpan, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(span, message, help) }
    }

    /// A KDL syntax error, in the same form as the others so they can be
    /// reported together.
    fn from_kdl(d: kdl::KdlDiagnostic) -> Self {
        Self::error(
            d.span,
            d.message.unwrap_or_else(|| "invalid KDL syntax".into()),
            d.help.unwrap_or_else(|| "fix the syntax here (KDL v2, see https://kdl.dev)".into()),
        )
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn span(&self) -> Option<SourceSpan> {
        self.span
    }

    pub fn help(&self) -> &str {
        &self.help
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

// Written by hand: miette's derive fixes the severity per type, and a problem's
// severity is data.
impl Diagnostic for Problem {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some("here".into()), span))))
    }
}

/// Keeps the value of a check that passed; records the problem of one that did not.
pub(crate) fn ok<T>(result: Result<T, Problem>, problems: &mut Vec<Problem>) -> Option<T> {
    result.map_err(|p| problems.push(p)).ok()
}

/// All the problems of one configuration file, with its text so that each
/// renders as `file:line:col` and a snippet.
#[derive(Debug, thiserror::Error)]
#[error("{}: {}", .source_code.name(), summary(.problems))]
pub struct ConfigReport {
    source_code: NamedSource<String>,
    problems: Vec<Problem>,
}

// Written by hand for the severity: a report of warnings only is a warning.
impl Diagnostic for ConfigReport {
    fn severity(&self) -> Option<Severity> {
        Some(if Self::has_errors(&self.problems) { Severity::Error } else { Severity::Warning })
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source_code)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.problems.iter().map(|p| p as &dyn Diagnostic)))
    }
}

impl ConfigReport {
    /// Problems are listed in file order (those without a place first).
    pub(crate) fn new(name: &str, text: &str, mut problems: Vec<Problem>) -> Self {
        problems.sort_by_key(|p| p.span.map(|s| s.offset()));
        Self { source_code: NamedSource::new(name, text.to_owned()), problems }
    }

    pub(crate) fn from_kdl(name: &str, text: &str, err: kdl::KdlError) -> Self {
        Self::new(name, text, err.diagnostics.into_iter().map(Problem::from_kdl).collect())
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    pub(crate) fn has_errors(problems: &[Problem]) -> bool {
        problems.iter().any(|p| !p.is_warning())
    }
}

fn summary(problems: &[Problem]) -> String {
    let warnings = problems.iter().filter(|p| p.is_warning()).count();
    let errors = problems.len() - warnings;
    match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// `1 error`, `3 errors`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_errors_and_warnings() {
        let span = SourceSpan::from(0..1);
        let e = || Problem::error(span, "e", "h");
        let w = || Problem::warning(span, "w", "h");
        assert_eq!(
            ConfigReport::new("orgrole.kdl", "x", vec![e(), e(), e()]).to_string(),
            "orgrole.kdl: 3 errors"
        );
        assert_eq!(ConfigReport::new("orgrole.kdl", "x", vec![w()]).to_string(), "orgrole.kdl: 1 warning");
        assert_eq!(
            ConfigReport::new("orgrole.kdl", "x", vec![w(), e()]).to_string(),
            "orgrole.kdl: 1 error and 1 warning"
        );
    }
}
